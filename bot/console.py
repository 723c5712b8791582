"""Mend as a chat in the terminal: the same coach, with numbered options instead of buttons.

When stdin is not a terminal it reads one line per turn, so a session can be scripted
(`printf '/start\n1\n' | mend chat`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from bot.service import Handled, Mend
from flows.core import content
from flows.core.contract import Attachment, Choice, Command, Event, Option, Reply, Text

CHANNEL = "console"


def parse(line: str, shown: Sequence[Option] = ()) -> Event:
    """A command, the number of an option just shown (the terminal's buttons), or words.

    A number is an option only while numbered options are on screen: "4" under "4. 21:00"
    picks 21:00, and "8" under a question with no options stays what was typed.
    """
    stripped = line.strip()
    if stripped.startswith("/") and len(stripped) > 1 and not stripped[1].isspace():
        name, _, args = stripped[1:].partition(" ")
        return Command(name.split("@", 1)[0].lower(), args.strip())
    if stripped.isdecimal() and stripped.isascii() and 1 <= int(stripped) <= len(shown):
        return Choice(shown[int(stripped) - 1].key)
    return Text(line.rstrip("\r\n"))


def render(reply: Reply, saved: Sequence[Path] = ()) -> str:
    lines = [reply.text]
    lines += [f"  {n}. {option.label}" for n, option in enumerate(reply.options, 1)]
    lines += [f"  [saved to {path}]" for path in saved]
    return "\n".join(lines)


def save(attachment: Attachment, folder: Path) -> Path:
    """A file Mend sends (the /export, a /progress picture) is written next to you, readable
    by you alone, since a terminal cannot show it."""
    path = folder / attachment.filename
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(attachment.data)
    return path


def _lines(stream: TextIO, interactive: bool, out: TextIO) -> Iterator[str]:
    while True:
        if interactive:
            out.write("\nyou> ")
            out.flush()
        line = stream.readline()
        if not line:
            return
        yield line


def chat(
    mend: Mend,
    *,
    person: str = "local",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    opening: Iterable[Event] = (),
    folder: Path | None = None,
) -> int:
    stream = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = stream.isatty()
    if interactive:
        out.write(content.text("console", "hello") + "\n")
    shown: tuple[Option, ...] = ()
    files = folder or Path.cwd()
    for event in opening:
        shown = _show(mend.handle(CHANNEL, person, event), out, files)
    for line in _lines(stream, interactive, out):
        if not line.strip() and not interactive:
            continue
        shown = _show(mend.handle(CHANNEL, person, parse(line, shown)), out, files)
    if interactive:
        out.write("\n" + content.text("console", "bye") + "\n")
    return 0


def _show(handled: Handled, out: TextIO, folder: Path) -> tuple[Option, ...]:
    """Print the replies; the options of the last one are what a typed number picks."""
    for reply in handled.replies:
        saved = [save(a, folder) for a in reply.attachments]
        out.write("\nmend> " + render(reply, saved) + "\n")
    for other in handled.others:  # someone else's chat: say it was sent, never show it here
        out.write(f"\n(sent to {other.external_id}'s chat)\n")
    if handled.clear_chat:
        out.write("\nmend> " + content.text("exit", "console") + "\n")
    out.flush()
    return handled.replies[-1].options if handled.replies else ()
