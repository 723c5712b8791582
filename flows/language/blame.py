"""Explainable blame / I-statement detector for the "I felt…" reframing step.

The reframing flow needs to tell someone, kindly and specifically, why a sentence they
want to send might land as an attack, and to notice when they already own a feeling.
A trained model would be opaque and heavy; this is a small rule engine over a word list
(``content/lexicon_en.toml``) so that every verdict can be traced to a named signal.

Labelling rule (applied in this order — blame wins):

* ``blame`` — the statement criticises, accuses, labels or generalises about the partner's
  character, motives or behaviour: "you always/never", trait labels, name-calling,
  sarcasm, contempt, passive aggression, rhetorical accusing questions, "you make me
  feel <bad>", "your fault", and "I feel like/that you <criticism>". It stays blame even
  when the speaker also names a feeling ("I feel hurt because you are a liar").
* ``i_statement`` — otherwise, the speaker owns a feeling or a need about themself: an
  emotion word with "I"/"we" as the one feeling it ("I felt anxious", "it hurt me",
  "I don't feel safe"), or a clear relational need ("I need some space", "it's important
  to me that…"), or an owned struggle ("I'm struggling", "I feel like I'm not enough").
  A specific behaviour inside a when/because clause is fine
  ("When you came home late I felt anxious").
* ``neutral`` — everything else: logistics, requests, questions, appreciation, affection,
  positive "you" sentences, and apologies. An apology is neutral unless it also names the
  speaker's own emotion ("I'm sorry I lied" → neutral; "I'm sorry, I feel so ashamed" →
  i_statement). "Sorry" and "love"/"miss" (as verbs) are not emotion words.

``feeling`` is true when a real emotion word describes the speaker's own state — including
inside blame ("you make me feel worthless") and affection ("you make me feel safe",
which stays neutral because the feeling is credited to the partner, not owned). "I feel
like you…"/"I feel that you…" name no emotion; a negated negative emotion ("I'm not
angry") names none; a negated positive one ("I don't feel safe") does.

Signals (stable names; the flow maps them to its own wording):

* ``you_always`` — generalising about the partner: always, constantly, "you keep …ing",
  all the time, every single time, "all you do is…", again.
* ``you_never`` — "you never / hardly ever / not once …" (not "you never fail to…").
* ``you_are_trait`` — "you're (so/such a/being/too) <negative trait>".
* ``name_calling`` — insulting noun: "you idiot", "such a liar", "what a jerk".
* ``your_fault`` — assigning fault: "your fault", "because of you", "I blame you".
* ``you_make_me`` — blaming the partner for the speaker's state: "you make me feel
  worthless", "you drive me crazy", "you upset me".
* ``you_accuse`` — a main-clause accusation verb: "you lied", "you ruined it".
* ``you_dont`` — habitual failing: "you don't care/listen", "you're not even trying".
* ``you_should`` — hindsight orders: "you should have", "you need to grow up".
* ``you_too_much`` — "you spend/drink/work too much".
* ``mind_reading`` — asserting the partner's motives: "you only care about yourself",
  "you just want to win", "you think you're better".
* ``your_negative`` — loaded noun about the partner: "your lies", "your excuses".
* ``complaint`` — "I hate it when you…", "I'm sick of your…", "disappointed in you".
* ``sarcasm`` — praise that is really a jab: "thanks for nothing", "for once",
  "oh great", "nice of you to finally…", "as usual".
* ``contempt`` — dismissive put-downs: "grow up", "whatever.", "what's wrong with you",
  "stop whining", "a real partner would…", "nobody could live with you", eye-roll emoji.
* ``passive_aggressive`` — indirect jabs: "I'm used to being ignored", "I'll just do it
  myself", "I guess I'm not important", "so I'm the bad guy", "more important than me".
* ``accusing_question`` — rhetorical questions that accuse: "why do you always…",
  "why can't you…", "do you even care?", "how many times do I have to…", "why do I
  always have to…".
* ``feel_like_you`` — "I feel like/that you <criticism>": a judgement dressed as a
  feeling (names no emotion).
* ``model`` — no rule saw blame, but the trained model did (sarcasm about priorities, a
  loaded "got it", an accusation stated as a fact); see ``flows/language/classifier.py``.
* ``emotion_word`` — an emotion word about the speaker (mirrors ``feeling``).
* ``i_need`` — the speaker states a relational need or value.
* ``self_disclosure`` — the speaker owns a struggle without an emotion word: "I'm
  struggling", "I feel like I'm not enough", "this is hard for me".
* ``when_clause`` — a when/after/every-time clause anchors an owned feeling to an event.
* ``because_need`` — "because I need/value …" or "because <value> matters".
* ``apology`` — the speaker apologises.
* ``i_statement`` — the verdict is i_statement (present exactly when kind is).
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from itertools import product
from typing import Any, Final, Literal

from flows.language import classifier
from flows.language import normalise as normalise_text

Kind = Literal["blame", "i_statement", "neutral"]

__all__ = [
    "BLAME_SIGNALS",
    "MODEL_SIGNAL",
    "PART_SIGNALS",
    "Analysis",
    "Kind",
    "Part",
    "analyse",
    "by_rules",
    "feeling_words",
    "in_part",
    "sweeping",
]

_log = logging.getLogger(__name__)
MODEL_SIGNAL: Final = "model"
"""The signal when the trained model, not a rule, heard the blame (last of BLAME_SIGNALS)."""

# Telegram caps a message at 4096 characters; anything beyond this is not a statement
# someone wants to say to a partner, and capping keeps worst-case latency bounded.
_MAX_CHARS: Final = 4096


def _words(spec: str) -> frozenset[str]:
    """Word sets written as one readable string."""
    return frozenset(spec.split())


@cache
def _load_toml() -> dict[str, Any]:
    ref = resources.files("flows").joinpath("content/lexicon_en.toml")
    with ref.open("rb") as fh:
        return tomllib.load(fh)


def _listed(name: str) -> str:
    """A word set from the lexicon's `[words]` table (the data lives there, not here)."""
    return str(_load_toml()["words"][name])


@dataclass(frozen=True, slots=True)
class Analysis:
    """Verdict plus the evidence behind it, so the flow can explain itself."""

    kind: Kind
    feeling: bool
    signals: tuple[str, ...]

    def as_dict(self, text: str) -> dict[str, object]:
        """Shape for JSON-lines output; the text is passed in because we don't keep it."""
        return {
            "text": text,
            "kind": self.kind,
            "feeling": self.feeling,
            "signals": list(self.signals),
        }


# Any one of these makes the verdict blame; the order is the order signals are reported in.
BLAME_SIGNALS: Final = (
    "you_always",
    "you_never",
    "you_are_trait",
    "name_calling",
    "your_fault",
    "you_make_me",
    "you_accuse",
    "you_dont",
    "you_should",
    "you_too_much",
    "mind_reading",
    "your_negative",
    "complaint",
    "sarcasm",
    "contempt",
    "passive_aggressive",
    "accusing_question",
    "feel_like_you",
    "model",
)
_OTHER_SIGNALS: Final = (
    "emotion_word",
    "i_need",
    "self_disclosure",
    "when_clause",
    "because_need",
    "apology",
    "i_statement",
)
_SIGNAL_ORDER: Final = {name: i for i, name in enumerate(BLAME_SIGNALS + _OTHER_SIGNALS)}

# --------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------

_EMOJI: Final = {
    "\U0001f644": " eyeroll . ",  # face with rolling eyes
    "\U0001f612": " eyeroll . ",  # unamused face
    "\U0001f643": " eyeroll . ",  # upside-down face, usually ironic
    "\U0001f926": " facepalm . ",
}
_EMOJI_RE: Final = re.compile("|".join(map(re.escape, _EMOJI)))
_SLASH_WORDS: Final = (
    (re.compile(r"\bw/e\b"), " whatever "),
    (re.compile(r"\bb/c\b"), " because "),
    (re.compile(r"\bw/o\b"), " without "),
    (re.compile(r"\bw/"), " with "),
    (re.compile(r"(?:^|\s)/s\b"), " . sarcasmtag . "),
)
# A short double-quoted phrase is usually a scare quote ('your "help"'); keep a marker.
_SCARE_QUOTE_RE: Final = re.compile(r'"\s*([^"\s][^"]{0,30}?)\s*"')
_DROP_RE: Final = re.compile(r"[^\w\s'.,?!;:]|_")
_PUNCT_RE: Final = re.compile(r"\s*([.,?!;:])\s*")
_RUN_RE: Final = re.compile(r"([^\W\d_])\1{2,}")
_PUNCT_MAP: Final = {".": ".", ",": ",", "?": "?", "!": ".", ";": ".", ":": ","}
_PUNCT: Final = frozenset({".", ",", "?"})
_IS_CONTRACTION: Final = _words(_listed("is_contraction"))
_N_T: Final = {"ca": "can not", "wo": "will not", "ai": "is not", "sha": "shall not"}
_SUFFIXES: Final = (("'re", "are"), ("'ve", "have"), ("'ll", "will"), ("'m", "am"), ("'d", "would"))


@dataclass(frozen=True, slots=True)
class _NormConfig:
    token_map: dict[str, str]
    vocabulary: frozenset[str]


def _snap_run(token: str, vocabulary: frozenset[str]) -> str:
    """Map an elongated word ("neverr", "soo") to a known word by undoubling letters."""
    doubles = [i for i in range(len(token) - 1) if token[i] == token[i + 1]]
    if not doubles or len(doubles) > 4:
        return token
    for mask in sorted(product((False, True), repeat=len(doubles)), key=sum):
        if not any(mask):
            continue
        drop = {i for i, on in zip(doubles, mask, strict=True) if on}
        candidate = "".join(ch for i, ch in enumerate(token) if i not in drop)
        if candidate in vocabulary:
            return candidate
    return token


def _expand(token: str, cfg: _NormConfig) -> str:
    """One raw token to zero or more canonical words, separated by spaces."""
    token = token.strip("'")
    if not token:
        return ""
    collapsed = _RUN_RE.sub(r"\1\1", token)
    had_run = collapsed != token
    token = collapsed
    if token in cfg.token_map:
        return cfg.token_map[token]
    if had_run and token not in cfg.vocabulary:
        token = _snap_run(token, cfg.vocabulary)
        if token in cfg.token_map:
            return cfg.token_map[token]
    if "'" not in token:
        return token
    if token.endswith("n't"):
        base = token[:-3]
        return _N_T.get(base, f"{base} not")
    for suffix, word in _SUFFIXES:
        if token.endswith(suffix):
            base = token[: -len(suffix)]
            return f"{cfg.token_map.get(base, base)} {word}"
    if token.endswith("'s"):
        base = token[:-2]
        if base in _IS_CONTRACTION:
            return f"{base} is"
        if base == "let":
            return "let us"
    return token.replace("'", "")


@lru_cache(maxsize=16384)
def _expand_cached(raw: str) -> tuple[str, ...]:
    """Token expansion is pure and tokens repeat constantly, so memoise it."""
    return tuple(_expand(raw, _norm_config()).split())


def _normalise(text: str) -> str:
    """Canonical lower-case form: words and the tokens . , ? separated by single spaces."""
    text = text[:_MAX_CHARS]
    if not text.isascii():
        # Plain ASCII (the common case) needs none of these passes.
        text = _EMOJI_RE.sub(lambda m: _EMOJI[m.group(0)], normalise_text.unify(text))
    text = normalise_text.printable(text)
    text = text.casefold()
    if "/" in text:
        for pattern, replacement in _SLASH_WORDS:
            text = pattern.sub(replacement, text)
    if '"' in text:
        text = _SCARE_QUOTE_RE.sub(r" sarcasmquote \1 ", text)
    text = _DROP_RE.sub(" ", text)
    text = _PUNCT_RE.sub(lambda m: f" {_PUNCT_MAP[m.group(1)]} ", text)
    out: list[str] = []
    for raw in text.split():
        for word in _expand_cached(raw):
            if word in _PUNCT:
                if not out:
                    continue
                if out[-1] in _PUNCT:
                    if word == "?":
                        out[-1] = "?"
                    continue
            out.append(word)
    while out and out[-1] == ",":
        out.pop()
    joined = " ".join(out)
    return _fix_grammar(joined)


_YOUR_AS_YOURE: Final = re.compile(
    r"\byour (?=(?:so|such|always|never|being|a|an|the|not|too|just|really|constantly|lying|"
    r"acting|going|wrong|right|welcome|kidding|overreacting|impossible|unbelievable|pathetic|"
    r"selfish|lazy|useless|very|also|still|literally|honestly|seriously|clearly|obviously|"
    r"making|doing|trying|only|late|home|here|there|crazy|insane|ridiculous|stupid|cheating|"
    r"hiding|ignoring|such|mean|rude|impossible|unreal|awesome|amazing|beautiful|sweet|kind|"
    r"like|ok|okay|fine|cold|gonna|acting|being|exhausting|annoying|useless|horrible|terrible|"
    r"disgusting|messing|driving|making|constantly|forever|never|always|sooo|soo)\b)"
)
_GRAMMAR_FIXES: Final = (
    (re.compile(r"\byou is\b"), "you are"),
    (re.compile(r"\byou was\b"), "you were"),
    (re.compile(r"\byou has\b"), "you have"),
    (re.compile(r"\byou does\b"), "you do"),
    (re.compile(r"\bit make\b"), "it makes"),
)


def _fix_grammar(text: str) -> str:
    """Repair texting/learner grammar that changes which rule applies ("your so")."""
    if "your " in text:
        text = _YOUR_AS_YOURE.sub("you are ", text)
    if "you " in text or "it make " in text:
        for pattern, replacement in _GRAMMAR_FIXES:
            text = pattern.sub(replacement, text)
    return text


# --------------------------------------------------------------------------------------
# Lexicon
# --------------------------------------------------------------------------------------

Gram = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Lex:
    neg_emotions: frozenset[Gram]
    pos_emotions: frozenset[Gram]
    feel_neg: frozenset[Gram]
    feel_pos: frozenset[Gram]
    emotion_nouns: frozenset[Gram]
    emotion_verbs: frozenset[Gram]
    experiencer_verbs: frozenset[str]
    experience_adjectives: frozenset[Gram]
    need_nouns: frozenset[Gram]
    need_verbs: frozenset[Gram]
    values: tuple[str, ...]
    traits: frozenset[Gram]
    names: frozenset[Gram]
    too_targets: frozenset[Gram]
    accuse_verbs: tuple[str, ...]
    accuse_ing: tuple[str, ...]
    your_negative: tuple[str, ...]
    make_me_bad: frozenset[Gram]
    never_positive: frozenset[Gram]
    dont_verbs: tuple[str, ...]
    pos_terms: frozenset[Gram]
    neg_terms: frozenset[Gram]
    sarcasm: tuple[str, ...]
    praise: tuple[str, ...]
    events: tuple[str, ...]
    tags: tuple[str, ...]
    contempt: tuple[str, ...]
    passive: tuple[str, ...]
    softeners: tuple[str, ...]


@cache
def _norm_config() -> _NormConfig:
    data = _load_toml()
    norm = data["normalise"]
    token_map = {str(k): str(v) for k, v in norm["tokens"].items()}
    vocab: set[str] = set(map(str, norm["vocabulary"]))

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key != "normalise":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                vocab.update(str(item).split())

    walk(data)
    vocab.update(w for v in token_map.values() for w in v.split())
    return _NormConfig(token_map=token_map, vocabulary=frozenset(vocab))


def _phrases(items: Iterable[object]) -> tuple[str, ...]:
    out = {_normalise(str(item)) for item in items}
    out.discard("")
    return tuple(sorted(out, key=lambda s: (-len(s), s)))


def _grams(items: Iterable[object]) -> frozenset[Gram]:
    return frozenset(tuple(p.split()) for p in _phrases(items))


@cache
def _lex() -> _Lex:
    d = _load_toml()
    emo, needs, blame, pol = d["emotions"], d["needs"], d["blame"], d["polarity"]
    neg_emotions = _grams(emo["negative"])
    pos_emotions = _grams(emo["positive"])
    feel_neg = _grams(emo["feel_only_negative"])
    feel_pos = _grams(emo["feel_only_positive"])
    traits = _grams(blame["traits"])
    names = _grams(blame["names"])
    accuse = _phrases(blame["accuse_verbs"])
    return _Lex(
        neg_emotions=neg_emotions,
        pos_emotions=pos_emotions,
        feel_neg=feel_neg,
        feel_pos=feel_pos,
        emotion_nouns=_grams(emo["nouns"]),
        emotion_verbs=_grams(emo["verbs"]),
        experiencer_verbs=frozenset(_phrases(emo["experiencer_verbs"])),
        experience_adjectives=_grams(emo["experience_adjectives"]),
        need_nouns=_grams(needs["nouns"]),
        need_verbs=_grams(needs["verbs"]),
        values=_phrases(needs["values"]),
        traits=traits,
        names=names,
        too_targets=_grams(blame["too_targets"]) | traits,
        accuse_verbs=accuse,
        accuse_ing=_phrases(blame["accuse_ing"]),
        your_negative=_phrases(blame["your_negative"]),
        make_me_bad=_grams(blame["make_me_bad"]),
        never_positive=_grams(blame["never_positive"]),
        dont_verbs=_phrases(blame["dont_verbs"]),
        pos_terms=_grams(pol["positive"]) | pos_emotions | feel_pos,
        neg_terms=(
            _grams(pol["negative"])
            | traits
            | frozenset(g for g in names if " ".join(g) not in _DIRECT_NAME_CLASH)
            | neg_emotions
            | feel_neg
            | frozenset(tuple(a.split()) for a in accuse)
        ),
        sarcasm=_phrases(d["sarcasm"]["markers"]),
        praise=_phrases(d["sarcasm"]["praise"]),
        events=_phrases(d["sarcasm"]["events"]),
        tags=_phrases(d["sarcasm"]["tags"]),
        contempt=_phrases(d["contempt"]["markers"]),
        passive=_phrases(d["passive_aggressive"]["markers"]),
        softeners=_phrases(d["softeners"]["markers"]),
    )


# --------------------------------------------------------------------------------------
# Grammar helpers
# --------------------------------------------------------------------------------------


def _alt(phrases: Iterable[str]) -> str:
    items = sorted(set(phrases), key=lambda s: (-len(s), s))
    return "(?:" + "|".join(re.escape(p) for p in items) + ")"


@dataclass(frozen=True, slots=True)
class _PhraseIndex:
    """Multi-word phrase lookup by first token: far cheaper than a 150-branch regex.

    Matching runs on tokens with commas removed, so "oh, great" matches "oh great".
    """

    by_first: dict[str, tuple[Gram, ...]]

    @staticmethod
    def build(phrases: Iterable[str]) -> _PhraseIndex:
        table: dict[str, list[Gram]] = {}
        for phrase in phrases:
            gram = tuple(w for w in phrase.split() if w != ",")
            if gram:
                table.setdefault(gram[0], []).append(gram)
        return _PhraseIndex({k: tuple(sorted(v, key=len, reverse=True)) for k, v in table.items()})

    def find(self, ctoks: Sequence[str]) -> Iterator[tuple[int, int]]:
        """Yield (index, length) of each phrase occurrence in ``ctoks``."""
        by_first = self.by_first
        for i, tok in enumerate(ctoks):
            grams = by_first.get(tok)
            if grams is None:
                continue
            for gram in grams:
                if tuple(ctoks[i : i + len(gram)]) == gram:
                    yield i, len(gram)
                    break

    def any(self, ctoks: Sequence[str]) -> bool:
        return next(self.find(ctoks), None) is not None


@dataclass(frozen=True, slots=True)
class _PhraseBank:
    """Several labelled phrase lists scanned in a single pass over the tokens."""

    # Keyed by the first two tokens (one-word phrases by the word alone) so each position
    # only compares against the few phrases that can possibly start there.
    by_start: dict[tuple[str, ...], tuple[tuple[Gram, str], ...]]

    @staticmethod
    def build(lists: dict[str, Iterable[str]]) -> _PhraseBank:
        table: dict[tuple[str, ...], list[tuple[Gram, str]]] = {}
        for label, phrases in lists.items():
            for phrase in phrases:
                gram = tuple(w for w in phrase.split() if w != ",")
                if gram:
                    table.setdefault(gram[:2], []).append((gram, label))
        return _PhraseBank(
            {k: tuple(sorted(v, key=lambda g: -len(g[0]))) for k, v in table.items()}
        )

    def scan(self, ctoks: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
        """Label -> [(index, length)], longest phrase per label and position."""
        hits: dict[str, list[tuple[int, int]]] = {}
        by_start = self.by_start
        count = len(ctoks)
        for i, tok in enumerate(ctoks):
            one = by_start.get((tok,), ())
            two = by_start.get((tok, ctoks[i + 1]), ()) if i + 1 < count else ()
            if not one and not two:
                continue
            seen: set[str] = set()
            for gram, label in (*two, *one):
                n = len(gram)
                if label not in seen and (n <= 2 or tuple(ctoks[i : i + n]) == gram):
                    seen.add(label)
                    hits.setdefault(label, []).append((i, n))
        return hits


_Gated = tuple[tuple[frozenset[str], re.Pattern[str]], ...]
_NO_MATCHES: Final[tuple[re.Match[str], ...]] = ()


@dataclass(frozen=True, slots=True)
class _Rule:
    """A regex plus the words it cannot match without (one word from each group)."""

    needs: tuple[frozenset[str], ...]
    pattern: re.Pattern[str]

    def _possible(self, doc: _Doc) -> bool:
        return all(not group.isdisjoint(doc.tokset) for group in self.needs)

    def finditer(self, doc: _Doc) -> Iterator[re.Match[str]]:
        if not self._possible(doc):
            return iter(_NO_MATCHES)
        return self.pattern.finditer(doc.text)

    def search(self, doc: _Doc) -> re.Match[str] | None:
        return self.pattern.search(doc.text) if self._possible(doc) else None


def _rule(needs: Sequence[str], pattern: str) -> _Rule:
    return _Rule(tuple(_words(group) for group in needs), re.compile(pattern))


def _gated(rules: Iterable[tuple[str, str]]) -> _Gated:
    return tuple((_words(anchor), re.compile(pattern)) for anchor, pattern in rules)


def _gated_search(rules: _Gated, text: str, tokset: frozenset[str]) -> bool:
    return any(p.search(text) for anchor, p in rules if not anchor.isdisjoint(tokset))


_ADV: Final = (
    "really|just|literally|seriously|honestly|also|almost|still|basically|pretty much|nearly|"
    "clearly|obviously|even|truly|actually|totally|definitely|then|now|again|sometimes|often|"
    "usually|kind of|sort of|simply|genuinely|apparently|probably|certainly|absolutely|"
    "completely|constantly|always|so|very"
)
_AUX: Final = (
    "are|were|will|would|do|did|have|had|can|could|is|was|get|got|seem|act|must|should|"
    "have been|had been|will be|would be|keep|kept|been"
)
_OBJECT_PRECEDERS: Final = _words(_listed("object_preceders"))
_NEGATORS: Final = _words(_listed("negators"))
_SUBORDINATORS: Final = _words(_listed("subordinators"))
_FEAR_WORDS: Final = _words(_listed("fear_words"))
_FILLERS_TRAIT: Final = _words(_listed("fillers_trait"))
_FILLERS_FEEL: Final = _words(_listed("fillers_feel"))
_FEEL_VERBS: Final = frozenset(["feel", "feels", "felt", "feeling"])
_FILLERS_MAKE: Final = _words(_listed("fillers_make"))
_MAKE_POSITIVE: Final = _FILLERS_MAKE | _words(_listed("make_positive_extra"))
_DIRECT_NAME_CLASH: Final = _words(_listed("direct_name_clash"))
_QUANTIFIERS: Final = _words(_listed("quantifiers"))


def _tok_index(text: str, pos: int) -> int:
    """Token index of the token starting at character ``pos``."""
    return text.count(" ", 0, pos)


def _clause_prefix(tokens: Sequence[str], idx: int, limit: int = 8) -> list[str]:
    """Tokens before ``idx`` back to the nearest clause boundary (or ``limit`` tokens)."""
    out: list[str] = []
    j = idx - 1
    while j >= 0 and len(out) < limit:
        tok = tokens[j]
        if tok in _PUNCT or tok == "but":
            break
        out.append(tok)
        j -= 1
    out.reverse()
    return out


def _clause_after(tokens: Sequence[str], idx: int, limit: int = 14) -> list[str]:
    out: list[str] = []
    j = idx
    while j < len(tokens) and len(out) < limit:
        tok = tokens[j]
        if tok in _PUNCT or tok == "but":
            break
        out.append(tok)
        j += 1
    return out


def _sentence(tokens: Sequence[str], idx: int) -> tuple[int, int]:
    start = idx
    while start > 0 and tokens[start - 1] not in {".", "?"}:
        start -= 1
    end = idx
    while end < len(tokens) and tokens[end] not in {".", "?"}:
        end += 1
    return start, end


@lru_cache(maxsize=8192)
def _stems(token: str) -> tuple[str, ...]:
    """Cheap inflection variants so "surprising"/"laughed" match "surprise"/"laugh"."""
    out = [token]
    if len(token) > 5 and token.endswith("ing"):
        out += [token[:-3], token[:-3] + "e"]
        if token[-4] == token[-5]:
            out.append(token[:-4])  # "stopping" -> "stop"
    if len(token) > 4 and token.endswith("ed"):
        out += [token[:-2], token[:-1]]
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        out.append(token[:-1])
    return tuple(out)


def _has_gram(tokens: Sequence[str], grams: frozenset[Gram], max_n: int = 4) -> bool:
    for i in range(len(tokens)):
        if any((stem,) in grams for stem in _stems(tokens[i])):
            return True
        for n in range(2, max_n + 1):
            if i + n <= len(tokens) and tuple(tokens[i : i + n]) in grams:
                return True
    return False


def _gram_at(tokens: Sequence[str], i: int, grams: frozenset[Gram], max_n: int = 4) -> int:
    """Length of the longest gram in ``grams`` starting at ``i`` (0 if none)."""
    for n in range(max_n, 0, -1):
        if i + n <= len(tokens) and tuple(tokens[i : i + n]) in grams:
            return n
    return 0


def _polarity(tokens: Sequence[str], lex: _Lex) -> tuple[bool, bool]:
    """(has positive term, has negative term) in a predicate."""
    return _has_gram(tokens, lex.pos_terms), _has_gram(tokens, lex.neg_terms)


def _is_positive(tokens: Sequence[str], lex: _Lex) -> bool:
    pos, neg = _polarity(tokens, lex)
    return pos and not neg


def _you_is_subject(tokens: Sequence[str], idx: int) -> bool:
    """Whether "you" at ``idx`` is a subject rather than an object ("I love you always")."""
    return idx == 0 or tokens[idx - 1] not in _OBJECT_PRECEDERS


_NEGATION_BARRIERS: Final = _words(_listed("negation_barriers"))


def _negated_before(tokens: Sequence[str], idx: int, window: int = 5) -> bool:
    """A negator governs this clause ("it's not your fault", "I don't think you're lazy")."""
    prefix = _clause_prefix(tokens, idx, limit=window)
    for k in range(len(prefix) - 1, -1, -1):
        if prefix[k] in _NEGATION_BARRIERS:
            prefix = prefix[k + 1 :]
            break
    if any(t in _NEGATORS for t in prefix):
        joined = " ".join(prefix)
        return "believe" not in joined and "wonder" not in joined
    return False


def _subordinate(tokens: Sequence[str], idx: int, owned_feeling: bool) -> bool:
    """Inside a when/because clause, describing an event the speaker reacts to."""
    prefix = _clause_prefix(tokens, idx, limit=10)
    if any(t in _SUBORDINATORS for t in prefix[-4:]):
        return True
    return owned_feeling and bool(prefix) and prefix[-1] in {"that", "how", "about"}


# --------------------------------------------------------------------------------------
# Compiled rules
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rules:
    always: _Rule
    all_the_time: _Rule
    every_time_i: _Rule
    again: _Rule
    never: _Rule
    you_cop: _Rule
    direct_name: _Rule
    such_a: _Rule
    fault: _Rule
    fault_polar: _Rule
    make_me: _Rule
    experiencer_you: _Rule
    make_phrases: _Rule
    feel_like_you: _Rule
    questions: _Gated
    why_q: _Rule
    accuse: _Rule
    cant_believe: _Rule
    dont: _Rule
    not_trying: _Rule
    have_no: _Rule
    mind: _Rule
    should: _Rule
    too_much: _Rule
    your_neg: _Rule
    complaint: _Rule
    phrases: _PhraseBank
    scare_quote: re.Pattern[str]
    contempt_grammar: _Gated
    need: _Rule
    need_phrases: _Rule
    matters: _Rule
    because_need: _Rule
    when: _Rule
    apology: _Rule
    softeners: _PhraseIndex
    treat_like: _Rule
    make_worse: _Rule
    all_you: _Rule
    so_trait: _Rule
    more_than_me: _Rule
    disclosure: _Rule
    imperative_label: _Rule
    stop_ing: _Rule
    extra_blame: tuple[tuple[frozenset[str], re.Pattern[str], str], ...]


_EXTRA_ANCHORS: Final = (
    "nobody no noone who",
    "problem issue issues attitude temper ego streak",
    "everything all every",
    "again",
    "figures surprised surprise",
    "than",
    "take",
    "why",
    "why",
    "occur occurred",
    "always constantly forever",
    "one",
    "every",
    "always all ever",
    "if",
    "real good decent normal proper",
    "guy villain problem fault blame",
)
_WHY_ALWAYS_ACCUSE: Final = _words(_listed("why_always_accuse"))
_WHY_BE_ACCUSE: Final = _words(_listed("why_be_accuse"))
_WHY_DONT_ACCUSE: Final = _words(_listed("why_dont_accuse"))


def _generalising() -> dict[str, Any]:
    """Words that make one moment into always or never."""
    return dict(
        always=_rule(
            ["you"],
            rf"\byou (?:(?:{_AUX}|{_ADV}) ){{0,3}}(?:almost )?(?P<adv>always|constantly|"
            r"continually|perpetually|forever|consistently|repeatedly|invariably|habitually|"
            r"endlessly|(?:keep|keeps|kept)(?: on)?(?= \w+ing\b))\b",
        ),
        all_the_time=_rule(
            [
                "you",
                "time day night weekend morning evening week again over seven 24 247 nonstop non",
            ],
            r"\byou\b(?P<pred>[^.,?]{0,80}?)\b(?:all the time|every (?:single )?(?:time|day|"
            r"night|weekend|morning|evening|week)|each time|again and again|over and over"
            r"(?: again)?|twenty four seven|24 ?7|day and night|non ?stop)\b",
        ),
        every_time_i=_rule(
            ["you", "every each whenever"],
            r"\b(?:every (?:single )?time|each time|whenever) (?:i|we)\b[^.?]*?\byou\b",
        ),
        again=_rule(
            ["you", "again"],
            rf"\byou (?:(?:{_ADV}|{_AUX}) ){{0,2}}(?P<pred>[^.,?]{{1,50}}?),? (?:yet |once )?again"
            r"\b",
        ),
        never=_rule(
            ["you"],
            rf"\byou (?:(?:{_AUX}|{_ADV}) ){{0,3}}(?P<adv>never ever|never once|never|"
            r"hardly ever|hardly|rarely|seldom|barely ever|barely|not once|no longer|"
            r"(?:do|did|will|would|can|could) not (?:ever|even once|once))\b",
        ),
    )


def _labels() -> dict[str, Any]:
    """Calling the person something instead of naming what happened."""
    lex = _lex()
    direct_names = {
        " ".join(g) for g in lex.names if len(g) <= 2 and " ".join(g) not in _DIRECT_NAME_CLASH
    }
    insult_adj = {" ".join(g) for g in lex.traits if len(g) == 1} | _words(
        _listed("insult_adjectives_extra")
    )
    return dict(
        you_cop=_rule(
            ["you"],
            r"\byou (?:are being|were being|are acting|were acting|have been being|are|were|"
            r"have been|had been|will be|would be|will always be|act|acted|acting|sound|sounded|"
            r"seem|seemed|look|looked|become|became|can be|could be|must be|being|so|very|such|"
            r"too|really|just|always)\b",
        ),
        direct_name=_rule(
            ["you"],
            rf"(?<!\bthank )(?<!\bto )\byou (?:{_alt(insult_adj)} ){{0,3}}{_alt(direct_names)}\b",
        ),
        such_a=_rule(["such what"], r"\b(?:such|what) an? (?P<rest>(?:\S+ ){0,3}\S+)"),
        so_trait=_rule(
            ["you", "so that this as"],
            r"\byou (?:would|could|did|do|will|can|would even|could even|actually) (?:\w+ ){0,2}"
            r"(?:something|anything|things|that|this|it|such a thing) (?:so|that|this|as) "
            r"(?P<adj>\w+(?: \w+)?)",
        ),
        imperative_label=_rule(
            ["be being act acting"], r"\b(?:do not|never|stop|quit) (?:being|be|acting|act)\b"
        ),
        treat_like=_rule(
            ["like if though"],
            r"(?:\byou (?:(?:always|just|really|constantly|still|keep|now) )?|\b(?:do not|stop|"
            r"quit|never) )(?:treat|treated|treats|"
            r"treating|act|acted|acts|acting|behave|behaved|behaving|talk to me|talked to me|"
            r"speak to me|spoke to me|look at me|looked at me|make it sound|made it sound) "
            r"(?:me )?(?:like|as if|as though)\b(?P<rest>[^.?]*)",
        ),
        all_you=_rule(
            ["you", "all"],
            r"\ball you (?:ever |really |seem to |ever really )?(?P<v>do|did|care about|cared "
            r"about|think about|thought about|want|wanted|talk about|talked about|say|said|worry "
            r"about|do is|care for)(?: (?:is|was|are|were))?\b(?P<rest>[^.?]*)",
        ),
    )


def _fault() -> dict[str, Any]:
    """Putting one's own feelings or the whole problem on the other."""
    lex = _lex()
    exp_verbs = set(lex.experiencer_verbs) | _words(_listed("experiencer_verbs_extra"))
    return dict(
        fault=_rule(
            [
                "fault blame responsible did caused started brought look on yourself problem "
                "cause doing"
            ],
            r"\byour (?:own )?fault\b|\b(?:i|we) (?:still |totally |completely |really |just )?"
            r"blame you\b|\byou are (?:the )?(?:only )?(?:one )?to blame\b|\byou are "
            r"responsible for (?:this|all|everything|the mess|what|how)\b|\byou did this\b"
            r"|\byou (?:caused|started) (?:this|that|it|all|all of this|all this)\b"
            r"|\byou brought (?:this|that|it|all this) on\b"
            r"|\byour (?:own )?doing\b|\b(?:is|was) (?:all )?(?:your|you are) doing (?:[.?]|$)"
            r"|\blook (?:at )?what you(?: have)? (?:did|done|made|caused)\b|\b(?:this|that|it|all"
            r" this|all of this|everything) (?:is|was) (?:all )?on you\b|\byou (?:only )?have "
            r"(?:only )?yourself to blame\b|\byou are the (?:problem|cause)\b",
        ),
        fault_polar=_rule(
            ["you", "because thanks reason one"],
            r"\bbecause of you\b|\bthanks to you\b|\byou are the (?:only )?reason\b|\byou are the"
            r" (?:only )?one (?:who|that)\b",
        ),
        make_me=_rule(
            ["you", "me"],
            rf"\byou (?:(?:{_AUX}|{_ADV}|keep|always|constantly|just|really|literally) ){{0,3}}"
            r"(?P<v>make|makes|made|making|drive|drives|drove|driving|get|gets|got|getting|leave|"
            r"leaves|left|leaving) me\b(?P<rest>[^.?]*)",
        ),
        experiencer_you=_rule(
            ["you", "me"], rf"\byou (?:(?:{_ADV}|have|had) ){{0,2}}{_alt(exp_verbs)} me\b"
        ),
        make_phrases=_rule(
            ["you"],
            r"\byou (?:(?:really|just|always|constantly|so) )?(?:piss|pissed|pisses|stress|"
            r"stressed|stresses) me (?:off|out)\b|\byou (?:really |always )?get on my nerves\b"
            r"|\byou (?:always |just )?(?:bring|brought|wear|wore) me (?:down|out)\b"
            r"|\byou (?:always |just |really )?(?:break|broke|breaking) my heart\b",
        ),
        make_worse=_rule(
            ["you", "make made makes making"],
            r"\byou (?:(?:always|just|only|really|have|had|constantly) ){0,2}(?:make|made|makes|"
            r"making) (?:everything|things|it|this|life|my life|our life|our lives|every day|it"
            r" all|this all|every conversation|everything we do) (?:so |even |much |a lot |way |"
            r"ten times )?(?:harder|worse|difficult|impossible|hard|miserable|hell|awful|"
            r"unbearable|complicated|about you|a nightmare|a living hell|so hard)\b",
        ),
        more_than_me=_rule(
            ["than"],
            r"\b(?:matters?|mean|means|is|are|was|were) more (?:important )?(?:to you )?than "
            r"(?:me|i do|i am|us|we do|we are|your family|your wife|your husband|the kids|our "
            r"family)\b|\bmore important (?:to you )?than (?:me|i am|us|your family|the kids)\b",
        ),
        feel_like_you=_rule(
            ["you", "feel feels felt feeling seems seemed sounds looks"],
            r"\b(?:i|it) (?:(?:really|just|still|sometimes|often|always|honestly|almost|kind of|"
            r"sort of|do|did|definitely|genuinely|truly) ){0,3}(?P<v>feel|feels|felt|am feeling|"
            r"was feeling|have felt|have been feeling|get the (?:feeling|sense|impression)|got "
            r"the (?:feeling|sense|impression)|have the (?:feeling|sense|impression)|seems|seemed"
            r"|sounds|looks)(?P<conn> like| that| as if| as though)?(?: that)? you\b"
            r"(?P<rest>[^.?]*)",
        ),
    )


def _questions() -> dict[str, Any]:
    """Questions that are accusations."""
    # Each rule carries the words it cannot match without, so a sentence only pays for the
    # handful of rules whose anchors it contains.
    questions: tuple[tuple[str, str], ...] = (
        ("how", r"\bhow (?:could|dare) you\b"),
        ("how", r"\bhow can you (?:be so|say that|do this|do that|even|not|treat|live with|lie|"
                r"sleep|act|look me|think|expect|just)\b"),
        ("how", r"\bhow (?:many times|often) (?:do|have|did|must|will|should) i\b"),
        ("how", r"\bhow (?:hard|difficult) (?:is|was|can|could) (?:it|that)\b"),
        ("is was", r"\b(?:is|was) (?:it|that) (?:really )?(?:so |too |that )(?:hard|much|"
                   r"difficult)\b"),
        ("kill", r"\bwould it kill you\b"),
        ("thinking", r"\bwhat were you thinking\b"),
        ("who", r"\bwho (?:does|would do|even does) that\b"),
        ("kind", r"\bwhat kind of (?:a )?(?:person|husband|wife|partner|man|woman|father|mother|"
                 r"dad|mom|mum|boyfriend|girlfriend|parent|friend|fiance|fiancee|human)\b"),
        ("even seriously honestly", r"\b(?:do|did|can|could|have|are|were|will|would|does) you "
                                    r"(?:even|ever even|seriously|honestly) \w+"),
        ("really", r"\b(?:do|did) you really (?:care|listen|think|expect|believe|mean|love|"
                   r"want me)\b"),
        ("ever", r"\bdo you ever (?:think|care) (?:about|of) (?:anyone|anybody|anything|someone|"
                 r"somebody) (?:but|besides|except|else|other than)\b"),
        ("ever", r"\bdo you ever (?:listen|stop|care|help|notice|bother|apologi[sz]e|think "
                 r"before|think about me|think about us|consider)\b"),
        ("how what", r"\b(?:do|did|have) you (?:ever |even |ever even |once )?(?:stop to |"
                     r"stopped to )?(?:think|thought|consider|considered|wonder|wondered|realise|"
                     r"realize|realised|realized) (?:about )?(?:how|what) (?:your|you|i|that|it|"
                     r"this)\b"),
        ("who", r"(?:^|[.?] )who (?:even |actually |seriously |honestly )?(?:forgets|ignores|"
                r"lies|cheats|treats|talks to|acts like|says that|leaves|abandons|humiliates|"
                r"embarrasses|does this|behaves like|speaks to)\b"),
        ("ever once even least", r"\b(?:can|could|will|would) you (?:not )?(?:ever (?!forgive)|"
                                 r"for once|just once|even|at least|maybe for once)\b"),
        ("can", r"\bcan not you (?:ever|even|just|for once|see|do anything|understand|get|think|"
                r"stop|leave|let|be)\b"),
        ("not", r"\bdo not you (?:ever|even|dare|care|think you|see|get it|understand|have any|"
                r"feel)\b"),
        ("once", r"\bhave you (?:ever )?(?:even )?once\b"),
        ("ever", r"\bhave you ever (?:once|even|stopped to think|thought about how|considered "
                 r"how)\b"),
        ("are", r"\bare you (?:even |seriously |actually |really )?(?:kidding|serious|insane|"
                r"crazy|stupid|deaf|blind|out of your mind|for real|joking|listening to "
                r"yourself)\b"),
        ("even", r"\bare you even\b"),
        ("did", r"\bdid you (?:seriously|really|honestly|even|just) (?:forget|lie|think|say|do|"
                r"not|cheat|ignore|leave)\b"),
        ("again", r"\bdid you (?:forget|lie|do it|do that|cheat|ignore me|leave) (?:\w+ )?"
                  r"again\b"),
        ("why", r"\bwhy is it (?:(?:always|never) (?:me|you|about)|so hard for you|me who|"
                r"always me)\b"),
        ("when", r"\bwhen (?:are|will) you (?:ever |finally )?(?:going to )?(?:grow up|learn|"
                 r"stop|change|get it|take responsibility|listen)\b"),
        ("have", r"\bdo you (?:always )?have to (?:be so|always|make|ruin|bring|start|do that|"
                 r"act|argue|fight|yell|shout|be like)\b"),
        ("can", r"\bcan you not (?:be|do|just)\b"),
        ("matter deal", r"\bwhat is (?:the )?(?:matter|deal) with you\b"),
        ("would", r"\bwould it (?:really )?(?:be|have been|kill you to be) (?:so|that|too) "
                  r"(?:hard|difficult|much)\b"),
        ("who", r"\bwho (?:even )?are you (?:even |anymore|now|kidding)"),
        ("what", r"\bwhat is it with you\b"),
    )  # fmt: skip
    return dict(
        questions=_gated(questions),
        why_q=_rule(
            ["why come"],
            r"\b(?:why|how come) (?:(?P<aux>do|does|did|would|will|can|could|are|were|is|have|"
            r"has|must|should)(?P<neg> not)? )?you (?P<rest>[^.?]*)",
        ),
    )


def _accusations() -> dict[str, Any]:
    """Accusing, demanding, complaining and contempt."""
    lex = _lex()
    accuse_alt = _alt(lex.accuse_verbs)
    contempt_grammar: tuple[tuple[str, str], ...] = (
        ("typical", r"(?:^|[.?,] )(?:oh |so |how |just |that is |that is so |oh so |so so )?"
                    r"typical\b"),
        ("whatever", r"(?:^|[.?,] )whatever (?:[.,?]|$)|(?:^|[.?,] )whatever you say\b"),
        ("pfft pff tsk seriously", r"(?:^|[.?] )(?:pfft|pff|tsk|seriously) (?:[.,?]|$)"),
        ("eyeroll facepalm smh figures", r"\beyeroll\b|\bfacepalm\b|\bsmh\b|\bthat figures\b"),
    )  # fmt: skip
    return dict(
        accuse=_rule(
            ["you"],
            r"\byou (?:(?:have|had|just|really|totally|completely|literally|actually|basically|"
            r"also|then|now|clearly|obviously|seriously|still|did|always|constantly|even|keep|"
            rf"kept|would|will|could|went and|have been) ){{0,3}}{accuse_alt}(?![\w'])"
            r"|\byou (?:are|were|have been|keep|kept|are always|are just|are constantly|are "
            rf"slowly) (?:(?:always|constantly|just|really|slowly) )?{_alt(lex.accuse_ing)}"
            r"(?![\w'])",
        ),
        cant_believe=_rule(
            ["believe"], r"\bi (?:still )?(?:can|could) not believe you\b(?P<rest>[^.?]*)"
        ),
        dont=_rule(
            ["you"],
            r"\byou (?:(?:really|just|clearly|obviously|honestly|simply|literally) )*(?:do not|"
            r"does not|did not even|did not bother to|did not bother|never even|not|would not "
            r"even|will not even|can not even|could not even)(?: even| ever| really| actually|"
            r" just| seem to| bother to| want to| care to| even try to| try to)* "
            rf"(?:never )?{_alt(lex.dont_verbs)}(?![\w'])",
        ),
        not_trying=_rule(
            ["you", "not"],
            r"\byou are not (?:even |really |actually |ever )?(?:listening|trying|helping|hearing"
            r" me|making an effort|paying attention|there for me|taking this seriously|being "
            r"honest|being fair|interested|present|here for me|making any effort|even trying|"
            r"doing anything|doing your part|pulling your weight|caring|thinking about me|"
            r"thinking about us|there|here|home)\b",
        ),
        have_no=_rule(
            ["you", "no zero nothing"],
            r"\byou (?:clearly |obviously |just |really )?have (?:no|zero) (?:respect|idea|clue|"
            r"consideration|empathy|shame|heart|right|interest|time for me|regard|decency|"
            r"backbone|spine|sense|boundaries|integrity|self control|manners)\b(?P<rest>[^.?]*)"
            r"|\byou (?:(?:just|really|literally|basically) )?(?:do|did) (?:absolutely )?nothing "
            r"(?:but|around|to help|all day|for me|for us|for this family)\b(?P<rest2>)",
        ),
        mind=_rule(
            ["you"],
            r"\byou (?:(?:really|just|clearly|obviously|honestly) )?(?:only (?:ever )?(?:care|"
            r"think|call|text|want|show up|talk|remember|notice|help|come|reach out|apologi[sz]e"
            r"|say)|just want|only want|think you are|think you know|think you can|think i am "
            r"(?:stupid|an idiot|blind|dumb|your|a fool|an idiot)|want me to (?:suffer|feel bad"
            r"|fail|beg|look|leave|give up|feel guilty|feel stupid)|(?:do|did) (?:it|this|that)"
            r" on purpose|are doing (?:this|it|that) on purpose|(?:enjoy|like|love) (?:hurting|"
            r"making me|seeing me|watching me|upsetting|humiliating)|could not care less|are "
            r"only (?:sorry|nice|apologi[sz]ing|saying that|here) because|are just (?:saying "
            r"that|sorry because|trying to|pretending)|care more about|love (?:your phone|work|"
            r"your friends|your job|your mother|your games) more|would rather|do not deserve|"
            r"never (?:really )?(?:loved|cared|wanted))\b",
        ),
        should=_rule(
            ["you", "should ought need have better must could least"],
            r"\byou (?:should have|should not have|ought to have|ought to|should be ashamed|"
            r"should know better|should have known|(?:really |seriously )?need to (?:grow up|stop|"
            r"change|learn|start|fix|man up|calm down|take responsibility|apologi[sz]e|admit|"
            r"accept|realise|realize|open your eyes|sort out|figure out|work on yourself|get "
            r"help|get your act|get over|toughen up|chill|relax|get a grip|get it together|"
            r"listen for once|think before)|have to (?:stop|change|grow up|learn)|(?:had |would )?"
            r"better (?:stop|not|start|change|listen)|must (?:stop|change|learn)|could (?:have )?"
            r"at least|could have (?:called|texted|told|asked|said|warned|let me know|"
            r"mentioned))\b(?! (?:seen|been there|heard|tasted|come|gotten))"
            r"|\bthe least you could do\b",
        ),
        too_much=_rule(
            ["you", "too"],
            r"\byou (?:(?:always|just|really|clearly) )?(?P<verb>\w+)(?: \w+){0,2}? (?:way |far |"
            r"just |so |a bit |a little )?too (?:much|often|little|many|long|fast|seriously)\b",
        ),
        your_neg=_rule(
            ["your"],
            r"\byour (?:(?:own|constant|stupid|endless|little|damn|fucking|pathetic|so called|"
            r"lame|sorry|same|usual|typical|ridiculous|childish|selfish|lazy|fake|crappy|"
            r"never ending|sarcasmquote|stupid little|bloody) )*"
            rf"{_alt(lex.your_negative)}(?![\w'])",
        ),
        complaint=_rule(
            [
                "hate despise stand take deal sick tired fed done over exhausted bored "
                "disappointed ashamed embarrassed disgusted had"
            ],
            r"\bi (?:(?:really|just|honestly|so|absolutely|seriously) )?(?:hate|despise|can not"
            r" stand|could not stand|can not take|can not deal with) (?:it )?(?:when|how|that|"
            r"the way|whenever) you\b|\bi (?:really |just |honestly )?(?:can not stand|hate|"
            r"despise) you\b|\bi am (?:(?:so|really|just|honestly|very|getting|fucking|"
            r"completely|totally) )*(?:sick|tired|fed up|done|sick and tired|over|exhausted|"
            r"bored) (?:of|with) (?:you|your|how you|the way you|it when you|always|hearing "
            r"your|you always|you never|being your|cleaning up after you|waiting for you|"
            r"your excuses)\b|\bi am (?:(?:so|really|very|just|deeply|truly|honestly) )*"
            r"(?:disappointed|ashamed|embarrassed|disgusted) (?:in|of|by) you\b|\bi have had "
            r"(?:enough|it) (?:of|with) (?:you|your)\b",
        ),
        phrases=_PhraseBank.build(
            {
                "sarcasm": lex.sarcasm,
                "praise": lex.praise,
                "events": lex.events,
                "tags": lex.tags,
                "contempt": lex.contempt,
                "passive": lex.passive,
            }
        ),
        scare_quote=re.compile(
            r"\b(?:your|so called|like you were|you call|you were|you are|the) sarcasmquote\b"
        ),
        contempt_grammar=_gated(contempt_grammar),
        stop_ing=_rule(
            ["stop quit"],
            r"(?:^|[.?,] |\bjust |\boh )(?:stop|quit) (?P<v>\w+ing)\b(?P<rest>[^.?]*)",
        ),
    )


def _owning() -> dict[str, Any]:
    """What an honest I-statement has: needs, what matters, a when, an apology, softeners."""
    lex = _lex()
    return dict(
        need=_rule(
            ["need needed needing"],
            r"\b(?:i|i just|i really|i still|i also|i honestly|i truly|i think i|i do) "
            r"(?:(?:really|just|still|also|honestly|truly|really really|desperately|badly) )*"
            r"(?:need|needed|am needing|have been needing)\b (?P<rest>[^.?]*)",
        ),
        need_phrases=_rule(
            ["need needed value asking like love appreciate want wish hope"],
            r"\bwhat i (?:really |most |truly )?(?:need|needed)\b|\bi (?:(?:really|deeply|also|"
            r"truly|just) )*value\b|\bi am (?:just )?asking (?:for|you to)\b|\ball i am asking\b"
            r"|\bi would (?:really |just |so )?(?:like|love|appreciate) (?:it )?(?:if (?:we|you)|"
            r"for us to|us to|you to|more|some)\b|\bi want (?:us )?to (?:feel|trust|rebuild|"
            r"be able|heal|be honest|be close|understand|know|be heard|work on|make it right|"
            r"get through|reconnect|be closer)\b|\bi want (?:more|some) \w+"
            r"|\bi (?:really |just )?(?:wish|hope) (?:we|i) (?:could|can) (?:feel|trust|talk|"
            r"be closer|reconnect|be honest)\b",
        ),
        matters=_rule(
            ["me"],
            r"(?<!\byou )\b(?:it|this|that|what|honesty|trust|connection|openness|respect|"
            r"transparency|time|closeness|kindness|(?!you\b)\w+) (?:(?:really|so|very|just|also|"
            r"truly|would|will|does|has|always) )*(?:is|matters|matter|means|mean|meant|was) "
            r"(?:(?:really|so|very|a lot|so much|the world|everything|a great deal|important|"
            r"deeply|truly|incredibly) )*to me\b|(?<!\byou )\b(?:is|was) (?:really |so |very |"
            r"incredibly |deeply )?important (?:to|for) me\b|\bfor me , (?:\w+ ){1,3}(?:is|are|"
            r"matters) (?:\w+ )?(?:important|everything|what matters)\b",
        ),
        because_need=_rule(
            ["because since as cause"],
            r"\b(?:because|since|as|cause) (?:i (?:(?:really|just|also|deeply|truly|still) )*"
            r"(?:need|value|want to feel|want us|care about|would like)|(?:it|this|that|\w+) "
            r"(?:(?:really|so|very|just) )*(?:is|matters|means) (?:\w+ )*to me|"
            rf"{_alt(lex.values)} (?:is|are|matters|matter|means|really matters))\b",
        ),
        when=_rule(
            ["when whenever after every each moment day"],
            r"\b(?:when|whenever|after|every time|each time|the moment|the day|last night when)"
            r" (?!(?:is|are|will|do|does|can|would|should|did)\b)\w+",
        ),
        apology=_rule(
            ["sorry apologise apologize fault wrong forgive bad"],
            r"\b(?:i am|i was|i feel|i) (?:(?:so|really|truly|very|deeply|just) )*sorry\b"
            r"|\bi apologi[sz]e\b|\b(?:it is|that is|that was|it was|this is|all) my fault\b"
            r"|\bi was wrong\b|\bforgive me\b|\bmy bad\b",
        ),
        softeners=_PhraseIndex.build(lex.softeners),
        disclosure=_rule(
            ["i"],
            r"\bi am (?:(?:really|so|just|still|honestly|kind of|truly|genuinely|also) )*"
            r"(?:struggling|having (?:such |a )?(?:(?:really|very|so|pretty) )?(?:hard|rough|"
            r"tough|difficult) time|not (?:okay|ok|alright|doing (?:well|great|okay|ok))|finding"
            r" (?:it|this|things) (?:really |so |very )?(?:hard|difficult)|falling apart|barely "
            r"holding|at my limit|at breaking point|running on empty|not coping|in a (?:bad|dark|"
            r"rough) place|processing|trying to process|not ready)\b"
            r"|\bi (?:\w+ )?feel like i am (?:not (?:enough|good enough|important|a priority|"
            r"wanted|seen|heard)|failing|losing|drowning|walking on eggshells|invisible|alone|the "
            r"only one|on my own|carrying|falling|a burden|an afterthought|last)"
            r"|\bi (?:can not|could not|do not know how to) (?:stop thinking|sleep|breathe|focus|"
            r"trust|cope|switch off|let it go|move past)"
            r"|\b(?:it|this|that) is (?:really |so |very )?(?:hard|difficult) for me\b"
            r"|\bi (?:find|found) it (?:really |so |very )?(?:hard|difficult) to\b",
        ),
    )


def _extras() -> dict[str, Any]:
    """Late additions, each with the signal it reports."""
    extra = tuple(
        (_words(anchor), re.compile(pattern), signal)
        for anchor, (pattern, signal) in zip(_EXTRA_ANCHORS, (
            (r"\b(?:nobody|no one|noone|who) (?:else )?(?:could|would|can|will|could ever"
             r"|would ever) (?:\w+ )?(?:live with|stand|put up with|love|want|deal with|"
             r"handle) you\b", "contempt"),
            (r"\byou have (?:a|an|some|serious|real|such a|a real|a serious|a big) (?:\w+ )?"
             r"(?:problem|issue|issues|attitude|temper|ego|mean streak)\b", "you_are_trait"),
            (r"\byou (?:(?:always|just) )?(?:leave|left|make|made|let) me (?:to )?(?:do|handle|"
             r"deal with|clean|carry|sort out|organi[sz]e|pay for) (?:everything|it all|all the|"
             r"all of it|every)\b", "you_always"),
            (r"(?:^|[.?] )(?:and |yet |once |so )?again (?:[.?]|$)", "again_tag"),
            (r"(?P<weak>(?:^|[.?,] )(?:that |it )?figures\b|\bwhy am i not surprised\b|\bno "
             r"surprise there\b|\bnot surprised\b)", "contempt"),
            (r"\bmore (?:important|interesting|fun|exciting|valuable|worth it|attractive) "
             r"(?:to you )?than (?:me|us|i am|i do|your family|the kids|our family|we are)\b",
             "passive_aggressive"),
            (r"\bwhat (?:is|will) it (?:going to )?take (?:for you|to make you|to get you)\b",
             "accusing_question"),
            (r"\bwhy (?:do|must|should|does) (?:i|it) (?:always |constantly |even |ever )?"
             r"(?:have to|need to|got to|gotta|keep|fall on me)\b", "accusing_question"),
            (r"\bwhy is (?:everything|it always|it never|it so hard for you|nothing)\b"
             r"(?P<you>)", "accusing_question"),
            (r"\b(?:did|has|does) it (?:ever |even |ever even )?(?:occur|occurred) to you\b",
             "accusing_question"),
            (r"\bi (?:always|constantly|forever) (?:have to|need to|got to|gotta|get "
             r"stuck|am stuck)\b(?P<rest>[^.?]*)\byou\b", "you_always"),
            (r"\bi am (?:always |the only one |always the only one )(?:the one )?(?:who|that) "
             r"(?:always |has to |have to |ever |actually |even )?(?:apologi[sz]|clean|plan|"
             r"gives? in|reach|initiat|compromis|pay|sort|fix|makes? the effort|tr[yi]|cares?|"
             r"remember|does|do everything|says? sorry|makes? up|calls?|texts?|picks? up|"
             r"deals? with|handles?|cooks?|worr|puts? in|gives?|bends?|backs? down)"
             r"|\bi (?:always )?have to be the one\b", "passive_aggressive"),
            (r"\bevery (?:single )?(?:conversation|argument|discussion|day|night|time|"
             r"weekend|holiday|trip|dinner|talk) (?:with you|you)\b(?P<neg>[^.?]*)",
             "you_always"),
            (r"\b(?:it|everything|this) is (?:always |all |only ever |always just )(?:about"
             r" )?(?:you|what you|your)\b", "you_always"),
            (r"\bif you (?:actually|really|truly|even|genuinely|ever) (?:cared|loved|respected|"
             r"wanted|listened|valued|gave a)\b", "mind_reading"),
            (r"\b(?:a real|a good|a decent|a normal|any normal|any decent|any good|any real|a "
             r"proper|most normal|normal|real|decent) (?:partner|husband|wife|person|man|"
             r"woman|boyfriend|girlfriend|people|father|mother|dad|mom|mum|adult|couple)s? "
             r"(?:would|would not|would have|does|does not|do not|knows|know|actually|"
             r"at least)\b", "contempt"),
            (r"\bso (?:now )?(?:i am|it is) (?:the bad guy|the villain|the problem|my fault|"
             r"all my fault|to blame)\b", "passive_aggressive"),
        ), strict=True)
    )  # fmt: skip
    return dict(
        extra_blame=extra,
    )


@cache
def _rules() -> _Rules:
    """Every rule of the blame check, built once; each theme is a function of its own."""
    return _Rules(
        **_generalising(),
        **_labels(),
        **_fault(),
        **_questions(),
        **_accusations(),
        **_owning(),
        **_extras(),
    )


# --------------------------------------------------------------------------------------
# Detectors
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Doc:
    text: str
    tokens: list[str]
    tokset: frozenset[str] = frozenset()
    ctoks: list[str] = field(default_factory=list)
    owned_feeling: bool = False
    any_feeling: bool = False


def _emotion_at(tokens: Sequence[str], j: int, lex: _Lex, felt: bool) -> tuple[int, bool]:
    """(length, is_positive) of an emotion starting at ``j`` given the verb seen."""
    n = _gram_at(tokens, j, lex.neg_emotions)
    if n:
        return n, False
    n = _gram_at(tokens, j, lex.pos_emotions)
    if n:
        return n, True
    if felt:
        n = _gram_at(tokens, j, lex.feel_neg)
        if n:
            return n, False
        n = _gram_at(tokens, j, lex.feel_pos)
        if n:
            return n, True
    return 0, False


# "You drive me crazy" vs "you drive me to work".
_DRIVE_ME: Final = _words(_listed("drive_me"))
_DRIVE_ME_TO: Final = _words(_listed("drive_me_to"))
# "You don't care/love/respect" judges the partner's heart even inside a when-clause.
_ATTITUDE_VERBS: Final = _words(_listed("attitude_verbs"))
# "Stop worrying" is care, not contempt.
_CARING_STOPS: Final = _words(_listed("caring_stops"))
_OBJECTS: Final = _words(_listed("objects"))
_FIRST_PERSON: Final = frozenset({"i", "we"})
_CAUSATIVES: Final = _words(_listed("causatives"))
_POLITE_AFRAID: Final = re.compile(
    r"^(?:that )?(?:i|we) (?:can not|could not|will not|have to|need to|must|do not|am not|"
    r"might not|may not|would not)|^(?:so|not)\b"
)


def _walk_feeling(doc: _Doc, start: int, lex: _Lex) -> tuple[bool, bool] | None:
    """From just after an experiencer, find an emotion: (counts, negated) or None."""
    toks = doc.tokens
    felt = False
    negated = False
    verb_seen = False
    j = start
    limit = min(len(toks), start + 8)
    while j < limit:
        tok = toks[j]
        if tok in _PUNCT:
            return None
        n, positive = _emotion_at(toks, j, lex, felt)
        if n:
            if not verb_seen and j + n < len(toks) and toks[j + n] in _OBJECTS:
                return None  # "I hurt you" is an action, not a feeling
            if toks[j] == "afraid" and _POLITE_AFRAID.match(" ".join(toks[j + 1 : j + 5])):
                return None  # "I'm afraid I can't make it" is politeness
            counts = (not negated) or positive
            return counts, negated
        if _gram_at(toks, j, lex.emotion_verbs) and (verb_seen or j == start):
            if toks[j] == "hurt" and j + 1 < len(toks) and toks[j + 1] in _OBJECTS:
                return None
            return (not negated), negated
        if tok in _NEGATORS:
            negated = True
        elif tok in _FEEL_VERBS:
            felt = verb_seen = True
        elif tok in _FILLERS_FEEL:
            if tok in {"am", "was", "were", "are", "is", "been", "be", "get", "got", "become"}:
                verb_seen = True
        elif verb_seen and j + 1 < limit and toks[j + 1] == "and":
            j += 1  # "I'm tired and sad": skip a non-emotion adjective in a list
        else:
            return None
        j += 1
    return None


def _detect_feeling(doc: _Doc, lex: _Lex) -> None:
    toks = doc.tokens
    for i, tok in enumerate(toks):
        owned: bool | None = None
        start = i + 1
        if tok in _FIRST_PERSON or (
            tok == "me" and i > 0 and toks[i - 1] == "of" and i > 1 and toks[i - 2] == "part"
        ):
            owned = True
        elif tok in {"feeling", "felt", "feel"} and (
            i == 0 or toks[i - 1] in _PUNCT or toks[i - 1] in {"and", "but", "so", "just", "still"}
        ):
            owned, start = True, i  # subject dropped: "Feeling lonely tonight."
        elif tok == "me" and i > 0:
            k = i - 1
            if toks[k] in {"feel", "feeling"} and k > 0:
                k -= 1  # "made me feel"
            if toks[k] in _CAUSATIVES:
                c = k - 1
                while c >= 0 and toks[c] in _FILLERS_MAKE | {"are", "is", "was", "keep", "do"}:
                    c -= 1
                owned = not (c >= 0 and toks[c] == "you")
        if owned is None:
            continue
        found = _walk_feeling(doc, start, lex)
        if found and found[0]:
            doc.any_feeling = True
            doc.owned_feeling = doc.owned_feeling or owned
    text = doc.text
    # "<something> hurt me", "it scares me", "that stung" — the speaker is the experiencer.
    for i, tok in enumerate(toks):
        if tok != "me" or i == 0 or toks[i - 1] not in lex.experiencer_verbs:
            continue
        k = i - 2
        while k >= 0 and toks[k] in _EXPERIENCER_ADVERBS:
            k -= 1
        if k >= 0 and toks[k] in {"to", "not", "never", "would", "could", "might", "will"}:
            continue
        if not (k >= 0 and toks[k] == "you"):
            doc.owned_feeling = doc.any_feeling = True
    ts = doc.tokset
    if (not _HURT_WORDS.isdisjoint(ts) and _HURTS_RE.search(text)) or (
        not _HEART_WORDS.isdisjoint(ts) and _HEART_RE.search(text)
    ):
        if not _YOU_BROKE_HEART_RE.search(text):
            doc.owned_feeling = True
        doc.any_feeling = True
    for i, tok in enumerate(toks):
        if tok in {"my", "our"} and any(
            _gram_at(toks, k, lex.emotion_nouns) and toks[k] != "heart"
            for k in (i + 1, i + 2)
            if k < len(toks) and toks[k] not in _PUNCT
        ):
            doc.owned_feeling = doc.any_feeling = True
    for m in _I_HAVE_NOUN_RE.finditer(text) if "i" in ts else ():
        if (m.group("n"),) in lex.emotion_nouns and m.group("n") != "heart":
            doc.owned_feeling = doc.any_feeling = True
    for m in _IT_WAS_RE.finditer(text) if not _IT_WORDS.isdisjoint(ts) else ():
        rest = m.group("rest").split()
        if _gram_at(rest, 0, lex.experience_adjectives) and (
            "for me" in m.group("rest") or rest[0] in _SELF_EVIDENT_EXPERIENCES
        ):
            doc.owned_feeling = doc.any_feeling = True


_EXPERIENCER_ADVERBS: Final = _words(_listed("experiencer_adverbs"))
# Adjectives that name the speaker's experience even without "for me" ("it was so painful").
_SELF_EVIDENT_EXPERIENCES: Final = _words(_listed("self_evident_experiences"))
_HURT_WORDS: Final = _words(_listed("hurt_words"))
_HEART_WORDS: Final = _words(_listed("heart_words"))
_IT_WORDS: Final = _words(_listed("it_words"))
_HURTS_RE: Final = re.compile(
    r"(?<!\bwhen )(?<!\bif )\b(?:it|that|this|which|comment|words|what you said|silence) "
    r"(?:(?:really|still|"
    r"just|kind of|actually|honestly|so|truly|deeply) )*(?:hurt|hurts|stung|stings)\b"
    r"(?! (?:you|him|her|them))"
)
_HEART_RE: Final = re.compile(
    r"\b(?:breaks|broke|is breaking) my heart\b|\bmy heart (?:(?:really |still |just )?"
    r"(?:hurts|aches|sank|sinks|breaks|is breaking|is aching|dropped)\b|(?:is|was|feels|"
    r"has been) (?:\w+ )?(?:broken|breaking|aching|heavy|hurting|in pieces)\b)|\bi am (?:in|at) "
    r"(?:pain|panic)\b|\bi am full of (?:anger|fear|rage|shame|guilt|sadness|worry|"
    r"anxiety|regret|hurt|pain)\b"
)
_YOU_BROKE_HEART_RE: Final = re.compile(
    r"\byou (?:(?:really|just|always) )?(?:broke|break) my heart\b"
)
_I_HAVE_NOUN_RE: Final = re.compile(
    r"\bi (?:have|had|feel|felt|carry|am carrying|have been carrying|am under) (?:so much |"
    r"a lot of |such |this |some |real |a |so many |much |too much |constant |so |a lot "
    r"of |way too much )?(?P<n>\w+)\b"
)
_IT_WAS_RE: Final = re.compile(
    r"\b(?:it|that|this) (?:(?:was|is|has been|had been|felt|feels|will be|would be) )"
    r"(?:(?:so|really|very|incredibly|extremely|deeply|just|quite|pretty) )*(?P<rest>\w+"
    r"(?: \w+){0,2})"
)
_EVERY_SINGLE_TIME_RE: Final = re.compile(r"\bevery single time\b")
_ARE_YOU_RE: Final = re.compile(r"\b(?:are|were) you\b")


def _detect_generalising(doc: _Doc, r: _Rules, lex: _Lex, found: set[str]) -> None:
    text, toks = doc.text, doc.tokens
    for m in r.always.finditer(doc):
        idx = _tok_index(text, m.start())
        if not _you_is_subject(toks, idx):
            continue
        adv_idx = _tok_index(text, m.start("adv"))
        if adv_idx > 0 and toks[adv_idx - 1] == "not":
            continue
        pred = _clause_after(toks, adv_idx + 1)
        prefix = _clause_prefix(toks, idx)
        if _is_positive(pred, lex):
            continue
        if (
            any(w in prefix for w in ("love", "like", "adore", "appreciate", "admire"))
            and not (_polarity(pred, lex)[1])
        ):
            continue
        if idx > 0 and toks[idx - 1] in {"do", "did", "are", "were", "will", "can", "does"}:
            s, _e = _sentence(toks, idx)
            if not {"why", "how"} & set(toks[s:idx]) and not (
                "have to" in " ".join(pred) or _polarity(pred, lex)[1]
            ):
                continue
        found.add("you_always")
    for m in r.all_the_time.finditer(doc):
        idx = _tok_index(text, m.start())
        if not _you_is_subject(toks, idx):
            continue
        pred = m.group("pred").split()
        prefix = _clause_prefix(toks, idx)
        if _is_positive(pred, lex) or (prefix and prefix[-1] in {"when", "whenever", "if"}):
            continue
        found.add("you_always")
    for m in r.every_time_i.finditer(doc):
        you_idx = _tok_index(text, m.end() - 3)
        if _you_is_subject(toks, you_idx) and not _is_positive(_clause_after(toks, you_idx), lex):
            found.add("you_always")
    if "you" in toks and _EVERY_SINGLE_TIME_RE.search(text):
        found.add("you_always")
    for m in r.again.finditer(doc):
        idx = _tok_index(text, m.start())
        if not _you_is_subject(toks, idx):
            continue
        prev = toks[idx - 1] if idx > 0 else ""
        if prev in {"can", "could", "would", "will", "please", "do", "when", "if", "to", "see",
                    "that", "whenever", "once", "after"}:  # fmt: skip
            continue
        s, e = _sentence(toks, idx)
        if e < len(toks) and toks[e] == "?" and "why" not in toks[s:idx]:
            continue
        pred = m.group("pred").split()
        if _is_positive(pred, lex) or pred[:1] in (["miss"], ["love"], ["come"], ["call"]):
            continue
        found.add("you_always")
    for m in r.never.finditer(doc):
        idx = _tok_index(text, m.start())
        if not _you_is_subject(toks, idx):
            continue
        adv_end = _tok_index(text, m.end("adv") - 1) + 1
        head = _clause_after(toks, adv_end, limit=4)
        if head[:1] == ["stop"]:
            if not _polarity(_clause_after(toks, adv_end + 1), lex)[1]:
                continue  # "you never stop surprising me"
        elif any(_gram_at(head, k, lex.never_positive) for k in range(min(2, len(head)))):
            continue
        if head and (
            _gram_at(head, 0, lex.traits)
            or _gram_at(head, 0, lex.neg_emotions)
            or (len(head) > 1 and head[0] in {"be", "been", "feel", "make"} and (
                _gram_at(head, 1, lex.neg_emotions) or _gram_at(head, 1, lex.feel_neg)
                or _gram_at(head, 1, lex.traits) or head[1] == "alone"
                or (len(head) > 2 and _gram_at(head, 2, lex.neg_emotions | lex.feel_neg))
            ))
        ):  # fmt: skip
            continue
        found.add("you_never")


def _trait_walk(toks: Sequence[str], j: int, lex: _Lex) -> str | None:
    """From just after "you are", name the negative label that follows, if any.

    Returns "name_calling" for an insulting noun ("a liar"), "you_are_trait" for a trait
    ("so selfish", "too needy"), else None.
    """
    saw_too = False
    end = min(len(toks), j + 7)
    while j < end:
        tok = toks[j]
        if tok in _PUNCT or tok in _NEGATORS:
            return None
        if (
            saw_too
            and _gram_at(toks, j, lex.too_targets)
            and not (tok == "hard" or _gram_at(toks, j, lex.pos_terms))
        ):
            return "you_are_trait"
        if _gram_at(toks, j, lex.traits):
            return "you_are_trait"
        if _gram_at(toks, j, lex.names):
            return "name_calling"  # "such a good liar" still counts
        if tok == "too":
            saw_too = True
        if tok not in _FILLERS_TRAIT and tok not in _WALK_EXTRA_FILLERS:
            return None
        j += 1
    return None


_WALK_EXTRA_FILLERS: Final = _words(_listed("walk_extra_fillers"))


def _detect_labels(doc: _Doc, r: _Rules, lex: _Lex, found: set[str]) -> None:
    text, toks = doc.text, doc.tokens
    for m in r.you_cop.finditer(doc):
        idx = _tok_index(text, m.start())
        if not _you_is_subject(toks, idx):
            continue
        prefix = _clause_prefix(toks, idx)
        if "if" in prefix or "unless" in prefix or _negated_before(toks, idx):
            continue
        if prefix[-2:] == ["do", "not"] or prefix[-1:] == ["not"]:
            continue
        label = _trait_walk(toks, text.count(" ", 0, m.end()) + 1, lex)
        if label:
            found.add(label)
            break
    for m in r.direct_name.finditer(doc):
        if not _negated_before(toks, _tok_index(text, m.start())):
            found.add("name_calling")
    has_you = bool({"you", "your", "yourself"} & set(toks))
    for m in r.such_a.finditer(doc):
        idx = _tok_index(text, m.start())
        s, e = _sentence(toks, idx)
        rest = toks[idx + 2 : min(e, idx + 6)]
        short = e - s <= 6
        hit = False
        for k in range(len(rest)):
            if rest[k] in _PUNCT:
                break
            if (
                _gram_at(rest, k, lex.names) and (rest[k] not in _DIRECT_NAME_CLASH or has_you)
            ) or _gram_at(rest, k, lex.traits):
                hit = True
                break
        if hit and (has_you or short or toks[s] == "what") and not _negated_before(toks, idx):
            found.add("name_calling")
    # One-word verdicts: "Liar." / "Pathetic."
    start = 0
    for i, tok in enumerate([*toks, "."]):
        if tok in {".", "?"}:
            words = [w for w in toks[start:i] if w not in _PUNCT]
            if 1 <= len(words) <= 2 and words[-1] not in _DIRECT_NAME_CLASH and (
                _gram_at(words, len(words) - 1, lex.names)
                or (len(words) == 1 and _gram_at(words, 0, lex.traits) and words[0] != "bad")
            ):  # fmt: skip
                found.add("name_calling")
            start = i + 1


def _detect_fault(doc: _Doc, r: _Rules, lex: _Lex, found: set[str]) -> None:
    text, toks = doc.text, doc.tokens
    for m in r.fault.finditer(doc):
        idx = _tok_index(text, m.start())
        if not _negated_before(toks, idx, window=6):
            found.add("your_fault")
    for m in r.fault_polar.finditer(doc):
        idx = _tok_index(text, m.start())
        s, e = _sentence(toks, idx)
        rest = _clause_after(toks, _tok_index(text, m.end()), limit=12)
        scope = toks[s:e] if "because" in m.group(0) or "thanks" in m.group(0) else rest
        if not _is_positive(scope, lex):
            found.add("your_fault")


def _detect_make_me(doc: _Doc, r: _Rules, lex: _Lex, found: set[str]) -> None:
    text, toks = doc.text, doc.tokens
    for m in r.make_me.finditer(doc):
        idx = _tok_index(text, m.start())
        if not _you_is_subject(toks, idx) or _negated_before(toks, idx):
            continue
        v = m.group("v")
        rest = m.group("rest").split()
        if v.startswith(("driv", "drov")) and (
            (rest[:1] and rest[0] in _DRIVE_ME)
            or (rest[:2] and rest[0] == "to" and rest[1] in _DRIVE_ME_TO)
        ):
            found.add("you_make_me")
            continue
        saw_feel = False
        k = 0
        while k < len(rest) and rest[k] in _FILLERS_MAKE:
            saw_feel = saw_feel or rest[k] in {"feel", "feeling"}
            k += 1
        if _is_positive(rest, lex) or (k < len(rest) and rest[k] in _MAKE_POSITIVE):
            continue
        n, positive = _emotion_at(rest, k, lex, True)
        if n and positive:
            continue
        bad = (
            n > 0
            or _gram_at(rest, k, lex.make_me_bad) > 0
            or _gram_at(rest, k, lex.traits) > 0
            or (saw_feel and v.startswith("ma"))
        )
        if v.startswith("ma") and not bad and k == 0 and rest[:1] and rest[0] in {"feel"}:
            bad = True
        if v.startswith("ge") and not n:
            bad = False
        if bad:
            found.add("you_make_me")
    for rule in (r.experiencer_you, r.make_phrases):
        for m in rule.finditer(doc):
            idx = _tok_index(text, m.start())
            if _you_is_subject(toks, idx) and not _negated_before(toks, idx):
                found.add("you_make_me")


def _detect_questions(doc: _Doc, r: _Rules, found: set[str]) -> None:
    text = doc.text
    if _gated_search(r.questions, text, doc.tokset):
        found.add("accusing_question")
        return
    for m in r.why_q.finditer(doc):
        aux, neg = m.group("aux"), m.group("neg")
        rest = m.group("rest").split()
        head = set(rest[:4])
        if aux in {"would", "could", "must"}:
            hit = not (aux == "would" and rest[:1] == ["like"])
        elif neg:
            if aux in {"do", "does"}:
                softened = r.softeners.any(rest)
                hit = bool(head & _WHY_DONT_ACCUSE) and not softened
            else:
                hit = True
        elif aux in {"do", "does", "did", None}:
            hit = bool(head & _WHY_ALWAYS_ACCUSE) or bool(head & _WHY_BE_ACCUSE)
        elif aux in {"are", "were", "is"}:
            hit = bool(rest[:1]) and rest[0] in _WHY_BE_ACCUSE
        elif aux in {"have", "has"}:
            hit = bool(head & {"never", "not", "always", "been", "stopped", "lied"})
        else:
            hit = False
        if hit:
            found.add("accusing_question")
            return


def _detect_feel_like(doc: _Doc, r: _Rules, lex: _Lex, found: set[str]) -> None:
    for m in r.feel_like_you.finditer(doc):
        rest = m.group("rest").split()
        if not rest or rest[0] in _PUNCT:
            continue
        pos, neg = _polarity(rest, lex)
        verb = m.group("v")
        if verb in {"seems", "seemed", "sounds", "looks"}:
            if neg and not pos:
                found.add("feel_like_you")
            continue
        if not m.group("conn") and rest[0] not in {
            "do", "did", "never", "always", "are", "were", "just", "only", "would", "will",
            "can", "could", "have", "had", "care", "love", "hate", "want", "think", "ignore",
            "lie", "lied", "cheated", "hide", "keep", "should", "might", "may", "must",
        }:  # fmt: skip
            continue
        if pos and not neg:
            continue
        found.add("feel_like_you")


def _detect_accusations(doc: _Doc, r: _Rules, lex: _Lex, found: set[str]) -> None:
    text, toks = doc.text, doc.tokens
    for m in r.accuse.finditer(doc):
        idx = _tok_index(text, m.start())
        if not _you_is_subject(toks, idx) or _negated_before(toks, idx):
            continue
        if _subordinate(toks, idx, doc.owned_feeling):
            continue
        found.add("you_accuse")
    for m in r.cant_believe.finditer(doc):
        if not _is_positive(m.group("rest").split(), lex):
            found.add("you_accuse")
    for m in r.dont.finditer(doc):
        idx = _tok_index(text, m.start())
        prefix = _clause_prefix(toks, idx, limit=5)
        verb = m.group(0).split()[-1]
        if verb not in _ATTITUDE_VERBS and _subordinate(toks, idx, doc.owned_feeling):
            continue  # "I feel lonely when you don't text" describes an event
        fear_prefix = bool(_FEAR_WORDS & set(prefix)) and doc.owned_feeling
        if fear_prefix or not _you_is_subject(toks, idx):
            continue
        if {"if", "unless", "know"} & set(prefix):
            continue
        found.add("you_dont")
    if r.not_trying.search(doc):
        found.add("you_dont")
    for m in r.have_no.finditer(doc):
        if not _is_positive((m.group("rest") or "").split(), lex):
            found.add("you_dont")
    for m in r.mind.finditer(doc):
        idx = _tok_index(text, m.start())
        prefix = _clause_prefix(toks, idx, limit=5)
        if _FEAR_WORDS & set(prefix) and doc.owned_feeling:
            continue
        if _negated_before(toks, idx) or not _you_is_subject(toks, idx):
            continue
        found.add("mind_reading")
    for m in r.should.finditer(doc):
        idx = _tok_index(text, m.start())
        prefix = _clause_prefix(toks, idx, limit=4)
        if {"maybe", "perhaps", "if"} & set(prefix) or _negated_before(toks, idx):
            continue
        found.add("you_should")
    for m in r.too_much.finditer(doc):
        idx = _tok_index(text, m.start())
        if m.group("verb") in {"care", "love", "give", "are", "were", "mean", "do", "did",
                               "have", "worry", "work", "think"}:  # fmt: skip
            continue
        if _you_is_subject(toks, idx) and not _negated_before(toks, idx):
            found.add("you_too_much")
    for m in r.treat_like.finditer(doc):
        idx = _tok_index(text, m.start())
        if _you_is_subject(toks, idx) and not _is_positive(m.group("rest").split(), lex):
            found.add("you_accuse")
    if r.make_worse.search(doc):
        found.add("you_make_me")
    for m in r.all_you.finditer(doc):
        if _is_positive(m.group("rest").split(), lex):
            continue
        v = m.group("v")
        found.add("you_always" if v.split()[0] in {"do", "did", "say", "said", "talk"}
                  else "mind_reading")  # fmt: skip
    for m in r.so_trait.finditer(doc):
        adj = m.group("adj").split()
        if _gram_at(adj, 0, lex.traits):
            found.add("you_are_trait")
    if r.more_than_me.search(doc):
        found.add("passive_aggressive")
    _detect_extra(doc, r, lex, found)
    if r.your_neg.search(doc):
        found.add("your_negative")
    if r.complaint.search(doc):
        found.add("complaint")


def _detect_extra(doc: _Doc, r: _Rules, lex: _Lex, found: set[str]) -> None:
    """Whole-sentence blame shapes: comparisons, imperatives, "Again." tags."""
    text, toks = doc.text, doc.tokens
    for anchor, pattern, signal in r.extra_blame:
        if anchor.isdisjoint(doc.tokset):
            continue
        for m in pattern.finditer(text):
            if "rest" in pattern.groupindex and _is_positive((m.group("rest") or "").split(), lex):
                continue
            if "neg" in pattern.groupindex:
                pos, neg = _polarity((m.group("neg") or "").split(), lex)
                if pos or not neg:
                    continue  # "every day with you is a gift"
            if "weak" in pattern.groupindex:
                at = _tok_index(text, m.start())
                s, e = _sentence(toks, at)
                width = len(m.group(0).split())
                scope = [t for k, t in enumerate(toks[s:e], s) if not at <= k < at + width]
                pos, neg = _polarity(scope, lex)
                if not neg or pos:
                    continue  # "not surprised you got the promotion"
            if "you" in pattern.groupindex:
                s, e = _sentence(toks, _tok_index(text, m.start()))
                if not {"you", "your", "me"} & set(toks[s:e]):
                    continue
            if signal == "again_tag":
                at = _tok_index(text, m.start())
                s, _e = _sentence(toks, max(0, at - 1))
                if not {"you", "your"} & set(toks[s : at + 1]):
                    continue
                signal = "you_always"
            found.add(signal)
            break
    for m in _ARE_YOU_RE.finditer(text):
        label = _trait_walk(toks, text.count(" ", 0, m.end()) + 1, lex)
        if label:
            found.add(label)
    for m in r.imperative_label.finditer(doc):
        label = _trait_walk(toks, text.count(" ", 0, m.end()) + 1, lex)
        if label:
            found.add(label)
    for m in r.stop_ing.finditer(doc):
        s, e = _sentence(toks, _tok_index(text, m.end()))
        if m.group("v") in _CARING_STOPS or "yourself" in m.group("rest").split()[:3]:
            continue
        if r.softeners.any(toks[s:e]):
            continue
        found.add("contempt")


def _detect_tone(doc: _Doc, r: _Rules, lex: _Lex, found: set[str]) -> None:
    text, ctoks = doc.text, doc.ctoks
    hits = r.phrases.scan(ctoks)
    # "I need to feel like you care" wishes for it; "like you care" alone is the jab.
    sarcastic = [
        i
        for i, _n in hits.get("sarcasm", ())
        if not (ctoks[i] in {"like", "as"} and i > 0 and ctoks[i - 1] in _FEEL_VERBS)
    ]
    if sarcastic or ("sarcasmquote" in doc.tokset and r.scare_quote.search(text)):
        found.add("sarcasm")
    events = hits.get("events", [])
    for i, n in hits.get("praise", ()):
        end = i + n
        while end < len(ctoks) and end < i + n + 12 and ctoks[end] not in {".", "?"}:
            end += 1
        if "sarcasmquote" in ctoks[i + n : end]:
            found.add("sarcasm")
            break
        inside = [(at, width) for at, width in events if i + n <= at < end]
        if inside:
            covered = {k for at, width in inside for k in range(at, at + width)}
            rest = [ctoks[k] for k in range(i + n, end) if k not in covered]
            if not _is_positive(rest, lex):
                found.add("sarcasm")
                break
    for i, n in hits.get("tags", ()):
        s, e = _sentence(ctoks, i)
        scope = [t for k, t in enumerate(ctoks[s:e], start=s) if not i <= k < i + n]
        if not _is_positive(scope, lex):
            found.add("sarcasm")
            break
    if "contempt" in hits or _gated_search(r.contempt_grammar, text, doc.tokset):
        found.add("contempt")
    if "passive" in hits:
        found.add("passive_aggressive")


def _detect_needs(doc: _Doc, r: _Rules, lex: _Lex, found: set[str]) -> None:
    for m in r.need.finditer(doc):
        rest = m.group("rest").split()
        if not rest:
            continue
        if rest[0] in {"you", "us", "we", "that"}:
            if rest[0] == "you" and (len(rest) == 1 or rest[1] in _PUNCT | {
                "right", "here", "with", "more", "now", "so", "to"}):  # fmt: skip
                if len(rest) > 2 and rest[1] == "to":
                    tail = rest[2:]
                    if _gram_at(tail, 0, lex.need_verbs) or _gram_at(tail, 0, lex.need_nouns):
                        found.add("i_need")
                else:
                    found.add("i_need")
            elif rest[0] in {"us", "we", "that"}:
                found.add("i_need")
            continue
        k = 0
        if rest[0] == "to":
            if len(rest) > 1 and _gram_at(rest, 1, lex.need_verbs):
                found.add("i_need")
            continue
        while k < len(rest) and rest[k] in _QUANTIFIERS:
            k += 1
        if k < len(rest) and (
            _gram_at(rest, k, lex.need_nouns)
            or (k + 1 < len(rest) and _gram_at(rest, k + 1, lex.need_nouns))
        ):
            found.add("i_need")
    if r.need_phrases.search(doc) or r.matters.search(doc):
        found.add("i_need")
    if r.because_need.search(doc):
        found.add("because_need")
        found.add("i_need")
    if r.disclosure.search(doc):
        found.add("self_disclosure")


_BLAME_SET: Final = frozenset(BLAME_SIGNALS)


def _analyse_normalised(text: str) -> Analysis:
    lex, rules = _lex(), _rules()
    tokens = text.split(" ") if text else []
    doc = _Doc(
        text=text,
        tokens=tokens,
        tokset=frozenset(tokens),
        ctoks=[t for t in tokens if t != ","],
    )
    found: set[str] = set()
    if not doc.tokens:
        return Analysis(kind="neutral", feeling=False, signals=())
    _detect_feeling(doc, lex)
    _detect_generalising(doc, rules, lex, found)
    _detect_labels(doc, rules, lex, found)
    _detect_fault(doc, rules, lex, found)
    _detect_make_me(doc, rules, lex, found)
    _detect_questions(doc, rules, found)
    _detect_feel_like(doc, rules, lex, found)
    _detect_accusations(doc, rules, lex, found)
    _detect_tone(doc, rules, lex, found)
    _detect_needs(doc, rules, lex, found)
    feeling = doc.any_feeling
    if feeling:
        found.add("emotion_word")
    if doc.owned_feeling and rules.when.search(doc):
        found.add("when_clause")
    if rules.apology.search(doc):
        found.add("apology")
    kind: Kind
    if found & _BLAME_SET:
        kind = "blame"
    elif doc.owned_feeling or "i_need" in found or "self_disclosure" in found:
        kind = "i_statement"
        found.add("i_statement")
    else:
        kind = "neutral"
    signals = tuple(sorted(found, key=_SIGNAL_ORDER.__getitem__))
    return Analysis(kind=kind, feeling=feeling, signals=signals)


# Users retry and edit the same sentence, so memoise — but only short texts, so a flood of
# huge messages cannot pin megabytes in the cache.
_CACHE_MAX_CHARS: Final = 600


@lru_cache(maxsize=4096)
def _analyse_cached(text: str) -> Analysis:
    return _analyse_normalised(_normalise(text))


def analyse(text: str) -> Analysis:
    """Classify one statement someone wants to say to their partner: rules, then the model.

    Total by design: the bot calls this on arbitrary user input inside a conversation
    handler, so any string (or even a non-string) yields an ``Analysis``. The rules decide
    whenever they see blame (and say why); the trained model adds the blame they cannot see
    (sarcasm about priorities, a loaded "got it", an accusation stated as fact), reported
    under the signal ``model``.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    found = by_rules(text)
    if found.kind == "blame" or not text.strip():
        return found
    try:
        model = classifier.active()
        if model is None:
            return found
        kind, _ = model.statement_kind(text)
    except Exception as exc:  # the check must never break the chat
        _log.error("model analysis failed: %s", type(exc).__name__)
        return found
    if kind == "blame":
        kept = tuple(s for s in found.signals if s != "i_statement")
        return Analysis("blame", found.feeling, (*kept, MODEL_SIGNAL))
    return found


def by_rules(text: str) -> Analysis:
    """The explainable layer alone (word lists in `content/lexicon_en.toml` and patterns)."""
    if len(text) > _CACHE_MAX_CHARS:
        return _analyse_normalised(_normalise(text))
    return _analyse_cached(text)


# --------------------------------------------------------------------------------------
# One typed part of "I felt [feeling] when [moment], because I need [need]"
# --------------------------------------------------------------------------------------

Part = Literal["feeling", "moment", "need"]
PART_SIGNALS: Final = ("punish", "change_them")
"""Signals only a part reports: wanting the partner to hurt too ("you to suffer like I did"),
and asking them to become someone else ("you to stop being a liar", "you to grow up")."""

_PART_ORDER: Final = {
    name: i for i, name in enumerate((*BLAME_SIGNALS[:-1], *PART_SIGNALS, MODEL_SIGNAL))
}
# What the reframing step already says around each part, so a part typed with its lead-in
# ("when he…", "because I need…") reads the same as one typed without.
_PART_LEADS: Final[dict[str, re.Pattern[str]]] = {
    "feeling": re.compile(
        r"^(?:(?:i|we) (?:(?:just|really|still|honestly|also) )?(?:felt|feel|was|am|were|have "
        r"been|had been|been|am feeling|was feeling) |(?:felt|feel|feeling) )"
    ),
    "moment": re.compile(
        r"^(?:(?:it was |that was |this was )?(?:when|whenever|wen|the moment|the time|the day|"
        r"the night|that time|that night) )"
    ),
    "need": re.compile(
        r"^(?:(?:because|cause|since|as|and) |(?:i|we) (?:(?:just|really|still|honestly|also|"
        r"only|truly) )*(?:need|needed|want|wanted|would like|would love|wish) |(?:need|needed|"
        r"want|wanted|wish) )"
    ),
}
# The sentence each part becomes: a plain fact about what they did, inside "when…", is the
# moment it is, and the whole-statement grammar reads it that way.
_CARRIERS: Final = {"feeling": "i felt {}", "moment": "i felt hurt when {}", "need": "i need {}"}
_SELF_NAMED: Final = _words(
    "call called calls calling named name think thinks thought said says say told tells"
)
_SELF_BE: Final = _words(
    "am was were felt feel feeling look looked looking sound sounded seem seemed like"
)
_FEEL_LIKE: Final = _words("feel feeling felt feels look looking looked sound sounding like")
_PART_ADVERBS: Final = (
    "just|finally|actually|really|please|at least|for once|also|truly|simply|ever|even|too|to"
)
# Words they said or wrote, quoted ("you said "fine"", "I read "miss you""): not a scare quote.
_REPORTED: Final = re.compile(
    r"\b(?:said|say|says|saying|told me|tell me|replied|reply|wrote|write|texted|text|typed|"
    r"read|answered|asked|yelled|shouted|screamed|goes|went|was like|were like|like|with)\W*$",
    re.I,
)
_SCARE_QUOTE: Final = re.compile(r'"\s*[^\W\d_][\w\']*(?:\s+[\w\']+)?\s*"')
# One occasion named: "never" then says it did not happen, not that it never does.
_ONE_TIME: Final = re.compile(
    r"\b(?:that|last|this) (?:night|day|evening|morning|weekend|week|time|year|christmas)\b|"
    r"\b(?:yesterday|tonight|today)\b|\bon (?:my|our|your|his|her|the) (?:birthday|"
    r"anniversary|wedding|first|last)\b|\bon (?:monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday)\b"
)
_SWEEPING: Final = (
    ("every_time", r"every (?:single )?(?:time|day|night|weekend)|each (?:and every )?time"),
    ("all_the_time", r"all the time|all day long|day and night|twenty four seven|24 7"),
    ("not_once", r"not (?:even )?once|not (?:a|one) single time|not one time"),
    ("as_usual", r"as usual|like usual|per usual|as always|like always"),
    ("constantly", r"constantly|continually|nonstop|non stop|perpetually|endlessly"),
    ("forever", r"forever"),
    ("again", r"(?:yet |once |over and over )?again"),
    ("always", r"always"),
    ("never", r"never(?: ever)?|hardly ever|barely ever"),
)
_SWEEPING_RE: Final = re.compile(
    r"\b(?:" + "|".join(f"(?P<{key}>{pattern})" for key, pattern in _SWEEPING) + r")\b"
)


def sweeping(text: str) -> tuple[tuple[str, str], ...]:
    """The sweeping words in some text, first use first: (kind, the words as written).

    "always" and "never" are not the same slip ("always" makes a rule of them, "never" wipes
    out every exception), so the step explains each in its own words; the kind is the key of
    that copy and the words are what the person typed, tidied ("allways" reads "always").
    """
    seen: dict[str, str] = {}
    for m in _SWEEPING_RE.finditer(_normalise(str(text))):
        kind = m.lastgroup or ""
        if kind and kind not in seen:
            seen[kind] = m.group(0)
    return tuple(seen.items())


@dataclass(frozen=True, slots=True)
class _PartRules:
    insult: re.Pattern[str]
    the_x_you_are: re.Pattern[str]
    trait_adverb: re.Pattern[str]
    so_called: re.Pattern[str]
    punish: re.Pattern[str]
    pay_plain: re.Pattern[str]
    punish_any: re.Pattern[str]
    change: re.Pattern[str]
    stop_being: re.Pattern[str]
    be_better: re.Pattern[str]
    be_less: re.Pattern[str]
    not_be: re.Pattern[str]
    slurs: frozenset[Gram]
    attributive: re.Pattern[str]
    your_trait: re.Pattern[str]
    likened: re.Pattern[str]
    label_verb: re.Pattern[str]
    pretended: re.Pattern[str]
    caricature: re.Pattern[str]
    counted_on: re.Pattern[str]
    sneer_question: re.Pattern[str]
    uncaring: re.Pattern[str]
    how_x_you_are: re.Pattern[str]
    someone_who: re.Pattern[str]
    wish_feel: re.Pattern[str]
    impossible: re.Pattern[str]
    all_you_do: re.Pattern[str]
    for_once: re.Pattern[str]


def _adverbs(traits: Iterable[Gram], plain: frozenset[str]) -> set[str]:
    """A verdict about them said as the manner of an act: "selfishly", "lazily", "cruelly"."""
    out: set[str] = set()
    for gram in traits:
        if len(gram) != 1 or len(gram[0]) < 4:
            continue
        word = gram[0]
        if word.endswith("ly"):
            out.add(word)  # "cowardly" is already one
        elif word.endswith("y"):
            out.add(word[:-1] + "ily")
        elif word.endswith("ic"):
            out.add(word + "ally")
        elif word.endswith("le"):
            out.add(word[:-1] + "y")
        else:
            out.add(word + "ly")
    return out - plain


@cache
def _part_rules() -> _PartRules:
    lex, data = _lex(), _load_toml()["parts"]
    slurs = _grams([*_words(data["slurs"]), *data["slur_phrases"]])
    insults = {" ".join(g) for g in lex.names if " ".join(g) not in _DIRECT_NAME_CLASH}
    insults |= {" ".join(g) for g in slurs}
    people = _alt(_words(data["people"]))
    persons = _alt(_words(data["persons"]))
    plain = _words(data["plain_attributes"])
    one_word = {g[0] for g in lex.traits if len(g) == 1} | _words(
        _listed("insult_adjectives_extra")
    )
    attributes = _alt(one_word - plain)
    likened = _alt(
        {" ".join(g) for g in lex.names} | _words(data["likened"]) | {" ".join(g) for g in slurs}
    )
    return _PartRules(
        insult=re.compile(rf"\b{_alt(insults)}s?\b"),
        the_x_you_are=re.compile(
            r"\b(?:like|as|for|being) (?:the|a|an|such a|such an) (?P<x>(?:\w+ ){0,2}?\w+) "
            r"(?:that |who )?(?:you|he|she|they) (?:really |truly )?(?:are|is|were|was|have "
            r"become|became)\b(?! (?:supposed|meant|going|trying|not|now|with|to)\b)"
        ),
        trait_adverb=re.compile(
            rf"\b{_alt(_adverbs(lex.traits, _words(data['plain_adverbs'])))}\b"
        ),
        so_called=re.compile(r"\bso called\b"),
        punish=re.compile(
            rf"\b(?:you|him|her|them|he|she) (?:to |would |will |could |should )?"
            rf"(?:(?:{_PART_ADVERBS}) )*(?P<p>{_alt(_phrases(data['punish']))})\b"
        ),
        pay_plain=re.compile(rf"^ {_alt(_phrases(data['pay_plain']))}\b"),
        punish_any=re.compile(rf"\b{_alt(_phrases(data['punish_any']))}\b"),
        change=re.compile(rf"\b{_alt(_phrases(data['change']))}\b(?! (?:of|who|that)\b)"),
        stop_being=re.compile(
            r"\b(?:stop|quit|stopped) (?:being|bein|acting|behaving|playing) (?:like )?"
        ),
        be_better=re.compile(
            rf"\b(?:be|become|act like|start acting like|start being|try to be|learn to be) "
            rf"(?:a |an )?{_alt(_words(data['better']))} (?:\w+ )?{people}\b"
        ),
        be_less=re.compile(
            r"\b(?:be|act|become) (?:(?:a little|a bit|a lot|way|much|so much) )?less "
            r"(?:of (?:a |an )?)?"
        ),
        not_be=re.compile(r"\b(?:you|him|her) to (?:not|never) (?:be|act|become) "),
        slurs=slurs,
        attributive=re.compile(
            rf"\b(?:my|a|an|the|that|this|some|such a|such an|your|his|her) (?:\w+ )?"
            rf"{attributes} (?:\w+ )?{persons}\b"
        ),
        your_trait=re.compile(rf"\byour (?:\w+ )?{attributes} \w+"),
        likened=re.compile(rf"\blike (?:a|an|some|the) (?:\w+ ){{0,2}}?{likened}s?\b"),
        label_verb=re.compile(rf"\b{_alt(_phrases(_words(data['label_verbs'])))}\b"),
        pretended=re.compile(
            rf"\bpretend(?:ed|ing|s)? (?:to |that you |like you )?"
            rf"{_alt(_phrases(data['pretended']))}\b|\b(?:act|acted|acting|acts|play|played|"
            rf"playing|plays) (?:all |so |the |all the )?{_alt(_phrases(data['played']))}\b"
        ),
        caricature=re.compile(rf"\b{_alt(_phrases(data['caricatures']))}\b"),
        counted_on=re.compile(
            r"\b(?:thought|think|thinks|figured|assumed|believed) (?:that )?i (?:was|am|would|"
            r"could|will|did|would not|could not|will not|did not|would be|was going to) "
            rf"(?:be )?{_alt(_phrases(data['counted_on']))}\b"
        ),
        sneer_question=re.compile(
            r"\b(?:oh|well|gee|um|hmm) (?:when|what|where|who) (?:do|did) you think\b|"
            r"(?:^|[.?,] )(?:when|what|where|who) (?:do|did) you think\b|\bguess (?:when|what|"
            r"who)\b"
        ),
        uncaring=re.compile(
            r"\byou (?:(?:obviously|clearly|just|really|simply|never|even) )*(?:did not|do not|"
            r"does not|never|could not|would not) (?:even |really |actually |ever )?(?:care|"
            r"cared|love|loved|respect|respected|value|valued|give a|think about me|think of "
            r"me|consider me|consider my)\b|\b(?:can not|could not|would not|will not|did not)"
            r" (?:even )?be bothered\b"
        ),
        how_x_you_are=re.compile(
            r"\bhow (?:\w+ ){0,2}?(?P<x>\w+) (?:you|he|she|they) (?:really |truly )?(?:are|is|"
            r"were|was)\b"
        ),
        someone_who=re.compile(
            rf"\b(?:a|an|another) (?:\w+ )?{persons} (?:who|that) (?:actually|really|finally|"
            r"for once|at least|is not|does not|will not|can not|would not|has a|has some|"
            r"knows how|gives a|is not a|is actually)\b"
        ),
        wish_feel=re.compile(
            rf"\b(?:you|him|her|them) to (?:(?:{_PART_ADVERBS}) )*feel (?:(?:as|just as|so|"
            r"really|very|truly|every bit as) )?(?P<e>\w+(?: \w+)?)"
        ),
        impossible=re.compile(
            r"\b(?:which|that|and) you (?:\w+ )?(?:make|made|making|keep making) (?:it |that |"
            r"this |so )?(?:impossible|hard|harder|difficult|unbearable)\b"
        ),
        all_you_do=re.compile(
            r"\b(?:that is|this is|which is|it is) (?:all|what) you (?:ever |always )?(?:do|"
            r"did)\b"
        ),
        for_once=re.compile(
            r"\bfor once in your (?:life|miserable life|entire life)\b|\b(?:other than|"
            r"besides|except|but) yourself\b"
        ),
    )


def _said_of_me(tokens: Sequence[str], idx: int) -> bool:
    """Whether a label is about the speaker ("you called me a liar", "he said I was crazy", "I
    felt like an idiot"): a painful fact or a feeling, not a name put on the partner."""
    k = idx
    while (
        k > 0
        and idx - k < 4
        and (
            tokens[k - 1] in _FILLERS_TRAIT
            or tokens[k - 1] in {"a", "an", "the", "total", "fucking"}
        )
    ):
        k -= 1
    before = tokens[max(0, k - 3) : k]
    if before[-1:] == ["not"] or before[-1:] == ["never"]:
        return True
    if before[-1:] and before[-1] in _FEEL_LIKE and _speaker_did(tokens, idx):
        return True  # "to stop feeling like a fool"
    if before[-1:] == ["me"] and (len(before) > 1 and before[-2] in _SELF_NAMED):
        return True
    if "i" in before and before[-1:] and before[-1] in _SELF_BE:
        return True
    return before[-2:] in (["me", "feel"], ["me", "look"]) or before[-3:-1] == ["me", "feel"]


def _label_here(toks: Sequence[str], j: int, rules: _PartRules, lex: _Lex) -> bool:
    """A trait, a name or an insult right after "stop being", "less", "not be"."""
    if _trait_walk(toks, j, lex):
        return True
    while j < len(toks) and toks[j] in _FILLERS_TRAIT:
        j += 1
    return bool(_gram_at(toks, j, rules.slurs))


def _part_fragment(body: str, found: set[str]) -> None:
    """The rules a fragment needs beyond the whole-statement grammar."""
    rules, lex = _part_rules(), _lex()
    toks = body.split(" ")
    for m in rules.insult.finditer(body):
        if not _said_of_me(toks, _tok_index(body, m.start())):
            found.add("name_calling")
            break
    for m in rules.the_x_you_are.finditer(body):
        pos, neg = _polarity(m.group("x").split(), lex)
        if neg and not pos:
            found.add("name_calling")
    for m in rules.trait_adverb.finditer(body):
        at = _tok_index(body, m.start())
        if "i" not in toks[max(0, at - 3) : at]:
            found.add("you_are_trait")
    if rules.so_called.search(body):
        found.add("sarcasm")
    for m in rules.punish.finditer(body):
        if m.group("p") == "pay" and rules.pay_plain.match(body[m.end() :]):
            continue
        found.add("punish")
    if rules.punish_any.search(body):
        found.add("punish")
    if rules.change.search(body) or rules.be_better.search(body):
        found.add("change_them")
    for pattern in (rules.stop_being, rules.be_less, rules.not_be):
        for m in pattern.finditer(body):
            end = _tok_index(body, m.end())
            # "quit playing the victim": the verb can begin the label itself
            if _label_here(toks, end, rules, lex) or _gram_at(toks, end - 1, lex.traits):
                found.add("change_them")
    for m in rules.attributive.finditer(body):
        if not _speaker_did(toks, _tok_index(body, m.start())):
            found.add("name_calling")
    if rules.your_trait.search(body):
        found.add("your_negative")
    for m in rules.likened.finditer(body):
        if not _speaker_did(toks, _tok_index(body, m.start())):
            found.add("name_calling")
    if rules.label_verb.search(body):
        found.add("you_are_trait")
    if rules.pretended.search(body) or rules.counted_on.search(body):
        found.add("mind_reading")
    if rules.caricature.search(body) or rules.sneer_question.search(body):
        found.add("sarcasm")
    if rules.uncaring.search(body):
        found.add("you_dont")
    for m in rules.how_x_you_are.finditer(body):
        pos, neg = _polarity(m.group("x").split(), lex)
        if neg and not pos:
            found.add("you_are_trait")
    if rules.someone_who.search(body):
        found.add("change_them")
    for m in rules.wish_feel.finditer(body):
        felt = m.group("e").split()
        n, positive = _emotion_at(felt, 0, lex, True)
        if n and not positive:
            found.add("punish")
    if rules.impossible.search(body):
        found.add("you_make_me")
    if rules.all_you_do.search(body):
        found.add("you_always")
    if rules.for_once.search(body):
        found.add("contempt")


def _speaker_did(tokens: Sequence[str], idx: int) -> bool:
    """Whether the clause is about the speaker ("I cried like a baby"), by its last subject."""
    for tok in reversed(_clause_prefix(tokens, idx, limit=10)):
        if tok in {"i", "we"}:
            return True
        if tok in {"you", "he", "she", "they"}:
            return False
    return False


# Someone typing a part about the partner writes "he" as often as "you"; the rules are written
# for "you", so a part is also read with the third person turned to the second.
_THIRD_PERSON: Final = (
    (re.compile(r"\b(?:he|she)\b"), "you"),
    (re.compile(r"\b(?:him|himself|herself)\b"), "you"),
    (re.compile(r"\bhis\b"), "your"),
    (re.compile(r"\bher(?= (?:[.,?]|and|or|but|to|at|in|on|for|with|about|from|that|when|"
                r"while|if|so|then|again|too|because|as|like|up|down|out|off|back|away|over)\b"
                r"|$)"), "you"),
    (re.compile(r"\bher\b"), "your"),
)  # fmt: skip


def _as_you(body: str) -> str:
    if not {"he", "she", "him", "his", "her", "himself", "herself"} & set(body.split(" ")):
        return body
    for pattern, replacement in _THIRD_PERSON:
        body = pattern.sub(replacement, body)
    return _fix_grammar(body)


def _strip_lead(part: Part, body: str) -> str:
    lead = _PART_LEADS[part]
    while True:
        shorter = lead.sub("", body, count=1)
        if shorter == body:
            return body
        body = shorter


@lru_cache(maxsize=2048)
def _in_part_cached(part: Part, text: str) -> tuple[str, ...]:
    body = _strip_lead(part, _normalise(text))
    if not body.strip(" .,?"):
        return ()
    found: set[str] = set()
    for read in dict.fromkeys((body, _as_you(body))):
        carrier = _CARRIERS[part].format(read)
        found |= set(_analyse_normalised(carrier).signals) & _BLAME_SET
        _part_fragment(carrier, found)
    if "you_never" in found and _ONE_TIME.search(body):
        found.discard("you_never")  # "you never came home that night": it did not happen
    if any(
        not _REPORTED.search(q.string[: q.start()])
        for q in _SCARE_QUOTE.finditer(normalise_text.unify(text))
    ):
        found.add("sarcasm")  # "when you "worked late"": the quotes say they did not
    return tuple(sorted(found, key=_PART_ORDER.__getitem__))


def feeling_words(text: str) -> tuple[str, ...]:
    """The emotion words in some text, as the lexicon spells them ("betrayed by a lying
    cheater" → "betrayed"), so a nudge can offer back the feeling the person already named."""
    lex = _lex()
    grams = lex.neg_emotions | lex.pos_emotions | lex.feel_neg | lex.feel_pos
    toks = _normalise(str(text)).split(" ")
    out: dict[str, None] = {}
    i = 0
    while i < len(toks):
        n = _gram_at(toks, i, grams)
        if n and toks[i] != "like" and not (i > 0 and toks[i - 1] in _NEGATORS):
            out[" ".join(toks[i : i + n])] = None
        i += max(n, 1)
    return tuple(out)


def in_part(part: Part, text: str) -> tuple[str, ...]:
    """The blame in one part someone typed for "I felt [feeling] when [moment], because I
    need [need]": signal names, empty when the part is clean.

    A part is a fragment, so it is read two ways. Inside the sentence it becomes, where the
    whole-statement rules know that "when you lied about where you were" is the moment, not
    an attack; and as itself, for what a fragment says without a "you are" in sight: a name
    ("like the coward you are", "your whore"), a verdict in an adverb ("selfishly"), a need
    that asks them to be someone else ("you to stop being a liar", "you to grow up") or to
    hurt too ("you to feel what I felt"). A label they put on the speaker ("you called me a
    liar") is a painful fact, not blame. Rules only: the trained model reads whole statements
    and calls plain facts blame when it sees a fragment.
    """
    if not isinstance(text, str) or not text.strip():
        return ()
    text = text[:_CACHE_MAX_CHARS]
    return _in_part_cached(part, text)


# Build word lists and regexes at import so the first user never pays for it.
_rules()
_part_rules()
