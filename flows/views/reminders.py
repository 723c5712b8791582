"""What a daily reminder says, and the buttons on it. Pure: the scheduler supplies the facts.

Buttons carry the delivery id (`flows.keys`), and the coach checks that the delivery
belongs to whoever pressed it, so a forged or replayed button changes nothing.
"""

from __future__ import annotations

from datetime import time
from typing import Final

from flows.core import content
from flows.core.contract import Option, Reply
from flows.core.keys import reminder_key
from flows.views import prompts

OWN = "own"


def _copy(name: str) -> str:
    return prompts.reminder_copy(name)


def ritual_line(kind: str, label: str | None) -> str:
    if kind == OWN:
        return prompts.reminder_copy("own_ritual", label=label or "")
    return prompts.ritual_text(kind)


def compose(
    delivery_id: int,
    kind: str,
    label: str | None,
    prompt_text: str | None,
    *,
    discreet: bool,
) -> Reply:
    """The reminder itself. Discreet mode says nothing about relationships or feelings."""
    buttons = (
        Option(reminder_key(delivery_id, "done"), content.text("reminder.buttons", "done")),
        Option(reminder_key(delivery_id, "skip"), content.text("reminder.buttons", "skip")),
        Option(reminder_key(delivery_id, "later"), content.text("reminder.buttons", "later")),
    )
    if discreet:
        return Reply(_copy("discreet"), buttons)
    text = prompts.reminder_copy("text", ritual=ritual_line(kind, label), prompt=prompt_text or "")
    answer = Option(reminder_key(delivery_id, "answer"), content.text("reminder.buttons", "answer"))
    return Reply(text.strip(), (*buttons, answer) if prompt_text else buttons)


def later_choices(delivery_id: int) -> Reply:
    return Reply(
        _copy("later"),
        (
            Option(reminder_key(delivery_id, "hour"), _copy("later_hour")),
            Option(reminder_key(delivery_id, "evening"), _copy("later_evening")),
        ),
    )


def _minutes(value: str | None) -> int | None:
    if not value:
        return None
    try:
        hours, minutes = value.split(":")
        return int(hours) * 60 + int(minutes)
    except ValueError:
        return None


NIGHT: Final = ("22:00", "08:00")
"""The night kept quiet for someone who set no quiet hours of their own (see `waits`), and
the quiet hours /settings offers with one tap."""


def in_quiet_hours(local: time, quiet_from: str | None, quiet_to: str | None) -> bool:
    """Whether a local time falls in the person's quiet hours (which may cross midnight).

    A ritual whose own time is inside them is never reminded of (the sweep skips it); the
    steps that set a time say so before it is kept.
    """
    start, end = _minutes(quiet_from), _minutes(quiet_to)
    if start is None or end is None or start == end:
        return False
    now = local.hour * 60 + local.minute
    return start <= now < end if start < end else now >= start or now < end


def waits(local: time, chosen: time, quiet_from: str | None, quiet_to: str | None) -> bool:
    """Whether a reminder about to go out at `local` (for a ritual set at `chosen`) must not.

    Quiet hours a person set hold at every moment. Someone who set none still gets nothing
    in the `NIGHT` at a moment they did not choose (a "later" coming back, a reminder late
    after downtime); a ritual they themselves set inside that night comes at its time.
    """
    if quiet_from and quiet_to:
        return in_quiet_hours(local, quiet_from, quiet_to)
    return in_quiet_hours(local, *NIGHT) and not in_quiet_hours(chosen, *NIGHT)
