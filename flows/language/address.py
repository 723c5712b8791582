"""Words about the partner, turned to words to them: "he checked his phone" → "you checked
your phone".

/trigger drafts a message the person may send to their partner, from notes they wrote about
him or her. Sent as written, it talks about the partner in the third person, as if to
someone else. Turning "he" into "you" is only safe where "he" can only be the partner, so
this is careful and does nothing when unsure:

* The partner's pronouns are learned from the notes together: "my husband"/"my wife" says
  it; otherwise the one set of pronouns used (only "he/him/his", or only "she/her"); or the
  set the first note uses alone (the moment itself: "he was on his phone", then "the night
  I found out about her"); or the set that appears alone in some note when another names
  someone else too ("he lied", then "he was texting her").
* A note that also names another person the same pronoun could mean ("his brother",
  "a woman") is left as written, and so is everything when both sets appear in every note.
* "they/them" is left alone: too often it is other people.

Verbs follow the subject ("he is" → "you are", "he checks" → "you check"); "her" is read as
"you" or "your" from what follows it. Pure, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final, Literal

__all__ = ["partner_pronouns", "to_partner"]

Gender = Literal["he", "she"]


def _words(spec: str) -> frozenset[str]:
    """A word set written as one readable string."""
    return frozenset(spec.split())


_PRONOUNS: Final[dict[Gender, frozenset[str]]] = {
    "he": frozenset(["he", "him", "his", "himself", "he's", "hes", "he'd", "he'll"]),
    "she": frozenset(["she", "her", "hers", "herself", "she's", "shes", "she'd", "she'll"]),
}
_PARTNER_NOUNS: Final[dict[str, Gender | None]] = {
    "husband": "he",
    "hubby": "he",
    "boyfriend": "he",
    "bf": "he",
    "fiance": "he",
    "fiancé": "he",
    "wife": "she",
    "wifey": "she",
    "girlfriend": "she",
    "gf": "she",
    "fiancee": "she",
    "fiancée": "she",
    "missus": "she",
    "partner": None,
    "spouse": None,
}
# Other people a pronoun could point to, by the pronoun they would take.
_OTHERS: Final[dict[Gender, frozenset[str]]] = {
    "he": _words(
        "brother dad father son uncle grandpa grandfather nephew man guy boy bloke dude "
        "husband boyfriend friend's boss's"
    ),
    "she": _words(
        "sister mom mum mother daughter aunt grandma grandmother niece woman girl lady wife "
        "girlfriend"
    ),
}
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z'’]*")
_PARTNER_RE: Final = re.compile(
    r"\bmy\s+(" + "|".join(sorted(_PARTNER_NOUNS, key=len, reverse=True)) + r")(['’]s)?\b",
    re.I,
)
_ADVERBS: Final = _words(
    "always never just still really even often sometimes usually also only constantly suddenly "
    "then now finally already barely hardly actually literally clearly obviously probably "
    "basically simply quickly slowly quietly immediately again ever"
)
_BE: Final = {
    "is": "are",
    "was": "were",
    "has": "have",
    "does": "do",
    "isn't": "aren't",
    "isnt": "arent",
    "wasn't": "weren't",
    "wasnt": "werent",
    "hasn't": "haven't",
    "hasnt": "havent",
    "doesn't": "don't",
    "doesnt": "dont",
    "goes": "go",
    "says": "say",
}
# Words after "her" that show it is "you" (an object), not "your" (a possessive).
_AFTER_OBJECT: Final = _words(
    "and or but to at in on for with about from that this when while if so then again too "
    "because as like a an the up down out off back away over around into onto anymore "
    "yesterday today tonight now last about before after until since though although once "
    "every all what how why where who not never just always"
)
# After "saw her" / "heard her" a verb follows ("saw her leave"): still "you".
_PERCEIVE: Final = _words(
    "saw see seen watched watch heard hear let made make helped help felt caught noticed "
    "found want wanted need needed asked told begged"
)
_PARTICIPLES: Final = _words(
    "been got gotten done had seen made taken told lied gone said left kept known "
    "cheated hidden deleted lost broken"
)
# Present-tense verbs that may follow a converted subject ("he checks" → "you check").
_VERBS: Final = _words(
    "act answer ask bring call care change check close come cry delete do drink drive eat "
    "feel forget get give go hang hide hold ignore keep kiss laugh leave lie like listen "
    "live lock look love make message mean miss need pick play promise put read reply say "
    "scroll see seem send show sit sleep smile speak spend stay stop swear take talk tell "
    "text think touch turn type wait wake walk want watch work write"
)


def _genders(text: str) -> set[Gender]:
    words = {w.casefold().replace("’", "'") for w in _WORD.findall(text)}
    return {g for g, forms in _PRONOUNS.items() if words & forms}


def partner_pronouns(notes: Sequence[str]) -> Gender | None:
    """Which pronouns mean the partner in these notes, or None when that is not clear."""
    for m in (_PARTNER_RE.search(n) for n in notes):
        if m is not None and _PARTNER_NOUNS[m.group(1).casefold()] is not None:
            return _PARTNER_NOUNS[m.group(1).casefold()]
    per_note = [_genders(n) for n in notes]
    both: set[Gender] = set().union(*per_note) if per_note else set()
    if any(_NAMED_OTHER.search(n) for n in notes):
        return None  # "drove past daves house, his car was there": whose "his" is not clear
    if len(both) == 1:
        return next(iter(both))
    if per_note and len(per_note[0]) == 1:
        return next(iter(per_note[0]))  # the first note is the moment itself, about them
    alone = {next(iter(g)) for g in per_note if len(g) == 1}
    return next(iter(alone)) if len(alone) == 1 else None


_NAMED_OTHER: Final = re.compile(
    r"\b(?!my\b|your\b|his\b|her\b|their\b|our\b)[a-z]+(?:'s|’s|s) (?:house|place|car|flat|"
    r"apartment|party|work|office|wife|girlfriend|boyfriend|husband|phone|number)\b",
    re.I,
)
"""Someone named by what is theirs ("daves house", "Sam's car"): another person who could be
"he" or "she", so the partner's pronoun cannot be told from the notes."""


def _crowded(note: str, gender: Gender) -> bool:
    """Someone else in the note could be "he"/"she" too ("his brother", "a woman")."""
    rest = _PARTNER_RE.sub(" ", note)
    words = {w.casefold().replace("’", "'") for w in _WORD.findall(rest)}
    return bool(words & _OTHERS[gender]) or _NAMED_OTHER.search(rest) is not None


def _cased(like: str, word: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _agree(verb: str) -> str:
    """The verb that follows "you" for one that followed "he"/"she", if it is one."""
    low = verb.casefold().replace("’", "'")
    if low in _BE:
        return _cased(verb, _BE[low])
    if not low.endswith("s") or low.endswith("ss"):
        return verb
    for base in (low[:-3] + "y" if low.endswith("ies") else "", low[:-2], low[:-1]):
        if base in _VERBS:
            return _cased(verb, base)
    return verb


_ME: Final = "xpartnerx"
"""Stands in for "my husband"/"my wife" while a note is turned, so its verb agrees too."""


def _named(m: re.Match[str]) -> str:
    return _cased(m.group(0), "your" if m.group(2) else _ME)


def _turn(note: str, gender: Gender | None) -> str:
    """One note with the partner's pronouns (and "my husband"/"my wife") made "you"."""
    subject, obj = ("he", "him") if gender == "he" else ("she", "her")
    forms = (_PRONOUNS[gender] if gender else frozenset()) | {_ME}
    text = _PARTNER_RE.sub(_named, note)
    words = list(_WORD.finditer(text))
    out: list[str] = []
    last = 0
    agree_next = False
    for i, m in enumerate(words):
        word = m.group(0)
        low = word.casefold().replace("’", "'")
        following = words[i + 1].group(0).casefold() if i + 1 < len(words) else ""
        gap = text[m.end() : words[i + 1].start()] if i + 1 < len(words) else ""
        ends_clause = not following or bool(re.search(r"[.,;:!?]", gap))
        previous = words[i - 1].group(0).casefold() if i > 0 else ""
        new = word
        if low in forms:
            agree_next = low in (subject, _ME)
            if low in (subject, _ME):
                new = "you"
            elif low in (f"{subject}'s", f"{subject}s"):
                new = "you've" if following in _PARTICIPLES else "you're"
            elif low in (f"{subject}'d", f"{subject}'ll"):
                new = "you" + low[len(subject) :]
            elif low in ("himself", "herself"):
                new = "yourself"
            elif low == "hers" or (low == "his" and ends_clause):
                new = "yours"
            elif low == "his":
                new = "your"
            elif low == obj == "him":
                new = "you"
            else:  # "her": "you" as an object ("I saw her leave"), "your" before a noun
                is_object = (
                    ends_clause
                    or following in _AFTER_OBJECT
                    or (
                        previous in _PERCEIVE and (following in _VERBS or following.endswith("ing"))
                    )
                )
                new = "you" if is_object else "your"
            new = _cased(word, new)
        elif agree_next and low in _ADVERBS:
            pass
        elif agree_next:
            new = _agree(word)
            agree_next = False
        out.append(text[last : m.start()] + new)
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def to_partner(notes: Sequence[str]) -> tuple[str, ...]:
    """The notes as words to the partner, where it is clear who the partner is; else as is."""
    gender = partner_pronouns(notes)
    if gender is None:
        return tuple(_turn(n, gender) if _PARTNER_RE.search(n) else n for n in notes)
    return tuple(n if _crowded(n, gender) else _turn(n, gender) for n in notes)
