"""Where someone can get help right now, and a careful guess at which country they are in.

This sits on the crisis path, so two rules shape it. First, nothing here may raise: a crisis
reply that fails because of odd input or a broken data file is the worst possible outcome, so
every public function degrades to the international fallback (or ``None``) instead. Second, a
wrong guess is worse than no guess: a country is only inferred when the evidence points to
exactly one, because the wrong country means the wrong emergency number.

Stdlib only, so the safety path has no dependency that could be missing or slow to import; the
time-zone → country table is read from the IANA files shipped inside the ``tzdata`` package.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from flows.language import normalise as normalise_text

INTERNATIONAL = "international"


@dataclass(frozen=True, slots=True)
class Helplines:
    """What to tell someone in danger. ``crisis``/``abuse`` are ``None`` when we know no line
    we trust for that country; ``directory`` is always there so the reply never ends empty."""

    country: str | None
    country_name: str
    emergency: str
    crisis: str | None
    abuse: str | None
    directory: str
    checked: int | None = None  # year the entry was last verified; operators re-check old ones


# Used only when helplines.toml itself cannot be read: the reply must still point somewhere.
_LAST_RESORT = Helplines(
    country=None,
    country_name="International",
    emergency="your local emergency number (112 works from mobile phones in many countries)",
    crisis=None,
    abuse=None,
    directory="findahelpline.com lists free, confidential helplines by country",
)


# --- helplines ---------------------------------------------------------------------------


def _required_text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"helplines.toml [{where}]: '{key}' must be non-empty text")
    return value.strip()


def _optional_text(entry: dict[str, Any], key: str, where: str) -> str | None:
    if key not in entry:
        return None
    return _required_text(entry, key, where)


_ALLOWED_KEYS = frozenset({"name", "emergency", "crisis", "abuse", "checked", "directory"})


@cache
def _table() -> dict[str, Helplines]:
    """Parse and validate strictly, so a typo in the data fails the tests, not a crisis reply."""
    text = resources.files("flows").joinpath("content/helplines.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    fallback = raw.get(INTERNATIONAL)
    if not isinstance(fallback, dict):
        raise ValueError("helplines.toml: the [international] table is missing")
    directory = _required_text(fallback, "directory", INTERNATIONAL)
    table: dict[str, Helplines] = {}
    for key, entry in raw.items():
        if not isinstance(entry, dict):
            raise ValueError(f"helplines.toml: '{key}' must be a table")
        if key != INTERNATIONAL and not re.fullmatch(r"[a-z]{2}", key):
            raise ValueError(f"helplines.toml: '{key}' is not a lower-case ISO 3166 code")
        unknown = set(entry) - _ALLOWED_KEYS
        if unknown:
            raise ValueError(f"helplines.toml [{key}]: unknown keys {sorted(unknown)}")
        checked = entry.get("checked")
        if not isinstance(checked, int) or isinstance(checked, bool) or checked < 2000:
            raise ValueError(f"helplines.toml [{key}]: 'checked' must be a year")
        table[key] = Helplines(
            country=None if key == INTERNATIONAL else key,
            country_name=_required_text(entry, "name", key),
            emergency=_required_text(entry, "emergency", key),
            crisis=_optional_text(entry, "crisis", key),
            abuse=_optional_text(entry, "abuse", key),
            directory=directory,
            checked=checked,
        )
    return table


def _safe_table() -> dict[str, Helplines]:
    try:
        return _table()
    except Exception:  # a broken data file must not take the crisis reply down with it
        return {}


def for_country(code: str | None) -> Helplines:
    """The resources for an ISO code; anything unknown gets the international fallback, because
    "call your local emergency number" is always safe while a guessed country may not be."""
    table = _safe_table()
    fallback = table.get(INTERNATIONAL, _LAST_RESORT)
    if not isinstance(code, str):
        return fallback
    key = code.strip().lower()
    if key == "uk":  # reserved by ISO for GB and what people (and some systems) actually use
        key = "gb"
    if key == INTERNATIONAL:
        return fallback
    return table.get(key, fallback)


def countries() -> list[str]:
    """ISO codes with their own entry, for coverage checks and operator tooling."""
    return sorted(key for key in _safe_table() if key != INTERNATIONAL)


# --- time zone → country -----------------------------------------------------------------

# Legacy names without an "Area/" prefix are only trusted from this list: since 2024 tzdb also
# links bare names like "CET", "EET" or "EST5EDT" to one city's zone, which says nothing about
# the person's country. Also here: old names whose modern target is shared by several countries
# (so following the link alone would give no answer) but which themselves name one country.
_LEGACY_ZONES: dict[str, str] = {
    "gb": "gb",
    "gb-eire": "gb",
    "europe/belfast": "gb",
    "eire": "ie",
    "nz": "nz",
    "nz-chat": "nz",
    "japan": "jp",
    "rok": "kr",
    "roc": "tw",
    "prc": "cn",
    "hongkong": "hk",
    "singapore": "sg",
    "poland": "pl",
    "portugal": "pt",
    "turkey": "tr",
    "israel": "il",
    "iran": "ir",
    "egypt": "eg",
    "libya": "ly",
    "iceland": "is",
    "jamaica": "jm",
    "cuba": "cu",
    "kwajalein": "mh",
    "navajo": "us",
    "w-su": "ru",
    "us/arizona": "us",
    "us/samoa": "as",
    "pacific/samoa": "as",
    "canada/eastern": "ca",
    "america/montreal": "ca",
    "america/nipigon": "ca",
    "america/thunder_bay": "ca",
    "america/coral_harbour": "ca",
    "america/virgin": "vi",
    "atlantic/jan_mayen": "no",
    "africa/asmera": "er",
    "africa/timbuktu": "ml",
    "asia/rangoon": "mm",
    "pacific/truk": "fm",
    "pacific/yap": "fm",
    "pacific/ponape": "fm",
    "antarctica/south_pole": "aq",
}


def _tzdata_text(name: str) -> str:
    try:
        return (resources.files("tzdata") / "zoneinfo" / name).read_text("utf-8")
    except (ImportError, OSError, UnicodeDecodeError):
        return ""  # no tzdata here: we simply cannot tell, which is an allowed answer


def _rows(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _zone_countries() -> dict[str, str]:
    """zone.tab rather than zone1970.tab: it gives exactly one country per zone."""
    zones: dict[str, str] = {}
    for row in _rows(_tzdata_text("zone.tab")):
        if len(row) >= 3 and re.fullmatch(r"[A-Z]{2}", row[0]):
            zones[row[2].strip().casefold()] = row[0].lower()
    return zones


@cache
def _links() -> dict[str, str]:
    """alias → target from the compact tzdata.zi ("L target alias" lines), case-folded."""
    links: dict[str, str] = {}
    for line in _tzdata_text("tzdata.zi").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            links[parts[2].casefold()] = parts[1].casefold()
    return links


def _resolve(name: str, links: dict[str, str]) -> str:
    for _ in range(16):  # links are flat today; the bound only guards against a cycle
        target = links.get(name)
        if target is None:
            return name
        name = target
    return name


@cache
def _linked_countries() -> dict[str, str]:
    """Countries for old "Area/City" aliases, kept only when unambiguous.

    Modern tzdb merges zones across borders (Europe/Oslo → Europe/Berlin, Asia/Kuala_Lumpur →
    Asia/Singapore), so an alias of a shared zone cannot tell us which country it meant; those
    are left out rather than guessed.
    """
    zones = _zone_countries()
    links = _links()
    by_final: dict[str, set[str]] = {}
    for zone, code in zones.items():
        by_final.setdefault(_resolve(zone, links), set()).add(code)
    found: dict[str, str] = {}
    for alias in links:
        if alias in zones or "/" not in alias or alias.startswith("etc/"):
            continue
        codes = by_final.get(_resolve(alias, links), set())
        if len(codes) == 1:
            found[alias] = next(iter(codes))
    return found


def country_for_timezone(tz: str | None) -> str | None:
    """The country a time-zone name belongs to, or ``None`` when it does not name one (UTC,
    "Etc/GMT+3", a zone shared by several countries, garbage)."""
    if not isinstance(tz, str):
        return None
    key = tz.strip().casefold()
    if not key or len(key) > 64:
        return None
    try:
        if key in _LEGACY_ZONES:
            return _LEGACY_ZONES[key]
        hit = _zone_countries().get(key)
        if hit is not None:
            return hit
        return _linked_countries().get(key)
    except Exception:  # never let a lookup break the caller; "unknown" is a valid answer
        return None


# --- typed country → code ----------------------------------------------------------------

# Two-letter codes that are also everyday words or noises ("no", "in", "it", "mm"): typed in
# lower case they are far more likely a reply than a country, so we only take them in capitals.
_CODE_WORDS = frozenset(
    {
        "am",
        "as",
        "at",
        "be",
        "by",
        "do",
        "eh",
        "er",
        "gg",
        "hm",
        "id",
        "in",
        "is",
        "it",
        "la",
        "ma",
        "me",
        "mm",
        "my",
        "no",
        "pa",
        "so",
        "to",
        "um",
        "ye",
    }
)

# What people actually type, beyond the tzdata English names. Kept to names that point at one
# country only: plain "Korea" or "Congo" stay unmatched rather than guessed.
_ALIASES: dict[str, str] = {
    "UK": "gb",
    "U.K.": "gb",
    "Great Britain": "gb",
    "Britain": "gb",
    "United Kingdom": "gb",
    "England": "gb",
    "Scotland": "gb",
    "Wales": "gb",
    "Northern Ireland": "gb",
    "USA": "us",
    "US": "us",
    "United States": "us",
    "United States of America": "us",
    "America": "us",
    "Holland": "nl",
    "Nederland": "nl",
    "Republic of Ireland": "ie",
    "Éire": "ie",
    "Deutschland": "de",
    "Österreich": "at",
    "Oesterreich": "at",
    "Schweiz": "ch",
    "Suisse": "ch",
    "Svizzera": "ch",
    "België": "be",
    "Belgique": "be",
    "España": "es",
    "Italia": "it",
    "Sverige": "se",
    "Norge": "no",
    "Danmark": "dk",
    "Suomi": "fi",
    "Polska": "pl",
    "Česko": "cz",
    "Česká republika": "cz",
    "Czech Republic": "cz",
    "Brasil": "br",
    "México": "mx",
    "Türkiye": "tr",
    "Hellas": "gr",
    "Ellada": "gr",
    "Ελλάδα": "gr",
    "Україна": "ua",
    "Ukraina": "ua",
    "România": "ro",
    "Nihon": "jp",
    "Nippon": "jp",
    "日本": "jp",
    "South Korea": "kr",
    "Republic of Korea": "kr",
    "대한민국": "kr",
    "한국": "kr",
    "North Korea": "kp",
    "Bharat": "in",
    "भारत": "in",
    "Aotearoa": "nz",
    "ישראל": "il",
    "Ivory Coast": "ci",
    "Burma": "mm",
    "Swaziland": "sz",
    "UAE": "ae",
    "Viet Nam": "vn",
    "Russian Federation": "ru",
}

_PREAMBLE = re.compile(
    r"^(?:(?:i am|im|i live|we are|were|we live|living|based|currently|now|still)\s+)*in\s+(.+)$"
)
_TRAILER = re.compile(r"\s+(?:right now|now|at the moment|currently|at present)$")


def _normalise(text: str) -> str:
    """Accents, case, punctuation and "the"/"St" spellings vary freely when people type a
    country; fold them all away so a plain dict lookup does the matching."""
    plain = normalise_text.strip_accents(normalise_text.unify(text)).casefold()
    plain = normalise_text.join_apostrophes(plain.replace("&", " and "))
    words = re.sub(r"[\W_]+", " ", plain).split()
    if len(words) > 1 and all(len(word) == 1 for word in words):
        words = ["".join(words)]  # "U.S.A." and "u k" become "usa" and "uk"
    if words and words[0] == "the":
        words = words[1:]
    words = ["saint" if word == "st" else word for word in words]
    return " ".join(words)


@cache
def _iso_names() -> dict[str, str]:
    """ISO code → English name from tzdata's iso3166.tab, so the code list never goes stale."""
    names: dict[str, str] = {}
    for row in _rows(_tzdata_text("iso3166.tab")):
        if len(row) >= 2 and re.fullmatch(r"[A-Z]{2}", row[0]):
            names[row[0].lower()] = row[1].strip()
    return names


@cache
def _names() -> dict[str, str]:
    iso = _iso_names()
    found: dict[str, str] = {}
    bases: dict[str, set[str]] = {}
    for code, name in iso.items():
        found[_normalise(name)] = code
        base = name.split(" (", 1)[0]
        if base != name:  # "Britain (UK)" → "Britain", unless the base is shared ("Korea")
            bases.setdefault(_normalise(base), set()).add(code)
    for base, codes in bases.items():
        if len(codes) == 1 and base not in found:
            found[base] = next(iter(codes))
    for code, entry in _safe_table().items():
        if entry.country is not None:
            found[_normalise(entry.country_name)] = code
    for alias, code in _ALIASES.items():
        found[_normalise(alias)] = code
    return found


def _flag(text: str) -> str | None:
    """A flag emoji is two regional-indicator letters spelling the ISO code."""
    if len(text) != 2 or not all(0x1F1E6 <= ord(ch) <= 0x1F1FF for ch in text):
        return None
    return "".join(chr(ord(ch) - 0x1F1E6 + ord("a")) for ch in text)


def _lookup(key: str, raw: str) -> str | None:
    hit = _names().get(key)
    if hit is not None:
        return hit
    if len(key) == 2 and key in _iso_names():
        typed = re.sub(r"[\W_]+", "", raw)[-2:]
        if key not in _CODE_WORDS or typed == key.upper():
            return key
    return None


def country_from_text(text: str) -> str | None:
    """The country someone typed ("Germany", "UK", "I'm in Brasil", "🇩🇪"), or ``None`` when it
    is not clearly one country — the caller should then ask again rather than assume."""
    if not isinstance(text, str):
        return None
    raw = text.strip()
    if not raw or len(raw) > 80:
        return None
    try:
        flag = _flag(raw)
        if flag is not None:
            return flag if flag in _iso_names() else None
        key = _normalise(raw)
        hit = _lookup(key, raw)
        if hit is not None:
            return hit
        key = _TRAILER.sub("", key)
        match = _PREAMBLE.match(key)
        if match is not None:
            key = _normalise(match.group(1))
        return _lookup(key, raw) if key else None
    except Exception:  # odd input must read as "not a country", never as an error
        return None
