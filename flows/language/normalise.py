"""One normaliser: what every language check does first to text typed on a phone.

Phones and keyboards spell the same words many ways: curly or straight apostrophes, accents,
invisible joiners pasted from elsewhere, control characters, full-width letters. Each check
(the crisis screen, the blame check, excuses, places, option labels) starts from these same
steps, then adds only what is its own (contractions, look-alike letters, "St" for "Saint").
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

INVISIBLE: Final = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad"
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u180e\u034f\ufe0f\ufe0e",
    ),
    None,
)
"""Zero-width and direction marks, soft hyphens, variation selectors: dropped."""

QUOTES: Final = {ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032\u02bc`\u00b4"} | {
    ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"
}
"""Every apostrophe-like mark becomes ', every double quote-like mark becomes "."""

CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_APOSTROPHES: Final = re.compile("['\u2018\u2019\u201b\u2032\u02bc`\u00b4]")


def clean(text: str) -> str:
    """Text as it arrived, minus what cannot be stored: a lone surrogate (half of an emoji
    cut in two) becomes "�" instead of failing the save."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def unify(text: str) -> str:
    """One form for look-alike characters: NFKC, no invisible marks, plain quotes.

    ASCII text (nearly every message) is returned as it is, at no cost.
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(INVISIBLE).translate(QUOTES)


def printable(text: str) -> str:
    """Control characters (a pasted tab, a stray escape) become spaces."""
    return text if text.isprintable() else CONTROL.sub(" ", text)


def strip_accents(text: str) -> str:
    """ "São Paulo" → "Sao Paulo": decompose, then drop the combining marks."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def join_apostrophes(text: str) -> str:
    """ "John's" → "Johns": for names and places, where the apostrophe is not grammar."""
    return _APOSTROPHES.sub("", text)


def label(text: str) -> str:
    """How a typed answer is compared with an option's words: any case, any quotes,
    "..." for "…", no trailing dots or spaces (no NFKC: "²" is not the option "2")."""
    return text.translate(QUOTES).strip().casefold().replace("...", "…").rstrip("…. ")
