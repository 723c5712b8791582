"""Where someone is, from what they type: a city, a country, a zone name or a UTC offset.

Data (aliases, places too big to guess) lives in `content/places.toml`; the zone names
themselves come from the tz database, so a new city needs no edit here.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from flows.core.calendar import MAX_OFFSET, MIN_OFFSET, zone_keys
from flows.language import normalise as normalise_text

_OFFSET = re.compile(r"(?:utc|gmt|z)?\s*([+-])\s*(\d{1,2})(?:\s*:?\s*(\d{2}))?")


@cache
def _data() -> dict[str, Any]:
    text = resources.files("flows").joinpath("content/places.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def _aliases() -> dict[str, str]:
    return {str(k): str(v) for k, v in _data()["aliases"].items()}


@cache
def _ambiguous() -> frozenset[str]:
    return frozenset(_data()["ambiguous"]["places"])


@cache
def _not_cities() -> tuple[frozenset[str], frozenset[str]]:
    found = _data()["not_cities"]
    return frozenset(found["areas"]), frozenset(found["australia"])


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
def _iana_index() -> dict[str, str]:
    """Folded full name → key, so "europe/berlin" and "America/New York" resolve.

    Only names with an area ("Europe/…") are included: top-level legacy names such as
    "EST" or "Japan" are fixed offsets or links people do not mean literally.
    """
    return {_fold(key): key for key in sorted(zone_keys()) if "/" in key}


@cache
def _city_index() -> dict[str, str]:
    """Folded last path component → key, built from the tz database itself.

    When two keys share a last component (America/Buenos_Aires is a backward link to
    America/Argentina/Buenos_Aires), the deeper, canonical path wins.
    """
    index: dict[str, str] = {}
    for key in sorted(zone_keys(), key=lambda k: (-k.count("/"), k)):
        if "/" not in key:
            continue
        area, _, city = key.rpartition("/")
        top = area.split("/", 1)[0]
        areas, australia = _not_cities()
        if top in areas or (top == "Australia" and city in australia):
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
    if not MIN_OFFSET <= total <= MAX_OFFSET:
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
    if not folded or folded in _ambiguous():
        return None
    key = _aliases().get(folded) or _iana_index().get(folded) or _city_index().get(folded)
    return key if key is not None and key in zone_keys() else None

