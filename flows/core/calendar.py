"""Time zones and when a daily reminder is next due (what people type is read by
`flows.language.places` and `flows.language.times`).

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
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

Days = frozenset[int]
"""Allowed weekdays, 0 = Monday … 6 = Sunday (``date.weekday()`` numbering)."""

ALL_DAYS: Days = frozenset(range(7))
WEEKDAYS: Days = frozenset(range(5))
WEEKENDS: Days = frozenset({5, 6})

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# --------------------------------------------------------------------------------------
# Time zones
# --------------------------------------------------------------------------------------

# Present on some systems but not real places, or dependent on the host's configuration.
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})
_FIXED_KEY = re.compile(r"UTC([+-])(\d{2}):(\d{2})")
MIN_OFFSET = -12 * 60
MAX_OFFSET = 14 * 60


@cache
def zone_keys() -> frozenset[str]:
    """Every loadable IANA key, read once: scanning the tz database costs tens of ms."""
    return frozenset(available_timezones() - _NOT_ZONES)


@cache
def zone_for(key: str) -> tzinfo:
    """The tzinfo behind a stored key; ValueError so a corrupt row fails loudly, not as UTC."""
    fixed = _FIXED_KEY.fullmatch(key)
    if fixed is not None:
        sign, hours, minutes = fixed.groups()
        total = (int(hours) * 60 + int(minutes)) * (1 if sign == "+" else -1)
        if int(minutes) >= 60 or not MIN_OFFSET <= total <= MAX_OFFSET:
            raise ValueError(f"offset out of range: {key!r}")
        return timezone(timedelta(minutes=total), name=key)
    if key not in zone_keys():
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

