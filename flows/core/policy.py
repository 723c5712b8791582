"""The rules of safety and partnership, each written once, as pure functions.

Safety outranks sharing: after a crisis, or on the individual track (being with the partner
does not feel safe), nothing for two is offered, sent or shown, and the partner is told
nothing about why. Every layer (flows, the adapter's delivery of partner actions, storage
queries for reminders and agreements) asks these functions instead of spelling it out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from flows.core.contract import Profile


def safe_for_two(paused: str | None, track: str | None) -> bool:
    """Neither paused after a crisis nor on the individual track (raw columns welcome)."""
    return paused is None and track != "individual"


def for_two(profile: Profile) -> bool:
    """May this person do an exercise for two now?"""
    return safe_for_two(profile.paused, profile.track)


def may_share(profile: Profile) -> bool:
    """May this person offer to show something to a partner (if they choose)?"""
    return profile.paired and for_two(profile)


Pace = Literal["ask", "waiting"]


def pace(profile: Profile, partner_ready: Callable[[], bool | None]) -> Pace | None:
    """What something for two waits for, if anything: partners go at the slower one's pace.

    A linked person waits first for their own /ready ("ask"), then for their partner's
    ("waiting"); someone not linked waits for nobody. `partner_ready` is asked only when it
    matters (it reads the partner's row).
    """
    if not profile.paired:
        return None
    if not profile.ready_for_two:
        return "ask"
    if partner_ready() is False:
        return "waiting"
    return None


@dataclass(frozen=True, slots=True)
class Other:
    """What the rules need to know of the partner on the other side (never their words)."""

    safe_for_two: bool
    reachable: bool


def may_reach(me: Profile, other: Other | None) -> bool:
    """Anything passes between partners only while both are safe and the other can get it."""
    return other is not None and for_two(me) and other.safe_for_two and other.reachable


def show_together(me: Profile, partner_safe: bool) -> bool:
    """Both partners' shared scores are shown only while both are safe for two."""
    return for_two(me) and partner_safe


def both_safe(me: Profile, other: Other | None) -> bool:
    """For news both should hear (an agreement paused): sent only while both are safe."""
    return other is not None and for_two(me) and other.safe_for_two


class Join(Enum):
    """How redeeming an invite went (storage reports it; the coach's copy says it)."""

    LINKED = "linked"
    UNKNOWN = "unknown"  # no such code (or a typo)
    EXPIRED = "expired"
    USED = "used"
    OWN = "own"
    ALREADY = "already"  # one of the two is already linked
    GONE = "gone"  # the inviter left or blocked Mend


JOIN_COPY = {
    Join.LINKED: "linked",
    Join.OWN: "own_invite",
    Join.ALREADY: "already",
    # Unknown, used, expired, or an inviter who left: all read the same, so an invite can
    # never tell anyone whether a person is still here.
    Join.UNKNOWN: "cannot_join",
    Join.USED: "cannot_join",
    Join.EXPIRED: "cannot_join",
    Join.GONE: "cannot_join",
}


ACTIONS_BY_KIND: dict[str, tuple[str, ...]] = {
    "statement": ("hear", "more", "time", "reflect"),
    "agreement": ("accept", "suggest", "decline"),
}
"""The answers each kind of shared message can get (its buttons)."""


class Answer(Enum):
    """What answering something a partner shared comes to."""

    GONE = "gone"  # not theirs to answer, or no longer there
    PAUSED = "paused"  # safety outranks sharing, quietly
    ANSWERED = "answered"  # answered before (a replayed button)
    EXPIRED = "expired"  # an agreement whose end date has passed
    ACTIVATE = "activate"  # both agreed: the agreement begins
    NOTE = "note"  # the sender is told how it landed


def may_answer(me: Profile, sent_by_partner: bool, sender: Other | None) -> Answer | None:
    """Before anything is written: None when the answer may go ahead."""
    if not sent_by_partner or sender is None:
        return Answer.GONE
    if not may_reach(me, sender):
        return Answer.PAUSED
    return None


def answered(kind: str, action: str, ends: str, today: str) -> Answer:
    """After the answer was recorded once: what it does."""
    if action == "accept" and kind == "agreement":
        return Answer.EXPIRED if ends <= today else Answer.ACTIVATE
    return Answer.NOTE


def note_copy(action: str) -> tuple[str, str]:
    """The copy the sender gets for an answer."""
    return ("partner.agreement", "declined") if action == "decline" else ("partner.answers", action)


def ours(other: Other | None) -> bool:
    """A ritual for both is made for both only while the partner is safe for two."""
    return other is not None and other.safe_for_two
