from __future__ import annotations

import io
import json
import logging
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.settings import Settings, SettingsError, load_settings
from flows.core import content


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "DATABASE_URL", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MEND_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout


def test_defaults_use_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.telegram_bot_token is None
    assert settings.database.startswith("sqlite:///") and settings.database.endswith("mend.db")
    assert settings.base_url == "https://api.telegram.org/bot"


def test_a_local_api_url_sets_both_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    settings = load_settings()
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"


def test_dotenv_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=debug\nTELEGRAM_BOT_TOKEN=42:abc_DEF-1\n")
    settings = Settings()
    assert settings.log_level == "DEBUG"
    assert settings.telegram_bot_token is not None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOG_LEVEL", "LOUD"),
        ("TELEGRAM_BOT_TOKEN", "not a token"),
        ("TELEGRAM_API_URL", "ftp://x"),
        ("DATABASE_URL", "mend.db"),
    ],
)
def test_a_bad_value_is_one_clear_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError):
        load_settings()
    assert cli.main(["db", "upgrade"]) == cli.EXIT_CONFIG
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"mend: {name}") and "\n" not in err
    assert "Traceback" not in err
    if name == "TELEGRAM_BOT_TOKEN":
        assert value not in err, "a token-like value is never echoed"


def test_run_without_a_token_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run"]) == cli.EXIT_CONFIG
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


def test_db_upgrade_creates_the_database(tmp_path: Path) -> None:
    assert cli.main(["db", "upgrade"]) == 0
    assert (tmp_path / "data" / "mend.db").exists()


def test_analyse_writes_one_json_object_per_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = "You always ignore me\nI felt lonely when dinner went quiet\n\nCan we talk?\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    assert cli.main(["analyse"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in rows] == [
        "You always ignore me",
        "I felt lonely when dinner went quiet",
        "Can we talk?",
    ]
    assert [r["kind"] for r in rows] == ["blame", "i_statement", "neutral"]
    assert set(rows[0]) == {"text", "kind", "feeling", "signals"}
    assert rows[1]["feeling"] is True


def test_screen_reports_risk_level_and_signals(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = "i want to die\nwe had pasta and watched a film\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    assert cli.main(["screen"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert set(rows[0]) == {"text", "risk", "level", "signals"}
    assert (rows[0]["risk"], rows[0]["level"], rows[0]["signals"]) == (
        "self_harm",
        "clear",
        ["wish_to_die"],
    )
    assert (rows[1]["risk"], rows[1]["level"], rows[1]["signals"]) == ("none", "none", [])


def test_the_model_can_be_switched_off(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.language import classifier

    monkeypatch.setenv("MEND_LANGUAGE_MODEL", "false")
    monkeypatch.setattr(sys, "stdin", io.StringIO("hello\n"))
    try:
        assert cli.main(["screen"]) == 0
        assert classifier.active() is None
    finally:
        classifier.configure(True)


# --- the terminal chat: nothing but the conversation on screen --------------------------------


@pytest.fixture
def terminal_chat(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`mend chat` on a fresh data folder with no key set; logging and the model switch are
    process-wide, so both are put back afterwards."""
    from flows.language import classifier

    monkeypatch.delenv("MEND_SECRET_KEY", raising=False)
    monkeypatch.setenv("MEND_LANGUAGE_MODEL", "false")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)
    classifier.configure(True)


def chat_session(monkeypatch: pytest.MonkeyPatch, script: str, *flags: str) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    return cli.main(["chat", *flags])


def a_library_warns_on_every_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    from flows import coach

    real = coach.handle

    def noisy(*args: Any, **kwargs: Any) -> Any:
        logging.getLogger("somelibrary").warning("LIBRARY-NOTE about the weather")
        return real(*args, **kwargs)

    monkeypatch.setattr(coach, "handle", noisy)


def test_in_the_terminal_chat_no_log_line_reaches_the_screen(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    terminal_chat: None,
) -> None:
    """Someone opens `mend chat` for the first time (so a key is made, with a warning), and
    a library warns while they talk: the screen shows Mend's words only; the warnings are
    in the data folder's log, readable by its owner alone."""
    a_library_warns_on_every_turn(monkeypatch)
    assert chat_session(monkeypatch, "/start\n1\n") == 0
    captured = capsys.readouterr()
    screen = captured.out + captured.err
    assert content.text("onboarding.consent") in captured.out
    for log_words in ("LIBRARY-NOTE", "MEND_SECRET_KEY", "WARNING"):
        assert log_words not in screen
    log = tmp_path / "data" / "mend.log"
    kept = log.read_text("utf-8")
    assert "LIBRARY-NOTE" in kept and "MEND_SECRET_KEY is not set" in kept
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_verbose_shows_the_log_on_stderr_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], terminal_chat: None
) -> None:
    a_library_warns_on_every_turn(monkeypatch)
    assert chat_session(monkeypatch, "/start\n", "--verbose") == 0
    captured = capsys.readouterr()
    assert "LIBRARY-NOTE" in captured.err and "LIBRARY-NOTE" not in captured.out


def test_an_export_in_the_terminal_names_where_it_is(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    terminal_chat: None,
) -> None:
    assert chat_session(monkeypatch, "/start\n1\n1\n1\n1\n2\n/export\n", "--as", "ana") == 0
    saved = tmp_path / "data" / "mend-files" / "ana" / "mend-export.json"
    assert content.text("console", "saved", file=str(saved)) in capsys.readouterr().out
    assert saved.exists() and stat.S_IMODE(saved.parent.stat().st_mode) == 0o700


# --- start-up refuses what would race or split: an old schema, a shared database without key --


REFUSED_API = "http://127.0.0.1:9"  # nothing listens: no test here may get as far as Telegram


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def bot_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `mend run` and `mend serve` need, pointing at no Telegram at all."""
    from storage.crypto import new_key

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:abc_DEF-1")
    monkeypatch.setenv("TELEGRAM_API_URL", REFUSED_API)
    monkeypatch.setenv("MEND_SECRET_KEY", new_key())
    monkeypatch.setenv("MEND_WEBHOOK_SECRET", "cli-test_SECRET")
    monkeypatch.setenv("MEND_LISTEN", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("MEND_LANGUAGE_MODEL", "false")


def refused(capsys: pytest.CaptureFixture[str], command: str) -> str:
    assert cli.main([command]) == cli.EXIT_CONFIG
    err = capsys.readouterr().err.strip()
    assert err.startswith("mend: ") and "\n" not in err and "Traceback" not in err, err
    return err


def revision(url: str) -> str | None:
    from storage import migrate

    return migrate.schema(url).found


@pytest.mark.parametrize("command", ["run", "serve"])
def test_the_bot_refuses_an_old_schema_and_leaves_it_to_db_upgrade(
    capsys: pytest.CaptureFixture[str], bot_env: None, command: str
) -> None:
    from storage import migrate

    url = load_settings().database
    migrate.upgrade(url)
    migrate.downgrade(url, "-1")
    old = revision(url)
    err = refused(capsys, command)
    assert "out of date" in err and "run `mend db upgrade`" in err
    assert revision(url) == old, "the bot did not upgrade it itself"

    assert cli.main(["db", "upgrade"]) == 0  # what `make run` does before `mend start`
    assert revision(url) == migrate.head()


@pytest.mark.parametrize("command", ["run", "serve", "start"])
def test_the_bot_on_a_new_data_folder_says_to_upgrade_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bot_env: None, command: str
) -> None:
    err = refused(capsys, command)
    assert "no tables yet" in err and "run `mend db upgrade`" in err
    assert not (tmp_path / "data" / "mend.db").exists()


def test_the_bot_refuses_a_schema_from_a_newer_mend(
    capsys: pytest.CaptureFixture[str], bot_env: None
) -> None:
    from sqlalchemy import text

    from storage import migrate
    from storage.engine import make_engine

    url = load_settings().database
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_newer'"))
    engine.dispose()
    err = refused(capsys, "run")
    assert "9999_newer" in err and "newer mend" in err
    assert "db upgrade" not in err, "upgrading could not help"


def test_on_postgresql_the_bot_refuses_an_old_schema_and_a_missing_key(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    postgres: Any,
    bot_env: None,
) -> None:
    from storage import migrate
    from tests.conftest import POSTGRES_URL

    monkeypatch.setenv("DATABASE_URL", POSTGRES_URL)
    migrate.downgrade(POSTGRES_URL, "-1")
    old = revision(POSTGRES_URL)
    for command in ("run", "serve", "chat"):
        assert "run `mend db upgrade`" in refused(capsys, command)
    assert revision(POSTGRES_URL) == old, "not even the terminal chat upgrades a shared one"

    assert cli.main(["db", "upgrade"]) == 0  # needs no key: it reads no one's words
    monkeypatch.delenv("MEND_SECRET_KEY")
    for command in ("run", "serve", "chat"):
        err = refused(capsys, command)
        assert err.startswith("mend: MEND_SECRET_KEY is not set") and "mend secret" in err
    assert not list((tmp_path / "data").glob("*key*")), "no key was made for this machine"


def test_the_terminal_chat_on_sqlite_still_sets_itself_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, terminal_chat: None
) -> None:
    """A first-time user who types `mend chat` (not `make run`) is not sent off to upgrade."""
    from storage import migrate

    assert chat_session(monkeypatch, "/start\n") == 0
    assert revision(load_settings().database) == migrate.head()
