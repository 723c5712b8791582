"""The gist of what someone wrote: their own feeling words, how long it went on, what kind of
hurt it was, and whether a day was hard — so Mend can say a few true words back before it
asks the next thing.

A person who writes "He slept with his coworker for six months" and is answered only with
the next question has not been heard. Saying back a little of what they said ("six months
of that…", "betrayed and stupid…") shows it was read, without analysing them. So this reader
finds only what can be said back safely, with explainable rules over word lists
(``content/gist_en.toml``, plus the feeling words of ``content/lexicon_en.toml`` that the
blame check also reads):

* **feelings** — their own feeling words, in their order: after "I feel / felt / feeling",
  "made me feel", "I'm (so) …", "I've been …", at the start of a short clause ("Betrayed
  and stupid.", "Humiliated that everyone knew"), and any joined on ("X and Y", "X, Y, Z").
  A feeling someone else has ("he feels guilty") is not theirs; a negated one is kept only
  as "not <word>" when the word was a good one ("I don't feel safe" → "not safe").
* **duration** — the length of time the hurt went on, as typed: a count and a unit ("six
  months", "2 yrs", "18mo"), since when ("since march"), or a whole stretch ("the whole
  summer", "for years"). The length of something else is left out: a marriage ("married
  12 years"), a moment ("two years ago", "six months later").
* **kind** — affair / emotional / lies / money / other, the first group of words found in a
  fixed order (an emotional affair named as such; anything physical; any other word for an
  affair; closeness by message; money; lies).
* **hard** — what made a day hard, if the note says ("picturing them", "could not sleep",
  "cried", "rough day"), unless the note also brightens ("a lovely evening").

Phone typing is expected: the shared normaliser first, then texting forms ("im", "u",
"lonley", "idk") and stretched words ("sooo", "hurttt").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final, Literal

from flows.language import normalise as normalise_text

Kind = Literal["affair", "emotional", "lies", "money", "other"]
Form = Literal["count", "since", "whole"]
KINDS: Final[tuple[Kind, ...]] = ("affair", "emotional", "lies", "money", "other")
HARD: Final = ("replaying", "sleep", "crying", "day")
"""What can make a note hard, in the order Mend prefers to speak to it."""

_MAX_CHARS: Final = 4096


@dataclass(frozen=True, slots=True)
class Length:
    """How long it went on: as typed (`said`), as Mend says it back (`shown`), and its form."""

    said: str
    shown: str
    form: Form


@dataclass(frozen=True, slots=True)
class Gist:
    feelings: tuple[str, ...] = ()
    positive: tuple[bool, ...] = ()  # per feeling: a good one ("hopeful"), not a hard one
    duration: Length | None = None
    kind: Kind = "other"
    hard: tuple[str, ...] = ()  # which of HARD the note showed, in HARD's order

    @property
    def hard_feelings(self) -> tuple[str, ...]:
        return tuple(f for f, good in zip(self.feelings, self.positive, strict=True) if not good)

    @property
    def is_hard(self) -> bool:
        """A hard note: something hard named, or a hard feeling and no good one."""
        return bool(self.hard) or (bool(self.hard_feelings) and all(not p for p in self.positive))


NOTHING: Final = Gist()


# --- the word lists -------------------------------------------------------------------------


def _toml(name: str) -> dict[str, Any]:
    ref = resources.files("flows").joinpath(f"content/{name}")
    with ref.open("rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True, slots=True)
class _Words:
    tokens: dict[str, str]
    vocabulary: frozenset[str]
    emotions: dict[tuple[str, ...], bool]  # count after "I am"; value: positive
    felt: dict[tuple[str, ...], bool]  # count after a feeling verb or at a clause's start
    feel_verbs: frozenset[str]
    be: tuple[tuple[str, ...], ...]
    fillers: frozenset[tuple[str, ...]]
    joiners: frozenset[tuple[str, ...]]
    links: frozenset[str]
    hard: dict[str, tuple[tuple[str, ...], ...]]
    bright: frozenset[str]
    negators: frozenset[str]
    kinds: tuple[tuple[Kind, tuple[tuple[str, ...], ...]], ...]
    kind_negators: frozenset[str]


_SPLIT: Final = re.compile(r"[a-z0-9$£€]+(?:'[a-z]+)?|[.,!?;:]")
_PUNCT: Final = frozenset(".,")
_RUN: Final = re.compile(r"([a-z])\1{2,}")
_OWNERS: Final = frozenset({"i", "me", "we", "us", "myself"})
_OTHERS: Final = frozenset({"he", "she", "they", "you", "him", "her", "them", "it", "his"})


def _raw_tokens(text: str) -> list[str]:
    """Lower-case words and the clause marks . and , (all of ! ? ; : end a clause)."""
    text = normalise_text.printable(normalise_text.unify(text[:_MAX_CHARS])).casefold()
    out: list[str] = []
    for tok in _SPLIT.findall(text):
        if tok in "!?;:":
            tok = "."
        out.append(tok.replace("'", ""))
    return out


@cache
def _words() -> _Words:
    lexicon = _toml("lexicon_en.toml")
    own = _toml("gist_en.toml")
    tokens = {str(k): str(v) for k, v in lexicon["normalise"]["tokens"].items()}
    tokens.update({str(k): str(v) for k, v in own["normalise"]["tokens"].items()})
    vocabulary = {w for v in tokens.values() for w in v.split()}
    vocabulary.update(str(w) for w in lexicon["normalise"]["vocabulary"])

    def walk(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from str(item).split()

    vocabulary.update(walk(lexicon["emotions"]))
    vocabulary.update(walk({k: v for k, v in own.items() if k != "normalise"}))
    base = _Base(tokens, frozenset(vocabulary))

    def grams(items: Iterable[object]) -> tuple[tuple[str, ...], ...]:
        found = {base.normal(str(item)) for item in items}
        return tuple(sorted((g for g in found if g), key=lambda g: (-len(g), g)))

    emo, feel = lexicon["emotions"], own["feelings"]
    skip = set(grams(feel["not_feelings"]))
    emotions: dict[tuple[str, ...], bool] = {}
    for name, positive in (("negative", False), ("positive", True)):
        emotions.update(dict.fromkeys(grams(emo[name]), positive))
    emotions.update(dict.fromkeys(grams(feel["emotions"]), False))
    felt = dict(emotions)
    for name, positive in (("feel_only_negative", False), ("feel_only_positive", True)):
        felt.update(dict.fromkeys(grams(emo[name]), positive))
    felt.update(dict.fromkeys(grams(feel["felt"]), False))
    for gram in skip:
        emotions.pop(gram, None)
        felt.pop(gram, None)
    hard = own["hard"]
    kinds = own["kinds"]
    return _Words(
        tokens=tokens,
        vocabulary=frozenset(vocabulary),
        emotions=emotions,
        felt=felt,
        feel_verbs=frozenset(w for g in grams(feel["feel_verbs"]) for w in g),
        be=grams(feel["be_verbs"]),
        fillers=frozenset(grams(feel["fillers"])),
        joiners=frozenset(grams(feel["joiners"])),
        links=frozenset(w for g in grams(feel["links"]) for w in g),
        hard={name: grams(hard[name]) for name in HARD},
        bright=frozenset(w for g in grams(hard["bright"]) for w in g),
        negators=frozenset(w for g in grams(hard["negators"]) for w in g),
        kinds=tuple((kinds["report"][group], grams(kinds[group])) for group in kinds["order"]),
        kind_negators=frozenset(w for g in grams(kinds["negators"]) for w in g),
    )


@dataclass(frozen=True, slots=True)
class _Base:
    """Texting forms and stretched letters, shared by the word lists and the person's text."""

    tokens: dict[str, str]
    vocabulary: frozenset[str]

    def word(self, tok: str) -> tuple[str, ...]:
        if tok in self.tokens:
            return tuple(self.tokens[tok].split())
        if _RUN.search(tok):
            for shorter in (_RUN.sub(r"\1\1", tok), _RUN.sub(r"\1", tok)):
                if shorter in self.vocabulary or shorter in self.tokens:
                    return self.word(shorter)
        return (tok,)

    def normal(self, text: str) -> tuple[str, ...]:
        return tuple(w for tok in _raw_tokens(text) for w in self.word(tok))


@cache
def _base() -> _Base:
    words = _words()
    return _Base(words.tokens, words.vocabulary)


@lru_cache(maxsize=1024)
def tokens(text: str) -> tuple[str, ...]:
    """The words of `text` after the shared normaliser and the texting forms."""
    return _base().normal(text)


_BY_FIRST: dict[int, tuple[object, dict[str, tuple[tuple[str, ...], ...]]]] = {}


def _by_first(grams: Iterable[tuple[str, ...]]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """`grams` grouped by their first word, order kept: each lookup then tries only the few
    that can match, not every word list (the lists are built once, so this is kept once)."""
    found = _BY_FIRST.get(id(grams))
    if found is not None and found[0] is grams:
        return found[1]
    index: dict[str, list[tuple[str, ...]]] = {}
    for gram in grams:
        if gram:
            index.setdefault(gram[0], []).append(gram)
    frozen = {first: tuple(group) for first, group in index.items()}
    if len(_BY_FIRST) < 64:  # only the word lists themselves, never a passing copy
        _BY_FIRST[id(grams)] = (grams, frozen)
    return frozen


def _at(toks: Sequence[str], i: int, grams: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    """The longest of `grams` that starts at toks[i] (grams come longest first)."""
    if i >= len(toks):
        return ()
    for gram in _by_first(grams).get(toks[i], ()):
        if tuple(toks[i : i + len(gram)]) == gram:
            return gram
    return ()


# --- feelings -------------------------------------------------------------------------------

_CAUSERS: Final = frozenset({"made", "make", "makes", "making", "left", "leaves", "leave"})
_NOT_ME: Final = frozenset({"to", "not", "never"})  # "not hurt me", "trying to scare me"


@cache
def _longest_first(grams: frozenset[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted(grams, key=len, reverse=True))


def _skip_fillers(toks: Sequence[str], i: int, fillers: frozenset[tuple[str, ...]]) -> int:
    """Past small words and "-ly" words ("so", "a bit", "physically") to what they modify;
    a feeling that ends in "-ly" ("lonely") is not skipped."""
    felt = _words().felt
    moved = True
    while moved and i < len(toks):
        moved = False
        gram = _at(toks, i, _longest_first(fillers))
        if gram:
            i += len(gram)
            moved = True
        elif toks[i].endswith("ly") and len(toks[i]) > 4 and not _at(toks, i, felt):
            i += 1
            moved = True
    return i


class _Found:
    def __init__(self) -> None:
        self.words: list[str] = []
        self.positive: list[bool] = []

    def add(self, gram: tuple[str, ...], positive: bool, negated: bool) -> None:
        if negated and not positive:
            return  # "I'm not angry" names no feeling to say back
        word = " ".join(gram)
        if negated:
            word, positive = f"not {word}", False
        if word not in self.words:
            self.words.append(word)
            self.positive.append(positive)


def _feeling_run(
    toks: Sequence[str],
    i: int,
    lists: dict[tuple[str, ...], bool],
    found: _Found,
    negated: bool,
    *,
    need_end: bool = False,
) -> int:
    """Read one feeling at `i` (after fillers) and any joined on; the index after them."""
    words = _words()
    first = True
    while i < len(toks):
        here = lists if first else words.felt
        j = i if _at(toks, i, here) else _skip_fillers(toks, i, words.fillers)
        if j < len(toks) and toks[j] in words.negators and not first:
            negated, j = True, _skip_fillers(toks, j + 1, words.fillers)
        gram = _at(toks, j, here)
        if not gram:
            return i
        after = j + len(gram)
        if need_end and first and not _ends_clause(toks, after):
            return i
        found.add(gram, lists.get(gram, words.felt.get(gram, False)), negated)
        first = False
        i = after
        k = after
        if k < len(toks) and toks[k] == ",":
            k += 1
        joined = _at(toks, k, words.joiners)
        if k > after or joined:
            if k > after or "but" in joined:
                negated = False  # "not angry, just sad": the "not" stops at the turn
            i = k + len(joined)
            continue
        return i
    return i


def _ends_clause(toks: Sequence[str], k: int) -> bool:
    """A short answer's feeling is followed by nothing, a mark, a joiner or a linking word."""
    if k >= len(toks) or toks[k] in _PUNCT:
        return True
    return toks[k] in _words().links or bool(_at(toks, k, _words().joiners))


def _negated_before(toks: Sequence[str], i: int, start: int) -> bool:
    return any(t in _words().negators for t in toks[start:i])


def _feelings(toks: Sequence[str]) -> _Found:
    words = _words()
    found = _Found()
    i = 0
    clause_start = 0
    while i < len(toks):
        tok = toks[i]
        if tok in _PUNCT:
            clause_start = i + 1
            i += 1
            continue
        # a feeling verb whose subject is the speaker, or has none ("Feeling lost.")
        if tok in words.feel_verbs and _speaker_feels(toks, i, clause_start):
            start = max(clause_start, i - 4)
            negated = _negated_before(toks, i, start)
            i = max(_feeling_run(toks, i + 1, words.felt, found, negated), i + 1)
            continue
        be = _at(toks, i, words.be)
        if be and (be != ("am",) or i == clause_start):
            k = i + len(be)
            negated = k < len(toks) and toks[k] in words.negators
            k += 1 if negated else 0
            i = max(_feeling_run(toks, k, words.emotions, found, negated), i + len(be))
            continue
        # a clause that opens with a feeling: "Betrayed and stupid.", "Humiliated that…"
        if i == _skip_fillers(toks, clause_start, words.fillers) and _at(toks, i, words.felt):
            end = _feeling_run(toks, i, words.felt, found, False, need_end=True)
            i = max(end, i + 1)
            continue
        # "<it> hurt me", "it crushed me": the speaker is the one it touched
        touched = (toks[i - 1],) if i > 0 else ()
        if tok == "me" and touched in words.emotions and toks[max(0, i - 2)] not in _NOT_ME:
            found.add(touched, words.emotions[touched], False)
        i += 1
    return found


def _speaker_feels(toks: Sequence[str], i: int, clause_start: int) -> bool:
    """The nearest person before a feeling verb (in its clause) is the speaker, or none."""
    for k in range(i - 1, max(clause_start, i - 5) - 1, -1):
        if toks[k] in _OWNERS:
            return True
        if toks[k] in _OTHERS and not (k + 1 < i and toks[k + 1] in _CAUSERS):
            return False
    return True


# --- how long -------------------------------------------------------------------------------


def _alt(phrases: Iterable[str]) -> str:
    items = sorted({p.strip() for p in phrases if p.strip()}, key=lambda s: (-len(s), s))
    return "(?:" + "|".join(r"\s+".join(map(re.escape, p.split())) for p in items) + ")"


@dataclass(frozen=True, slots=True)
class _Times:
    pattern: re.Pattern[str]
    not_before: re.Pattern[str]
    not_after: re.Pattern[str]
    units: dict[str, str]  # typed unit → its full singular name
    months: frozenset[str]
    not_shown: re.Pattern[str]


@cache
def _times() -> _Times:
    d = _toml("gist_en.toml")["duration"]
    units = {str(u): str(name) for name, typed in d["units"].items() for u in typed}
    digit_only = set(map(str, d["digit_only_units"]))
    word_units = _alt(u for u in units if u not in digit_only)
    all_units = _alt(units)
    digits = r"\d+(?:[.,]\d+)?\+?(?:\s*(?:-|to|or)\s*\d+(?:[.,]\d+)?)?"
    word = _alt(d["numbers"])
    words = rf"{word}(?:\s+(?:or|to)\s+{word}|-{word})?"
    half = r"(?:\s+and\s+a\s+half)?"
    count = (
        rf"(?:{_alt(d['qualifiers'])}\s+)?"
        rf"(?:{digits}{half}\s*-?\s*{all_units}|{words}{half}[\s-]+{word_units}){half}"
    )
    bare = (
        rf"{_alt(d['bare_need'])}\s+(?P<bare>(?:{_alt(d['qualifiers'])}\s+)?"
        rf"{_alt(d['bare_plural'])})"
    )
    owner, order, stretch = _alt(d["whole_owners"]), _alt(d["whole_order"]), _alt(d["stretches"])
    # "a whole year" is a length, "a whole second relationship" another relationship.
    of_time = _alt([s for s in d["stretches"] if s in d["all_stretches"]])  # summer, year…
    whole = (
        rf"(?!a\s){owner}\s+{_alt(d['whole'])}\s+(?:{order}\s+)?{stretch}"
        rf"|a\s+{_alt(d['whole'])}\s+{of_time}"
        rf"|{_alt(d['portion'])}\s+{owner}\s+(?:{order}\s+)?{stretch}"
        rf"|all\s+{_alt(d['all_stretches'])}"
        rf"|{_alt(d['recent'])}\s+{_alt(d['recent_units'])}"
    )
    month = _alt(d["months"])
    since = (
        rf"since\s+(?:{month}(?:\s+(?:of\s+)?(?:last\s+year|\d{{4}}))?"
        rf"|(?:early|late|mid)\s+\d{{4}}|\d{{4}}|last\s+{_alt(d['since_last'])}"
        rf"|{_alt(d['since_words'])})"
    )
    pattern = re.compile(
        rf"\b(?:(?P<since>{since})|(?P<whole>{whole})|(?P<count>{count})|{bare})\b"
    )
    return _Times(
        pattern=pattern,
        not_before=re.compile(rf"\b{_alt(d['not_the_hurt_before'])}(?:\s+for)?\s*$"),
        not_after=re.compile(rf"^\s*{_alt(d['not_the_hurt_after'])}\b"),
        units=units,
        months=frozenset(map(str, d["months"])),
        not_shown=re.compile(rf"^{_alt(d['not_shown'])}\s+"),
    )


def _time_text(text: str) -> str:
    """Lower case, one space, no apostrophes: what the length patterns read."""
    text = normalise_text.printable(normalise_text.unify(text[:_MAX_CHARS])).casefold()
    return " ".join(text.replace("'", "").split())


def _shown(said: str, form: Form, times: _Times) -> str:
    """Units spelled out ("2 yrs" → "2 years"), month names capitalised."""
    if form == "since":
        return " ".join(w.capitalize() if w in times.months else w for w in said.split())
    if form != "count":
        return said
    said = times.not_shown.sub("", said)
    match = re.search(r"(\d+(?:[.,]\d+)?\+?)\s*-?\s*([a-z]+)(?:\s+and\s+a\s+half)?$", said)
    words = said.split()
    if len(words) == 1 and not match:
        return said  # "for months"
    if match and match.group(2) in times.units:
        unit = times.units[match.group(2)]
        one = match.group(1) == "1" and "and a half" not in said
        return f"{said[: match.start(2)].rstrip(' -')} {unit if one else unit + 's'}".strip()
    if words and words[-1] in times.units:
        unit = times.units[words[-1]]
        plural = words[-2] not in {"a", "an", "one", "half"} if len(words) > 1 else False
        words[-1] = unit + "s" if plural else unit
    return " ".join(words)


def _duration(text: str) -> Length | None:
    times = _times()
    flat = _time_text(text)
    for match in times.pattern.finditer(flat):
        form: Form = "count"
        group = "bare" if match.group("bare") else "count"
        if match.group("since"):
            form, group = "since", "since"
        elif match.group("whole"):
            form, group = "whole", "whole"
        start, end = match.span(group)
        if times.not_before.search(flat[:start]) or times.not_after.search(flat[end:]):
            continue
        said = match.group(group)
        return Length(said, _shown(said, form, times), form)
    return None


# --- kind and hard --------------------------------------------------------------------------


def _kind(toks: Sequence[str]) -> Kind:
    words = _words()
    for kind, grams in words.kinds:
        for i in range(len(toks)):
            if _at(toks, i, grams) and not (i > 0 and toks[i - 1] in words.kind_negators):
                return kind
    return "other"


def _hard(toks: Sequence[str]) -> tuple[str, ...]:
    words = _words()
    bright = dimmed = False
    for i, tok in enumerate(toks):
        if tok in words.bright:
            if any(t in words.negators for t in toks[max(0, i - 3) : i]):
                dimmed = True  # "not a good day" is a hard one
            else:
                bright = True
    if bright:
        return ()
    return tuple(
        name
        for name in HARD
        if any(_at(toks, i, words.hard[name]) for i in range(len(toks)))
        or (name == "day" and dimmed)
    )


def read(text: str) -> Gist:
    """The gist of `text`: feelings, how long, what kind, and what made it hard."""
    toks = tokens(text)
    if not toks:
        return NOTHING
    found = _feelings(toks)
    return Gist(
        feelings=tuple(found.words),
        positive=tuple(found.positive),
        duration=_duration(text),
        kind=_kind(toks),
        hard=_hard(toks),
    )


__all__ = ["HARD", "KINDS", "NOTHING", "Form", "Gist", "Kind", "Length", "read", "tokens"]


_BY_WRITER: Final = re.compile(
    r"\b(?:i|i ve|ive|i had|i was)\s+(?:\w+\s+)?(?:lied|cheated|hid|hidden|slept with|betrayed|"
    r"broke (?:the|her|his|their) trust|had an? (?:affair|fling|emotional affair)|was texting|"
    r"was seeing|kept (?:it|this|that|things) from|went behind)\b"
)


def by_writer(text: str) -> bool:
    """Whether the writer tells of what they did ("I lied to him about my ex"), so the hurt
    is not theirs to be comforted for as if it were done to them."""
    return _BY_WRITER.search(" ".join(tokens(text))) is not None
