"""What a typed answer to "Are you safe right now?" says, wherever that is asked.

People answer questions like this in their own words ("yeah im ok", "not really", "no"),
and a straight apostrophe must count as much as a curly one. Anything that says "not safe"
in any way wins over a "yes" in the same words: asking again costs less than missing it.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from transitions import EventData

from flows.flow import Callback, value_of

Answer = Literal["safe", "unsafe", "support"]

_UNSAFE: Final = re.compile(
    r"\b(no|nope|nah|not|dont|don't|isn't|scared|afraid|unsafe|danger|help)\b", re.IGNORECASE
)
_SUPPORT: Final = re.compile(r"\b(support|talk|someone|numbers?|resources?)\b", re.IGNORECASE)
_SAFE: Final = re.compile(
    r"\b(yes|yeah|yep|yup|ya|ok|okay|fine|safe|good|alright|all right|go on|i'm ok|im ok)\b",
    re.IGNORECASE,
)


def typed(text: str) -> Answer | None:
    """The answer a typed reply gives, if it gives one."""
    text = text.replace("’", "'")
    if _UNSAFE.search(text):
        return "unsafe"
    if _SUPPORT.search(text):
        return "support"
    if _SAFE.search(text):
        return "safe"
    return None


def says(answer: Answer) -> Callback:
    """A `transitions` condition: the typed value gives this answer."""

    def check(event: EventData) -> bool:
        return typed(value_of(event)) == answer

    return check
