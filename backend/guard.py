"""Hostile input gets a 4xx, never a 500.

One place checks what every request brings before any view sees it:

- ids in URLs (`<int:...>`) are bounded to what every database stores (PostgreSQL's INTEGER), so a
  larger number is simply a page that does not exist (404);
- integer query arguments the packages declare (`since`) are ASCII digits within that bound;
- NUL bytes are refused in query strings, forms and JSON (PostgreSQL cannot store them);
- a JSON body must parse, nest at most `MAX_JSON_DEPTH` levels and, where the OpenAPI document
  describes the body, have the types it says (so services never meet a list where they expect a
  string).
"""
from __future__ import annotations

import re
from datetime import date

from flask import Flask, abort, current_app, jsonify, make_response, request
from flask_babel import gettext as _
from flask_babel import ngettext

# The largest value of a PostgreSQL INTEGER column, and so of every id and revision we store.
MAX_ID = 2**31 - 1
MAX_JSON_DEPTH = 64
# Query arguments that are integers wherever they appear (revision numbers).
INT_QUERY_ARGS = ("since",)
# Dates in JSON bodies (commitments' due and made_on) fall in these years.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

# A NUL byte (PostgreSQL cannot store it) or half of a UTF-16 pair (not text at all; JSON's \ud800
# escapes can make one, and no database encoding takes it).
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")
_PATH_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_JSON_TYPES = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list,), "object": (dict,),
}


def _ids_in_range(endpoint: str | None, values: dict | None) -> None:
    """An `<int:...>` beyond what a database column holds names nothing: 404, after routing chose
    the rule (so the method still decides between 404 and 405)."""
    if values and any(isinstance(v, int) and not 0 <= v <= MAX_ID for v in values.values()):
        abort(404)


def _refuse(code: str, message: str, status: int = 400, field: str | None = None):
    """Stop the request: JSON for the API, the plain error page otherwise."""
    if request.path.startswith("/api/"):
        body = {"error": code, "message": message, "status": status}
        if field:
            body["field"] = field
        abort(make_response(jsonify(body), status))
    abort(status)


def _has_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values)


def json_problem(value, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why a parsed JSON value is refused (too deep, a NUL byte or lone surrogate), or None. Iterative, so any depth
    that got through the parser is checked without recursion."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > max_depth:
                return "too_deep"
            children = node.items() if isinstance(node, dict) else enumerate(node)
            for key, child in children:
                if isinstance(key, str) and _NOT_TEXT.search(key):
                    return "nul_byte"
                stack.append((child, depth + 1))
        elif isinstance(node, str) and _NOT_TEXT.search(node):
            return "nul_byte"
    return None


def _plausible_date(value: str) -> bool:
    """A YYYY-MM-DD date in the years a safety plan can mean (2000–2100)."""
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10 and EARLIEST_YEAR <= parsed.year <= LATEST_YEAR


def _resolve(schema: dict, components: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def type_problem(value, schema: dict, components: dict, where: str = "body") -> str | None:
    """The first place where a value's JSON type differs from an OpenAPI schema's, or None.

    Only types (with `nullable`) and `format: date` (a real date between 2000 and 2100) are checked
    here; required fields, enums and lengths are the services' business, with their own messages."""
    schema = _resolve(schema, components)
    if value is None:
        return None if schema.get("nullable") or "type" not in schema else where
    expected = schema.get("type")
    if expected:
        types = _JSON_TYPES.get(expected, (object,))
        if not isinstance(value, types) or (expected in ("integer", "number") and isinstance(value, bool)):
            return where
    if schema.get("format") == "date" and isinstance(value, str) and not _plausible_date(value):
        return where
    if isinstance(value, dict):
        for name, sub in (schema.get("properties") or {}).items():
            if name in value:
                found = type_problem(value[name], sub, components, f"{where}.{name}")
                if found:
                    return found
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found = type_problem(item, schema["items"], components, f"{where}[{index}]")
            if found:
                return found
    return None


def _body_schema(app: Flask, rule: str, method: str) -> tuple[dict | None, dict]:
    """The JSON request-body schema the OpenAPI document gives this route, and its components."""
    document = app.extensions.get("trygg.openapi_cache")
    if document is None:
        builder = app.extensions.get("trygg.openapi_document")
        if builder is None:
            return None, {}
        document = app.extensions["trygg.openapi_cache"] = builder()
    operation = document.get("paths", {}).get(_PATH_PARAM.sub(r"{\1}", rule), {}).get(method.lower(), {})
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    return body.get("schema"), document.get("components", {}).get("schemas", {})


def check_request():
    """The before_request hook: refuse what no view should have to handle."""
    if "\x00" in request.path or _has_nul(request.args.items(multi=True)):
        _refuse("nul_byte", _("Text may not contain NUL characters."))
    for name in INT_QUERY_ARGS:
        for raw in request.args.getlist(name):
            if not (raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID):
                _refuse(f"bad_{name}", _("“%(name)s” must be a whole number from 0 to %(max)d.", name=name, max=MAX_ID))
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if _has_nul(request.form.items(multi=True)):
            _refuse("nul_byte", _("Text may not contain NUL characters."))
        return
    if not request.is_json:
        return
    problem: str | None
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes
        body, problem = None, "too_deep"
    else:
        problem = json_problem(body) if body is not None else None
    if problem == "too_deep":
        _refuse("too_deep", ngettext("JSON may nest at most %(num)d level.", "JSON may nest at most %(num)d levels.",
                                     MAX_JSON_DEPTH))
    if problem == "nul_byte":
        _refuse("not_text", _("Text may not contain NUL characters or broken characters."))
    if body is not None and request.url_rule is not None:
        schema, components = _body_schema(current_app, request.url_rule.rule, request.method)
        where = type_problem(body, schema, components) if schema else None
        if where:
            # The code names the field, as the services' own codes do (bad_ops, bad_uuid, …).
            field = re.sub(r"\[\d+\]", "", where).rsplit(".", 1)[-1]
            if field == "body":
                _refuse("bad_json", _("The request body must be a JSON object."))
            if field in ("due", "made_on"):
                _refuse("bad_date", _("Please give the date as YYYY-MM-DD, between 2000 and 2100."), field=field)
            _refuse(f"bad_{field}", _("“%(field)s” has the wrong type.", field=field), field=field)


def init_app(app: Flask) -> None:
    """Bound every `<int:...>` in URLs and check every request."""
    app.url_value_preprocessor(_ids_in_range)
    app.before_request(check_request)
