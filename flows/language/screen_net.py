"""A second, wider net behind the screen's precise rules, for what they do not phrase.

The rules in `screen_en.toml` are exact about grammar and figures of speech, and so miss
plainer or more indirect ways of saying the same thing ("there is no point anymore", "he
threatened me", "I am on the bridge now"). Missing someone in danger costs more than a
gentle check-in that was not needed, so this net is deliberately broad, but it still
requires the speaker (or their partner) to be the subject, and it steps back for negation
("I would never…") and for well-known figures of speech. It also narrows one rule: a single
past discovery of messages ("she read my messages and lied") is the heartbreak this coach
exists for, not coercive control, unless the text shows a pattern, force or fear.
"""

from __future__ import annotations

import re
from typing import Final

_P = r"(?:he|she|they|my (?:husband|wife|partner|boyfriend|girlfriend|bf|gf|ex|fiance|fiancee))"
_NEG = re.compile(r"\b(?:not|never|no way|would not|will not|wont|could never)\b")

SELF_HARM: Final = [
    re.compile(p)
    for p in (
        # "rather die than go to that party" is a figure of speech; "than go through this
        # again", "than live like this" is not.
        r"\bi (?:would|had|d) rather (?:be dead|die|not (?:be here|exist|wake up))"
        r"(?:[.!]*$| than (?:go through|live|living|keep|feel|be with|face|wake up|another|do this"
        r"|this|carry on|go on))",
        r"\b(?:there is|there s|theres|i see) no (?:point|reason|way out) (?:anymore|any more|in (?:anything|living|going on|trying|being here)|left)\b",
        r"^(?:there is )?no point(?: anymore| any more)?[.!]*$",
        r"\bi am (?:going|gonna|planning|about|ready) to (?:end it|end it all|end things|end everything|end my life|go for good|do it tonight|say goodbye for good)\b",
        r"\bi (?:just )?(?:want|need) (?:(?:it all |everything |it )?to (?:end|be over)|(?:it all|everything|it|the pain) to stop)(?: for good| forever| permanently)?[.!]*$",
        r"\b(?:there is )?nothing (?:left )?for me (?:here|anymore|in this world|in this life)\b",
        r"\bi (?:just )?(?:want|need) (?:it|it all|everything|the pain|this|all of it) to (?:stop|end|be over)\b.*\b(?:permanently|forever|for good|for ever)\b",
        r"\b(?:gave|giving|given|give) (?:away )?(?:my|all my) (?:dog|cat|pets?|things|stuff|belongings|possessions|guitar|savings|clothes)\b.*\b(?:better care|than i can|will not need|won t need|no longer need|after i am gone|when i am gone)\b",
        r"\bwhat if i (?:just )?(?:did not|didn t|never|do not|don t) wake up\b",
        r"\bi (?:do not|don t|dont) think i can (?:keep doing this|keep going|go on|do this|take this|hold on|last) (?:much longer|any longer|anymore|any more)\b",
        r"\b(?:everything|things|life|it all|it) would be (?:so )?(?:simpler|easier|better|lighter) (?:for everyone )?if i (?:was not|wasn t|were not|weren t) (?:around|here|alive)\b",
        r"\b(?:everything|things|life|it all|it) would be (?:so )?(?:simpler|easier|better|lighter) (?:for everyone )?if i (?:was|were) (?:gone|dead|not here|not around)\b",
        r"\bi am (?:so )?done ?[.,!]* (?:with )?(?:life|living)\b",
        r"\bi am (?:so )?done ?[.,!]* (?:with )?(?:everything|it all)\b.*\b(?:i mean it|this time|for good|forever|goodbye|for real)\b",
        r"\bstop (?:existing|living|being alive)\b.*\b(?:forever|for good|permanently)\b",
        r"\bno way out(?: of (?:this|it))? (?:except|but|other than) (?:one|death|dying|that)\b",
        r"\b(?:finally|actually|really) go through with it\b",
        r"\bwhat is (?:even |really )?the point (?:of me|of my life|of living|of being alive|of being here|of going on|of existing|in living)\b",
        r"\b(?:doing|do) (?:everyone|everybody|them|my family|the world) a favou?r by (?:disappearing|dying|not being here|not being around|ending it|killing myself|leaving this (?:world|earth|life)|going away (?:for good|forever))\b",
        r"\b(?:ready|want|going|wanting|planning) to leave (?:this|the) (?:world|earth|life)\b",
        r"\bi (?:would|d) be (?:fine|okay|ok|happy|glad) (?:if i|to) (?:did not|didn t|never|not) (?:wake|waking) up\b",
        r"\bi (?:have|have got|got|ve got|been) (?:pills|tablets|a rope|a gun|razors?|blades?) (?:saved|stashed|hidden|ready|put aside|collected)\b",
        r"\b(?:saving|stockpiling|hoarding|collecting) (?:up )?(?:pills|tablets|my meds|my medication)\b",
        r"\bi (?:can not|cannot|can t) (?:go on|keep going|do this anymore|do this any more|take (?:it|this) anymore|live like this)(?: anymore| any more)?\b.*\b(?:die|dead|end|gone|over|life|living|point)\b",
        r"\b(?:everyone|everybody|they|he|she|my (?:kids|family)) (?:would|will|d) (?:be )?(?:better|happier) (?:off )?(?:without me|if i (?:was|were) gone|if i (?:was|were) not here)\b",
        r"\bi (?:am|feel) (?:such )?a (?:burden|waste of space)(?= *(?:$|[.!,]| to (?:everyone|everybody|my family|them|people|my kids|all|the world|him|her|you)\b| and\b))",
        r"\bi (?:do not|dont) (?:want|wanna) to (?:be alive|live|exist|be here)(?: anymore| any more)?"
        r"(?! (?:with|in|near|together|there|here|like|without|at|on|alone))\b",
        r"\bhow (?:i would|i d|to) (?:do it|kill myself|end it)\b",
        r"\b(?:wrote|written|writing|left) (?:a |my )?(?:letters?|notes?|goodbyes?) (?:to|for) "
        r"(?:my|the) \w+ (?:just in case|in case|for when i am gone|for after)\b",
        r"\b(?:hoping|hope|praying) (?:that )?(?:something (?:happens|bad happens)|i (?:crash|do not "
        r"make it|do not come back|get hit))\b",
        r"\bi (?:do not|dont|can not|cannot|no longer) see (?:a|any) (?:future|way forward|tomorrow)"
        r" (?:for myself|for me|ahead of me)\b",
        r"\b(?:would|will) (?:anyone|anybody|people|they|he|she) (?:even )?(?:notice|care|miss me)"
        r" if i (?:was|were|am) (?:gone|dead|not here)\b",
        r"\b(?:anyone|anybody) would (?:even )?(?:notice|care) if i (?:was|were) (?:gone|dead)\b",
    )
]
DANGER_NOW: Final = [
    re.compile(p)
    for p in (
        r"\bi (?:have|ve|had)? ?(?:already|just) (?:taken|took|swallowed) (?:the|all the|all my|my|a bunch of|too many|some) (?:pills|tablets|meds|medication|sleeping pills)\b",
        r"\bi (?:have |ve )?(?:taken|took|swallowed) (?:all|too many|a bunch of|the whole|a whole|a handful of) (?:of )?(?:my |the )?(?:pills|tablets|meds|medication|bottle of (?:pills|tablets|meds|sleeping pills|painkillers|paracetamol|tylenol))\b",
        r"\bi am (?:on|at|standing on|sitting on) (?:the|a|this) (?:bridge|roof|ledge|edge|cliff|tracks|platform edge)\b.*\b(?:now|right now|tonight)\b",
        r"\b"
        + _P
        + r" (?:is|s) (?:outside|at) (?:my|the) (?:door|window|house|flat|apartment)\b.*\b(?:now|right now)\b.*\b(?:drunk|angry|yelling|screaming|banging|threatening|shouting|raging)\b",
        r"\b"
        + _P
        + r" (?:is|s) (?:banging on|kicking|trying to (?:break|get) (?:in|down)|breaking) (?:the|my) (?:door|window)\b",
    )
]
_THREAT_OBJECT = (
    r"(?:me(?= *(?:$|[.!,]| again| with| when| if))|us\b|the kids|my (?:kids|children|family|life)"
    r"|to (?:hurt|kill|hit|beat|take|throw me out|kick me out|ruin|post|share|leak|report me"
    r"|leave me if i (?:see|talk|go|meet|call)))"
)
ABUSE: Final = [
    re.compile(p)
    for p in (
        r"\b"
        + _P
        + r" (?:threatened|threatens|is threatening|keeps threatening|has threatened) "
        + _THREAT_OBJECT,
        r"\b"
        + _P
        + r" (?:makes|made|forces|forced) me (?:account for|explain|report|check in|ask permission|ask for permission|show (?:him|her|them) my)\b",
        r"\bi am (?:afraid|scared|terrified|frightened) (?:of )?what "
        + _P
        + r" (?:will|would|might|is going to|could) do\b",
        r"\bi am (?:afraid|scared|terrified|frightened) (?:that )?"
        + _P
        + r" (?:will|would|might|is going to|could) (?:find out|see|read|know) (?:that )?i (?:told|talked|spoke|wrote)\b",
        r"\bi am (?:afraid|scared|terrified|frightened) of (?:him|her|them|my (?:husband|wife|partner|boyfriend|girlfriend|ex))(?= *(?:$|[.!,]| when| because| and| so| now| sometimes| all the time))",
        r"\b"
        + _P
        + r" (?:will not|wont|does not|doesnt|do not) let me (?:see|talk to|go out|leave|have (?:my own|any) (?:money|friends|phone))\b",
    )
]
_PATTERN_OF_CONTROL = re.compile(
    r"\b(?:always|every \w+|all the time|constantly|keeps|makes me|made me|make me|forces|forced|"
    r"demands|demanded|won t let|will not let|not allowed|installed|tracks|tracking|tracker|gps|"
    r"spy|spyware|app|afraid|scared|terrified|controls|passwords?|passcodes?|pins?|logins?|"
    r"all my messages|whenever (?:he|she|they) wants?|goes through|checks|reads|looks through|"
    r"monitors|watches|while i sleep|have to|has to)\b"
)


def _clear(pattern: re.Pattern[str], text: str) -> bool:
    """The pattern matches, and no negation sits just before it ("I would never…")."""
    for match in pattern.finditer(text):
        if not _NEG.search(text[max(0, match.start() - 24) : match.start()]):
            return True
    return False


_ANY = re.compile(
    r"\b(?:die|dead|death|dying|end|ending|point|pills?|tablets|rope|gun|blades?|razors?|bridge|"
    r"roof|ledge|edge|cliff|tracks|door|window|threat\w*|afraid|scared|terrified|frightened|"
    r"let me|account|explain|report|permission|burden|waste|alive|live|exist|here|future|"
    r"notice|care|letters?|notes?|goodbyes?|hoping|hope|praying|nothing|over|stop|go on|"
    r"keep going|better|happier|saved|stashed|saving|stockpiling|hoarding|collecting|"
    r"permanently|forever|gave|giving|given|give|wake|taken|took|swallowed|"
    r"think|simpler|easier|lighter|done|existing|living|way out|through with|"
    r"favou?r|world|earth|life|me|"
    r"do it|kill|banging|kicking|break|breaking|makes me|made me|forces me|forced me)\b"
)
"""Every net pattern needs one of these words: most messages skip the net in one search."""


def extra_signals(norm: str) -> list[str]:
    """Signals the precise rules did not fire, from the wider net (names are in SIGNALS)."""
    found: list[str] = []
    if not _ANY.search(norm):
        return found
    if any(_clear(p, norm) for p in DANGER_NOW):
        found.append("danger_plain")
    if any(_clear(p, norm) for p in SELF_HARM):
        found.append("self_harm_plain")
    if any(_clear(p, norm) for p in ABUSE):
        found.append("control_plain")
    return found


def only_a_discovery(signals: set[str], norm: str) -> bool:
    """A lone "monitoring" without any sign of a pattern, force or fear."""
    return signals == {"monitoring"} and not _PATTERN_OF_CONTROL.search(norm)
