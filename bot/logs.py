"""Logging that cannot leak: secrets are redacted and chatty libraries are held back.

httpx logs every request URL, and a Bot API URL contains the token; PTB's DEBUG output
contains message text, and its report of an unreadable batch of updates quotes them whole.
None of that may reach a log, whatever LOG_LEVEL says.

In the terminal chat the screen is the conversation, so logs go to a file instead (see
`setup`): a log line among the replies reads like something Mend said.

In production a log collector reads lines better as JSON (`MEND_LOG_FORMAT=json` or
`mend --json-logs …`): one object a line, redacted exactly as the text lines are.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Literal

QUIET = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram": logging.INFO,
    "apscheduler": logging.WARNING,
    "alembic": logging.WARNING,
    "transitions": logging.ERROR,  # "can't trigger event…" is a choice Mend handles, not news
}
PTB_BOT_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot")
LOG_FILE = "mend.log"  # in the data folder, for the terminal chat
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LogFormat = Literal["text", "json"]
# A partner invite travels as `/start CODE` or `…?start=CODE`; whoever holds the code can link
# to the inviter, so it is redacted like a secret wherever it turns up.
INVITE = re.compile(r"(start(?:=|%3D|\s+))[A-Za-z0-9_-]{16,}", re.IGNORECASE)


class Redact(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = redact(message, self.secrets)
        if hidden != message:
            record.msg, record.args = hidden, None
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record, tracebacks and exception messages included."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


class JsonFormatter(logging.Formatter):
    """One JSON object a line (time, level, logger, message; the traceback when there is
    one), for log collectors. Each field is redacted before it is encoded, so a secret is
    found even where JSON would escape a character of it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage(), self.secrets),
        }
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info), self.secrets)
        if record.stack_info:
            line["stack"] = redact(self.formatStack(record.stack_info), self.secrets)
        return json.dumps(line, ensure_ascii=False)


def redact(text: str, secrets: Iterable[str]) -> str:
    """The configured secrets and any invite code, replaced by "[redacted]"."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return INVITE.sub(r"\1[redacted]", text)


class WithholdUpdates(logging.Filter):
    """PTB's "Received data was …" quotes people's messages; keep the fact, drop the words."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "Received data" in str(record.msg):
            record.msg, record.args = "Error while parsing updates (contents withheld)", None
        return True


class StartUpFailure(logging.Filter):
    """PTB reports a failed start (refused token, unreachable API) with a long traceback; the
    CLI says the same in one line and exits 2, so the traceback is left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        # The whole message: PTB passes "(Bootstrap …)" as an argument to its format string.
        return "(Bootstrap" not in record.getMessage()


def guard_library_loggers() -> None:
    """Safe to call many times; runs at import of each adapter as well, so the floors hold
    even where `setup` never ran (tests, an embedding program)."""
    for name, floor in QUIET.items():  # only ever quieter: `setup` decides the rest
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < floor:
            logger.setLevel(floor)
    for name in PTB_BOT_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithholdUpdates) for f in logger.filters):
            logger.addFilter(WithholdUpdates())


def install_excepthook(secrets: Iterable[str]) -> None:
    """An exception nobody caught is printed redacted too (its message may hold a URL)."""
    hidden = [s for s in secrets if s]

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write(redact(text, hidden))

    sys.excepthook = hook


def private_file(path: Path) -> Path:
    """A log holds ids and failures, never words, but still: the owner's alone (0600, in a
    0700 folder), like the database beside it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    with contextlib.suppress(OSError):  # one made before this rule, or someone else's
        os.chmod(path, 0o600)
    return path


def setup(
    level: str,
    secrets: Iterable[str] = (),
    file: Path | None = None,
    form: LogFormat = "text",
) -> None:
    """Log to stderr, or with `file` to that file alone; Python's own warnings go the same
    way then, so nothing a library says lands in the terminal chat. `form="json"` writes one
    JSON object a line instead of text, with the same redaction."""
    guard_library_loggers()
    handler: logging.Handler
    if file is None:
        handler = logging.StreamHandler()
    else:
        handler = logging.FileHandler(private_file(file), encoding="utf-8")
        logging.captureWarnings(True)
    handler.set_name("mend")
    secrets = [s for s in secrets if s]
    handler.setFormatter(
        JsonFormatter(secrets) if form == "json" else RedactingFormatter(TEXT_FORMAT, secrets)
    )
    handler.addFilter(Redact(secrets))
    handler.addFilter(StartUpFailure())
    install_excepthook(secrets)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "mend"]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    threshold = logging.getLevelName(level)
    for name, floor in QUIET.items():
        logging.getLogger(name).setLevel(max(floor, threshold))
