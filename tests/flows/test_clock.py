"""Parsing what people type (flows.language.places, .times) and DST-safe reminder
scheduling (flows.core.calendar).

Expected instants are worked out by hand from the published tz rules (noted next to each
case) rather than recomputed with the code under test, so a shared misconception about
zoneinfo cannot make both sides agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.core.calendar import (
    ALL_DAYS,
    WEEKDAYS,
    Days,
    describe_now,
    local_date_of,
    next_due,
    zone_for,
)
from flows.language.places import parse_timezone
from flows.language.times import parse_days, parse_time


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(key: str, year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall time in ``key`` as UTC (fold=0), for cases away from any transition."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(key)).astimezone(UTC)


def chain(at: time, days: Days, key: str, start: datetime, count: int) -> list[datetime]:
    """``count`` consecutive occurrences, each computed from the previous one."""
    out: list[datetime] = []
    after = start
    for _ in range(count):
        after = next_due(at, days, key, after)
        out.append(after)
    return out


# --------------------------------------------------------------------------------------
# parse_timezone
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("  BERLIN  ", "Europe/Berlin"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("sao_paulo", "America/Sao_Paulo"),
        ("SÃO   PAULO", "America/Sao_Paulo"),
        ("new york", "America/New_York"),
        ("New York", "America/New_York"),
        ("NYC", "America/New_York"),
        ("Delhi", "Asia/Kolkata"),
        ("New Delhi", "Asia/Kolkata"),
        ("Bombay", "Asia/Kolkata"),
        ("Mumbai", "Asia/Kolkata"),
        ("Bengaluru", "Asia/Kolkata"),
        ("LA", "America/Los_Angeles"),
        ("los angeles", "America/Los_Angeles"),
        ("San Francisco", "America/Los_Angeles"),
        ("Munich", "Europe/Berlin"),
        ("Frankfurt", "Europe/Berlin"),
        ("Geneva", "Europe/Zurich"),
        ("Zürich", "Europe/Zurich"),
        ("Milan", "Europe/Rome"),
        ("Barcelona", "Europe/Madrid"),
        ("Kyiv", "Europe/Kyiv"),
        ("Kiev", "Europe/Kyiv"),
        ("Cape Town", "Africa/Johannesburg"),
        ("Beijing", "Asia/Shanghai"),
        ("Osaka", "Asia/Tokyo"),
        ("Hong Kong", "Asia/Hong_Kong"),
        ("Wellington", "Pacific/Auckland"),
        ("Mexico City", "America/Mexico_City"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("Rio", "America/Sao_Paulo"),
        ("Rio de Janeiro", "America/Sao_Paulo"),
        ("St Johns", "America/St_Johns"),
        ("St. John's", "America/St_Johns"),
        ("st. john’s", "America/St_Johns"),
        ("Honolulu", "Pacific/Honolulu"),
        ("Houston", "America/Chicago"),
        ("Miami", "America/New_York"),
        ("Adelaide", "Australia/Adelaide"),
        # Straight from the tz database's city components, no alias involved.
        ("Kathmandu", "Asia/Kathmandu"),
        ("Ho Chi Minh", "Asia/Ho_Chi_Minh"),
        ("port-au-prince", "America/Port-au-Prince"),
        ("Lord Howe", "Australia/Lord_Howe"),
        ("Chatham Islands", "Pacific/Chatham"),  # "Chatham" alone asks: Kent, Ontario or these
        ("Kiritimati", "Pacific/Kiritimati"),
        ("Apia", "Pacific/Apia"),
        ("Samoa", "Pacific/Apia"),  # not the "Pacific/Samoa" link, which is American Samoa
        # IANA names, any case, tolerant of spaces.
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("EUROPE/BERLIN", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("america / sao_paulo", "America/Sao_Paulo"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Etc/GMT-2", "Etc/GMT-2"),
        # Countries with one zone.
        ("Germany", "Europe/Berlin"),
        ("japan", "Asia/Tokyo"),
        ("India", "Asia/Kolkata"),
        ("UK", "Europe/London"),
        ("Ireland", "Europe/Dublin"),
        ("France", "Europe/Paris"),
        ("Spain", "Europe/Madrid"),
        ("Italy", "Europe/Rome"),
        ("the Netherlands", "Europe/Amsterdam"),
        ("Poland", "Europe/Warsaw"),
        ("Kenya", "Africa/Nairobi"),
        ("Nigeria", "Africa/Lagos"),
        ("South Africa", "Africa/Johannesburg"),
        ("Israel", "Asia/Jerusalem"),
        ("Turkey", "Europe/Istanbul"),
        ("Singapore", "Asia/Singapore"),
        ("Philippines", "Asia/Manila"),
        ("New Zealand", "Pacific/Auckland"),
        # Small courtesies.
        ("in Berlin", "Europe/Berlin"),
        ("Berlin, Germany", "Europe/Berlin"),
        ("Sydney, Australia", "Australia/Sydney"),
    ],
)
def test_parse_timezone_places(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("UTC+2", "Etc/GMT-2"),  # Etc/GMT signs are inverted (POSIX)
        ("utc + 2", "Etc/GMT-2"),
        ("GMT-3", "Etc/GMT+3"),
        ("gmt −3", "Etc/GMT+3"),  # Unicode minus sign
        ("+2", "Etc/GMT-2"),
        ("UTC+14", "Etc/GMT-14"),
        ("UTC-12", "Etc/GMT+12"),
        ("+05:00", "Etc/GMT-5"),
        ("UTC", "Etc/UTC"),
        ("GMT+0", "Etc/UTC"),
        ("+00:00", "Etc/UTC"),
        ("+05:30", "UTC+05:30"),
        ("-0330", "UTC-03:30"),
        ("-03:30", "UTC-03:30"),
        ("UTC+5:45", "UTC+05:45"),
        ("utc +12:45", "UTC+12:45"),
        ("GMT-9:30", "UTC-09:30"),
    ],
)
def test_parse_timezone_offsets(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "garbage",
        "later",
        "asdf/qwer",
        "Narnia",  # (Atlantis is a real town, near Cape Town)
        "UTC+15",
        "UTC-13",
        "+05:60",
        "utc+2+3",
        "EST",
        "west",
        "central",
        "victoria",
        # Countries spanning several zones: guessing would be hours off for many people.
        "usa",
        "USA",
        "United States",
        "america",
        "australia",
        "Brazil",
        "canada",
        "Russia",
        "mexico",
        "in the USA",
        # Host-specific or fake entries in the zone directory.
        "localtime",
        "Factory",
    ],
)
def test_parse_timezone_rejects(text: str) -> None:
    assert parse_timezone(text) is None


def test_every_parsed_key_loads() -> None:
    for text in ("Berlin", "UTC+2", "+05:30", "-0330", "UTC+5:45", "nyc", "Japan"):
        key = parse_timezone(text)
        assert key is not None
        assert zone_for(key) is not None


# --------------------------------------------------------------------------------------
# zone_for / describe_now / local_date_of
# --------------------------------------------------------------------------------------


def test_zone_for_iana_and_fixed() -> None:
    assert zone_for("Europe/Berlin") == ZoneInfo("Europe/Berlin")
    assert zone_for("Etc/GMT-2").utcoffset(datetime(2024, 1, 1)) == timedelta(hours=2)
    assert zone_for("UTC+05:30").utcoffset(None) == timedelta(hours=5, minutes=30)
    assert zone_for("UTC-03:30").utcoffset(None) == -timedelta(hours=3, minutes=30)
    assert zone_for("UTC+05:45").utcoffset(None) == timedelta(hours=5, minutes=45)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "Mars/Olympus",
        "europe/berlin",
        "../etc/passwd",
        "UTC+5:30",
        "UTC+15:30",
        "UTC+05:75",
        "localtime",
        "Europe",
    ],
)
def test_zone_for_unknown_raises(key: str) -> None:
    with pytest.raises(ValueError):
        zone_for(key)


def test_describe_now() -> None:
    assert describe_now("Europe/Berlin", utc(2024, 6, 4, 12, 5)) == "Tuesday 14:05"
    assert describe_now("Europe/Berlin", utc(2024, 1, 2, 12, 5)) == "Tuesday 13:05"
    # Kiritimati is UTC+14: Sunday evening in UTC is already Monday morning there.
    assert describe_now("Pacific/Kiritimati", utc(2024, 6, 2, 19, 0)) == "Monday 09:00"
    assert describe_now("UTC+05:30", utc(2024, 6, 4, 23, 59)) == "Wednesday 05:29"
    with pytest.raises(ValueError):
        describe_now("Europe/Berlin", datetime(2024, 6, 4, 12, 5))


def test_local_date_of() -> None:
    assert local_date_of(utc(2024, 6, 2, 19), "Pacific/Kiritimati") == date(2024, 6, 3)
    assert local_date_of(utc(2024, 6, 2, 19), "America/New_York") == date(2024, 6, 2)
    assert local_date_of(utc(2024, 6, 2, 22), "Europe/Berlin") == date(2024, 6, 3)
    with pytest.raises(ValueError):
        local_date_of(datetime(2024, 6, 2, 19), "Europe/Berlin")


# --------------------------------------------------------------------------------------
# parse_time / parse_days
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7:30", time(7, 30)),
        ("07:30", time(7, 30)),
        ("19:00", time(19, 0)),
        ("7pm", time(19, 0)),
        ("7 PM", time(19, 0)),
        ("7.30 pm", time(19, 30)),
        ("7:30am", time(7, 30)),
        ("7:30 a.m.", time(7, 30)),
        ("7 p.m.", time(19, 0)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("12:15 am", time(0, 15)),
        ("noon", time(12, 0)),
        ("Noon", time(12, 0)),
        ("midnight", time(0, 0)),
        ("21h", time(21, 0)),
        ("21h30", time(21, 30)),
        ("9", time(9, 0)),
        ("0", time(0, 0)),
        ("23:59", time(23, 59)),
        ("0730", time(7, 30)),
        ("1930", time(19, 30)),
        ("7 o'clock", time(7, 0)),
        ("  8:05  ", time(8, 5)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "later",
        "25:00",
        "24:00",
        "7:60",
        "13pm",
        "0am",
        "7:5",
        "tomorrow",
        "7:30:15",
        "-1",
        "abc7",
    ],
)
def test_parse_time_rejects(text: str) -> None:
    assert parse_time(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("every day", {0, 1, 2, 3, 4, 5, 6}),
        ("Every Day", {0, 1, 2, 3, 4, 5, 6}),
        ("everyday", {0, 1, 2, 3, 4, 5, 6}),
        ("daily", {0, 1, 2, 3, 4, 5, 6}),
        ("all", {0, 1, 2, 3, 4, 5, 6}),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("working days", {0, 1, 2, 3, 4}),
        ("weekends", {5, 6}),
        ("weekend", {5, 6}),
        ("mon wed fri", {0, 2, 4}),
        ("Monday, Thursday", {0, 3}),
        ("tue-thu", {1, 2, 3}),
        ("Tue – Thu", {1, 2, 3}),
        ("mon to fri", {0, 1, 2, 3, 4}),
        ("fri-mon", {4, 5, 6, 0}),  # wraps past Sunday
        ("sat & sun", {5, 6}),
        ("Saturdays and Sundays", {5, 6}),
        ("every monday", {0}),
        ("weekdays and saturday", {0, 1, 2, 3, 4, 5}),
        ("Tues/Thurs", {1, 3}),
    ],
)
def test_parse_days(text: str, expected: set[int]) -> None:
    assert parse_days(text) == frozenset(expected)


@pytest.mark.parametrize(
    "text",
    ["", "sometimes", "every day except sunday", "not monday", "mon blah", "-", "and"],
)
def test_parse_days_rejects(text: str) -> None:
    assert parse_days(text) is None


# --------------------------------------------------------------------------------------
# next_due: argument checking and ordinary days
# --------------------------------------------------------------------------------------


def test_next_due_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        next_due(time(7), ALL_DAYS, "Europe/Berlin", datetime(2024, 1, 1, 12))
    with pytest.raises(ValueError):
        next_due(time(7), frozenset(), "Europe/Berlin", utc(2024, 1, 1))
    with pytest.raises(ValueError):
        next_due(time(7), frozenset({7}), "Europe/Berlin", utc(2024, 1, 1))
    with pytest.raises(ValueError):
        next_due(time(7, tzinfo=UTC), ALL_DAYS, "Europe/Berlin", utc(2024, 1, 1))
    with pytest.raises(ValueError):
        next_due(time(7), ALL_DAYS, "Nowhere/Special", utc(2024, 1, 1))


def test_next_due_is_strictly_after_and_utc() -> None:
    due = next_due(time(7), ALL_DAYS, "Europe/Berlin", utc(2024, 1, 10, 5, 59))
    assert due == utc(2024, 1, 10, 6)
    assert due.tzinfo is UTC
    # Exactly at the due instant: that one is already taken, so tomorrow.
    assert next_due(time(7), ALL_DAYS, "Europe/Berlin", due) == utc(2024, 1, 11, 6)


def test_next_due_accepts_other_aware_offsets() -> None:
    berlin_noon = datetime(2024, 1, 10, 12, tzinfo=timezone(timedelta(hours=1)))
    assert next_due(time(13), ALL_DAYS, "Europe/Berlin", berlin_noon) == utc(2024, 1, 10, 12)


def test_weekday_filter_uses_local_weekday() -> None:
    # Mon wed fri at 07:00 Berlin, asked on Tuesday 2024-01-09.
    mwf = frozenset({0, 2, 4})
    due = chain(time(7), mwf, "Europe/Berlin", utc(2024, 1, 9, 12), 4)
    assert [local_date_of(d, "Europe/Berlin") for d in due] == [
        date(2024, 1, 10),
        date(2024, 1, 12),
        date(2024, 1, 15),
        date(2024, 1, 17),
    ]
    # Kiritimati (+14): Monday 09:00 local is Sunday 19:00 UTC.
    assert next_due(time(9), frozenset({0}), "Pacific/Kiritimati", utc(2024, 6, 1)) == utc(
        2024, 6, 2, 19
    )
    # New York, Friday 23:30 local is Saturday in UTC; weekday is still Friday locally.
    assert next_due(time(23, 30), frozenset({4}), "America/New_York", utc(2024, 6, 3)) == utc(
        2024, 6, 8, 3, 30
    )


def test_fixed_offset_keys() -> None:
    assert next_due(time(7), ALL_DAYS, "UTC+05:45", utc(2024, 3, 1)) == utc(2024, 3, 1, 1, 15)
    assert next_due(time(7), ALL_DAYS, "UTC-03:30", utc(2024, 3, 1)) == utc(2024, 3, 1, 10, 30)
    assert next_due(time(7), ALL_DAYS, "Etc/GMT-2", utc(2024, 3, 1)) == utc(2024, 3, 1, 5)


# --------------------------------------------------------------------------------------
# next_due across transitions, zone by zone
# --------------------------------------------------------------------------------------


def assert_fires_once_per_day(key: str, at: time, start: datetime, count: int) -> None:
    """A daily chain never repeats a local date, never skips one, never fires twice in a day."""
    due = chain(at, ALL_DAYS, key, start, count)
    for earlier, later in pairwise(due):
        assert later - earlier >= timedelta(hours=23), (earlier, later)
    dates = [local_date_of(d, key) for d in due]
    assert len(set(dates)) == len(dates)
    assert dates == sorted(dates)
    assert dates[-1] - dates[0] == timedelta(days=count - 1)


class TestBerlin:
    """CET/CEST. 2024: spring forward 31 Mar 02:00→03:00, fall back 27 Oct 03:00→02:00."""

    key = "Europe/Berlin"

    def test_ordinary_days(self) -> None:
        assert next_due(time(7), ALL_DAYS, self.key, utc(2024, 1, 15)) == utc(2024, 1, 15, 6)
        assert next_due(time(7), ALL_DAYS, self.key, utc(2024, 7, 15)) == utc(2024, 7, 15, 5)

    def test_spring_gap_moves_to_end_of_gap(self) -> None:
        at = time(2, 30)
        assert next_due(at, ALL_DAYS, self.key, utc(2024, 3, 29, 12)) == utc(2024, 3, 30, 1, 30)
        assert next_due(at, ALL_DAYS, self.key, utc(2024, 3, 30, 12)) == utc(2024, 3, 31, 1)
        assert next_due(at, ALL_DAYS, self.key, utc(2024, 3, 31, 1)) == utc(2024, 4, 1, 0, 30)
        # The edges of the gap: 02:00 does not exist either; 01:59 and 03:00 do.
        start = utc(2024, 3, 30, 12)
        assert next_due(time(2), ALL_DAYS, self.key, start) == utc(2024, 3, 31, 1)
        assert next_due(time(1, 59), ALL_DAYS, self.key, start) == utc(2024, 3, 31, 0, 59)
        assert next_due(time(3), ALL_DAYS, self.key, start) == utc(2024, 3, 31, 1)

    def test_fall_back_fires_at_first_occurrence_only(self) -> None:
        at = time(2, 30)
        first = next_due(at, ALL_DAYS, self.key, utc(2024, 10, 26, 12))
        assert first == utc(2024, 10, 27, 0, 30)  # 02:30 CEST
        # Not again at 02:30 CET (01:30 UTC) the same morning.
        assert next_due(at, ALL_DAYS, self.key, first) == utc(2024, 10, 28, 1, 30)
        # Even when asked from inside the repeated hour.
        assert next_due(at, ALL_DAYS, self.key, utc(2024, 10, 27, 1)) == utc(2024, 10, 28, 1, 30)

    def test_year_of_daily_reminders(self) -> None:
        assert_fires_once_per_day(self.key, time(2, 30), utc(2024, 1, 1), 400)


class TestNewYork:
    """EST/EDT. 2024: spring forward 10 Mar 02:00→03:00, fall back 3 Nov 02:00→01:00."""

    key = "America/New_York"

    def test_ordinary_days(self) -> None:
        assert next_due(time(7), ALL_DAYS, self.key, utc(2024, 1, 15)) == utc(2024, 1, 15, 12)
        assert next_due(time(7), ALL_DAYS, self.key, utc(2024, 7, 15)) == utc(2024, 7, 15, 11)

    def test_spring_gap(self) -> None:
        assert next_due(time(2, 30), ALL_DAYS, self.key, utc(2024, 3, 9, 12)) == utc(2024, 3, 10, 7)

    def test_fall_back(self) -> None:
        at = time(1, 30)
        first = next_due(at, ALL_DAYS, self.key, utc(2024, 11, 2, 12))
        assert first == utc(2024, 11, 3, 5, 30)  # 01:30 EDT
        assert next_due(at, ALL_DAYS, self.key, first) == utc(2024, 11, 4, 6, 30)  # 01:30 EST

    def test_weekdays_across_transitions(self) -> None:
        due = chain(time(8), WEEKDAYS, self.key, utc(2024, 3, 7), 4)
        # Thu 7, Fri 8, (weekend with the change), Mon 11, Tue 12 March.
        assert due == [
            utc(2024, 3, 7, 13),
            utc(2024, 3, 8, 13),
            utc(2024, 3, 11, 12),
            utc(2024, 3, 12, 12),
        ]

    def test_year_of_daily_reminders(self) -> None:
        assert_fires_once_per_day(self.key, time(2, 30), utc(2024, 1, 1), 400)
        assert_fires_once_per_day(self.key, time(1, 30), utc(2024, 1, 1), 400)


class TestSaoPaulo:
    """-03:00 all year since 2019. Before that DST switched at midnight (Nov→Feb)."""

    key = "America/Sao_Paulo"

    def test_no_dst_any_more(self) -> None:
        # Where the old DST season would have been (Nov 2024 to Feb 2025): always -03:00.
        due = chain(time(7), ALL_DAYS, self.key, utc(2024, 1, 1), 400)
        assert {d.time() for d in due} == {time(10)}
        assert_fires_once_per_day(self.key, time(0, 30), utc(2024, 1, 1), 400)

    def test_historic_gap_at_midnight(self) -> None:
        # 4 Nov 2018 00:00 -03 became 01:00 -02: 00:30 fires at 01:00 local, same date.
        due = next_due(time(0, 30), ALL_DAYS, self.key, utc(2018, 11, 3, 12))
        assert due == utc(2018, 11, 4, 3)
        assert local_date_of(due, self.key) == date(2018, 11, 4)

    def test_historic_fall_back(self) -> None:
        # 17 Feb 2019 00:00 -02 became 16 Feb 23:00 -03: 23:30 on the 16th happened twice.
        first = next_due(time(23, 30), ALL_DAYS, self.key, utc(2019, 2, 16, 12))
        assert first == utc(2019, 2, 17, 1, 30)
        assert next_due(time(23, 30), ALL_DAYS, self.key, first) == utc(2019, 2, 18, 2, 30)

    def test_historic_year(self) -> None:
        assert_fires_once_per_day(self.key, time(0, 30), utc(2018, 6, 1), 400)
        assert_fires_once_per_day(self.key, time(23, 30), utc(2018, 6, 1), 400)


class TestAdelaide:
    """+09:30/+10:30, southern hemisphere: DST ends 7 Apr 2024 03:00, starts 6 Oct 02:00."""

    key = "Australia/Adelaide"

    def test_ordinary_days(self) -> None:
        # Summer (January) is +10:30, winter (July) +09:30.
        assert next_due(time(7), ALL_DAYS, self.key, utc(2024, 1, 14)) == utc(2024, 1, 14, 20, 30)
        assert next_due(time(7), ALL_DAYS, self.key, utc(2024, 7, 14)) == utc(2024, 7, 14, 21, 30)

    def test_spring_gap_in_october(self) -> None:
        due = next_due(time(2, 30), ALL_DAYS, self.key, utc(2024, 10, 5))
        assert due == utc(2024, 10, 5, 16, 30)  # 03:00 +10:30 on 6 Oct
        assert local_date_of(due, self.key) == date(2024, 10, 6)

    def test_fall_back_in_april(self) -> None:
        first = next_due(time(2, 30), ALL_DAYS, self.key, utc(2024, 4, 6))
        assert first == utc(2024, 4, 6, 16)  # 02:30 +10:30 on 7 Apr
        assert next_due(time(2, 30), ALL_DAYS, self.key, first) == utc(2024, 4, 7, 17)

    def test_year_of_daily_reminders(self) -> None:
        assert_fires_once_per_day(self.key, time(2, 30), utc(2024, 1, 1), 400)


class TestKolkata:
    """+05:30 with no DST today; 1941-1945 had war time (+06:30) with odd transitions."""

    key = "Asia/Kolkata"

    def test_same_utc_time_all_year(self) -> None:
        due = chain(time(7), ALL_DAYS, self.key, utc(2024, 1, 1), 400)
        assert {d.time() for d in due} == {time(1, 30)}
        assert_fires_once_per_day(self.key, time(7), utc(2024, 1, 1), 400)

    def test_historic_gap_at_midnight(self) -> None:
        # 1 Oct 1941 00:00 +05:30 became 01:00 +06:30.
        due = next_due(time(0, 30), ALL_DAYS, self.key, utc(1941, 9, 30, 12))
        assert due == utc(1941, 9, 30, 18, 30)
        assert local_date_of(due, self.key) == date(1941, 10, 1)

    def test_historic_fall_back_across_midnight(self) -> None:
        # 15 May 1942 00:00 +06:30 became 14 May 23:00 +05:30: the local date ran backwards.
        first = next_due(time(23, 30), ALL_DAYS, self.key, utc(1942, 5, 14, 12))
        assert first == utc(1942, 5, 14, 17)
        assert next_due(time(23, 30), ALL_DAYS, self.key, first) == utc(1942, 5, 15, 18)
        assert_fires_once_per_day(self.key, time(23, 30), utc(1942, 1, 1), 400)
        assert_fires_once_per_day(self.key, time(0, 30), utc(1941, 6, 1), 400)


class TestStJohns:
    """-03:30/-02:30. 2024: spring forward 10 Mar 02:00→03:00, fall back 3 Nov 02:00→01:00."""

    key = "America/St_Johns"

    def test_ordinary_days(self) -> None:
        assert next_due(time(7), ALL_DAYS, self.key, utc(2024, 1, 15)) == utc(2024, 1, 15, 10, 30)
        assert next_due(time(7), ALL_DAYS, self.key, utc(2024, 7, 15)) == utc(2024, 7, 15, 9, 30)

    def test_spring_gap(self) -> None:
        assert next_due(time(2, 30), ALL_DAYS, self.key, utc(2024, 3, 9, 12)) == utc(
            2024, 3, 10, 5, 30
        )

    def test_fall_back(self) -> None:
        first = next_due(time(1, 30), ALL_DAYS, self.key, utc(2024, 11, 2, 12))
        assert first == utc(2024, 11, 3, 4)  # 01:30 -02:30
        assert next_due(time(1, 30), ALL_DAYS, self.key, first) == utc(2024, 11, 4, 5)

    def test_year_of_daily_reminders(self) -> None:
        assert_fires_once_per_day(self.key, time(2, 30), utc(2024, 1, 1), 400)
        assert_fires_once_per_day(self.key, time(1, 30), utc(2024, 1, 1), 400)


class TestChatham:
    """+12:45/+13:45. 2024: DST ends 7 Apr 03:45→02:45, starts 29 Sep 02:45→03:45."""

    key = "Pacific/Chatham"

    def test_ordinary_days(self) -> None:
        assert next_due(time(7), ALL_DAYS, self.key, utc(2024, 1, 14)) == utc(2024, 1, 14, 17, 15)
        assert next_due(time(7), ALL_DAYS, self.key, utc(2024, 7, 14)) == utc(2024, 7, 14, 18, 15)

    def test_spring_gap(self) -> None:
        due = next_due(time(3), ALL_DAYS, self.key, utc(2024, 9, 28))
        assert due == utc(2024, 9, 28, 14)  # 03:45 +13:45 on 29 Sep
        assert due.astimezone(ZoneInfo(self.key)).time() == time(3, 45)

    def test_fall_back(self) -> None:
        first = next_due(time(3), ALL_DAYS, self.key, utc(2024, 4, 6))
        assert first == utc(2024, 4, 6, 13, 15)  # 03:00 +13:45 on 7 Apr
        assert next_due(time(3), ALL_DAYS, self.key, first) == utc(2024, 4, 7, 14, 15)

    def test_year_of_daily_reminders(self) -> None:
        assert_fires_once_per_day(self.key, time(3), utc(2024, 1, 1), 400)


class TestKiritimati:
    """+14:00 today; it skipped 31 Dec 1994 entirely when moving from -10:00."""

    key = "Pacific/Kiritimati"

    def test_ordinary_days(self) -> None:
        due = chain(time(9), ALL_DAYS, self.key, utc(2024, 1, 1), 400)
        assert {d.time() for d in due} == {time(19)}
        assert_fires_once_per_day(self.key, time(9), utc(2024, 1, 1), 400)

    def test_skipped_date(self) -> None:
        start = local(self.key, 1994, 12, 30, 9)
        assert start == utc(1994, 12, 30, 19)
        assert next_due(time(9), ALL_DAYS, self.key, start) == utc(1994, 12, 31, 19)
        # A Saturday-only reminder: Saturday 31 Dec 1994 did not exist there, so the next
        # one is a week later rather than some shifted moment.
        assert next_due(time(9), frozenset({5}), self.key, start) == local(self.key, 1995, 1, 7, 9)


class TestApia:
    """Samoa skipped Friday 30 Dec 2011, jumping from -10:00 to +14:00."""

    key = "Pacific/Apia"

    def test_date_line_change(self) -> None:
        start = local(self.key, 2011, 12, 29, 9)
        assert start == utc(2011, 12, 29, 19)
        due = next_due(time(9), ALL_DAYS, self.key, start)
        assert due == utc(2011, 12, 30, 19)
        assert local_date_of(due, self.key) == date(2011, 12, 31)
        assert due.astimezone(ZoneInfo(self.key)).time() == time(9)

    def test_chain_through_the_missing_day(self) -> None:
        due = chain(time(9), ALL_DAYS, self.key, utc(2011, 12, 27), 5)
        assert [local_date_of(d, self.key) for d in due] == [
            date(2011, 12, 27),
            date(2011, 12, 28),
            date(2011, 12, 29),
            date(2011, 12, 31),
            date(2012, 1, 1),
        ]
        assert all(d.astimezone(ZoneInfo(self.key)).time() == time(9) for d in due)

    def test_2011_dst_gap(self) -> None:
        # 24 Sep 2011 03:00 -11 became 04:00 -10.
        assert next_due(time(3, 30), ALL_DAYS, self.key, utc(2011, 9, 23, 15)) == utc(
            2011, 9, 24, 14
        )

    def test_weekly_reminder_on_the_missing_friday(self) -> None:
        start = local(self.key, 2011, 12, 29, 9)
        assert next_due(time(9), frozenset({4}), self.key, start) == local(self.key, 2012, 1, 6, 9)


class TestKwajalein:
    """Moved from +11:00 to -12:00 on 30 Sep 1969 at 24:00, so 30 Sep happened twice."""

    key = "Pacific/Kwajalein"

    def test_repeated_date_fires_once(self) -> None:
        due = chain(time(9), ALL_DAYS, self.key, utc(1969, 9, 28, 22), 3)
        assert due == [
            utc(1969, 9, 29, 22),  # 30 Sep 09:00 +11, the first 30 September
            utc(1969, 10, 1, 21),  # 1 Oct 09:00 -12; the second 30 September is not repeated
            utc(1969, 10, 2, 21),
        ]
        # Asked from inside the repeated day, still nothing more for 30 September.
        assert next_due(time(9), ALL_DAYS, self.key, utc(1969, 9, 30, 15)) == utc(1969, 10, 1, 21)


# --------------------------------------------------------------------------------------
# Chains: over 400 days no allowed local date is skipped or repeated
# --------------------------------------------------------------------------------------

CHAIN_CASES = [
    ("Europe/Berlin", time(2, 30)),
    ("America/New_York", time(1, 30)),
    ("America/Sao_Paulo", time(0, 30)),
    ("Australia/Adelaide", time(2, 30)),
    ("Asia/Kolkata", time(7)),
    ("America/St_Johns", time(2, 30)),
    ("Pacific/Chatham", time(3)),
    ("Pacific/Kiritimati", time(9)),
    ("Pacific/Apia", time(9)),
    ("Australia/Lord_Howe", time(2, 15)),  # 30-minute DST shift
    ("UTC+05:45", time(7)),
]
DAY_SETS = [ALL_DAYS, WEEKDAYS, frozenset({0, 2, 4}), frozenset({6})]


def missing_dates(key: str, first: date, last: date) -> set[date]:
    """Local dates that never happened in ``key`` (noon did not exist)."""
    zone = ZoneInfo(key) if "/" in key else None
    out: set[date] = set()
    if zone is None:
        return out
    day = first
    while day <= last:
        start = datetime.combine(day, time(12), tzinfo=zone)
        if start.astimezone(UTC).astimezone(zone).date() != day:
            out.add(day)
        day += timedelta(days=1)
    return out


@pytest.mark.parametrize(("key", "at"), CHAIN_CASES)
@pytest.mark.parametrize("days", DAY_SETS, ids=["all", "weekdays", "mwf", "sun"])
def test_chain_never_skips_or_repeats(key: str, at: time, days: Days) -> None:
    start = utc(2011, 6, 1) if key == "Pacific/Apia" else utc(2024, 1, 1)
    end = start + timedelta(days=400)
    due: list[datetime] = []
    after = start
    while True:
        after = next_due(at, days, key, after)
        if after > end:
            break
        due.append(after)
    got = [local_date_of(d, key) for d in due]
    first = local_date_of(start, key) + timedelta(days=2)
    last = local_date_of(end, key) - timedelta(days=2)
    window = [d for d in got if first <= d <= last]
    expected = [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() in days
    ]
    gone = missing_dates(key, first, last)
    assert window == [d for d in expected if d not in gone]
    assert got == sorted(set(got))
    assert all(b > a for a, b in pairwise(due))


# --------------------------------------------------------------------------------------
# Property: whatever the zone, time and moment, the result obeys the stated rule
# --------------------------------------------------------------------------------------

PROPERTY_ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Adelaide",
    "Asia/Kolkata",
    "America/St_Johns",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Apia",
    "Australia/Lord_Howe",
    "Europe/London",
    "America/Santiago",
    "Africa/Casablanca",
    "Asia/Tehran",
    "Etc/UTC",
    "UTC+05:45",
]


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(PROPERTY_ZONES),
    at=st.times(),
    days=st.frozensets(st.integers(0, 6), min_size=1),
    after=st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
)
def test_next_due_property(key: str, at: time, days: Days, after: datetime) -> None:
    due = next_due(at, days, key, after)
    zone = zone_for(key)
    assert due > after
    assert due.utcoffset() == timedelta(0)
    seen = due.astimezone(zone)
    assert seen.weekday() in days
    wall = datetime.combine(seen.date(), at)
    if seen.replace(tzinfo=None) == wall:
        assert seen.fold == 0  # the first of two identical wall times, never the repeat
    else:
        # In a gap: ``due`` is the very instant clocks jumped over the requested time.
        just_before = (due - timedelta(microseconds=1)).astimezone(zone)
        assert just_before.utcoffset() != seen.utcoffset()
        assert just_before.replace(tzinfo=None) < wall < seen.replace(tzinfo=None)
    # Minimality, checked only via wall times that really exist (no gap logic here): no
    # allowed local date in between has its first occurrence strictly inside (after, due).
    day = after.astimezone(zone).date() - timedelta(days=1)
    while day <= seen.date():
        if day.weekday() in days:
            naive = datetime.combine(day, at)
            moment = naive.replace(tzinfo=zone).astimezone(UTC)
            if moment.astimezone(zone).replace(tzinfo=None) == naive:
                assert not after < moment < due, (day, moment)
        day += timedelta(days=1)
