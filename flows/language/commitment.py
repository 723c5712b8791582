"""Is "one thing I will do" small and concrete, vague, or a sweeping promise?

/selftrust asks for one small act of trusting yourself this week, and /own for what you will
do differently. "idk", "be better" or "try harder" gives the person nothing to hold on to;
"I'll be perfect from now on" or "never again" is a promise no one can keep, and a broken
one costs trust again. Both are met with one gentle follow-up (see `flows.core.heard`); a
second answer is taken as it is. Both steps ask the same question of an answer, so this is
the one rule they share, over word lists in ``content/commitment_en.toml``:

1. changing who one is, or being flawless ("perfect", "a new man", "never hurt you again")
   → **sweeping**;
2. not knowing, or nothing, in a short answer ("idk man", "not sure", "everything")
   → **vague**;
3. without end ("ever again", "for the rest of my life", "never … again") → **sweeping**,
   even with a when and a what ("never check his phone ever again");
4. a doing word and, apart from it, a when, a how often or a what ("text you when I'm
   running late", "call my sister on Sunday", "uninstall snapchat tonight") → **concrete**,
   even with "always";
5. otherwise a promise without edges ("always", "everything", "100%") → **sweeping**;
6. improving in general, or leaving the choice to them ("be better", "try harder", "go to
   bed earlier", "whatever she needs") → **vague**;
7. otherwise a doing word, or more than a few words → **concrete** (the benefit of the
   doubt: a missed vague answer costs less than nagging a real one).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final, Literal

from flows.language.gist import tokens

Label = Literal["concrete", "vague", "sweeping"]
LABELS: Final[tuple[Label, ...]] = ("concrete", "vague", "sweeping")

Gram = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Lists:
    unsure: frozenset[Gram]
    unsure_short: int
    fillers: frozenset[str]
    endless: frozenset[Gram]
    absolutes: frozenset[Gram]
    whole_person: frozenset[Gram]
    vague: frozenset[Gram]
    acts: frozenset[Gram]
    when: frozenset[Gram]
    what: frozenset[Gram]
    measureless: frozenset[Gram]
    short: int
    longest: int


@cache
def _lists() -> _Lists:
    ref = resources.files("flows").joinpath("content/commitment_en.toml")
    with ref.open("rb") as fh:
        data = tomllib.load(fh)

    def grams(items: list[str]) -> frozenset[Gram]:
        return frozenset(g for g in (tokens(str(item)) for item in items) if g)

    lists = {
        "unsure": grams(data["unsure"]["phrases"]),
        "endless": grams(data["sweeping"]["endless"]),
        "absolutes": grams(data["sweeping"]["absolutes"]),
        "whole_person": grams(data["sweeping"]["whole_person"]),
        "vague": grams(data["vague"]["phrases"]),
        "acts": grams(data["concrete"]["acts"]),
        "when": grams(data["concrete"]["when"]),
        "what": grams(data["concrete"]["what"]),
        "measureless": grams(data["concrete"]["measureless"]),
    }
    return _Lists(
        **lists,
        unsure_short=int(data["unsure"]["short"]),
        fillers=frozenset(w for g in grams(data["unsure"]["fillers"]) for w in g),
        short=int(data["concrete"]["short"]),
        longest=max(len(g) for found in lists.values() for g in found),
    )


def _spans(words: tuple[str, ...], grams: frozenset[Gram], longest: int) -> set[range]:
    """Where any of `grams` is found, as ranges of word positions."""
    return {
        range(i, i + n)
        for i in range(len(words))
        for n in range(1, min(longest, len(words) - i) + 1)
        if words[i : i + n] in grams
    }


def _has(words: tuple[str, ...], grams: frozenset[Gram], longest: int) -> bool:
    return bool(_spans(words, grams, longest))


def _only(words: tuple[str, ...], grams: frozenset[Gram], lists: _Lists) -> bool:
    """Every word belongs to one of `grams` (or is a mark or a filler like "i" or "just")."""
    i = 0
    longest = lists.longest
    while i < len(words):
        if words[i] in lists.fillers or words[i] in {".", ","}:
            i += 1
            continue
        for n in range(min(longest, len(words) - i), 0, -1):
            if words[i : i + n] in grams:
                i += n
                break
        else:
            return False
    return True


def classify(text: str) -> Label:
    """Concrete, vague or sweeping, by the rules in this module's docstring."""
    lists = _lists()
    words = tokens(text)
    content = [w for w in words if w not in {".", ","}]
    longest = lists.longest
    if not content:
        return "vague"
    if _has(words, lists.whole_person, longest):
        return "sweeping"
    if len(content) <= lists.unsure_short and _only(words, lists.unsure, lists):
        return "vague"
    if _has(words, lists.endless, longest) or {"never", "again"} <= set(words):
        return "sweeping"
    acts = _spans(words, lists.acts, longest)
    when = _spans(words, lists.when, longest)
    when |= {range(i, i + 1) for i, w in enumerate(words) if any(ch.isdigit() for ch in w)}
    anchors = when | _spans(words, lists.what, longest)
    measured = bool(when) or not _has(words, lists.measureless, longest)
    if measured and any(not set(a) & set(b) for a in acts for b in anchors):
        return "concrete"  # a doing word and, apart from it, a when or a what
    if _has(words, lists.absolutes, longest):
        return "sweeping"
    if _has(words, lists.vague, longest):
        return "vague"
    if acts or len(content) > lists.short:
        return "concrete"
    return "vague"


__all__ = ["LABELS", "Label", "classify"]
