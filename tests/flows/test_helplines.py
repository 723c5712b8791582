"""Safety resources: the data must be complete and plausible, and every guess conservative.

A wrong emergency number is a harm, so these tests check shape strictly and check that the
country guessers say "don't know" rather than guess when the input is ambiguous.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

from flows.views import helplines
from flows.views.helplines import Helplines, countries, country_for_timezone, country_from_text

REQUIRED = [
    "us",
    "ca",
    "gb",
    "ie",
    "au",
    "nz",
    "de",
    "at",
    "ch",
    "fr",
    "be",
    "nl",
    "es",
    "pt",
    "it",
    "se",
    "no",
    "dk",
    "fi",
    "pl",
    "cz",
    "br",
    "ar",
    "mx",
    "cl",
    "co",
    "in",
    "jp",
    "kr",
    "sg",
    "ph",
    "za",
    "ng",
    "ke",
    "il",
    "tr",
    "ua",
    "ro",
    "gr",
]

# Every number-like run in an emergency string: dialled as written, 2–5 digits.
NUMBER = re.compile(r"\d+")
EMERGENCY = re.compile(r"\d{2,5}\b.*")


def iso_codes() -> set[str]:
    text = (resources.files("tzdata") / "zoneinfo" / "iso3166.tab").read_text("utf-8")
    return {line[:2].lower() for line in text.splitlines() if line and not line.startswith("#")}


def raw_toml() -> dict[str, object]:
    text = resources.files("flows").joinpath("content/helplines.toml").read_text("utf-8")
    return tomllib.loads(text)


# --- data --------------------------------------------------------------------------------


def test_data_loads_strictly() -> None:
    # _table raises on bad data, where the public API would quietly fall back.
    table = helplines._table()
    assert "international" in table
    assert len(table) == len(raw_toml())


def test_at_least_thirty_countries_including_the_required_ones() -> None:
    covered = countries()
    assert len(covered) >= 30
    assert set(REQUIRED) <= set(covered)
    assert covered == sorted(covered)
    assert "international" not in covered


@pytest.mark.parametrize("code", REQUIRED)
def test_every_country_has_a_diallable_emergency_number(code: str) -> None:
    entry = helplines.for_country(code)
    assert entry.country == code
    assert EMERGENCY.fullmatch(entry.emergency), entry.emergency
    assert all(2 <= len(n) <= 5 for n in NUMBER.findall(entry.emergency)), entry.emergency
    assert entry.country_name and entry.directory
    assert entry.checked is not None and 2020 <= entry.checked <= 2100


def test_every_code_is_a_real_iso_code_known_to_tzdata() -> None:
    known = iso_codes()
    assert len(known) > 240
    for code in countries():
        assert re.fullmatch(r"[a-z]{2}", code)
        assert code in known, code


def test_optional_lines_are_text_when_present() -> None:
    for code in countries():
        entry = helplines.for_country(code)
        for line in (entry.crisis, entry.abuse):
            assert line is None or (line.strip() == line and NUMBER.search(line)), (code, line)


def test_no_urls_other_than_the_directory_name() -> None:
    for key, entry in raw_toml().items():
        assert isinstance(entry, dict)
        for value in entry.values():
            if isinstance(value, str):
                assert "http" not in value and "www." not in value, (key, value)
                assert ".com" not in value or "findahelpline.com" in value, (key, value)


def test_known_long_standing_lines() -> None:
    assert helplines.for_country("us").emergency == "911"
    assert "988" in (helplines.for_country("us").crisis or "")
    assert "116 123" in (helplines.for_country("gb").crisis or "")
    assert helplines.for_country("au").emergency == "000"
    assert helplines.for_country("nz").emergency == "111"
    assert "116 016" in (helplines.for_country("de").abuse or "")


# --- fallback ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", [None, "", "  ", "zz", "xx", "international", "deu", "1"])
def test_unknown_country_gets_the_international_fallback(code: str | None) -> None:
    entry = helplines.for_country(code)
    assert entry.country is None
    assert "emergency number" in entry.emergency
    assert "112" in entry.emergency
    assert "findahelpline.com" in entry.directory
    assert entry.abuse is not None and "findahelpline.com" in entry.abuse


def test_codes_are_case_and_space_insensitive_and_uk_means_gb() -> None:
    assert helplines.for_country(" DE ").country == "de"
    assert helplines.for_country("UK").country == "gb"


def test_country_entries_share_the_directory_line() -> None:
    fallback = helplines.for_country(None)
    assert helplines.for_country("ch").directory == fallback.directory


def test_a_broken_data_file_still_gives_a_usable_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> dict[str, Helplines]:
        raise ValueError("bad data")

    monkeypatch.setattr(helplines, "_table", broken)
    entry = helplines.for_country("de")
    assert entry.country is None and "emergency number" in entry.emergency
    assert countries() == []


def test_result_is_immutable() -> None:
    entry = helplines.for_country("fr")
    with pytest.raises(AttributeError):
        entry.emergency = "0"  # type: ignore[misc]


# --- time zone → country -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "code"),
    [
        ("Europe/Berlin", "de"),
        ("America/New_York", "us"),
        ("America/Sao_Paulo", "br"),
        ("Australia/Adelaide", "au"),
        ("Asia/Kolkata", "in"),
        ("America/St_Johns", "ca"),
        ("Pacific/Chatham", "nz"),
        ("Pacific/Kiritimati", "ki"),
        ("Europe/Oslo", "no"),  # a link to Europe/Berlin in modern tzdb, but listed itself
        ("Asia/Kuala_Lumpur", "my"),
        ("europe/london", "gb"),
        (" Europe/Paris ", "fr"),
        # legacy names
        ("Asia/Calcutta", "in"),
        ("US/Eastern", "us"),
        ("US/Arizona", "us"),
        ("Canada/Newfoundland", "ca"),
        ("America/Montreal", "ca"),
        ("Europe/Kiev", "ua"),
        ("Brazil/East", "br"),
        ("Asia/Istanbul", "tr"),
        ("GB", "gb"),
        ("Eire", "ie"),
        ("NZ", "nz"),
        ("Japan", "jp"),
        ("Singapore", "sg"),
        ("Atlantic/Jan_Mayen", "no"),
    ],
)
def test_timezone_to_country(tz: str, code: str) -> None:
    assert country_for_timezone(tz) == code


@pytest.mark.parametrize(
    "tz",
    [
        None,
        "",
        "Etc/UTC",
        "UTC",
        "GMT",
        "Etc/GMT+3",
        "Factory",
        "CET",  # a link to Europe/Brussels since 2024, but says nothing about the country
        "EET",
        "EST5EDT",
        "Europe/Atlantis",
        "not a zone",
        "../../etc/passwd",
        "x" * 500,
        "\x00",
    ],
)
def test_timezone_without_a_single_country_is_none(tz: str | None) -> None:
    assert country_for_timezone(tz) is None


def test_timezone_guesser_survives_wrong_types() -> None:
    assert country_for_timezone(42) is None  # type: ignore[arg-type]


def test_every_covered_country_has_a_timezone() -> None:
    zoned = set(helplines._zone_countries().values())
    assert set(countries()) <= zoned


# --- typed country → code ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Germany", "de"),
        ("germany", "de"),
        ("  GERMANY!  ", "de"),
        ("Deutschland", "de"),
        ("Österreich", "at"),
        ("UK", "gb"),
        ("U.K.", "gb"),
        ("England", "gb"),
        ("Scotland", "gb"),
        ("Northern Ireland", "gb"),
        ("Ireland", "ie"),
        ("USA", "us"),
        ("U.S.A.", "us"),
        ("us", "us"),
        ("United States", "us"),
        ("the United States of America", "us"),
        ("America", "us"),
        ("Holland", "nl"),
        ("The Netherlands", "nl"),
        ("South Korea", "kr"),
        ("Korea (South)", "kr"),
        ("Czech Republic", "cz"),
        ("Czechia", "cz"),
        ("Côte d’Ivoire", "ci"),
        ("Cote d'Ivoire", "ci"),
        ("Bosnia and Herzegovina", "ba"),
        ("Bosnia & Herzegovina", "ba"),
        ("Saint Kitts and Nevis", "kn"),
        ("Brasil", "br"),
        ("España", "es"),
        ("espana", "es"),
        ("Türkiye", "tr"),
        ("Turkey", "tr"),
        ("日本", "jp"),
        ("DE", "de"),
        ("fr", "fr"),
        ("NO", "no"),
        ("IN", "in"),
        ("🇩🇪", "de"),
        ("🇯🇵", "jp"),
        ("I'm in Germany", "de"),
        ("i live in the UK", "gb"),
        ("in New Zealand right now", "nz"),
        ("I am in NO", "no"),
    ],
)
def test_country_from_text(text: str, code: str) -> None:
    assert country_from_text(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "no",
        "in",
        "it",
        "mm",
        "Korea",
        "Congo",
        "Samoa",
        "I'm from Germany and live in France, it's complicated",
        "my partner lied to me",
        "Narnia",
        "zz",
        "🇿🇿",
        "x" * 500,
    ],
)
def test_country_from_text_does_not_guess(text: str) -> None:
    assert country_from_text(text) is None


def test_country_from_text_survives_wrong_types() -> None:
    assert country_from_text(None) is None  # type: ignore[arg-type]


def test_every_covered_country_name_reads_back_to_its_code() -> None:
    for code in countries():
        assert country_from_text(helplines.for_country(code).country_name) == code
