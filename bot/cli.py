"""`mend`: the one command an operator needs (run, chat, db upgrade, analyse)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, TextIO

from bot import logs
from bot.service import Mend
from bot.settings import Settings, SettingsError, load_settings

EXIT_CONFIG = 2


def in_terminal(command: str, settings: Settings) -> bool:
    """Whether this command talks with a person here: `chat`, or `start` with no token."""
    return command == "chat" or (command == "start" and settings.telegram_bot_token is None)


def _settings(command: str = "", verbose: bool = False) -> Settings:
    """Settings, then logging: in the terminal chat, logs go to the data folder's log file
    unless `--verbose` asks for them here (on stderr), so none lands among the replies."""
    settings = load_settings()
    token, key = settings.telegram_bot_token, settings.mend_secret_key
    secrets = [s.get_secret_value() for s in (token, key) if s is not None]
    quiet = in_terminal(command, settings) and not verbose
    logs.setup(settings.log_level, secrets, log_file(settings) if quiet else None)
    from flows.language import classifier

    classifier.configure(settings.mend_language_model)
    return settings


def _mend(settings: Settings) -> Mend:
    from bot.service import warm_places
    from storage import keyguard, migrate
    from storage.crypto import BadKey, TextCipher
    from storage.engine import make_engine

    migrate.upgrade(settings.database)
    engine = make_engine(settings.database)
    try:
        cipher = TextCipher(settings.secret_keys(may_create=not keyguard.holds_data(engine)))
        keyguard.check(engine, cipher)
    except BadKey as problem:
        engine.dispose()
        raise SettingsError(f"MEND_SECRET_KEY {problem}") from None
    warm_places()
    return Mend(engine, cipher)


def cmd_run(settings: Settings) -> int:
    from telegram.error import InvalidToken, NetworkError

    from bot.telegram_app import build_application, run_polling, start_outbox, start_reminders

    if settings.telegram_bot_token is None:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is not set (put it in .env; `mend chat` needs no token)"
        )
    mend = _mend(settings)
    application = build_application(
        settings.telegram_bot_token.get_secret_value(),
        mend,
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
    )
    start_outbox(application)
    start_reminders(
        application,
        mend,
        per_second=settings.reminder_rate,
        every_seconds=settings.reminder_sweep_seconds,
        lease_seconds=settings.reminder_lease_seconds,
    )
    try:
        run_polling(application)
    except InvalidToken:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN was refused by the Telegram API (revoked or mistyped? "
            "or TELEGRAM_API_URL points elsewhere)"
        ) from None
    except NetworkError as problem:
        raise SettingsError(
            f"cannot reach the Telegram API at {settings.base_url.removesuffix('/bot')} "
            f"({type(problem).__name__}); check the network or TELEGRAM_API_URL"
        ) from None
    finally:
        mend.close()
    return 0


def log_file(settings: Settings) -> Path:
    return settings.mend_data_dir.resolve() / logs.LOG_FILE


def cmd_chat(settings: Settings, person: str) -> int:
    from bot.console import chat, files_folder

    mend = _mend(settings)
    try:
        return chat(
            mend, person=person, folder=files_folder(settings.mend_data_dir.resolve(), person)
        )
    finally:
        mend.close()


def cmd_start(settings: Settings) -> int:
    """Telegram when a token is configured, otherwise the same coach in the terminal."""
    if not in_terminal("start", settings):
        return cmd_run(settings)
    from bot.console import terminal_width, wrap
    from flows.core import content

    note = content.text("console", "no_token")
    print(wrap(note, terminal_width(sys.stderr)), file=sys.stderr)
    return cmd_chat(settings, "local")


def cmd_upgrade(settings: Settings) -> int:
    from storage import migrate

    migrate.upgrade(settings.database)
    return 0


class _Describes(Protocol):
    def as_dict(self, text: str) -> dict[str, object]: ...


def json_lines(check: Callable[[str], _Describes], stdin: TextIO, stdout: TextIO) -> int:
    """One JSON object per non-empty input line, for `mend analyse` and `mend screen`."""
    for line in stdin:
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        stdout.write(json.dumps(check(text).as_dict(text), ensure_ascii=False) + "\n")
    stdout.flush()
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="mend", description="Mend, a coach for rebuilding trust.")
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the Telegram bot (long polling)")
    chat = sub.add_parser("chat", help="talk to Mend in this terminal")
    chat.add_argument(
        "--as", dest="person", default="local", help="whose conversation (default: local)"
    )
    start = sub.add_parser("start", help="Telegram if a token is set, else the terminal chat")
    for terminal in (chat, start):
        terminal.add_argument(
            "--verbose",
            action="store_true",
            help=f"in the terminal chat, show log lines here (on stderr) instead of in "
            f"the data folder's {logs.LOG_FILE}",
        )
    db = sub.add_parser("db", help="database tasks")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations up to the newest")
    sub.add_parser("analyse", help="classify statements on stdin as blame / I-statement / neutral")
    sub.add_parser("screen", help="screen messages on stdin for crisis (one JSON line each)")
    sub.add_parser("secret", help="print a new MEND_SECRET_KEY")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command in ("analyse", "screen"):
        from flows.language import classifier

        with contextlib.suppress(SettingsError):  # these need no configuration at all
            classifier.configure(load_settings().mend_language_model)
    if args.command == "analyse":
        from flows.language.blame import analyse

        return json_lines(analyse, sys.stdin, sys.stdout)
    if args.command == "screen":
        from flows.language.screen import screen

        return json_lines(screen, sys.stdin, sys.stdout)
    if args.command == "secret":
        from storage.crypto import new_key

        print(new_key())
        return 0
    try:
        settings = _settings(args.command, getattr(args, "verbose", False))
        if args.command == "run":
            return cmd_run(settings)
        if args.command == "chat":
            return cmd_chat(settings, args.person)
        if args.command == "start":
            return cmd_start(settings)
        return cmd_upgrade(settings)
    except SettingsError as problem:
        print(f"mend: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
