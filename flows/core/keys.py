"""The grammar of button keys: built and read here only.

A key travels in Telegram's 64-byte callback_data and comes back as a `Choice`:
- "<flow>.<state>.<value>": an option on a step's prompt (built by `Flow.key`);
- "r.<delivery id>.<action>": a button on a daily reminder;
- "p.<share id>.<action>": an answer to something a partner shared.
Ids are checked for shape here and for ownership by the coach: a forged key changes nothing.
"""

from __future__ import annotations

from flows.core.policy import ACTIONS_BY_KIND

MAX_ID_DIGITS = 18  # ids fit in 64 bits; a longer number is forged, not an overflow
REMINDER = "r"
PARTNER = "p"
REMINDER_ACTIONS = ("done", "skip", "later", "hour", "evening", "answer")
PARTNER_ACTIONS = tuple(dict.fromkeys(a for actions in ACTIONS_BY_KIND.values() for a in actions))


def step_key(flow: str, state: str, value: str) -> str:
    return f"{flow}.{state}.{value}"


def reminder_key(delivery_id: int, action: str) -> str:
    return f"{REMINDER}.{delivery_id}.{action}"


def partner_key(share_id: int, action: str) -> str:
    return f"{PARTNER}.{share_id}.{action}"


def _numbered(key: str, head: str, actions: tuple[str, ...]) -> tuple[int, str] | None:
    found, _, rest = key.partition(".")
    number, _, action = rest.partition(".")
    well_formed = number.isdecimal() and number.isascii() and len(number) <= MAX_ID_DIGITS
    if found != head or action not in actions or not well_formed:
        return None
    return int(number), action


def read_reminder(key: str) -> tuple[int, str] | None:
    """(delivery id, action), or None when the key is not a well-formed reminder button."""
    return _numbered(key, REMINDER, REMINDER_ACTIONS)


def read_partner(key: str) -> tuple[int, str] | None:
    """(share id, action), or None when the key is not a well-formed partner button."""
    return _numbered(key, PARTNER, PARTNER_ACTIONS)


def read_step(key: str) -> tuple[str, str, str]:
    """(flow, state, value); parts are empty when missing."""
    flow, _, rest = key.partition(".")
    state, _, value = rest.partition(".")
    return flow, state, value
