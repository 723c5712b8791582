"""The real process with the wrong key, or none, over existing data: it stops with one line and
exit code 2, and nothing stored is read as empty or written under a second key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.crypto import new_key
from storage.engine import make_engine, sqlite_url
from storage.models import JournalEntry

ROOT = Path(__file__).resolve().parents[2]
WORDS = "He hid the second phone for a year"
NAMING = f"/start\n1\n1\n1\n1\n2\n/hurt\n{WORDS}\n1\n1\n1\n"


def mend(data: Path, key: str | None, typed: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MEND_SECRET_KEY", "TELEGRAM_BOT_TOKEN", "DATABASE_URL")
    }
    env.update({"MEND_DATA_DIR": str(data), "MEND_LANGUAGE_MODEL": "false"})
    if key is not None:
        env["MEND_SECRET_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input=typed,
        capture_output=True,
        text=True,
        env=env,
        cwd=data,
        timeout=120,
        check=False,
    )


def bodies(data: Path) -> list[str]:
    engine = make_engine(sqlite_url(data))
    with engine.connect() as conn:
        found = [str(b) for b in conn.execute(select(JournalEntry.body)).scalars()]  # type: ignore[call-overload]
    engine.dispose()
    return found


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Path, str]:
    data = tmp_path / "data"
    data.mkdir()
    key = new_key()
    done = mend(data, key, NAMING)
    assert done.returncode == 0, done.stderr
    assert WORDS in done.stdout
    assert len(bodies(data)) == 1
    return data, key


def stops_with_one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    err = done.stderr.strip()
    assert "\n" not in err and "Traceback" not in err, err
    assert err.startswith("mend: MEND_SECRET_KEY"), err
    return err


def test_a_wrong_key_over_existing_data_stops_and_changes_nothing(
    stored: tuple[Path, str],
) -> None:
    data, key = stored
    before = bodies(data)
    wrong = new_key()
    err = stops_with_one_line(mend(data, wrong, "/journal\n/hurt\nnew words\n"))
    assert wrong not in err and key not in err, "no key is ever printed"
    assert bodies(data) == before
    again = mend(data, key, "/journal\n")
    assert again.returncode == 0 and WORDS in again.stdout, "the right key still reads it all"


def test_no_key_over_existing_data_stops_instead_of_making_one(
    stored: tuple[Path, str],
) -> None:
    data, _ = stored
    stops_with_one_line(mend(data, None, "/journal\n"))
    assert not (data / "secret.key").exists(), "no fresh key over existing data"


def test_a_new_key_first_and_the_old_one_after_reads_everything(
    stored: tuple[Path, str],
) -> None:
    data, key = stored
    rotated = f"{new_key()},{key}"
    done = mend(data, rotated, "/journal\n")
    assert done.returncode == 0, done.stderr
    assert WORDS in done.stdout


def test_an_empty_database_gets_a_local_key_once(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    data.mkdir()
    first = mend(data, None, NAMING)
    assert first.returncode == 0, first.stderr
    assert (data / "secret.key").exists()
    again = mend(data, None, "/journal\n")
    assert again.returncode == 0 and WORDS in again.stdout
