"""What every store shares: run on its own short transaction, or inside someone else's.

The reminder sweep and /export use a store on its own, and each call commits by itself. One
person's event uses the same stores bound to the event's single transaction (`within`), so
what the event changes is written all together or not at all (DESIGN §5).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

from sqlalchemy import Connection, Engine

from storage.crypto import TextCipher


class Conflict(Exception):
    """Someone else changed what this transaction read: roll back and run the event again."""


def locked(error: BaseException) -> bool:
    """SQLite's "database is locked" / "busy" (someone else holds the lock), raw from the
    driver or wrapped by SQLAlchemy: a reason to wait, not a lost connection."""
    text = str(getattr(error, "orig", None) or error).lower()
    return "locked" in text or "busy" in text


class Store:
    def __init__(self, engine: Engine, cipher: TextCipher) -> None:
        self._engine = engine
        self._cipher = cipher
        self._conn: Connection | None = None
        self._postgres = engine.dialect.name == "postgresql"

    def within(self, conn: Connection) -> Self:
        """The same store, writing into `conn`'s open transaction (committed by its owner)."""
        bound = copy.copy(self)
        bound._conn = conn
        return bound

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        if self._conn is not None:
            yield self._conn
            return
        with self._engine.begin() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        if self._conn is not None:
            yield self._conn
            return
        with self._engine.connect() as conn:
            yield conn
