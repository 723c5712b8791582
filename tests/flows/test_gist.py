"""Reading the gist of what someone wrote: their feeling words, how long, what kind of hurt,
and whether a day was hard — as people type on phones. The blind batches (written by
someone who had not seen the rules) are scored against honest floors at the end."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from flows.language import gist

DATA = Path(__file__).resolve().parents[1] / "data" / "gist"

FEELINGS: list[tuple[str, tuple[str, ...]]] = [
    ("i feel so betrayed and stupid", ("betrayed", "stupid")),
    ("Betrayed and stupid.", ("betrayed", "stupid")),
    ("im sooo angry and hurt", ("angry", "hurt")),
    ("Honestly? numb", ("numb",)),
    ("I was devastated, gutted, broken", ("devastated", "gutted", "broken")),
    ("it made me feel like a fool", ("like a fool",)),
    ("Humiliated that everyone at work knew before me", ("humiliated",)),
    ("Im heartbroken n confused", ("heartbroken", "confused")),
    ("I'm not angry, just sad", ("sad",)),
    ("I don't feel safe anymore", ("not safe",)),
    ("feeling lonley and stupid tbh", ("lonely", "stupid")),
    ("It hurt me so much", ("hurt",)),
    ("she makes me feel so loved", ("loved",)),
    ("i feel hopeful today", ("hopeful",)),
    ("devastated is an understatement", ("devastated",)),
    ("i feel emotionally drained and completely alone", ("drained", "alone")),
    ("just numb tonight", ("numb",)),
    # someone else's feeling, a thought dressed as a feeling, words that are not feelings
    ("he feels guilty about it", ()),
    ("i feel like he never loved me", ()),
    ("Lost my job and then found out he was gambling", ()),
    ("Used my card without asking", ()),
    ("He slept with his coworker for six months", ()),
]


@pytest.mark.parametrize(("text", "expected"), FEELINGS)
def test_their_own_feeling_words(text: str, expected: tuple[str, ...]) -> None:
    assert gist.read(text).feelings == expected


DURATIONS: list[tuple[str, str | None, str | None]] = [
    ("He slept with his coworker for six months", "six months", "six months"),
    ("he hid 20k of credit card debt for 2 yrs", "2 yrs", "2 years"),
    ("she's been texting her ex since march", "since march", "since March"),
    ("it went on the whole summer", "the whole summer", "the whole summer"),
    ("a 6-month affair", "6-month", "6 months"),
    ("the affair lasted almost two years", "almost two years", "almost two years"),
    ("he lied to my face for months", "months", "months"),
    ("18mo of lies", "18mo", "18 months"),
    ("a year and a half of sneaking around", "a year and a half", "a year and a half"),
    ("over the last 3 years", "over the last 3 years", "3 years"),
    ("hes been on tinder since we got married", "since we got married", "since we got married"),
    ("he spent the last year lying to me", "the last year", "the last year"),
    ("half of our marriage was a lie", "half of our marriage", "half of our marriage"),
    ("my husband of 15 years has been seeing someone for 8 months", "8 months", "8 months"),
    # the length of something else, or a moment: not how long the hurt went on
    ("we've been married 12 years and he cheated for 6mo", "6mo", "6 months"),
    ("It was a one night stand, two years ago", None, None),
    ("we were together for ten years", None, None),
    ("six months later he told me", None, None),
    ("she cheated on me", None, None),
]


@pytest.mark.parametrize(("text", "said", "shown"), DURATIONS)
def test_how_long_it_went_on(text: str, said: str | None, shown: str | None) -> None:
    found = gist.read(text).duration
    assert (found and found.said, found and found.shown) == (said, shown)


KINDS: list[tuple[str, gist.Kind]] = [
    ("He slept with his coworker for six months", "affair"),
    ("my wife cheated on me with her ex", "affair"),
    ("she had an emotional affair with a guy from the gym", "emotional"),
    ("hes been texting another woman every night, flirting", "emotional"),
    ("he swears nothing physical happened but he's in love with her", "emotional"),
    ("they never slept together, just sexting", "emotional"),
    ("he hid 20k of credit card debt", "money"),
    ("she gambled away our savings", "money"),
    ("he lied to my face about where he was", "lies"),
    ("found out she had a second phone", "lies"),
    ("she told me she was working late but her car was at his place", "lies"),
    ("he swore he was at the gym, he wasnt", "lies"),
    ("she keeps changing her passcode", "lies"),
    ("found him on bumble last night", "emotional"),
    ("he bought a new car on credit without telling me", "money"),
    ("he forgot our anniversary again", "other"),
]


@pytest.mark.parametrize(("text", "kind"), KINDS)
def test_what_kind_of_hurt(text: str, kind: gist.Kind) -> None:
    assert gist.read(text).kind == kind


HARD: list[tuple[str, bool]] = [
    ("Rough day. Couldn't stop picturing them together.", True),
    ("i cried all day and couldnt sleep", True),
    ("feeling so alone tonight", True),
    ("not a good day", True),
    ("We walked after dinner", False),
    ("rough morning but a lovely evening", False),
    ("feeling hopeful", False),
]


@pytest.mark.parametrize(("text", "hard"), HARD)
def test_a_hard_day(text: str, hard: bool) -> None:
    assert gist.read(text).is_hard is hard


def test_nothing_to_read_in_nothing() -> None:
    assert gist.read("") == gist.NOTHING
    assert gist.read("   ...  ") == gist.NOTHING


# --- the blind batch ----------------------------------------------------------------------------
# tests/data/gist/blind-1.tsv (`kind<TAB>duration<TAB>feelings<TAB>text`, "-" for none, feelings
# comma-separated) was written by someone who had not seen these rules. Scored once before
# any change: kind 0.737, duration 0.937, feelings precision 0.980 / recall 0.907. The gaps it
# showed were fixed as general rules (stories that did not add up as lies, dating apps as
# closeness, "my wife of 22 years", "-ly" words before a feeling, "the past year"...). These
# floors keep what was won without asking for perfection on what is now a seen set.

NONE = {"", "-"}


def _blind() -> list[tuple[str, str | None, set[str], str]]:
    rows = []
    for path in sorted(DATA.glob("blind-*.tsv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for kind, duration, feelings, text in csv.reader(
                fh, delimiter="\t", quoting=csv.QUOTE_NONE
            ):
                said = None if duration.strip() in NONE else duration.strip().casefold()
                felt = {f.strip() for f in feelings.split(",") if f.strip() not in NONE}
                rows.append((kind.strip(), said, felt, text))
    return rows


def test_the_blind_batch_is_whole() -> None:
    rows = _blind()
    assert len(rows) >= 90
    assert {kind for kind, *_ in rows} == set(gist.KINDS)


def test_the_blind_batch_holds_its_floors() -> None:
    rows = _blind()
    kinds = lengths = found = wrong = missed = 0
    for kind, said, felt, text in rows:
        read = gist.read(text)
        kinds += read.kind == kind
        lengths += (read.duration.said if read.duration else None) == said
        have = set(read.feelings)
        found += len(have & felt)
        wrong += len(have - felt)
        missed += len(felt - have)
    assert kinds / len(rows) >= 0.90, kinds
    assert lengths / len(rows) >= 0.95, lengths
    assert found / (found + wrong) >= 0.95, (found, wrong)
    assert found / (found + missed) >= 0.95, (found, missed)
