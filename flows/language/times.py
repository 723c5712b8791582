"""Times of day, stretches of time and days of the week, as people type them.

"8pm", "7.30", "half 7", "19h30", "730"; "11pm-7am", "23-7", "from 10pm till 6";
"weekdays", "mon wed fri". Pure functions that answer None whenever something cannot be
read for sure, so the step asks again rather than guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from typing import Final, Literal

from flows.core.calendar import ALL_DAYS, WEEKDAYS, WEEKENDS, Days
from flows.language import normalise

# --------------------------------------------------------------------------------------
# Times of day
# --------------------------------------------------------------------------------------

DAY: Final = 24 * 60
Half = Literal["am", "pm", "night"]

_NUMBER_WORDS: Final = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "forty five": "45",
    "fourty five": "45",
    "forty-five": "45",
}
_NUMBER: Final = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True)) + r")\b"
)
# The part of the day said in words, as the am/pm it means ("8 in the evening" is 20:00).
_DAY_PARTS: Final = (
    (re.compile(r"\s*\b(?:in the |this |tomorrow |tmrw |tmr )?morning\b"), " am"),
    (re.compile(r"\s*\b(?:in the |this )?(?:afternoon|evening)\b"), " pm"),
    (re.compile(r"\s*\bto(?:night|nite)\b"), " pm"),
    (re.compile(r"\s*\b(?:at |in the )?night\b"), " night"),
)
_LEAD: Final = re.compile(
    r"^(?:(?:at|around|about|abt|approx|approximately|roughly|say|maybe|by|like|from|"
    r"ideally|probably|prob)\s+|~\s*)+"
)
_TAIL: Final = re.compile(r"(?:\s*-?\s*ish|\s+or so|\s+please|\s+pls|\s+plz)+$")
_WORD_TIMES: Final = {"noon": (12, 0), "midday": (12, 0), "midnight": (0, 0)}
_SUFFIX: Final = r"\s*(?P<suffix>am|pm|a|p|h|hrs|hr|uhr|night)?"
_CLOCK: Final = re.compile(r"(?P<h>\d{1,2})(?:\s*[:.h]\s*(?P<m>\d{2})|\s+(?P<m2>\d{2}))?" + _SUFFIX)
_COMPACT: Final = re.compile(r"(?P<h>\d{1,2})(?P<m>\d{2})" + _SUFFIX)  # "730", "1930"
_TWENTY_FOUR: Final = frozenset({"h", "hrs", "hr", "uhr"})
# "half 7", "half past 7", "quarter past 8", "20 past 9", "quarter to 8".
_SAID: Final = re.compile(
    r"(?:(?P<lead>half|quarter|\d{1,2})\s+(?:past|after)|(?P<to>quarter)\s+to|(?P<half>half))"
    r"\s+(?P<rest>.+)"
)
_OFFSETS: Final = {"half": 30, "quarter": 15}
_HALVES: Final[dict[str, Half]] = {"am": "am", "a": "am", "pm": "pm", "p": "pm", "night": "night"}


@dataclass(frozen=True, slots=True)
class _Reading:
    """A time as written, before deciding what an hour without am/pm means.

    `half` is an am/pm that was given (or "night": "10 at night"); `h24` says the 24-hour
    clock was plainly used (an hour past 12 or 0, a leading zero, "h"); `exact` says there is
    nothing left to decide (either of those, or a word like "noon").
    """

    hour: int
    minute: int
    half: Half | None = None
    h24: bool = False
    word: bool = False

    @property
    def exact(self) -> bool:
        return self.half is not None or self.h24 or self.word

    def as_written(self) -> int:
        """Minutes after midnight, an undecided hour read on the 24-hour clock ("9": 09:00)."""
        hour = self.hour
        if self.half == "night":
            hour = hour % 12 + (12 if 6 <= hour < 12 else 0)  # "10 at night", "2 at night"
        elif self.half is not None:
            hour = hour % 12 + (12 if self.half == "pm" else 0)
        return hour * 60 + self.minute

    @property
    def choices(self) -> tuple[int, ...]:
        """Every time of day it could be: one when exact; the morning and evening if not."""
        if self.exact:
            return (self.as_written(),)
        morning = self.hour % 12 * 60 + self.minute
        return (morning, morning + 12 * 60)


def _clean(text: str) -> str:
    """One spelling for the many ways a time is typed on a phone."""
    cleaned = normalise.unify(normalise.printable(text)).casefold()
    cleaned = re.sub(r"\b([ap])\s*\.\s*m\b\.?", r"\1m", cleaned)  # "p.m." / "p. m." → "pm"
    cleaned = re.sub(r"\bo\s*'?\s*clock\b", "", cleaned)
    cleaned = _NUMBER.sub(lambda found: _NUMBER_WORDS[found.group(1)], cleaned)
    for pattern, half in _DAY_PARTS:
        cleaned = pattern.sub(half, cleaned)
    cleaned = " ".join(cleaned.split()).strip(" .!?,;")
    return _TAIL.sub("", _LEAD.sub("", cleaned)).strip()


def _reading(cleaned: str) -> _Reading | None:
    """What one cleaned time says, or None when it is not a time."""
    if cleaned in _WORD_TIMES:
        return _Reading(*_WORD_TIMES[cleaned], word=True)
    said = _SAID.fullmatch(cleaned)
    if said is not None:
        return _said(said)
    match = _CLOCK.fullmatch(cleaned) or _COMPACT.fullmatch(cleaned)
    if match is None:
        return None
    written = match["h"]
    hour = int(written)
    minute = int(match.groupdict().get("m") or match.groupdict().get("m2") or 0)
    suffix = match["suffix"] or ""
    half = _HALVES.get(suffix)
    if minute >= 60 or hour >= 24 or (half is not None and not 1 <= hour <= 12):
        return None
    h24 = half is None and (
        hour == 0
        or hour > 12
        or suffix in _TWENTY_FOUR
        or (len(written) == 2 and written.startswith("0"))
        or (match.re is _COMPACT and len(written) == 2)  # "1030", "0700": the 24-hour clock
    )
    return _Reading(hour, minute, half, h24)


def _said(said: re.Match[str]) -> _Reading | None:
    """ "half 7" is 7:30, "quarter to 8" 7:45: the hour's reading, moved on its own dial."""
    base = _reading(said["rest"])
    if base is None or base.minute or base.word:
        return None
    if said["to"]:
        offset = -15
    else:
        lead = said["lead"] or said["half"]
        offset = _OFFSETS.get(lead) or int(lead)
        if not 0 < offset < 60:
            return None
    dial = 24 if base.h24 else 12
    hour, minute = divmod((base.hour * 60 + offset) % (dial * 60), 60)
    if dial == 12 and hour == 0:
        hour = 12  # "quarter past 12" stays at 12, "quarter to 1" is 12:45
    return _Reading(hour, minute, base.half, base.h24)


def _clock(minutes: int) -> time:
    return time(*divmod(minutes % DAY, 60))


def parse_time(text: str) -> time | None:
    """A local time of day from "7:30", "7pm", "7.30 pm", "19h30", "730", "half 7",
    "quarter to 8", "9 in the evening", "noon", "9"…; None otherwise.

    A bare hour is read on the 24-hour clock ("9" is 09:00) because asking "what time?"
    and getting "9" almost always means morning; evenings come as "21" or "9pm".
    """
    found = _reading(_clean(text))
    return None if found is None else _clock(found.as_written())


# --------------------------------------------------------------------------------------
# Stretches of time (quiet hours)
# --------------------------------------------------------------------------------------

_BETWEEN: Final = re.compile(
    r"\s*(?:-+>?|–|—|~|→|\bto\b|\btill\b|\btil\b|\buntil\b|\buntill\b|\bthru\b|\bthrough\b"
    r"|\band\b)\s*"
)
_RANGE_LEAD: Final = re.compile(r"^(?:(?:from|between|quiet|hours|after|starting)\s+)+")
NIGHT: Final = (23 * 60, 6 * 60)
"""The heart of the night, 23:00–06:00, which a stretch of quiet is read to cover."""


def _length(start: int, end: int) -> int:
    return (end - start) % DAY


def _night_in(start: int, end: int) -> int:
    """How many minutes of the heart of the night the stretch `start`–`end` covers."""
    stretch = _length(start, end)
    night_start, night_end = NIGHT
    return sum(
        _length(start, minute % DAY) < stretch
        for minute in range(night_start, night_start + _length(night_start, night_end))
    )


def parse_range(text: str) -> tuple[time, time] | None:
    """A stretch of time from "11pm-7am", "23-7", "23:00–07:00", "from 10pm till 6"…;
    None unless it is two readable, different times.

    What an hour written without am/pm means (when it is not plainly on the 24-hour clock,
    as "23", "07" and "22h" are), the one rule:

    - Next to an end on the 24-hour clock, it is on that clock too: "23-7" is 23:00–07:00.
    - Next to an end with am/pm, it takes the reading that makes the shorter stretch, as
      people say it: "11-7am" is 23:00–07:00, "9-5pm" is 09:00–17:00.
    - Both bare ("11-7", "10.30-6", "midnight to 8"): the only stretch Mend asks for is quiet
      hours, so it is read as a night: the reading that covers most of 23:00–06:00 for the
      fewest other hours (twice the night minutes it covers, less its length). "11-7" is
      23:00–07:00, "12-6" midnight to 06:00, "9-5" 21:00–05:00.
    """
    cleaned = _RANGE_LEAD.sub("", _clean(text))
    parts = _BETWEEN.split(cleaned)
    if len(parts) != 2:
        return None
    first, second = (_reading(_clean(part)) for part in parts)
    if first is None or second is None:
        return None
    ends = _ends(first, second)
    return None if ends is None else (_clock(ends[0]), _clock(ends[1]))


def _ends(first: _Reading, second: _Reading) -> tuple[int, int] | None:
    """Start and end, in minutes after midnight, by the rule in `parse_range`."""
    if first.h24 or second.h24:
        first, second = _on_24(first), _on_24(second)
    pairs = [(a, b) for a in first.choices for b in second.choices if _length(a, b)]
    if not pairs:
        return None
    if (first.half is None) != (second.half is None) and not (first.word or second.word):
        return min(pairs, key=lambda pair: _length(*pair))
    return max(pairs, key=lambda pair: (2 * _night_in(*pair) - _length(*pair), pair[0]))


def _on_24(reading: _Reading) -> _Reading:
    if reading.exact:
        return reading
    return _Reading(reading.hour, reading.minute, h24=True)


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


_CLEAR_TIME: Final = re.compile(
    r"\b\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b|\bnoon\b|\bmidnight\b",
    re.I,
)


def find_time(text: str) -> time | None:
    """A time typed alone, or one clearly said inside a sentence ("when hes at work. like
    11am"); only forms that cannot be anything else count inside a sentence."""
    whole = parse_time(text)
    if whole is not None:
        return whole
    found = [parse_time(m.group(0)) for m in _CLEAR_TIME.finditer(text)]
    clear = {t for t in found if t is not None}
    return clear.pop() if len(clear) == 1 else None
