"""One place that knows how to open the database well.

SQLite gets WAL (readers never block the writer), a busy timeout (a second process waits
rather than failing), foreign keys (deleting a person really deletes their rows) and
synchronous=NORMAL (safe against a crash of the process; one fsync per checkpoint, not per
message).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

BUSY_TIMEOUT_MS = 5000


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'mend.db').resolve()}"


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def set_up(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return set_up


def private(database: Path) -> None:
    """The folder and the database hold ids, roles, safety state and scores: owner only
    (0700 and 0600; SQLite gives its -wal and -shm files the database's own mode)."""
    folder = database.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):  # a folder someone else owns keeps its mode
        os.chmod(folder, 0o700)
    if not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for path in (database, *(database.with_name(database.name + x) for x in ("-wal", "-shm"))):
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)


def make_engine(url: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            private(Path(database))
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)
