"""`mend`: the one command an operator needs (run, chat, db upgrade, backup, stats, analyse)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from bot import logs
from bot.service import Mend
from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from telegram.ext import Application

EXIT_CONFIG = 2


def in_terminal(command: str, settings: Settings) -> bool:
    """Whether this command talks with a person here: `chat`, or `start` with no token."""
    return command == "chat" or (command == "start" and settings.telegram_bot_token is None)


def _settings(command: str = "", verbose: bool = False, json_logs: bool = False) -> Settings:
    """Settings, then logging: in the terminal chat, logs go to the data folder's log file
    unless `--verbose` asks for them here (on stderr), so none lands among the replies.
    `--json-logs` (or MEND_LOG_FORMAT=json) writes them as one JSON object a line."""
    settings = load_settings()
    token, key = settings.telegram_bot_token, settings.mend_secret_key
    hook = settings.mend_webhook_secret
    secrets = [s.get_secret_value() for s in (token, key, hook) if s is not None]
    quiet = in_terminal(command, settings) and not verbose
    form: logs.LogFormat = "json" if json_logs else settings.mend_log_format
    logs.setup(settings.log_level, secrets, log_file(settings) if quiet else None, form)
    from flows.language import classifier

    classifier.configure(settings.mend_language_model)
    return settings


def _mend(settings: Settings, upgrade: bool = False) -> Mend:
    """The service on a database at the newest schema. Only the terminal chat on SQLite may
    bring it there itself (`upgrade`): one person, one local file, and `mend chat` works on
    a first try. The bot never does: replicas starting together would race to migrate, so
    `mend db upgrade` runs once, under its lock, and the bot refuses an old schema."""
    from bot.service import warm_places
    from storage import keyguard, migrate
    from storage.crypto import BadKey, TextCipher
    from storage.engine import make_engine

    if upgrade and settings.local_database:
        migrate.upgrade(settings.database)
    else:
        _schema_is_current(settings)
    engine = make_engine(settings.database)
    try:
        cipher = TextCipher(settings.secret_keys(may_create=not keyguard.holds_data(engine)))
        keyguard.check(engine, cipher)
    except BadKey as problem:
        engine.dispose()
        raise SettingsError(f"MEND_SECRET_KEY {problem}") from None
    warm_places()
    return Mend(engine, cipher)


def _schema_is_current(settings: Settings) -> None:
    """One line, exit 2, when the database is not at the schema this code needs."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage import migrate

    try:
        found = migrate.schema(settings.database)
    except SQLAlchemyError as problem:  # the kind only: the URL may hold a password
        raise SettingsError(
            f"cannot reach the database ({type(problem).__name__}); check DATABASE_URL"
        ) from None
    if not found.known:
        raise SettingsError(
            f"the database is at schema {found.found}, which this mend does not know "
            "(a newer mend upgraded it): run that version"
        )
    if found.found is None:
        raise SettingsError("the database has no tables yet: run `mend db upgrade` first")
    if not found.current:
        raise SettingsError(
            f"the database schema is out of date (at {found.found}, this mend needs "
            f"{migrate.head()}): run `mend db upgrade` first"
        )


def _token(settings: Settings) -> str:
    if settings.telegram_bot_token is None:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is not set (put it in .env; `mend chat` needs no token)"
        )
    return settings.telegram_bot_token.get_secret_value()


@contextlib.contextmanager
def _reaching_telegram(settings: Settings) -> Iterator[None]:
    """A refused token or an unreachable API, said in one line (the CLI exits 2)."""
    from telegram.error import InvalidToken, NetworkError

    try:
        yield
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


def _telegram(
    settings: Settings, mend: Mend, token: str
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Telegram application with its jobs (the outbox, the reminder sweep), the same
    whether updates come by polling (`run`) or by webhook (`serve`)."""
    from bot.telegram_app import build_application, start_outbox, start_reminders

    application = build_application(
        token, mend, base_url=settings.base_url, base_file_url=settings.base_file_url
    )
    start_outbox(application, per_second=settings.reminder_rate)
    start_reminders(
        application,
        mend,
        every_seconds=settings.reminder_sweep_seconds,
        lease_seconds=settings.reminder_lease_seconds,
    )
    return application


def cmd_run(settings: Settings) -> int:
    from bot.telegram_app import run_polling

    token = _token(settings)
    mend = _mend(settings)
    try:
        with _reaching_telegram(settings):
            run_polling(_telegram(settings, mend, token))
    finally:
        mend.close()
    return 0


def _webhook_secret(settings: Settings) -> str:
    if settings.mend_webhook_secret is None:
        raise SettingsError(
            "MEND_WEBHOOK_SECRET is not set: the webhook takes updates only from whoever "
            "knows it (`mend webhook secret` makes one)"
        )
    return settings.mend_webhook_secret.get_secret_value()


def cmd_serve(settings: Settings) -> int:
    """Updates by webhook (bot.webhook): PTB without polling, uvicorn in front of it, until
    SIGTERM. The webhook is registered once with `mend webhook set`, not here: each replica
    registering itself as it starts would undo the others' settings."""
    import asyncio

    from bot import webhook

    token, secret = _token(settings), _webhook_secret(settings)
    host, port = settings.listen
    try:
        listening = webhook.listen_socket(host, port)
    except OSError as problem:
        raise SettingsError(
            f"MEND_LISTEN: cannot listen on {host}:{port} ({problem.strerror or problem}); "
            "is something else using it?"
        ) from None
    mend = _mend(settings)
    try:
        application = _telegram(settings, mend, token)
        web = webhook.create_app(
            application,
            mend,
            secret=secret,
            path=settings.mend_webhook_path,
            sweep_seconds=settings.reminder_sweep_seconds,
        )
        with _reaching_telegram(settings):
            asyncio.run(webhook.serve(application, web, listening))
    finally:
        listening.close()
        mend.close()
    return 0


def cmd_webhook(settings: Settings, action: str, out: TextIO | None = None) -> int:
    """Register the webhook with Telegram, show what Telegram knows of it, or remove it."""
    out = out or sys.stdout
    import asyncio

    from telegram import Bot
    from telegram.error import BadRequest

    from bot import webhook

    bot = Bot(_token(settings), base_url=settings.base_url, base_file_url=settings.base_file_url)
    try:
        with _reaching_telegram(settings):
            if action == "info":
                out.write(json.dumps(asyncio.run(webhook.describe(bot)), indent=2) + "\n")
            elif action == "delete":
                asyncio.run(webhook.delete_webhook(bot))
                print("webhook deleted: updates wait for `mend run` (polling)", file=out)
            else:
                url = settings.mend_webhook_url
                if url is None:
                    raise SettingsError(
                        "MEND_WEBHOOK_URL is not set (the public https URL Telegram posts to, "
                        "which your proxy passes to MEND_WEBHOOK_PATH)"
                    )
                limit = settings.mend_webhook_max_connections
                asyncio.run(webhook.set_webhook(bot, url, _webhook_secret(settings), limit))
                print(f"webhook set: Telegram posts updates to {url}", file=out)
    except BadRequest as problem:  # e.g. "bad webhook: an HTTPS URL must be provided"
        raise SettingsError(f"Telegram refused: {problem.message}") from None
    return 0


def log_file(settings: Settings) -> Path:
    return settings.mend_data_dir.resolve() / logs.LOG_FILE


def cmd_chat(settings: Settings, person: str) -> int:
    from bot.console import chat, files_folder

    mend = _mend(settings, upgrade=True)
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


def cmd_backup(settings: Settings, path: str | None) -> int:
    """A checked copy of the SQLite database, safe while the bot runs (storage.backup).

    On PostgreSQL it makes nothing and says to use pg_dump, with exit code 2, so a script
    that runs `mend backup && upload` never uploads a backup that was not made. The database
    URL is never printed: it may hold a password.
    """
    from datetime import UTC, datetime

    from storage.backup import BackupError, backup, default_name, sqlite_file
    from storage.crypto import KEY_FILE

    source = sqlite_file(settings.database)
    if source is None:
        raise SettingsError(
            "backup copies SQLite only; on PostgreSQL use pg_dump "
            "(pg_dump --format=custom --file=mend.dump <database>)"
        )
    folder = settings.mend_data_dir.resolve()
    if path is None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = default_name(folder, datetime.now(UTC))
    else:
        target = Path(path).expanduser().resolve()
        if target.is_dir():
            target = default_name(target, datetime.now(UTC))
    try:
        size = backup(source, target)
    except BackupError as problem:
        raise SettingsError(f"backup: {problem}") from None
    key = "MEND_SECRET_KEY" if settings.mend_secret_key else str(folder / KEY_FILE)
    print(
        f"backup written to {target} ({size} bytes, checked). What people wrote is in it "
        f"encrypted: keep {key} safe too, and apart from it."
    )
    return 0


def cmd_stats(settings: Settings, as_json: bool) -> int:
    """Counts only (storage.stats): never a word anyone wrote, never who anyone is."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from storage.backup import sqlite_file
    from storage.engine import make_engine
    from storage.stats import read

    source = sqlite_file(settings.database)
    if source is not None and not source.is_file():
        raise SettingsError(f"there is no database at {source} yet (`mend db upgrade` makes one)")
    engine = make_engine(settings.database)
    try:
        figures = read(engine, datetime.now(UTC)).as_dict()
    except SQLAlchemyError as problem:  # unreachable, or not migrated: the kind, not the URL
        raise SettingsError(
            f"cannot read the database ({type(problem).__name__}); is it up and at "
            "`mend db upgrade`?"
        ) from None
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps(figures))
        return 0
    rows: list[tuple[str, object]] = []
    for name, value in figures.items():
        if isinstance(value, dict) and value:  # deliveries, by status
            rows.extend((f"{name} {key}", n) for key, n in value.items())
        elif isinstance(value, dict):
            rows.append((name, 0))
        else:
            rows.append((name.replace("_", " "), value))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
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
    top.add_argument(
        "--json-logs",
        action="store_true",
        help="log one JSON object a line (the same as MEND_LOG_FORMAT=json)",
    )
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the Telegram bot (long polling)")
    sub.add_parser(
        "serve",
        help="run the Telegram bot behind a webhook, with /healthz, /readyz and /metrics "
        "(MEND_LISTEN, MEND_WEBHOOK_SECRET)",
    )
    hook = sub.add_parser("webhook", help="the webhook Telegram posts updates to")
    hook_sub = hook.add_subparsers(dest="webhook_command", required=True)
    hook_sub.add_parser(
        "set", help="register MEND_WEBHOOK_URL with the secret (once, not per replica)"
    )
    hook_sub.add_parser("info", help="what Telegram reports about the webhook")
    hook_sub.add_parser("delete", help="remove the webhook (back to polling with `mend run`)")
    hook_sub.add_parser("secret", help="print a new MEND_WEBHOOK_SECRET")
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
    backup = sub.add_parser(
        "backup", help="copy the SQLite database, safe while the bot runs (PostgreSQL: pg_dump)"
    )
    backup.add_argument(
        "path",
        nargs="?",
        help="a new file or a folder (default: mend-backup-<UTC time>.db in the data folder)",
    )
    stats = sub.add_parser("stats", help="how the service is doing, in numbers only")
    stats.add_argument("--json", action="store_true", help="one JSON object, for machines")
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
    if args.command == "webhook" and args.webhook_command == "secret":
        import secrets

        print(secrets.token_urlsafe(32))  # Telegram allows A-Z, a-z, 0-9, _ and -
        return 0
    try:
        settings = _settings(args.command, getattr(args, "verbose", False), args.json_logs)
        if args.command == "run":
            return cmd_run(settings)
        if args.command == "serve":
            return cmd_serve(settings)
        if args.command == "webhook":
            return cmd_webhook(settings, args.webhook_command)
        if args.command == "chat":
            return cmd_chat(settings, args.person)
        if args.command == "start":
            return cmd_start(settings)
        if args.command == "backup":
            return cmd_backup(settings, args.path)
        if args.command == "stats":
            return cmd_stats(settings, args.json)
        return cmd_upgrade(settings)
    except SettingsError as problem:
        print(f"mend: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
