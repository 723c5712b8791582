"""Mend as a chat in the terminal: the same coach, with numbered options instead of buttons.

The screen is the whole conversation, so it holds nothing but the conversation: replies are
wrapped to the terminal's width at word boundaries, logs go elsewhere (`bot.logs`), and a
file Mend sends is written to a folder the chat names.

When stdin is not a terminal it reads one line per turn, so a session can be scripted
(`printf '/start\n1\n' | mend chat`).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import sys
import textwrap
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import ascii_lowercase
from typing import TextIO

from bot import logs
from bot.service import Handled, Mend
from flows import coach
from flows.core import content
from flows.core.contract import Attachment, Choice, Command, Event, Option, Reply, Text

CHANNEL = "console"
FILES = "mend-files"  # in the data folder: what Mend sends, one folder per person
NARROWEST = 20  # below this, wrapping would make a word per line: the terminal wraps instead
log = logging.getLogger("mend.console")
logs.guard_library_loggers()

# The start of a list item: a bullet or an option's mark; its lines wrap under its text.
_ITEM = re.compile(r"\s*(?:(?:[-•*–]|\d{1,3}[.)]|[a-z][.)])\s+)?")


@dataclass(frozen=True, slots=True)
class Shown:
    """The options on screen, which a typed mark picks: numbers, or letters where a typed
    number is an answer in its own right (a time), so the two never collide."""

    options: tuple[Option, ...] = ()
    lettered: bool = False

    def mark(self, index: int) -> str:
        return letters(index) if self.lettered else str(index + 1)

    def pick(self, typed: str) -> Option | None:
        marks = {self.mark(i): option for i, option in enumerate(self.options)}
        return marks.get(typed.lower() if self.lettered else typed)


def letters(index: int) -> str:
    """a, b, … z, aa, ab, …: as many marks as there are options."""
    mark = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, len(ascii_lowercase))
        mark = ascii_lowercase[rest] + mark
    return mark


def parse(line: str, shown: Shown | Sequence[Option] = ()) -> Event:
    """A command, the mark of an option on screen (the terminal's buttons), or words.

    A number is an option only while numbered options are on screen: "4" under "4. 21:00"
    picks 21:00, and "8" under a question with no options stays what was typed. Where
    numbers are answers the options carry letters, and "4" is four o'clock.
    """
    on_screen = shown if isinstance(shown, Shown) else Shown(tuple(shown))
    stripped = line.strip()
    if stripped.startswith("/") and len(stripped) > 1 and not stripped[1].isspace():
        name, _, args = stripped[1:].partition(" ")
        return Command(name.split("@", 1)[0].lower(), args.strip())
    if stripped.isascii() and stripped.isalnum():
        picked = on_screen.pick(stripped)
        if picked is not None:
            return Choice(picked.key)
    return Text(line.rstrip("\r\n"))


def wrap(text: str, width: int | None, first: int = 0) -> str:
    """Lines no wider than `width`, broken only between words: a long word or a URL stays
    whole on a line of its own. Blank lines stay, and a list item's later lines hang under
    its text. `first` columns of the first line are already taken (the "mend> " label)."""
    if width is None:
        return text
    width = max(width, NARROWEST)
    lines: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            lines.append("")
            continue
        item = _ITEM.match(line)
        hang = " " * (item.end() if item else 0)
        lead = " " * first if not lines else ""
        pieces = textwrap.wrap(
            line,
            width=width,
            initial_indent=lead,
            subsequent_indent=hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
        if lead:
            pieces[0] = pieces[0][len(lead) :]
        lines.extend(pieces)
    return "\n".join(lines)


def render(
    reply: Reply,
    saved: Sequence[Path] = (),
    shown: Shown | None = None,
    width: int | None = None,
    first: int = 0,
) -> str:
    """A reply as text. Its options carry their marks when they are the ones a mark picks
    (`shown`); options of an earlier reply are listed without marks, since a typed number
    picks from the newest list only."""
    lines = [reply.text]
    for n, option in enumerate(reply.options):
        lines.append(f"  {shown.mark(n)}. {option.label}" if shown else f"  - {option.label}")
    lines += [content.text("console", "saved", file=str(path)) for path in saved]
    return wrap("\n".join(lines), width, first)


def files_folder(data_dir: Path, person: str) -> Path:
    """Where the files Mend sends this person are written: each person their own folder,
    named so that no name typed after `--as` reaches outside it."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", person).strip("_") or "local"
    return data_dir / FILES / name


def save(attachment: Attachment, folder: Path) -> Path:
    """A file Mend sends (the /export, a /progress picture) is written for the person alone
    (0600 in 0700 folders), since a terminal cannot show it and it holds their words."""
    for place in (folder.parent, folder):
        place.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError):  # a folder someone else owns keeps its mode
            os.chmod(place, 0o700)
    path = folder / Path(attachment.filename).name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(attachment.data)
    with contextlib.suppress(OSError):  # an older file of the same name keeps no wider mode
        os.chmod(path, 0o600)
    return path


def terminal_width(out: TextIO) -> int | None:
    """The width to wrap at, asked afresh each time (the window may have been resized);
    none when the output is a file or a pipe."""
    try:
        interactive = out.isatty()
    except (AttributeError, ValueError):
        return None
    return shutil.get_terminal_size().columns if interactive else None


class Console:
    """One person's chat: what is on screen, and where their files go."""

    def __init__(self, mend: Mend, person: str, out: TextIO, folder: Path, width: int | None):
        self.mend, self.person, self.out, self.folder = mend, person, out, folder
        self.fixed_width = width
        self.shown = Shown()

    @property
    def width(self) -> int | None:
        return self.fixed_width if self.fixed_width is not None else terminal_width(self.out)

    def greet(self) -> None:
        """Say where the person was: someone new gets the welcome, as Telegram's Start button
        would give it; someone returning, a short word and the question they were on."""
        self.say(content.text("console", "hello"), label=False)
        place = self.mend.returning(CHANNEL, self.person)
        if place is None:
            self.send(Command("start"))
            return
        back = content.text("console", "back_in_step" if place.in_step else "back")
        prompt = Reply(f"{back}\n\n{place.prompt.text}", place.prompt.options)
        self.show(Handled((prompt,), numbers_are_answers=place.numbers_are_answers))

    def send(self, event: Event) -> None:
        try:
            handled = self.mend.handle(CHANNEL, self.person, event)
        except Exception as error:  # one failed turn is not the end of the chat
            stack = "".join(traceback.format_tb(error.__traceback__))
            log.error("a console turn failed: %s\n%s", type(error).__name__, stack)
            handled = self.apology()
        self.show(handled)

    def apology(self) -> Handled:
        """Sorry, and where the person is as saved, so they never answer the wrong question
        (the Telegram adapter does the same)."""
        sorry = Reply(content.text("global", "error_apology"))
        try:
            place = self.mend.returning(CHANNEL, self.person)
        except Exception:  # the database itself is failing: the apology alone
            return Handled((sorry,))
        if place is None:
            return Handled((sorry, coach.idle_menu()))
        return Handled((sorry, place.prompt), numbers_are_answers=place.numbers_are_answers)

    def show(self, handled: Handled) -> None:
        """Print the replies; the options of the last one are what a typed mark picks."""
        last = handled.replies[-1] if handled.replies else None
        self.shown = Shown(last.options if last else (), handled.numbers_are_answers)
        for reply in handled.replies:
            saved = [save(a, self.folder) for a in reply.attachments]
            self.say(reply, saved, self.shown if reply is last else None)
        for other in handled.others:  # someone else's chat: say it was sent, never show it
            self.say(content.text("console", "sent_to", who=other.external_id), label=False)
        if handled.erased and self.folder.exists():
            # The files this chat saved for them (an /export, a picture) go with the rest.
            shutil.rmtree(self.folder, ignore_errors=True)
            self.say(content.text("console", "files_erased"), label=False)
        if handled.clear_chat:
            self.say(content.text("exit", "console" if not self._clear_screen() else "cleared"))
        self.out.flush()

    def _clear_screen(self) -> bool:
        """The quick exit, as far as a terminal allows: the window, its scrollback and the
        typed-line history go; whether the terminal app keeps more is out of our reach."""
        if not self.out.isatty():
            return False
        self.out.write("\033[3J\033[H\033[2J")
        try:
            import readline

            readline.clear_history()
        except ImportError:
            pass
        return True

    def say(
        self,
        reply: Reply | str,
        saved: Sequence[Path] = (),
        shown: Shown | None = None,
        label: bool = True,
    ) -> None:
        prefix = content.text("console", "mend") if label else ""
        body = reply if isinstance(reply, Reply) else Reply(reply)
        text = render(body, saved, shown, self.width, first=len(prefix))
        self.out.write("\n" + prefix + text + "\n")


def _lines(stream: TextIO, prompt: str | None, out: TextIO) -> Iterator[str]:
    """What the person types. At a real terminal `input` is used, so the arrow keys edit
    the line (its history stays in memory only)."""
    at_terminal = prompt is not None and stream is sys.stdin and out is sys.stdout
    if at_terminal:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing for input())
    while True:
        if prompt is not None:
            out.write("\n")
        if at_terminal and prompt is not None:
            try:
                yield input(prompt)
            except EOFError:
                return
            continue
        if prompt is not None:
            out.write(prompt)
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
    folder: Path | None = None,
    width: int | None = None,
    greet: bool | None = None,
) -> int:
    """The conversation until Ctrl-D. At a terminal (or with `greet`) it begins by saying
    where the person was; a scripted session begins with its first line."""
    stream = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = stream.isatty()
    if isinstance(stream, io.TextIOWrapper):  # a stray byte is a wrong letter, not a crash
        stream.reconfigure(errors="replace")
    files = folder or files_folder(Path("data").resolve(), person)
    console = Console(mend, person, out, files, width)
    if interactive if greet is None else greet:
        console.greet()
    prompt = content.text("console", "you") if interactive else None
    try:
        for line in _lines(stream, prompt, out):
            if not line.strip() and not interactive:
                continue
            console.send(parse(line, console.shown))
    except KeyboardInterrupt:  # Ctrl-C is a way to leave too, not an error
        out.write("\n")
    if interactive:
        console.say(content.text("console", "bye"), label=False)
    return 0
