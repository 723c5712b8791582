"""Core statements compiled once and run straight on the driver connection.

SQLAlchemy builds the SQL (so it stays right for SQLite and PostgreSQL alike) and supplies
each column type's bind processor; what is skipped is the per-execute machinery, which on
the per-message hot path costs more than the database work itself (DESIGN §5's table).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


class Prepared:
    __slots__ = ("_plan", "_positional", "sql")

    def __init__(
        self, statement: ClauseElement, dialect: Dialect, columns: Sequence[str] | None = None
    ) -> None:
        compiled = cast(
            SQLCompiler,
            statement.compile(
                dialect=dialect, column_keys=list(columns) if columns is not None else None
            ),
        )
        self.sql = str(compiled)
        self._positional = bool(dialect.positional)
        names = tuple(compiled.positiontup or ()) if self._positional else tuple(compiled.binds)
        plan: list[tuple[str, Callable[[Any], Any] | None]] = []
        for name in names:
            plan.append((name, compiled.binds[name].type.bind_processor(dialect)))
        self._plan = tuple(plan)

    def params(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """The driver's parameters: in order for SQLite's `?`, by name for psycopg's `%(x)s`."""
        if self._positional:
            return tuple(
                values[name] if convert is None else convert(values[name])
                for name, convert in self._plan
            )
        return {
            name: values[name] if convert is None else convert(values[name])
            for name, convert in self._plan
        }
