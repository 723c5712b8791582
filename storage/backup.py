"""`mend backup`: a consistent copy of a SQLite database while the bot keeps running.

SQLite's online backup API copies the database inside one read transaction. In WAL mode a
reader never blocks the writer, so the bot goes on answering while it runs, and the copy is
the last committed state. Copying `mend.db` with `cp` instead can miss what still sits in
`mend.db-wal`, or catch a checkpoint halfway. PostgreSQL has its own tool for this
(pg_dump), so nothing here speaks to it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.engine import BUSY_TIMEOUT_MS


class BackupError(Exception):
    """The copy could not be made; the message says why in words an operator can act on."""


def sqlite_file(url: str) -> Path | None:
    """The database file behind a SQLite URL; None for another database (or in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


def default_name(folder: Path, now: datetime) -> Path:
    """`mend-backup-20260301T090000Z.db`: sorts by time, says it is UTC."""
    return folder / f"mend-backup-{now:%Y%m%dT%H%M%SZ}.db"


def _claim(target: Path) -> None:
    """Create the file for the owner alone (0600) before a byte is written, and never over
    something that is already there (an earlier backup is worth keeping)."""
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise BackupError(f"{target} already exists; choose another name") from None
    except OSError as problem:
        raise BackupError(f"cannot write {target} ({problem.strerror})") from None


def backup(source: Path, target: Path) -> int:
    """Copy `source` to `target` (a new file, 0600) and check the copy; returns its size.

    The copy is left in rollback-journal mode, so it is one self-contained file to move
    elsewhere; opening it with Mend turns WAL on again.
    """
    if not source.is_file():
        raise BackupError(f"there is no database at {source} yet (`mend db upgrade` makes one)")
    _claim(target)
    done = False
    try:
        with contextlib.closing(sqlite3.connect(source)) as src:
            src.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
            with contextlib.closing(sqlite3.connect(target)) as dst:
                src.backup(dst)  # all pages in one step: one read transaction, one snapshot
                dst.execute("PRAGMA journal_mode=DELETE")
                verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
                if verdict != "ok":
                    raise BackupError(f"the copy failed its check ({verdict})")
        done = True
    except sqlite3.Error as problem:
        raise BackupError(f"the copy failed: {problem}") from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                target.unlink()
    return target.stat().st_size
