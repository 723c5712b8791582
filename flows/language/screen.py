"""Crisis screening that runs on every message before any coaching.

Mend coaches couples through repair; it must never coach someone who is in danger or being
abused back towards their partner. So every text is screened first, and a crisis verdict
replaces coaching with safety resources. The screen has to be explainable (a verdict names
what it noticed), cheap (it runs on every message: stdlib only, precompiled regexes, rules
skipped unless one of their trigger words is present) and total (any string returns a
verdict; it never raises).

It is a small rule engine, not a model: grammar-aware patterns over word lists that live in
``content/screen_en.toml``. Patterns pair a subject with a verb and an object — the speaker
with a self-harm verb, the partner with a violent verb and "me"/"the kids", a control verb
with "my money/phone/passport" — and guards then check the clause around each match:
negation ("I would never hurt myself"), who it is about ("my brother wants to die" is not
the speaker), hypotheticals ("if he ever hit me"), past that is behind the speaker ("I used
to cut"), and figurative objects ("he beat me at chess", "she hit me with the news").

Risks, in precedence order — the highest risk among the signals that fired wins:

* ``danger_now`` — happening now or just happened and needs urgent help: an overdose taken,
  a method at hand, an injury that won't stop bleeding, the partner attacking or breaking in
  or at the door with a weapon, being locked in, a plan for tonight.
* ``self_harm`` — suicidal thoughts or plans, self-injury, and indirect signs: feeling a
  burden, wanting to disappear or not wake up, no reason to live, saying goodbye.
* ``abuse`` — violence, threats, sexual coercion, stalking or coercive control by a partner
  (money, isolation, monitoring, documents), or fear of the partner.
* ``none`` — everything else, including figures of speech ("this fight is killing me"),
  ordinary pain and the heartbreak of infidelity.

So ``danger_now > self_harm > abuse > none``: someone who is being hit right now needs the
emergency number before anything else, and someone at risk of suicide needs that addressed
before the relationship is.

Deliberate choices (documented because a reasonable person could decide otherwise):

* Third parties' self-harm ("my brother is suicidal", a character on TV) is ``none``; the
  screen is about the person typing. A partner threatening suicide to stop the speaker
  leaving is ``abuse`` (coercion), not ``self_harm``.
* "I want to disappear" on its own is ``self_harm``; bounded by time or place ("disappear
  under a blanket for a day", "to a cabin for a week") it is ``none``.
* Monitoring the speaker agreed to ("we both share locations, it was my idea") is ``none``.
* Past self-harm the speaker marks as behind them ("I used to cut, I'm years clean") is
  ``none``; a past attempt without that ("I tried to kill myself last year") is
  ``self_harm``. An overdose or injury in the past is never ``danger_now``.
* "Walking on eggshells" is fear of the partner only when the text ties it to their anger.
* "My wife will kill me when she sees the bill" is an idiom: a partner's "kill me" counts as
  a threat only when reported as one ("he said he'd…", "threatened", "if I leave…").
* Laughter does not cancel a wish to die: "I want to die lol" is ``self_harm`` (past-tense
  embarrassment, "I wanted to die when mum walked in", is not).

Cost: the pattern file is compiled on first use (a few hundred milliseconds), so call
``screen("")`` at start-up. After that a typical message takes tens of microseconds; text
longer than a Telegram message is screened on its first 12,000 and last 3,000 characters.

Signals (stable names; the flow may map them to its own wording):

* ``overdose_taken`` — the speaker has taken an overdose or poison (danger_now).
* ``means_at_hand`` — a lethal method within reach now: pills out, on a bridge, rope ready.
* ``injury_now`` — a self-inflicted injury that just happened and is serious.
* ``attack_now`` — the partner is attacking, breaking in, or has locked the speaker in.
* ``weapon_now`` — the partner has or is using a weapon right now.
* ``imminent_plan`` — a self-harm statement tied to now or tonight (danger_now).
* ``suicidal_thoughts`` — suicide, killing oneself, ending one's life, methods (self_harm).
* ``wish_to_die`` — wanting to die, not wake up, not be alive, or to disappear for good.
* ``no_reason_to_live`` — nothing to live for, life not worth living, done with life.
* ``burden`` — others would be better off without the speaker; "I am a burden".
* ``self_injury`` — cutting, burning or otherwise hurting oneself on purpose.
* ``farewell`` — goodbyes, giving possessions away, notes, affairs in order.
* ``past_attempt`` — a previous suicide attempt or overdose (self_harm).
* ``physical_violence`` — the partner hits, chokes, pushes, … the speaker or the kids (abuse).
* ``weapon`` — the partner threatened or attacked with a weapon in the past.
* ``intimidation`` — throwing or smashing things, punching walls, blocking the door.
* ``threat`` — threats to hurt them, kids or pets, take the kids, share nudes, or self-harm.
* ``sexual_coercion`` — rape, forced or pressured sex, sex after "no".
* ``stalking`` — following, showing up uninvited, waiting outside, not leaving them alone.
* ``monitoring`` — checking the phone, reading messages, tracking location, spyware.
* ``financial_control`` — taking wages, allowances, blocking access to money.
* ``isolation`` — not allowed to see friends or family, go out, or work.
* ``document_control`` — the partner holds the speaker's passport, ID or papers.
* ``fear_of_partner`` — being scared of the partner or of what they will do.
* ``danger_plain`` — the wider net (flows/language/screen_net.py): danger now in plainer words.
* ``self_harm_plain`` — the wider net: suicidal thoughts or plans in plainer or indirect words.
* ``control_plain`` — the wider net: threats, forced accounting, fear of the partner.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, Final, Literal, cast, get_args

from flows.language import classifier, screen_net
from flows.language import normalise as normalise_text
from flows.language.classifier import Level

Risk = Literal["self_harm", "abuse", "danger_now", "none"]

__all__ = ["SIGNALS", "Risk", "Screening", "screen"]

_log = logging.getLogger(__name__)

RISKS: Final[tuple[Risk, ...]] = get_args(Risk)
_RANK: Final[dict[str, int]] = {"none": 0, "abuse": 1, "self_harm": 2, "danger_now": 3}

# The documented signals, in reporting order, with the risk each one implies.
SIGNALS: Final[dict[str, Risk]] = {
    "overdose_taken": "danger_now",
    "means_at_hand": "danger_now",
    "injury_now": "danger_now",
    "attack_now": "danger_now",
    "weapon_now": "danger_now",
    "imminent_plan": "danger_now",
    "suicidal_thoughts": "self_harm",
    "wish_to_die": "self_harm",
    "no_reason_to_live": "self_harm",
    "burden": "self_harm",
    "self_injury": "self_harm",
    "farewell": "self_harm",
    "past_attempt": "self_harm",
    "physical_violence": "abuse",
    "weapon": "abuse",
    "intimidation": "abuse",
    "threat": "abuse",
    "sexual_coercion": "abuse",
    "stalking": "abuse",
    "monitoring": "abuse",
    "financial_control": "abuse",
    "isolation": "abuse",
    "document_control": "abuse",
    "fear_of_partner": "abuse",
    "danger_plain": "danger_now",
    "self_harm_plain": "self_harm",
    "control_plain": "abuse",
}
_ORDER: Final = {name: i for i, name in enumerate(SIGNALS)}

# Telegram caps a message at 4096 characters. Longer input (a paste, an attack) is screened
# on its head and tail so the cost stays bounded while the start is never skipped.
_HEAD: Final = 12_000
_TAIL: Final = 3_000


@dataclass(frozen=True, slots=True)
class Screening:
    """A verdict plus the evidence for it, so the flow can say why it stopped coaching.

    `level` is how sure: "clear" (a rule fired, or the model is very sure) earns the full
    crisis response; "possible" (the model alone, less sure) earns a short "are you safe right
    now?" inside the current step. `signals` names the rules that fired, or `model`.
    """

    risk: Risk
    signals: tuple[str, ...]
    level: Level = "none"

    def as_dict(self, text: str) -> dict[str, object]:
        """Shape for JSON-lines output; the text is passed in because we don't keep it."""
        return {
            "text": text,
            "risk": self.risk,
            "level": self.level,
            "signals": list(self.signals),
        }


_SAFE: Final = Screening("none", ())
MODEL_SIGNAL: Final = "model"
"""The signal the trained model reports under; its category is the verdict's risk."""

# --------------------------------------------------------------------------------------
# Normalisation: make "I'm gonna k1lll myslef…" and "i am going to kill myself" identical
# --------------------------------------------------------------------------------------

# Cyrillic and Greek look-alikes used to dodge filters; only consulted for non-ASCII text.
_HOMOGLYPHS: Final = str.maketrans("асеіорхуԁјѕкмтвнαεικνορτυχ", "aceiopxydjskmtbhaeikvoptux")
# A few pictographs carry meaning here; everything else non-alphanumeric becomes a space.
_SYMBOLS: Final = {
    ord("\U0001f48a"): " pills ",
    ord("\U0001f52b"): " gun ",
    ord("\U0001f52a"): " knife ",
    ord("\U0001fa78"): " blood ",
    ord("\u2026"): " . ",
}
_LEET: Final = str.maketrans("013457@$|*", "oieastasli")
_LEET_HINT: Final = re.compile(r"[a-z][0-9@$|*]|[0-9@$|*][a-z]")
_LEET_TOKEN: Final = re.compile(r"[a-z0-9@$|*]*[a-z][a-z0-9@$|*]*")
# Quantities and ordinals ("30mg", "3pm", "2nd") are not obfuscated words.
_UNIT: Final = re.compile(r"\d+[a-z]{1,3}")
_RUN: Final = re.compile(r"([a-z])\1\1+")
_RUN_TOKEN: Final = re.compile(r"[a-z]*([a-z])\1\1[a-z]*")
_NEWLINES: Final = re.compile(r"[\n\r\u2028\u2029\x85]+")
_OD: Final = re.compile(r"\bo\.?d(?:'d|'ed|ed|d)\b")
_NT: Final = re.compile(r"\b(can|won|ain|shan)'t\b|n't\b")
_NT_BASE: Final = {"can": "can not", "won": "will not", "ain": "is not", "shan": "shall not"}
_SUFFIX: Final = re.compile(r"'(m|re|ve|ll|d)\b")
_SUFFIX_WORD: Final = {"m": " am", "re": " are", "ve": " have", "ll": " will", "d": " would"}
_IS: Final = re.compile(
    r"\b(he|she|it|that|what|who|there|where|everyone|everybody|nobody|someone|somebody"
    r"|this|here|how|life)'s\b"
)
_POSSESSIVE: Final = re.compile(r"'s\b|'")
_STOPS: Final = re.compile(r"[!;:]+|\.{2,}")
_MARKS: Final = re.compile(r"[.?,]")
_OTHER: Final = re.compile(r"[^a-z0-9.?, ]+")


def _leet_token(match: re.Match[str]) -> str:
    """Read "k1ll" and "su1c1de" as words, leaving slang ("b4") and units ("30mg") alone."""
    token = match.group(0)
    if token in _config().rewrite or _UNIT.fullmatch(token):
        return token
    return token.translate(_LEET)


def _unrun_token(match: re.Match[str]) -> str:
    """Undo elongation ("killlll", "dieeee") by picking the form the rules know."""
    token = match.group(0)
    vocabulary = _config().vocabulary
    double = _RUN.sub(r"\1\1", token)
    single = _RUN.sub(r"\1", token)
    if double in vocabulary:
        return double
    return single if single in vocabulary else double


def _not(match: re.Match[str]) -> str:
    """Spell negation out ("won't" -> "will not") so rules count one word, "not"."""
    base = match.group(1)
    return " " + _NT_BASE[base] if base else " not"


def _rewrite(match: re.Match[str]) -> str:
    return _config().rewrite[match.group(0)]


def _bound(text: str) -> str:
    """Keep the cost of a huge paste bounded; see _HEAD."""
    if len(text) <= _HEAD + _TAIL:
        return text
    return f"{text[:_HEAD]}\n{text[-_TAIL:]}"


def normalise(text: str) -> str:
    """Canonical lower-case form: words and the tokens . , ? separated by single spaces."""
    text = _NEWLINES.sub(" . ", _bound(text))
    if not text.isascii():
        text = normalise_text.unify(text).casefold().translate(_HOMOGLYPHS).translate(_SYMBOLS)
        text = normalise_text.strip_accents(text)
    else:
        text = text.lower()
    text = normalise_text.printable(text)
    if "'" in text:
        text = _OD.sub("overdosed", text)
        text = _NT.sub(_not, text)
        text = _IS.sub(r"\1 is", text)
        text = _SUFFIX.sub(lambda m: _SUFFIX_WORD[m.group(1)], text)
        text = _POSSESSIVE.sub("", text)
    if _LEET_HINT.search(text):
        text = _LEET_TOKEN.sub(_leet_token, text)
    text = _STOPS.sub(" . ", text)
    text = _MARKS.sub(r" \g<0> ", text)
    text = _OTHER.sub(" ", text)
    if _RUN.search(text):
        text = _RUN_TOKEN.sub(_unrun_token, text)
    text = " ".join(text.split())
    return _config().rewrite_re.sub(_rewrite, text)


# --------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------

Negation = Literal["blocks", "required", "ignore"]
Hypothetical = Literal["strict", "ever", "off"]


@dataclass(frozen=True, slots=True)
class _Rule:
    signal: str
    risk: Risk
    regex: re.Pattern[str] | None
    fixed: re.Pattern[str] | None
    needs: frozenset[str]
    negation: Negation
    person_self: bool
    hypothetical: Hypothetical
    clause_scope: bool
    unless_before: re.Pattern[str] | None
    unless: re.Pattern[str] | None
    unless_text: re.Pattern[str] | None
    requires: re.Pattern[str] | None
    requires_signal: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Config:
    rules: tuple[_Rule, ...]
    rewrite: dict[str, str]
    rewrite_re: re.Pattern[str]
    vocabulary: frozenset[str]
    boundaries: frozenset[str]
    negators: re.Pattern[str]
    neutral: re.Pattern[str]
    openers: frozenset[str]
    factual: frozenset[str]
    person_self: frozenset[str]
    person_other: frozenset[str]
    subjects: frozenset[str]


_MACRO: Final = re.compile(r"\{([a-z_]+)\}")
# Whole literal words in a pattern: letters bounded by spaces, bars or brackets.
_LITERAL: Final = re.compile(r"(?<![a-z\\{])[a-z]{2,}(?=[ |)]|$)")
_LOOKAROUND: Final = re.compile(r"\(\?<?[!=]")
_WORD: Final = re.compile(r"[a-z]{2,}")


class ContentError(ValueError):
    """The pattern file is malformed; raised at load so tests catch it, never mid-chat."""


def _alternation(items: list[str]) -> str:
    """Longest first, so "ex husband" wins over "ex" where order matters."""
    return "(?:" + "|".join(sorted(items, key=len, reverse=True)) + ")"


def _expander(vocab: dict[str, list[str]]) -> Callable[[str], str]:
    """Replace {name} with the named word list, so rules stay grammar and lists stay data."""
    done: dict[str, str] = {}

    def expand(pattern: str, depth: int = 0) -> str:
        if depth > 5:
            raise ContentError(f"macro nesting too deep in {pattern[:60]!r}")

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in done:
                if name not in vocab:
                    raise ContentError(f"unknown macro {{{name}}}")
                done[name] = expand(_alternation(vocab[name]), depth + 1)
            return done[name]

        return _MACRO.sub(one, pattern)

    return expand


_PLAIN_GROUP: Final = re.compile(r"\(\?:([a-z0-9 ']+(?:\|[a-z0-9 ']+)+)\)")


def _emit(node: dict[str, Any]) -> str:
    alternatives = [re.escape(ch) + _emit(child) for ch, child in sorted(node.items()) if ch]
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
    return f"(?:{body})?" if "" in node else body


def _trie(match: re.Match[str]) -> str:
    """A group of plain words as a prefix tree.

    Python's re tries alternatives one after another, so "hit|hits|hitting" costs three
    attempts at every position where "hit(?:s|ting)?" costs one; with word lists of dozens of
    entries this halves the cost of screening. The set of strings matched is unchanged.
    """
    root: dict[str, Any] = {}
    for word in match.group(1).split("|"):
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return f"(?:{_emit(root)})"


def _compile(
    expand: Callable[[str], str], items: object, whole: bool = False
) -> re.Pattern[str] | None:
    """One regex for a list of patterns; `whole` keeps matches to whole words."""
    if not items:
        return None
    parts = [items] if isinstance(items, str) else list(cast(list[str], items))
    body = _PLAIN_GROUP.sub(_trie, "|".join(f"(?:{expand(p)})" for p in parts))
    if whole:
        body = f"(?<![a-z0-9])(?:{body})(?![a-z0-9])"
    try:
        return re.compile(body)
    except re.error as exc:
        raise ContentError(f"bad pattern near {parts[0][:60]!r}: {exc}") from exc


def _without_lookarounds(pattern: str) -> str:
    """The pattern minus (?!…) and friends: words in exclusions are not triggers."""
    out: list[str] = []
    i = 0
    while (found := _LOOKAROUND.search(pattern, i)) is not None:
        out.append(pattern[i : found.start()])
        depth, j = 1, found.end()
        while j < len(pattern) and depth:
            depth += {"(": 1, ")": -1}.get(pattern[j], 0) if pattern[j - 1] != "\\" else 0
            j += 1
        i = j
    out.append(pattern[i:])
    return " ".join(out)


def _rule(raw: dict[str, Any], expand: Callable[[str], str], stop: frozenset[str]) -> _Rule:
    """Validate one [[rule]] table; a typo in the content file fails loudly at load."""
    signal = str(raw["signal"])
    if SIGNALS.get(signal) != raw["risk"]:
        raise ContentError(f"{signal}: unknown signal or wrong risk {raw['risk']!r}")
    needs = {w for item in raw.get("needs", []) for w in str(item).split()}
    if needs:
        # Every whole word written in a pattern can trigger it, so a word added to a pattern
        # is never silently skipped by a stale `needs` list (stems like "suicid" still need
        # listing there). Function words are left out, or every rule would run every time.
        for pattern in raw.get("patterns", []) + raw.get("fixed", []):
            needs.update(set(_LITERAL.findall(_without_lookarounds(pattern))) - stop)
    return _Rule(
        signal=signal,
        risk=SIGNALS[signal],
        regex=_compile(expand, raw.get("patterns"), whole=True),
        fixed=_compile(expand, raw.get("fixed"), whole=True),
        needs=frozenset(needs),
        negation=cast(Negation, raw.get("negation", "blocks")),
        person_self=raw.get("person") == "self",
        hypothetical=cast(Hypothetical, raw.get("hypothetical", "off")),
        clause_scope=raw.get("unless_scope", "sentence") == "clause",
        unless_before=_compile(expand, raw.get("unless_before")),
        unless=_compile(expand, raw.get("unless"), whole=True),
        unless_text=_compile(expand, raw.get("unless_text"), whole=True),
        requires=_compile(expand, raw.get("requires"), whole=True),
        requires_signal=frozenset(raw.get("requires_signal", [])),
    )


@cache
def _config() -> _Config:
    """Load and compile the pattern file once per process."""
    ref = resources.files("flows").joinpath("content/screen_en.toml")
    data = tomllib.loads(ref.read_text("utf-8"))
    vocab = {str(k): [str(v) for v in vs] for k, vs in data["vocab"].items()}
    expand = _expander(vocab)
    grammar = data["grammar"]
    rewrite = {str(k): str(v) for k, v in data["rewrite"].items()}
    keys = sorted(rewrite, key=len, reverse=True)
    stop = frozenset(grammar["function_words"])
    rules = tuple(_rule(raw, expand, stop) for raw in data["rule"])
    words = set(_WORD.findall(ref.read_text("utf-8")))
    return _Config(
        rules=rules,
        rewrite=rewrite,
        rewrite_re=re.compile(
            r"(?<![a-z0-9])" + _PLAIN_GROUP.sub(_trie, f"(?:{'|'.join(keys)})") + r"(?![a-z0-9])"
        ),
        vocabulary=frozenset(words),
        boundaries=frozenset(grammar["boundaries"]),
        negators=re.compile(r"\b(?:" + "|".join(grammar["negators"]) + r")\b"),
        neutral=re.compile(r"\b(?:" + "|".join(grammar["neutral"]) + r")\b"),
        openers=frozenset(grammar["hypothetical_openers"]),
        factual=frozenset(grammar["factual_markers"]),
        person_self=frozenset(grammar["person_self"]),
        person_other=frozenset(grammar["person_other"]),
        subjects=frozenset(grammar["person_self"]) | frozenset(grammar["person_other"]),
    )


# --------------------------------------------------------------------------------------
# Guards: the clause around a match decides whether it counts
# --------------------------------------------------------------------------------------

_LOOK_BACK: Final = 160
_CLAUSE_TOKENS: Final = 8
_NEGATION_TOKENS: Final = 6
_SHORT_REACH: Final = 3


def _clause_before(text: str, start: int, cfg: _Config) -> tuple[list[str], str]:
    """Tokens of the clause before `start` (at most a few) and the word that opened it."""
    lo = max(0, start - _LOOK_BACK)
    tokens = text[lo:start].split()
    if lo > 0 and tokens:
        tokens = tokens[1:]
    out: list[str] = []
    for token in reversed(tokens):
        if token in cfg.boundaries:
            out.reverse()
            return out, token
        out.append(token)
        if len(out) >= _CLAUSE_TOKENS:
            break
    out.reverse()
    return out, ""


def _negated(words: str, cfg: _Config) -> bool:
    """Odd count of negators, so "can't promise I won't" is not a denial."""
    words = cfg.neutral.sub(" ", words)
    return len(cfg.negators.findall(words)) % 2 == 1


def _about_someone_else(before: list[str], matched: list[str], cfg: _Config) -> bool:
    """The nearest person word before the statement says whom it is about.

    A match that names the speaker itself ("kill myself", "without me") is about them.
    """
    if not cfg.person_self.isdisjoint(matched):
        return False
    for token in reversed(before):
        if token in cfg.person_self:
            return False
        if token in cfg.person_other:
            return True
    return False


def _clause_after(text: str, end: int, cfg: _Config) -> list[str]:
    """Tokens after `end` up to the end of the clause (at most a few)."""
    out: list[str] = []
    for token in text[end : end + _LOOK_BACK].split()[:_CLAUSE_TOKENS]:
        if token in cfg.boundaries:
            break
        out.append(token)
    return out


def _sentence(text: str, start: int, end: int) -> str:
    lo = max(text.rfind(" . ", 0, start), text.rfind(" ? ", 0, start))
    hi_dot, hi_q = text.find(" . ", end), text.find(" ? ", end)
    ends = [i for i in (hi_dot, hi_q) if i >= 0]
    return text[lo + 1 : min(ends) if ends else len(text)]


def _accepts(rule: _Rule, text: str, match: re.Match[str], cfg: _Config, fixed: bool) -> bool:
    start, end = match.span()
    before, opener = _clause_before(text, start, cfg)
    matched = match.group(0)
    if rule.negation != "ignore":
        # A match that starts with its own subject ("he shows up…") is a new clause even
        # without a comma, so only a short run before it can negate it ("not that he…").
        first = matched.split(" ", 1)[0]
        reach = _SHORT_REACH if first in cfg.subjects else _NEGATION_TOKENS
        # A fixed pattern owns the negators inside it ("never wake up", "without me").
        window = " ".join(before[-reach:]) + ("" if fixed else " " + matched)
        if _negated(window, cfg) != (rule.negation == "required"):
            return False
    if rule.person_self and _about_someone_else(before, matched.split(), cfg):
        return False
    after: list[str] | None = None
    if rule.hypothetical != "off" and opener in cfg.openers:
        after = _clause_after(text, end, cfg)
        clause = {*before, *matched.split(), *after}
        if rule.hypothetical == "strict" and not clause & cfg.factual:
            return False
        if rule.hypothetical == "ever" and "ever" in clause:
            return False
    if rule.unless_before is not None and rule.unless_before.search(" ".join(before)):
        return False
    if rule.unless is None:
        return True
    if rule.clause_scope:
        after = _clause_after(text, end, cfg) if after is None else after
        scope = " ".join([*before, matched, *after])
    else:
        scope = _sentence(text, start, end)
    return not rule.unless.search(scope)


def _fires(rule: _Rule, text: str, cfg: _Config) -> bool:
    if rule.unless_text is not None and rule.unless_text.search(text):
        return False
    if rule.requires is not None and not rule.requires.search(text):
        return False
    for regex, fixed in ((rule.regex, False), (rule.fixed, True)):
        if regex is not None and any(
            _accepts(rule, text, m, cfg, fixed) for m in regex.finditer(text)
        ):
            return True
    return False


def screen(text: str) -> Screening:
    """Screen one message: the rules, then the trained model, combined by `decide`.

    Never raises: a bug in the rules or the model must not take the bot down on every
    message; it is caught here and the tests (which call the layers directly) surface it.
    """
    text = text if isinstance(text, str) else str(text)
    found = rules(text)
    model = classifier.active()
    if model is None or not text.strip():
        return found
    try:
        mass, category = model.crisis(text)
    except Exception as exc:  # screening must never break the chat
        _log.error("model screening failed: %s", type(exc).__name__)
        return found
    return decide(found, mass, category, model.thresholds)


def decide(found: Screening, mass: float, category: str, thresholds: dict[str, float]) -> Screening:
    """One rule for combining the layers (the model's build evaluates with this very function).

    A rule that fired is a clear signal, unless the model is all but certain the message is
    harmless ("he's banging on the door, forgot his keys again lol"): then it is only a
    possible one, and the person is asked rather than told. Where no rule fired, the model's
    own certainty decides the level.
    """
    if found.level == "clear":
        if mass < thresholds["veto"]:
            return replace(found, level="possible")
        if mass >= thresholds["clear"] and _RANK.get(category, 0) > _RANK[found.risk]:
            # The model is very sure of something more urgent than the rule saw.
            return Screening(cast(Risk, category), (*found.signals, MODEL_SIGNAL), "clear")
        return found
    if category not in _RANK or category == "none":
        return _SAFE
    if mass >= thresholds["clear"]:
        return Screening(cast(Risk, category), (MODEL_SIGNAL,), "clear")
    if mass >= thresholds["possible"]:
        return Screening(cast(Risk, category), (MODEL_SIGNAL,), "possible")
    return _SAFE


def rules(text: str) -> Screening:
    """The explainable layer alone: word lists and patterns from `content/screen_en.toml`."""
    try:
        return _screen(text)
    except Exception as exc:  # screening must never break the chat
        # Never log the text: it is someone's most private message.
        _log.error("crisis screening failed: %s", type(exc).__name__)
        return _SAFE


def _screen(text: str) -> Screening:
    cfg = _config()
    norm = normalise(text)
    if not norm:
        return _SAFE
    tokens = frozenset(norm.split())
    fired: set[str] = set()
    for rule in cfg.rules:
        if rule.signal in fired:
            continue
        if rule.needs and tokens.isdisjoint(rule.needs):
            continue
        if rule.requires_signal and fired.isdisjoint(rule.requires_signal):
            continue
        if _fires(rule, norm, cfg):
            fired.add(rule.signal)
    if screen_net.only_a_discovery(fired, norm):
        fired.clear()  # one discovery of messages is heartbreak, not coercive control
    fired.update(screen_net.extra_signals(norm))
    if not fired:
        return _SAFE
    signals = tuple(sorted(fired, key=_ORDER.__getitem__))
    risk = max((SIGNALS[s] for s in signals), key=_RANK.__getitem__)
    return Screening(risk, signals, "clear")
