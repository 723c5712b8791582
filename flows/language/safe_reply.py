"""What a typed answer to "Are you safe right now?" says, wherever that is asked.

People answer questions like this in their own words ("yeah im ok", "not really", "no"),
and a straight apostrophe must count as much as a curly one. In a short reply, anything that
says "not safe" wins over a "yes" in the same words. A longer message, or one that is only
reassuring in passing ("no worries", "not in any danger"), is not taken as an answer: the
question is asked again, which costs less than guessing either way.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from transitions import EventData

from flows.core.machine import Callback, value_of

Answer = Literal["safe", "unsafe", "support"]
ANSWERS: Final[tuple[Answer, ...]] = ("safe", "unsafe", "support")
Reading = Literal["safe", "unsafe", "support", "unsure"]
"""What a reply says: one of the answers, or "not sure" (met gently, then asked again)."""
LONGEST: Final = 8
"""Words in a reply read as an answer; a longer message is the person talking, not answering."""

_HARMLESS: Final = re.compile(
    r"\b(no worries|not in (any )?danger|not like that|no no i'?m (fine|ok)|not a big deal)\b",
    re.IGNORECASE,
)
_UNSAFE: Final = re.compile(
    r"\b(no|nope|nah|not|dont|don't|isn't|scared|afraid|unsafe|danger|help)\b", re.IGNORECASE
)
_SUPPORT: Final = re.compile(r"\b(support|talk to someone|numbers?|resources?)\b", re.IGNORECASE)
_SAFE: Final = re.compile(
    r"\b(yes|yeah|yep|yup|ya|ok|okay|fine|safe|good|alright|all right|go on)\b",
    re.IGNORECASE,
)
_SAFE_WORD: Final = re.compile(r"\bsafe\b", re.IGNORECASE)
_REASSURED: Final = re.compile(
    r"\b(?:not going to|not gonna|won'?t|will not|i'?m not going to) (?:do anything|hurt myself|"
    r"do it|act on it|do something stupid)\b",
    re.IGNORECASE,
)
"""'Not going to do anything' says safe, though it says "not"."""
_UNSURE: Final = re.compile(
    r"^\s*(?:idk|i don'?t know|dunno|not sure|unsure|i'?m not sure|maybe|kind of|kinda|sort of|"
    r"i guess|a (?:little|bit) (?:better|steadier|calmer)(?: i guess)?|better i guess|"
    r"i think so|hard to say|no idea)\s*[.!?]*\s*$",
    re.IGNORECASE,
)
"""Not a yes: only "I'm safe" counts as safe, so these are met gently and asked again."""


def typed(text: str) -> Reading | None:
    """The answer a short typed reply gives, if it clearly gives one; None means ask again."""
    text = text.replace("’", "'").strip()
    if _UNSURE.search(text):
        return "unsure"
    if len(text.split()) <= 2 * LONGEST and _REASSURED.search(text):
        rest = _REASSURED.sub(" ", text)
        if _SAFE.search(rest) and not _UNSAFE.search(rest):
            return "safe"  # "im ok, just a bad night. not going to do anything"
    if not text or len(text.split()) > LONGEST or _HARMLESS.search(text):
        return None
    if _UNSAFE.search(text):
        return "unsafe"
    if _SUPPORT.search(text):
        return "support"
    if _SAFE.search(text):
        return "safe"
    return None


def says_safe_plainly(event: EventData) -> bool:
    """Where urgent help is on screen, "ok" or "fine" acknowledges it; only "safe" says safe."""
    value = value_of(event)
    return typed(value) == "safe" and _SAFE_WORD.search(value) is not None


def says(answer: Reading) -> Callback:
    """A `transitions` condition: the typed value gives this answer."""

    def check(event: EventData) -> bool:
        return typed(value_of(event)) == answer

    return check
