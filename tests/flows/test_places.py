"""Where people say they are, typed the way they type it, and what Mend makes of it.

The look-up (flows/language/places.py) is tested on its own first: cities from the gazetteer,
countries, sentences around a place, names shared by places on different clocks, slips of a
letter, and everyday words that merely happen to be some town's name. Then the stories,
through the coach: a person types "Porto" at the time-zone question and is asked to confirm
with the local time; "Manchester" asks which one, and "2" picks it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from flows.core import content
from flows.core.contract import Profile
from flows.language.places import Choose, Found, choose, find, parse_timezone
from tests.flows.driver import Chat

ASK = "ask"

# Forty answers written before the look-up was run on them (lower case, "im in", slips),
# each with what it should give: a zone, or ASK for "which one?". All forty came out right
# the first time the look-up saw them, once two of its settings had been chosen: how much
# bigger a city must be than its namesakes to be taken without asking, and that a town's
# own name counts before another place's old or foreign name for it.
OWN_FORTY = [
    ("porto", "Europe/Lisbon"),
    ("Manchester", ASK),
    ("I live in Lisbon", "Europe/Lisbon"),
    ("im in leeds", "Europe/London"),
    ("near manchester uk", "Europe/London"),
    ("we're in portland oregon", "America/Los_Angeles"),
    ("portland maine", "America/New_York"),
    ("from berlin", "Europe/Berlin"),
    ("oporto", "Europe/Lisbon"),
    ("lisboa", "Europe/Lisbon"),
    ("glasgow", "Europe/London"),
    ("i live in a small village near york", ASK),
    ("springfield", ASK),
    ("springfield illinois", "America/Chicago"),
    ("austin tx", "America/Chicago"),
    ("Toronto, Canada", "America/Toronto"),
    ("calgary", "America/Edmonton"),
    ("im in vancouver bc", "America/Vancouver"),
    ("usa", ASK),
    ("australia", ASK),
    ("portugal", "Europe/Lisbon"),
    ("japan", "Asia/Tokyo"),
    ("brazil", ASK),
    ("Köln", "Europe/Berlin"),
    ("cologne germany", "Europe/Berlin"),
    ("guadalajara", "America/Mexico_City"),
    ("krakow", "Europe/Warsaw"),
    ("sevilla", "Europe/Madrid"),
    ("seville spain", "Europe/Madrid"),
    ("edinburgh scotland", "Europe/London"),
    ("we live outside of dublin", "Europe/Dublin"),
    ("bristol", ASK),
    ("nairobi kenya", "Africa/Nairobi"),
    ("lagos nigeria", "Africa/Lagos"),
    ("im in mumbai rn", "Asia/Kolkata"),
    ("melbourne australia", "Australia/Melbourne"),
    ("perth", "Australia/Perth"),
    ("auckland nz", "Pacific/Auckland"),
    ("manchestr", ASK),
    ("barcelna", "Europe/Madrid"),
]


def outcome(text: str) -> str | None:
    found = find(text)
    if isinstance(found, Choose):
        return ASK
    return found.zone if found is not None else None


def labels(text: str) -> list[str]:
    found = find(text)
    assert isinstance(found, Choose), f"{text!r} should ask which one, got {found}"
    return [c.label for c in found.candidates]


@pytest.mark.parametrize(("typed", "expected"), OWN_FORTY)
def test_forty_answers_as_people_type_them(typed: str, expected: str) -> None:
    assert outcome(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # The three from the issue.
        ("Porto", "Europe/Lisbon"),
        ("I live in Lisbon", "Europe/Lisbon"),
        ("Manchester", ASK),
        # Wrapped the way people wrap them.
        ("im in porto", "Europe/Lisbon"),
        ("i'm in Porto atm", "Europe/Lisbon"),
        ("near Manchester, UK", "Europe/London"),
        ("we're in leeds uk", "Europe/London"),
        ("Manchester, UK", "Europe/London"),
        ("manchester england", "Europe/London"),
        ("Portland Oregon", "America/Los_Angeles"),
        ("portland, or", "America/Los_Angeles"),
        ("from Berlin", "Europe/Berlin"),
        ("just outside bristol uk", "Europe/London"),
        ("a village near porto", "Europe/Lisbon"),
        ("currently in berlin for work", "Europe/Berlin"),
        ("originally from york but we live in leeds now", "Europe/London"),
        ("lisbon is where i live", "Europe/Lisbon"),
        ("hi! we're in Lisbon 🇵🇹", "Europe/Lisbon"),
        ("London, Ontario", "America/Toronto"),
        ("victoria bc", "America/Vancouver"),
        ("perth wa", "Australia/Perth"),
        ("manchester nh", "America/New_York"),
        ("springfield mo", "America/Chicago"),
        # A town too small for the gazetteer, in a place with one clock.
        ("springfield vermont", "America/New_York"),
        # Other names of a place, any accents.
        ("Oporto", "Europe/Lisbon"),
        ("MÜNCHEN", "Europe/Berlin"),
        ("Kraków", "Europe/Warsaw"),
        ("saint louis missouri", "America/Chicago"),
        # States, provinces and countries with one clock (nearly all their people on it).
        ("Portugal", "Europe/Lisbon"),
        ("Japan", "Asia/Tokyo"),
        ("the uk", "Europe/London"),
        ("scotland", "Europe/London"),
        ("oregon", "America/Los_Angeles"),
        ("alberta", "America/Edmonton"),
        # Names shared by places that all keep one clock: no question.
        ("kansas city", "America/Chicago"),
        # Slips of a letter.
        ("lisbn", "Europe/Lisbon"),
        ("i live in barcelna", "Europe/Madrid"),
        ("edinbrugh", "Europe/London"),
    ],
)
def test_places_people_type(typed: str, expected: str) -> None:
    assert outcome(typed) == expected


def test_a_name_on_several_clocks_lists_the_biggest_first_with_where_they_are() -> None:
    assert labels("Manchester") == [
        "Manchester, United Kingdom",
        "Manchester, New Hampshire, United States",
        "Manchester, Missouri, United States",
    ]
    assert labels("portland")[:2] == [
        "Portland, Oregon, United States",
        "Portland, Maine, United States",
    ]
    assert len(labels("Springfield")) <= 4
    assert labels("ontario") == ["Ontario, Canada", "Ontario, California, United States"]


@pytest.mark.parametrize("typed", ["USA", "in the us", "Australia", "canada", "Brazil", "europe"])
def test_a_country_or_continent_on_several_clocks_asks_which_part(typed: str) -> None:
    found = find(typed)
    assert isinstance(found, Choose) and found.wide
    assert 2 <= len(found.candidates) <= 4
    assert len({c.zone for c in found.candidates}) == len(found.candidates)


def test_the_united_states_offers_its_big_cities() -> None:
    assert labels("usa")[:3] == ["New York City", "Chicago", "Los Angeles"]


@pytest.mark.parametrize(
    "typed",
    [
        "same as before",
        "okay",
        "later",
        "at the airport",
        "nice to meet you",
        "man idk",
        "my time",
        "why do you need this",
        "he cheated on me",
        "Narnia",
        "idk",
        "x" * 4000,
        "",
    ],
)
def test_words_that_are_not_a_place(typed: str) -> None:
    assert find(typed) is None


def test_a_common_word_is_still_a_town_where_it_can_only_be_one() -> None:
    assert outcome("im in nice") == "Europe/Paris"
    assert outcome("i live in reading") == ASK  # Reading, England or Pennsylvania


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("the uk one", "Manchester, United Kingdom"),
        ("england", "Manchester, United Kingdom"),
        ("New Hampshire", "Manchester, New Hampshire, United States"),
        ("Manchester, NH", "Manchester, New Hampshire, United States"),
        ("mo", "Manchester, Missouri, United States"),
        ("the second one", "Manchester, New Hampshire, United States"),
        ("last", "Manchester, Missouri, United States"),
        ("manchester", None),  # all three are called that
        ("usa", None),  # two of them are
    ],
)
def test_answering_which_one_in_words(typed: str, expected: str | None) -> None:
    question = find("manchester")
    assert isinstance(question, Choose)
    picked = choose(question, typed)
    assert (picked.label if picked else None) == expected


def test_parse_timezone_gives_a_zone_only_when_there_is_one() -> None:
    assert parse_timezone("porto") == "Europe/Lisbon"
    assert parse_timezone("manchester") is None
    assert isinstance(find("UTC+1"), Found)


def test_the_gazetteer_is_read_on_the_first_question_not_on_import() -> None:
    code = (
        "import flows.coach\n"
        "from flows.language import places\n"
        "assert places._gazetteer.cache_info().currsize == 0, 'read at import'\n"
        "places.find('porto')\n"
        "assert places._gazetteer.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- through the coach ----------------------------------------------------------------------------


def at_the_ritual_question() -> Chat:
    chat = Chat()
    chat.onboard()
    chat.command("rituals")
    assert chat.where == ("timezone", "ask")
    return chat


def test_porto_at_the_ritual_question_is_confirmed_with_the_local_time() -> None:
    chat = at_the_ritual_question()
    chat.text("Porto")
    assert "Sunday 09:00" in chat.said and "Europe/Lisbon" in chat.said  # 09:00 UTC in March
    chat.pick("yes")
    assert chat.profile.timezone == "Europe/Lisbon"
    assert chat.where == ("rituals", "menu"), "then the rituals themselves"


def test_i_live_in_lisbon_is_understood() -> None:
    chat = at_the_ritual_question()
    chat.text("I live in Lisbon")
    assert "Europe/Lisbon" in chat.said
    assert content.text("global", "pick_an_option") not in chat.said


def test_manchester_asks_which_one_and_2_picks_it() -> None:
    chat = at_the_ritual_question()
    chat.text("Manchester")
    assert content.text("timezone.which", name="Manchester") in chat.said
    shown = [o.label for r in chat.last for o in r.options]
    assert shown == [
        "Manchester, United Kingdom",
        "Manchester, New Hampshire, United States",
        "Manchester, Missouri, United States",
        content.options("timezone.which")["else"],
    ]
    chat.text("2")
    assert "America/New_York" in chat.said and "Sunday 04:00" in chat.said
    chat.pick("yes")
    assert chat.profile.timezone == "America/New_York"


def test_which_one_answered_in_words_or_with_a_place_nearby() -> None:
    chat = at_the_ritual_question()
    chat.text("manchester")
    chat.text("the uk one")
    assert "Europe/London" in chat.said
    chat.pick("no")
    chat.text("manchester")
    chat.text("vermont")  # Manchester, Vermont: too small to list, but Vermont has one clock
    assert "America/New_York" in chat.said
    chat.pick("no")
    chat.text("manchester")
    chat.text("leeds")  # a different place altogether
    assert "Europe/London" in chat.said


def test_somewhere_else_asks_again() -> None:
    chat = at_the_ritual_question()
    chat.text("Springfield")
    chat.pick("else")
    assert chat.where == ("timezone", "ask")
    chat.text("springfield")
    chat.text("none of these")
    assert chat.where == ("timezone", "ask")
    assert content.text("timezone.ask", "hint") not in chat.said
    chat.text("UTC-6")
    chat.pick("yes")
    assert chat.profile.timezone == "Etc/GMT+6"


def test_a_country_on_several_clocks_asks_which_part_and_takes_a_typed_city() -> None:
    chat = at_the_ritual_question()
    chat.text("we're in the usa")
    assert content.text("timezone.which", "wide") in chat.said
    assert [o.label for o in chat.last[-1].options][:2] == ["New York City", "Chicago"]
    chat.text("denver")
    assert "America/Denver" in chat.said
    chat.pick("yes")
    assert chat.profile.timezone == "America/Denver"


def test_a_place_it_cannot_find_gets_a_kind_nudge_that_says_what_works() -> None:
    chat = Chat(Profile(consented=True, role="hurt"))
    chat.command("settings")
    chat.pick("zone")
    chat.text("Narnia")
    nudge = content.text("timezone.ask", "hint")
    assert nudge in chat.said and "UTC+1" in nudge
    assert content.text("global", "pick_an_option") not in chat.said
    assert chat.where == ("settings", "zone")
    chat.text("manchester")
    chat.text("Narnia")  # at "which one?" too: the nudge, and the options again
    assert nudge in chat.said
    assert len([o for r in chat.last for o in r.options]) == 4
    chat.pick("c1")
    chat.pick("yes")
    assert chat.profile.timezone == "Europe/London"
    assert chat.where == ("settings", "menu")
