"""Times of day and days of the week, as people type them ("8pm", "half past 7", "weekdays")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import time

from flows.core.calendar import ALL_DAYS, WEEKDAYS, WEEKENDS, Days

# --------------------------------------------------------------------------------------
# Times of day
# --------------------------------------------------------------------------------------

_WORD_TIMES = {
    "noon": time(12, 0),
    "midday": time(12, 0),
    "12 noon": time(12, 0),
    "midnight": time(0, 0),
    "12 midnight": time(0, 0),
}
_CLOCK = re.compile(
    r"(?P<h>\d{1,2})"
    r"(?:\s*(?:[:.h]|\s)\s*(?P<m>\d{2}))?"
    r"\s*(?P<suffix>am|pm|a|p|h|hrs|o ?clock)?"
)
_MILITARY = re.compile(r"(?P<h>\d{2})(?P<m>\d{2})\s*(?:h|hrs)?")


def parse_time(text: str) -> time | None:
    """A local time of day from "7:30", "7pm", "7.30 pm", "21h", "noon", "9"…; None otherwise.

    A bare hour is read on the 24-hour clock ("9" is 09:00) because asking "what time?"
    and getting "9" almost always means morning; evenings come as "21" or "9pm".
    """
    cleaned = " ".join(text.strip().casefold().replace("’", "'").split())
    cleaned = re.sub(r"([ap])\.?\s*m\.?$", r"\1m", cleaned)  # "p.m." / "p. m." → "pm"
    cleaned = cleaned.replace("o'clock", "o clock")
    if cleaned in _WORD_TIMES:
        return _WORD_TIMES[cleaned]
    match = _CLOCK.fullmatch(cleaned) or _MILITARY.fullmatch(cleaned)
    if match is None:
        return None
    hour, minute = int(match["h"]), int(match["m"] or 0)
    suffix = match.groupdict().get("suffix") or ""
    if minute >= 60:
        return None
    if suffix in {"am", "a", "pm", "p"}:
        if not 1 <= hour <= 12:
            return None
        hour %= 12
        if suffix.startswith("p"):
            hour += 12
    elif hour >= 24:
        return None
    return time(hour, minute)


# --------------------------------------------------------------------------------------
# Days of the week
# --------------------------------------------------------------------------------------

_DAY_WORDS: dict[str, int] = {}
for _index, _names in enumerate(
    (
        ("mo", "mon", "monday"),
        ("tu", "tue", "tues", "tuesday"),
        ("we", "wed", "weds", "wednesday"),
        ("th", "thu", "thur", "thurs", "thursday"),
        ("fr", "fri", "friday"),
        ("sa", "sat", "saturday"),
        ("su", "sun", "sunday"),
    )
):
    for _name in _names:
        _DAY_WORDS[_name] = _index
        if len(_name) > 3:
            _DAY_WORDS[_name + "s"] = _index  # "mondays"

_GROUP_WORDS: dict[str, Days] = {
    "daily": ALL_DAYS,
    "everyday": ALL_DAYS,
    "all": ALL_DAYS,
    "weekdays": WEEKDAYS,
    "weekday": WEEKDAYS,
    "workdays": WEEKDAYS,
    "weekends": WEEKENDS,
    "weekend": WEEKENDS,
}
# Multi-word ways of naming a group, rewritten to one group word before tokenising.
# Longest first, so "every single day" is not half-eaten by "every day".
_GROUP_PHRASES: tuple[tuple[str, str], ...] = (
    ("every single day", "daily"),
    ("every day", "daily"),
    ("each day", "daily"),
    ("all days", "daily"),
    ("all week", "daily"),
    ("seven days", "daily"),
    ("7 days", "daily"),
    ("working days", "weekdays"),
    ("business days", "weekdays"),
    ("work days", "weekdays"),
    ("week days", "weekdays"),
    ("week ends", "weekends"),
)
_FILLER = frozenset({"and", "on", "every", "each", "only", "the", "days", "day", "at"})
_RANGE_WORDS = frozenset({"-", "to", "through", "thru", "till", "until"})


def _day_range(start: int, end: int) -> Iterable[int]:
    """Inclusive, wrapping past Sunday so "fri-mon" means Friday to Monday."""
    length = (end - start) % 7
    return ((start + step) % 7 for step in range(length + 1))


def parse_days(text: str) -> Days | None:
    """Which weekdays someone wants, or None if any word is not understood.

    Strict on purpose: "every day except sunday" must not quietly become "sunday", so an
    unrecognised word rejects the whole answer and the caller asks again.
    """
    cleaned = text.casefold().replace("–", "-").replace("—", "-")
    cleaned = re.sub(r"[,&/+;.]", " ", cleaned)
    cleaned = re.sub(r"\s*-\s*", " - ", cleaned)
    cleaned = " ".join(cleaned.split())
    for phrase, word in _GROUP_PHRASES:
        cleaned = re.sub(rf"\b{phrase}\b", word, cleaned)
    tokens = cleaned.split()
    chosen: set[int] = set()
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token in _DAY_WORDS:
            start = _DAY_WORDS[token]
            if (
                position + 2 < len(tokens)
                and tokens[position + 1] in _RANGE_WORDS
                and tokens[position + 2] in _DAY_WORDS
            ):
                chosen.update(_day_range(start, _DAY_WORDS[tokens[position + 2]]))
                position += 3
                continue
            chosen.add(start)
        elif token in _GROUP_WORDS:
            chosen.update(_GROUP_WORDS[token])
        elif token not in _FILLER:
            return None
        position += 1
    return frozenset(chosen) if chosen else None

