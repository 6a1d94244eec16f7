"""Reads on the hot path, run on the driver itself.

SQLAlchemy's `execute` spends 40–90 µs of Python on every statement (the compiled cache, parameter
processing, setting up the result, and the ORM's layer on top), where the driver's own call takes
about 10 µs on SQLite. Every signed-in request and every open of the crisis view runs a few such
reads, so they were most of what those requests cost (DESIGN-NOTES, "Cheaper requests").

A `Prepared` read is a Core SELECT compiled once per dialect. It runs on the session's own
connection, in the same transaction as the ORM, so it never reads around a pending write. Each value
goes through the column type's converters on the way in and out. A row is what `session.execute`
would give; `tests/integration/test_prepared.py` checks this on both databases. Engine events see the
statement as before (statement counters in tests and benches stay honest), and a lost connection is
invalidated as SQLAlchemy would do it.

Only plain column SELECTs with named bind parameters (no ORM entities, no expanding IN): anything
else is refused when it is first compiled, not on some later request.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: tuple[str, ...] | None  # bind names in order (positional drivers), else None
    names: tuple[str, ...]  # what the caller supplies
    constants: dict[str, Any]  # values the statement carries itself (literals)
    to_driver: dict[str, Callable | None]
    from_driver: tuple[Callable | None, ...]


class Prepared:
    """A read compiled once per dialect and run straight on the driver (see the module doc)."""

    def __init__(self, statement: Select) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def first(self, db: Session, **params: Any) -> tuple | None:
        """The first row, or None."""
        rows = self._run(db, params, one=True)
        return rows[0] if rows else None

    def all(self, db: Session, **params: Any) -> list[tuple]:
        """Every row."""
        return self._run(db, params, one=False)

    def _run(self, db: Session, params: dict, one: bool) -> list[tuple]:
        if db.autoflush:
            db.flush()  # as session.execute would: the read sees this session's pending changes
        connection = db.connection()
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name) or self._compile(dialect)
        if params.keys() != set(compiled.names):
            raise TypeError(f"parameters {sorted(params)} given, {sorted(compiled.names)} needed")
        values = {**compiled.constants, **params}
        for name, to_driver in compiled.to_driver.items():
            if to_driver is not None:
                values[name] = to_driver(values[name])
        arguments: Any = (tuple(values[name] for name in compiled.positions)
                          if compiled.positions is not None else values)
        for listener in connection.dispatch.before_cursor_execute:
            listener(connection, None, compiled.sql, arguments, None, False)
        driver = connection.connection
        cursor = driver.cursor()
        try:
            cursor.execute(compiled.sql, arguments)
            raw = [cursor.fetchone()] if one else cursor.fetchall()
        except dialect.loaded_dbapi.Error as error:
            lost = dialect.is_disconnect(error, driver, cursor)
            if lost:
                connection.invalidate(error)
            raise exc.DBAPIError.instance(compiled.sql, arguments, error, dialect.loaded_dbapi.Error,
                                          connection_invalidated=lost, dialect=dialect) from error
        finally:
            cursor.close()
        convert = compiled.from_driver
        return [tuple(value if c is None else c(value) for c, value in zip(convert, row, strict=True))
                for row in raw if row is not None]

    def _compile(self, dialect: Dialect) -> _Compiled:
        statement = self.statement
        if not isinstance(statement, Select) or any(isinstance(described["expr"], type)
                                                    for described in statement.column_descriptions):
            raise TypeError("Prepared takes a SELECT of columns, not of ORM entities")
        compiled = statement.compile(dialect=dialect)
        binds = compiled.binds
        if any(bind.expanding or (bind.required and bind.literal_execute) for bind in binds.values()):
            raise TypeError("Prepared cannot run a parameter rendered into the SQL (expanding IN, literal_execute)")
        needed = tuple(sorted({bind.key for bind in binds.values() if bind.required}))
        # Expanding the statement once renders the literals it executes inline (a separator, say)
        # and gives the final SQL with the driver's placeholders.
        expanded = compiled.construct_expanded_state({name: None for name in needed})
        order = tuple(expanded.positiontup or ()) if compiled.positional else None
        used = order if order is not None else tuple(expanded.parameters)
        for name in used:
            if name not in binds:
                raise TypeError(f"Prepared cannot run {name!r} (an expanding parameter?)")
        constants = {name: value for name, value in expanded.parameters.items() if name not in needed}
        to_driver = {name: binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in set(used)}
        from_driver = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                            for column in statement.selected_columns)
        result = _Compiled(expanded.statement, order, needed, constants, to_driver, from_driver)
        self._compiled[dialect.name] = result
        return result
