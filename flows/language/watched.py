"""Whether someone says their phone, messages or whereabouts are watched by someone else.

If a partner goes through their phone, this chat may be read too. Mend then says so plainly
and points to /exit (clear the chat) and /discreet (neutral reminders). The rule looks for
someone other than the writer checking, reading or tracking the writer's own things (or
"it", once those things were named), having their passcode or access to their accounts, or
a tracker or spy app on what they use. The writer checking the partner's phone, an offer not
yet taken up ("I'd let her check my phone") and watching that has stopped ("he used to read
my texts") do not count: nothing says this chat is seen now.
"""

from __future__ import annotations

import re
from typing import Final

from flows.language import normalise

_THROUGH: Final = r"thr(?:ough|u|o)"
# Verbs that mean going into someone's things whatever the thing is: "checks my venmo".
_INTO: Final = (
    rf"(?:check(?:s|ing|ed)?(?!\s+(?:in|up|out)\b)|read(?:s|ing)?|go(?:es|ing)?\s+{_THROUGH}|went\s+{_THROUGH}|"
    rf"look(?:s|ing|ed)?\s+{_THROUGH}|scroll(?:s|ing|ed)?\s+{_THROUGH}|snoop(?:s|ing|ed)?\s+"
    rf"(?:in|on|{_THROUGH})|monitor(?:s|ing|ed)?|track(?:s|ing|ed)?|spy(?:ing|ies)?\s+on|"
    r"logs?\s+in(?:to)?|log(?:ging|ged)\s+in(?:to)?|got\s+into|gets\s+into|hack(?:s|ed)?(?:\s+into)?|"
    r"screenshots?|forwards?|grabs?|snatch(?:es)?|goes\s+on|went\s+on|search(?:es|ing|ed)?|"
    r"pulls?\s+up|pulled\s+up|gets?\s+into|asks?\s+for|demands?|takes?)"
)
# Softer verbs, which count only for the things a phone holds: "looks at my texts".
_AT: Final = (
    r"(?:look(?:s|ing|ed)?\s+(?:at|in(?:to)?)|watch(?:es|ing)?|sees?|saw|goes\s+in|"
    r"stares?\s+at|staring\s+at|reads?|reading)"
)
_THINGS: Final = (
    r"(?:phone|cell|mobile|iphone|texts?|txts?|messages?|msgs?|chats?|convos?|dms?|whatsapp|"
    r"e-?mails?|inbox|location|laptop|computer|ipad|tablet|accounts?|apps?|notes|photos|pics|"
    r"gallery|notifications|history|call logs?|calls|contacts|maps?|timeline|outlook|gmail|"
    r"icloud|calendar|drive|cloud|venmo|paypal|bank)"
)
_WHO: Final = r"\b(?P<who>[a-z]+)"
_ADVERBS: Final = (
    r"(?:\s+(?:been|has been|had been|is|was|always|constantly|still|now|also|even|literally|"
    r"just|like|basically|keeps|keep|"
    r"has to|needs to|insists on|makes sure to|will|demands to|gets to|regularly|secretly|"
    r"sometimes|often|randomly|then))*"
)
_WATCHING: Final = re.compile(
    rf"{_WHO}{_ADVERBS}\s+(?:"
    rf"{_INTO}\s+(?:\w+\s+){{0,2}}?(?:my|me)\s+\w+|"
    rf"{_AT}\s+(?:\w+\s+){{0,2}}?(?:my|me)\s+(?:\w+\s+)?{_THINGS}\b|"
    r"(?:sees?|knows?|checks?|can see|tracks?|reads?)\s+(?:exactly\s+)?where i\b|"
    r"(?:sees?|reads?|reading|checks?|checking|can see)\s+(?:every|all|everything)\b|"
    r"(?:(?:is|s)\s+)?(?:always\s+|constantly\s+)?on\s+my\s+(?:phone|laptop|computer)|"
    r"reads?\s+over\s+my\s+shoulder|"
    r"(?:tracks?|tracking|monitors?|monitoring|follows?|watches|stalks?)\s+me\b|"
    r"(?:has|have|knows?|took|takes|demands?|wants|got)\s+(?:all\s+)?(?:of\s+)?my\s+(?:\w+\s+)?"
    r"(?:pass ?codes?|passwords?|pins?|logins?|location|screen ?time|reports?|phone)\b|"
    r"(?:has|have|got)\s+access\s+to\b[^.!?]{0,30}\bmy\b|"
    r"(?:has|have)\s+my\s+(?:phone|email|e-?mail)\b|"
    r"(?:put|puts|installed|installs|added|set up|sets up)\s+(?:\w+\s+){0,4}?on\s+(?:my|our)\s+\w+|"
    r"(?:makes?|made|forces?)\s+me\s+(?:to\s+)?(?:show|hand|unlock|give|share|turn on|keep on|"
    r"leave on|install|send)\b"
    r")"
)
_IT: Final = re.compile(rf"{_WHO}{_ADVERBS}\s+(?:{_INTO}|{_AT})\s+(?:it|them|everything)\b")
"""'He checks it' counts once the writer's phone or location was named in the message."""
_NAMED: Final = re.compile(rf"\bmy\s+(?:\w+\s+)?{_THINGS}\b")
_THIS_CHAT: Final = re.compile(
    r"\b(?:found|finds|read|reads|see|sees|saw|might read|could read|will read|"
    r"checks?)\s+(?:this|these)\s*(?:chat|convo|conversation|app|messages?|bot)?\b"
)
_TRACKER: Final = re.compile(
    r"\b(?:life ?360|mspy|spyware|stalkerware|keylogger|key logger|tracker|tracking app|"
    r"spy app|airtag|gps)\b[^.!?]{0,40}\b(?:on|in|under)\s+(?:my|our|the family|me)\b|"
    r"\b(?:on|in|under)\s+(?:my|our)\s+\w+[^.!?]{0,20}\b(?:tracker|keylogger|spyware|airtag)\b"
)
_TAKEN_UP: Final = re.compile(
    r"\b(?:he|she|they)\s+(?:(?:does|do|did)\b(?:\s+(?:it|that|so))?|"
    r"(?:look|looks|check|checks|read|reads)\s+(?:\w+\s+)?(?:every|each|all the time|a lot|daily))"
)
"""An offer ("she can look at my phone") that is used ("and she does")."""
_AGREED: Final = re.compile(r"\b(?:we agreed|agreed|our agreement|part of (?:our|the) deal)\b")
"""Watching agreed to is watching all the same: "we agreed she can read my messages"."""
_NOT_NOW: Final = re.compile(
    r"\b(?:used to|doesnt|does not|didnt|did not|never|dont|do not|wont|stopped|no longer|"
    r"not anymore|would|id let|ill let|should|could|can|may|ever|"
    r"if (?:he|she|they) (?:wants|asks))\b"
)
_STOPPED: Final = re.compile(r"\b(?:used to|stopped|never)\b")
_PERMITS: Final = re.compile(r"\b(?:can|may)\b")
_MYSELF: Final = frozenset({"i", "im", "ive", "id", "ill", "we", "were", "u", "you", "ur"})
_NOT_A_PERSON: Final = frozenset(
    {"to", "and", "that", "it", "what", "which", "this", "app", "phone", "there", "who", "not"}
    | {"am", "is", "are", "was", "were", "be", "been", "being", "just", "always", "still"}
    | {"only", "even", "also", "really", "actually", "literally", "basically", "then", "never"}
)
_PARTNER: Final = frozenset(
    {"he", "she", "they", "hes", "shes", "theyre", "husband", "hubby", "wife", "partner", "bf",
     "gf", "boyfriend", "girlfriend", "fiance", "fiancee", "spouse", "ex"}
)  # fmt: skip
_SWEEPING: Final = re.compile(r"\b(?:every|all|everything|where i)\b")
"""Seeing "everything" is a partner's watching only: a sister who "sees everything i post"
is reading what was posted for all to see."""


def _clauses(text: str) -> tuple[str, list[str]]:
    plain = normalise.join_apostrophes(normalise.unify(text).casefold())
    plain = re.sub(r"[^\w\s.!?,;]", " ", plain)
    parts = re.split(
        r"[.!?;,]+|\bbut\b|\bso\b|\b(?:because|bc|cause|cuz|coz)\b|\band\b(?= (?:i|we)\b)", plain
    )
    return plain, [" ".join(c.split()) for c in parts if c.strip()]


def _someone_else(clause: str, found: re.Match[str]) -> bool:
    """The one looking is not the writer ("i check his phone" is not watched)."""
    who = found.group("who")
    if _SWEEPING.search(found.group(0)) and who not in _PARTNER:
        return False
    return who not in _MYSELF and who not in _NOT_A_PERSON


def watched(text: str) -> bool:
    """Someone else sees, checks or tracks the writer's phone, messages or location now."""
    plain, clauses = _clauses(text)
    if _THIS_CHAT.search(plain) and not _NOT_NOW.search(plain):
        return True
    named = _NAMED.search(plain) is not None
    for clause in clauses:
        if _NOT_NOW.search(clause) and not (_AGREED.search(plain) and _PERMITS.search(clause)):
            if (
                _TAKEN_UP.search(plain)
                and named
                and not re.search(r"\b(?:used to|stopped|never)\b", plain)
            ):
                return True
            continue
        if any(_someone_else(clause, m) for m in _WATCHING.finditer(clause)):
            return True
        if named and any(_someone_else(clause, m) for m in _IT.finditer(clause)):
            return True
        if _TRACKER.search(clause):
            return True
    return False


_ASKS: Final = re.compile(
    r"\b(?:can|could|will|would|might|does|do|is|are)\s+(?:he|she|they|someone|anyone|anybody|"
    r"people|my\s+\w+|others?|the\s+\w+)\s+(?:\w+\s+){0,2}?(?:see|read|find|look\s+at|access|get\s+into)\s+"
    r"(?:this|these|it|that|what\s+i\s+(?:wrote|write|typed|type|say|said|put)|my\s+(?:messages|"
    r"answers|journal|plan|words|chat|notes?))\b"
    r"|\bwhat\s+if\s+(?:he|she|they|someone|my\s+\w+)\s+(?:\w+\s+)?(?:reads?|sees?|finds?|looks?\s+at)\b"
    r"|\b(?:is|are)\s+(?:this|it|these|my\s+\w+)\s+(?:really\s+)?(?:private|safe|secret|confidential|"
    r"encrypted|anonymous)\b"
    r"|\b(?:make\s+sure|so\s+that|so)\s+(?:nobody|no\s+one|noone|he|she|they)\s+(?:else\s+)?"
    r"(?:can|can\s*not|cant|can't|won't|wont)?\s*(?:see|read|find)\b"
    r"|\bwho\s+(?:else\s+)?(?:can|could)\s+(?:see|read)\b|^\s*privacy\s*\??\s*$"
)


def asks_about_privacy(text: str) -> bool:
    """A question about who can read what they write here ("can he read this?"): it is
    answered plainly, before anything else, and never taken as an answer to a step."""
    plain = normalise.join_apostrophes(normalise.unify(text).casefold())
    return len(plain) <= 200 and _ASKS.search(" ".join(plain.split())) is not None


_BLAMES_SELF: Final = re.compile(
    r"\b(?:(?:its|it s|it is|this is|all) (?:all )?my (?:own )?fault|i deserve (?:it|this|that|"
    r"him|her|them|to be|what)|i brought (?:it|this) on myself|i had it coming|i asked for it|"
    r"i make (?:him|her|them) (?:so )?(?:angry|mad|do it|like this))\b"
)


def blames_self(text: str) -> bool:
    """Someone taking the blame for how they are treated ("its my fault hes like this, i
    deserve him checking"): met, gently, with what is true, before anything else."""
    plain = normalise.join_apostrophes(normalise.unify(text).casefold())
    return _BLAMES_SELF.search(" ".join(plain.split())) is not None
