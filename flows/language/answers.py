"""Which option a short typed answer means, so no prompt is a dead end without buttons.

People in the terminal, or on Telegram with the keyboard closed, type "2", "keep", "yes" or
"save it" instead of pressing a button. Matching is deliberately conservative: an answer
counts only when it points at exactly one option, so a real message ("keep going, he lied
again") is never swallowed as a choice. Order: the option's number, its exact words, a
yes/no word, then the answer's words all found in one option's words.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any, Final, Protocol

from flows.language import normalise

MAX_TYPED: Final = 60
"""Longer than this is a message, not a choice."""
MAX_WORDS: Final = 4
"""Loose matching is for short answers only ("keep it", "the second one"...)."""

_WORD = re.compile(r"[\w']+|[^\w\s]", re.UNICODE)


class Labelled(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...


@cache
def _data() -> dict[str, Any]:
    text = resources.files("flows").joinpath("content/answers_en.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def _words() -> dict[str, frozenset[str]]:
    data = _data()
    return {
        name: frozenset(_plain(w) for w in data[name]["words"])
        for name in data
        if "words" in data[name]
    }


@cache
def _ordinals() -> dict[str, int]:
    return {_plain(k): int(v) for k, v in _data()["ordinals"].items()}


@cache
def _synonyms() -> dict[str, frozenset[str]]:
    return {k: frozenset(_plain(w) for w in v) for k, v in _data()["synonyms"].items()}


def _core(plain: str) -> str:
    """The answer without what is said around it: "yeah thats fine" → "yeah"."""
    hedges = sorted(_words()["hedges"], key=len, reverse=True)
    text = f" {plain} "
    for hedge in hedges:
        text = text.replace(f" {hedge} ", " ")
        text = text.replace(f" {hedge} ", " ")  # overlapping neighbours
    return " ".join(text.split())


def _plain(text: str) -> str:
    """One form for comparing: case, quotes, accents and punctuation folded away."""
    folded = normalise.strip_accents(normalise.label(normalise.unify(text)))
    folded = folded.replace("'", "")
    tokens = _WORD.findall(folded)
    return " ".join(t for t in tokens if t.isalnum() or (not t.isascii() and t.strip()))


def _tokens(text: str) -> set[str]:
    return set(_plain(text).split()) - _words()["ignore"]


def _value(key: str) -> str:
    return key.rsplit(".", 1)[-1]


_AFFIRMING: Final = frozenset({"yes", "ok", "agree", "save", "send"})
"""Option keys that say yes to the question on screen ("Save it", "Send it")."""


def _says(option: Labelled, answer: str) -> bool:
    """Whether an option is the yes (or the no) on screen: by its key or its first word."""
    label = _plain(option.label).split()
    first = label[0] if label else ""
    if answer == "yes":
        return _value(option.key) in _AFFIRMING or first in ("yes", "ok", "okay")
    return _value(option.key) in ("no", "not_now", "later", "skip") or first in ("no", "not")


_DISCARDING: Final = re.compile(
    r"\b(?:don ?t|do not|dont) (?:save|keep)\b|\bdiscard\b|\bdelete (?:it|that|this)\b|"
    r"\bthrow (?:it|that) away\b|\bscrap (?:it|that)\b"
)


def discards(typed: str) -> bool:
    """A "no, don't save that" where Mend asks whether to keep something."""
    plain = _plain(typed)
    if plain in _words()["discard"]:
        return True
    return len(plain.split()) <= 8 and _DISCARDING.search(plain) is not None


def keeps_as_is(typed: str) -> bool:
    """A short "no, it's true" where Mend asked whether to write it again: keep, not a rewrite."""
    plain = _plain(typed)
    if plain in _words()["keep_as_is"] or _core(plain) in _words()["keep_as_is"]:
        return True
    return len(plain.split()) <= 10 and _SAID_SO.search(plain) is not None


_SAID_SO: Final = re.compile(
    r"\b(?:thats|that is|its|it is|this is)\s+(?:literally\s+|exactly\s+|just\s+)?what\s+"
    r"(?:she|he|they|you)\s+(?:said|told me|says)\b|\bi\s+(?:just\s+)?(?:repeated|copied|quoted)\b"
)
"""'But thats literally what she said': the mirror was faithful; keep it."""


def _role_said(plain: str, options: Sequence[Labelled]) -> str | None:
    """ "im the one who got cheated on obviously": the role option it names, if one does."""
    roles = _data()["roles"]
    if not set(roles) <= {_value(o.key) for o in options}:
        return None  # only where the question is which one they are
    text = f" {plain} "
    named = [
        o.key
        for o in options
        if any(f" {_plain(p)} " in text for p in roles.get(_value(o.key), ()))
    ]
    return named[0] if len(named) == 1 else None


def match(options: Sequence[Labelled], typed: str, *, numbers: bool = True) -> str | None:
    """The key of the one option `typed` means, or None when it is not clearly one of them."""
    if not options:
        return None
    if len(typed) > MAX_TYPED:  # a message; only a role told in it ("i hid a debt…") counts
        return _role_said(_plain(typed), options) if len(typed) <= 300 else None
    exact = normalise.label(typed)
    if numbers and exact.isdecimal() and exact.isascii():
        index = int(exact) - 1
        return options[index].key if 0 <= index < len(options) else None
    for option in options:
        if normalise.label(option.label) == exact:
            return option.key
    if not numbers and any(ch.isdigit() for ch in exact):
        return None  # where numbers are answers, a typed "12" is noon, not the option "12:30"
    plain = _plain(typed)
    if not plain:
        return None
    role = _role_said(plain, options) if len(plain.split()) <= 40 else None
    if role is not None:
        return role
    if len(plain.split()) <= 10 and plain.split()[0] in _words()["no"] | _words()["yes"]:
        # "nah shes not violent shes just a liar": the no, said with a reason
        lead = "yes" if plain.split()[0] in _words()["yes"] else "no"
        said = [o for o in options if _says(o, lead)]
        if len(said) > 1:
            said = [o for o in said if _plain(o.label).split()[:1] == [lead]] or said
        if len(said) == 1 and _plain(said[0].label).split()[:1] == [lead]:
            return said[0].key
    if len(plain.split()) > MAX_WORDS + 3:
        return None
    core = _core(plain) or plain
    if len(core.split()) > MAX_WORDS:
        return None
    if core != plain:  # "like a 1 honestly", "the second one"
        again = match(options, core, numbers=numbers)
        if again is not None:
            return again
    if core in _ordinals() and numbers:
        index = _ordinals()[core]
        return options[index - 1 if index > 0 else index].key if index <= len(options) else None
    words = core.split()
    if len(words) > 1 and words[0] in _words()["yes"]:  # "yeah save": the yes, then what
        rest = plain.split()[1:] if plain.split()[:1] == words[:1] else words[1:]
        again = match(options, " ".join(rest), numbers=numbers)
        if again is not None:
            return again
    for answer in ("yes", "no"):
        if core in _words()[answer] or (words and words[0] in _words()[answer] and len(words) == 1):
            said = [o for o in options if _says(o, answer)]
            if len(said) > 1:  # "No, I feel safe" says no in its words; "Skip" only by its key
                said = [o for o in said if _plain(o.label).split()[:1] == [answer]] or said
            if said:  # no yes or no on screen: "go on" may still be an option's words
                return said[0].key if len(said) == 1 else None
    for option in options:
        if _plain(option.label) == core or _value(option.key).replace("_", " ") == core:
            return option.key
    said_as_is = any(core in _plain(o.label).split() for o in options)
    for option in options:
        named = _synonyms().get(_value(option.key), frozenset())
        if (core in named or plain in named) and not said_as_is:
            return option.key  # "keep" for "Save it", unless an option says "keep" itself
    wanted = _tokens(core)
    if not wanted and len(core.split()) > 1:
        wanted = set(core.split())  # "go on": small words are all there is
    if not wanted:
        return None
    found = [
        o
        for o in options
        if wanted <= (_tokens(o.label) or set(_plain(o.label).split()))
        or wanted <= set(_plain(o.label).split())
    ]
    if len(found) > 1:  # "not safe" is all of "I'm not safe", only part of the others
        found = [o for o in found if _tokens(o.label) == wanted]
    return found[0].key if len(found) == 1 else None
