"""tel: and sms: links for numbers as people write them, for the plan templates."""
from __future__ import annotations

from urllib.parse import quote

from flask import Flask


def tel_href(phone: str) -> str:
    """tel: link for a number as people write it (spaces and brackets dropped)."""
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    return f"tel:{digits}" if digits else ""


def sms_href(phone: str, message: str = "") -> str:
    """sms: link, with the client's pre-written message when they chose one."""
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    if not digits:
        return ""
    return f"sms:{digits}" + (f"?body={quote(message)}" if message else "")


def plan_links():
    """Helpers the plan templates use."""
    return {"tel": tel_href, "sms": sms_href}


def init_app(app: Flask) -> None:
    """Give every template `plan_links()`."""
    app.add_template_global(plan_links)
