"""Time zones, local times and days as people type them, and when a daily reminder is next due.

Kept free of Telegram and storage so the scheduling arithmetic — the part that silently
goes wrong twice a year — can be tested exhaustively as plain functions.

Zone keys
    A key is either an IANA name (``"Europe/Berlin"``, ``"Etc/GMT-2"``) or, for fixed
    offsets that no ``Etc/GMT`` zone covers, our own ``"UTC+05:30"`` format. Keys are what
    gets stored; :func:`zone_for` turns one back into a ``tzinfo``. ``Etc/GMT`` signs are
    inverted by POSIX convention: "UTC+2" is ``Etc/GMT-2``.

Daylight-saving rule of :func:`next_due`
    Each occurrence is computed afresh from the person's local calendar date — never by
    adding 24 hours to the previous one — so it follows every offset change, including
    date-line moves.

    * Gap (spring forward): a wall time that does not exist on that date fires at the first
      valid instant after the gap, i.e. the moment the clocks jump to (02:30 on the Berlin
      spring-forward day fires at 03:00 local = 01:00 UTC).
    * Fold (fall back): a wall time that occurs twice fires only at its first occurrence
      (``fold=0``); the repeat is never a second reminder.
    * Skipped date: if a whole local date never happens (Pacific/Apia skipped 30 Dec 2011,
      Pacific/Kiritimati 31 Dec 1994) — or, more generally, if the end of a gap falls on
      the next date — that date has no occurrence. This keeps one reminder per local date,
      which is what :func:`local_date_of` relies on as a delivery key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flows.language import normalise as normalise_text

Days = frozenset[int]
"""Allowed weekdays, 0 = Monday … 6 = Sunday (``date.weekday()`` numbering)."""

ALL_DAYS: Days = frozenset(range(7))
WEEKDAYS: Days = frozenset(range(5))
WEEKENDS: Days = frozenset({5, 6})

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# --------------------------------------------------------------------------------------
# Time zones
# --------------------------------------------------------------------------------------

# Big places people name that are not themselves zone names (or whose zone name people
# would not guess), plus countries that live in a single zone. Keys are already folded.
_ALIASES: dict[str, str] = {
    # North America
    "nyc": "America/New_York",
    "new york city": "America/New_York",
    "washington": "America/New_York",
    "washington dc": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "la": "America/Los_Angeles",
    "los angeles": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "sf": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "chicago": "America/Chicago",
    "houston": "America/Chicago",
    "dallas": "America/Chicago",
    "austin": "America/Chicago",
    "denver": "America/Denver",
    "phoenix": "America/Phoenix",
    "anchorage": "America/Anchorage",
    "honolulu": "Pacific/Honolulu",
    "hawaii": "Pacific/Honolulu",
    "toronto": "America/Toronto",
    "montreal": "America/Toronto",
    "ottawa": "America/Toronto",
    "vancouver": "America/Vancouver",
    "st johns": "America/St_Johns",
    "saint johns": "America/St_Johns",
    "newfoundland": "America/St_Johns",
    "mexico city": "America/Mexico_City",
    # Europe
    "london": "Europe/London",
    "paris": "Europe/Paris",
    "madrid": "Europe/Madrid",
    "barcelona": "Europe/Madrid",
    "berlin": "Europe/Berlin",
    "munich": "Europe/Berlin",
    "munchen": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "zurich": "Europe/Zurich",
    "geneva": "Europe/Zurich",
    "vienna": "Europe/Vienna",
    "rome": "Europe/Rome",
    "milan": "Europe/Rome",
    "amsterdam": "Europe/Amsterdam",
    "brussels": "Europe/Brussels",
    "stockholm": "Europe/Stockholm",
    "oslo": "Europe/Oslo",
    "copenhagen": "Europe/Copenhagen",
    "helsinki": "Europe/Helsinki",
    "warsaw": "Europe/Warsaw",
    "prague": "Europe/Prague",
    "lisbon": "Europe/Lisbon",
    "dublin": "Europe/Dublin",
    "athens": "Europe/Athens",
    "istanbul": "Europe/Istanbul",
    "moscow": "Europe/Moscow",
    "kyiv": "Europe/Kyiv",
    "kiev": "Europe/Kyiv",
    # Africa and the Middle East
    "cairo": "Africa/Cairo",
    "lagos": "Africa/Lagos",
    "nairobi": "Africa/Nairobi",
    "johannesburg": "Africa/Johannesburg",
    "cape town": "Africa/Johannesburg",
    "dubai": "Asia/Dubai",
    "tel aviv": "Asia/Jerusalem",
    # Asia
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "hyderabad": "Asia/Kolkata",
    "calcutta": "Asia/Kolkata",
    "kolkata": "Asia/Kolkata",
    "karachi": "Asia/Karachi",
    "dhaka": "Asia/Dhaka",
    "bangkok": "Asia/Bangkok",
    "jakarta": "Asia/Jakarta",
    "singapore": "Asia/Singapore",
    "manila": "Asia/Manila",
    "hong kong": "Asia/Hong_Kong",
    "beijing": "Asia/Shanghai",
    "shanghai": "Asia/Shanghai",
    "seoul": "Asia/Seoul",
    "tokyo": "Asia/Tokyo",
    "osaka": "Asia/Tokyo",
    # Oceania
    "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne",
    "brisbane": "Australia/Brisbane",
    "perth": "Australia/Perth",
    "adelaide": "Australia/Adelaide",
    "auckland": "Pacific/Auckland",
    "wellington": "Pacific/Auckland",
    # The zone "Pacific/Samoa" is American Samoa (UTC-11); Samoa itself is UTC+13.
    "samoa": "Pacific/Apia",
    "american samoa": "Pacific/Pago_Pago",
    # South America
    "bogota": "America/Bogota",
    "lima": "America/Lima",
    "santiago": "America/Santiago",
    "buenos aires": "America/Argentina/Buenos_Aires",
    "rio": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo",
    "sao paulo": "America/Sao_Paulo",
    # Countries with a single zone
    "germany": "Europe/Berlin",
    "japan": "Asia/Tokyo",
    "india": "Asia/Kolkata",
    "uk": "Europe/London",
    "united kingdom": "Europe/London",
    "great britain": "Europe/London",
    "britain": "Europe/London",
    "england": "Europe/London",
    "scotland": "Europe/London",
    "wales": "Europe/London",
    "ireland": "Europe/Dublin",
    "france": "Europe/Paris",
    "spain": "Europe/Madrid",
    "italy": "Europe/Rome",
    "netherlands": "Europe/Amsterdam",
    "holland": "Europe/Amsterdam",
    "poland": "Europe/Warsaw",
    "kenya": "Africa/Nairobi",
    "nigeria": "Africa/Lagos",
    "south africa": "Africa/Johannesburg",
    "israel": "Asia/Jerusalem",
    "turkey": "Europe/Istanbul",
    "turkiye": "Europe/Istanbul",
    "philippines": "Asia/Manila",
    "new zealand": "Pacific/Auckland",
    "nz": "Pacific/Auckland",
}

# Places spanning several zones: guessing one would put reminders hours off for many people,
# so we ask for a city instead. Checked before everything else.
_AMBIGUOUS: frozenset[str] = frozenset(
    {
        "us",
        "usa",
        "united states",
        "united states of america",
        "america",
        "the us",
        "the usa",
        "australia",
        "brazil",
        "brasil",
        "canada",
        "russia",
        "mexico",
        "indonesia",
        "chile",
        "argentina",
        "kazakhstan",
        "mongolia",
        "kiribati",
        "micronesia",
        "ecuador",
        "portugal",
        "congo",
        "greenland",
        "antarctica",
        "europe",
        "asia",
        "africa",
    }
)

# Zone areas whose last components are regions or compass points ("US/Eastern",
# "Brazil/West"), not places; indexing them would make "west" or "central" a "city".
_NON_CITY_AREAS = frozenset({"Etc", "US", "Canada", "Brazil", "Chile", "Mexico"})
_NON_CITY_AUSTRALIA = frozenset(
    {
        "ACT",
        "NSW",
        "North",
        "South",
        "West",
        "LHI",
        "Yancowinna",
        "Queensland",
        "Tasmania",
        "Victoria",
    }
)
# Present on some systems but not real places, or dependent on the host's configuration.
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})

_FIXED_KEY = re.compile(r"UTC([+-])(\d{2}):(\d{2})")
_OFFSET = re.compile(r"(?:utc|gmt|z)?\s*([+-])\s*(\d{1,2})(?:\s*:?\s*(\d{2}))?")
_MIN_OFFSET = -12 * 60
_MAX_OFFSET = 14 * 60


def _fold(text: str) -> str:
    """Reduce spelling variants to one form so "São Paulo", "sao_paulo" and "St. John's" match.

    Accents go (NFKD then drop combining marks), apostrophes join ("john's" → "johns"),
    other separators become single spaces, and spaces around "/" vanish for IANA names.
    """
    plain = normalise_text.join_apostrophes(normalise_text.strip_accents(text.casefold()))
    plain = re.sub(r"[_.\-,;:!?()\"]+", " ", plain)
    plain = re.sub(r"\s*/\s*", "/", plain)
    return " ".join(plain.split())


@cache
def _zone_keys() -> frozenset[str]:
    """Every loadable IANA key, read once: scanning the tz database costs tens of ms."""
    return frozenset(available_timezones() - _NOT_ZONES)


@cache
def _iana_index() -> dict[str, str]:
    """Folded full name → key, so "europe/berlin" and "America/New York" resolve.

    Only names with an area ("Europe/…") are included: top-level legacy names such as
    "EST" or "Japan" are fixed offsets or links people do not mean literally.
    """
    return {_fold(key): key for key in sorted(_zone_keys()) if "/" in key}


@cache
def _city_index() -> dict[str, str]:
    """Folded last path component → key, built from the tz database itself.

    When two keys share a last component (America/Buenos_Aires is a backward link to
    America/Argentina/Buenos_Aires), the deeper, canonical path wins.
    """
    index: dict[str, str] = {}
    for key in sorted(_zone_keys(), key=lambda k: (-k.count("/"), k)):
        if "/" not in key:
            continue
        area, _, city = key.rpartition("/")
        top = area.split("/", 1)[0]
        if top in _NON_CITY_AREAS or (top == "Australia" and city in _NON_CITY_AUSTRALIA):
            continue
        index.setdefault(_fold(city), key)
    return index


def _offset_key(text: str) -> str | None:
    """A UTC offset such as "UTC+2", "gmt -3", "+05:30" or "-0330" → zone key.

    Whole hours map to ``Etc/GMT∓h`` (sign inverted, as POSIX demands) because those are
    real IANA zones any consumer understands; other offsets have no IANA zone, so they get
    our fixed ``UTC±hh:mm`` key.
    """
    cleaned = text.strip().casefold().replace("−", "-").replace("–", "-")
    cleaned = " ".join(cleaned.split())
    if cleaned in {"utc", "gmt", "z", "zulu", "utc+0", "utc-0", "gmt+0", "gmt-0", "+0", "-0"}:
        return "Etc/UTC"
    match = _OFFSET.fullmatch(cleaned)
    if match is None:
        return None
    sign, hours_text, minutes_text = match.groups()
    hours, minutes = int(hours_text), int(minutes_text or 0)
    if minutes >= 60:
        return None
    total = (hours * 60 + minutes) * (1 if sign == "+" else -1)
    if not _MIN_OFFSET <= total <= _MAX_OFFSET:
        return None
    if total == 0:
        return "Etc/UTC"
    if minutes == 0:
        return f"Etc/GMT{'-' if total > 0 else '+'}{hours}"
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def parse_timezone(text: str) -> str | None:
    """Resolve what someone typed to a zone key, or None so the caller can ask again.

    Order matters: offsets first (they are unambiguous), then places we refuse to guess,
    then our aliases (they override tz names that mislead, like "Pacific/Samoa"), then full
    IANA names, then bare city names from the tz database. "Berlin, Germany" is also tried
    part by part, so a trailing country does not spoil an otherwise good answer.
    """
    offset = _offset_key(text)
    if offset is not None:
        return offset
    parts = [text, *text.split(",")] if "," in text else [text]
    for part in parts:
        folded = _fold(part)
        key = _lookup(folded)
        if key is None and folded.startswith(_LEADING_WORDS):
            key = _lookup(folded.split(" ", 1)[1])
        if key is not None:
            return key
    return None


# "in Berlin", "the Netherlands": a leading word people add that never starts a zone name.
_LEADING_WORDS = ("in ", "the ")


def _lookup(folded: str) -> str | None:
    if not folded or folded in _AMBIGUOUS:
        return None
    key = _ALIASES.get(folded) or _iana_index().get(folded) or _city_index().get(folded)
    return key if key is not None and key in _zone_keys() else None


@cache
def zone_for(key: str) -> tzinfo:
    """The tzinfo behind a stored key; ValueError so a corrupt row fails loudly, not as UTC."""
    fixed = _FIXED_KEY.fullmatch(key)
    if fixed is not None:
        sign, hours, minutes = fixed.groups()
        total = (int(hours) * 60 + int(minutes)) * (1 if sign == "+" else -1)
        if int(minutes) >= 60 or not _MIN_OFFSET <= total <= _MAX_OFFSET:
            raise ValueError(f"offset out of range: {key!r}")
        return timezone(timedelta(minutes=total), name=key)
    if key not in _zone_keys():
        raise ValueError(f"unknown time zone: {key!r}")
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, OSError, ValueError) as exc:  # pragma: no cover - racy fs
        raise ValueError(f"unknown time zone: {key!r}") from exc


def _require_aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware UTC datetime, got naive {moment!r}")
    return moment.astimezone(UTC)


def describe_now(key: str, now_utc: datetime) -> str:
    """Local weekday and time, e.g. "Tuesday 14:05", so people can confirm we got it right.

    Day names come from a fixed English table rather than ``%A`` so the server's locale
    cannot change the message.
    """
    local = _require_aware(now_utc, "now_utc").astimezone(zone_for(key))
    return f"{_DAY_NAMES[local.weekday()]} {local:%H:%M}"


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


# --------------------------------------------------------------------------------------
# When is the next reminder due?
# --------------------------------------------------------------------------------------

# More than a week of candidate dates, so filtering to one weekday still finds a match even
# when a zone skips a whole date (Apia, Kiritimati) in the middle of the search.
_SEARCH_DAYS = 16
_ONE_SECOND = timedelta(seconds=1)


def _end_of_gap(zone: tzinfo, before: datetime, after: datetime) -> datetime:
    """The instant clocks jump forward, found by bisection between two UTC instants.

    ``before`` carries the post-jump offset's reading of the missing wall time (so lies
    before the jump) and ``after`` the pre-jump one (so lies at or after it). Bisecting on
    whole seconds takes ~17 steps even for Apia's 24-hour gap, and needs no knowledge of
    zoneinfo's private transition tables.
    """
    target = after.astimezone(zone).utcoffset()
    low, high = before, after  # offset(low) != target, offset(high) == target
    while high - low > _ONE_SECOND:
        middle = low + (high - low) // 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            middle = low + _ONE_SECOND
        if middle.astimezone(zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return high


def _occurrence(local_day: date, local_time: time, zone: tzinfo) -> datetime | None:
    """The UTC instant of ``local_time`` on ``local_day``, by this module's DST rule.

    Round-trips the wall time through UTC with fold=0 and fold=1: whichever reproduces it
    is real (fold=0 first, so a repeated time resolves to its first occurrence); if neither
    does, the time is in a gap and we take the end of the gap — unless that end lands on a
    later date, in which case ``local_day`` has no occurrence at all.
    """
    wall = datetime.combine(local_day, local_time)
    readings: list[datetime] = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall:
            return instant
        readings.append(instant)
    first, second = sorted(readings)
    jump = _end_of_gap(zone, first, second)
    return jump if jump.astimezone(zone).date() == local_day else None


def next_due(local_time: time, days: Days, zone_key: str, after_utc: datetime) -> datetime:
    """First UTC instant strictly after ``after_utc`` when the reminder is due.

    See the module docstring for the daylight-saving rule. The search starts a day before
    ``after_utc``'s local date so that correctness never hinges on local dates only moving
    forward (Pacific/Kwajalein lived through 30 Sep 1969 twice); it costs one candidate.
    """
    after = _require_aware(after_utc, "after_utc")
    if local_time.tzinfo is not None:
        raise ValueError("local_time must be a naive wall-clock time")
    if not days or not days <= ALL_DAYS:
        raise ValueError(f"days must be a non-empty subset of 0..6, got {sorted(days)!r}")
    zone = zone_for(zone_key)
    start = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(_SEARCH_DAYS):
        local_day = start + timedelta(days=offset)
        if local_day.weekday() not in days:
            continue
        due = _occurrence(local_day, local_time, zone)
        if due is not None and due > after:
            return due
    raise RuntimeError(  # pragma: no cover - would need a zone skipping a whole week
        f"no occurrence of {local_time} on {sorted(days)} in {zone_key} after {after}"
    )


def local_date_of(due_utc: datetime, zone_key: str) -> date:
    """The person's calendar date at a due instant: the key that makes delivery idempotent.

    Two different due instants of one reminder never share a local date under
    :func:`next_due`'s rule, so "already sent for this date" is a safe duplicate check.
    """
    return _require_aware(due_utc, "due_utc").astimezone(zone_for(zone_key)).date()
