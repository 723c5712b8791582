"""Is this sentence an urge? What someone wanted to do in the heat of a trigger.

/trigger helps someone say to their partner what happened and what they need. What they
wanted to do in that moment ("I wanted to grab it and smash it", "I nearly drove over
there", "part of me wanted to go through his phone") is honest, and it stays in their own
notes; in a message to the partner it reads as a threat or an accusation, and the moment
they want to share is lost behind it.

An urge, here, is the speaker's pull toward an act: a frame ("I wanted to", "I felt like",
"I was about to", "I almost", "it took everything not to") and then an act of the kind a
trigger pulls toward (break, throw, scream, check the phone, drive over, confront, leave).
Feelings stay feelings even in the same frame: "I wanted to cry", "I wanted to throw up",
"I wanted to know where he was", "I wanted him to hold me". Pure, no I/O.
"""

from __future__ import annotations

import itertools
import re
from functools import cache
from typing import Final

from flows.language import normalise

__all__ = ["is_urge", "split"]

_ADVERBS: Final = (
    r"(?:just|really|so|almost|nearly|seriously|honestly|literally|actually|badly|so badly|"
    r"desperately|immediately|instantly|kind of|kinda|sort of|still|even|totally|genuinely)"
)
# What makes the next act something wanted, not (yet) done.
_FRAMES: Final = (
    r"(?:wanted|want|wants|wanna|wantd|wantted|needed|need|wanting|kept wanting|keep wanting) "
    r"(?:(?:so badly|so much|badly|desperately|really|just) )*to",
    r"(?:felt|feel|feeling|felt so much) like(?: i (?:could|would|was going to|wanted to|might))?",
    r"(?:was|am|were|m|im|is) (?:(?:about|going|ready|tempted|dying|itching|so tempted|this close|"
    r"so close|close|seconds away|inches away|a second away|one second away) )(?:to|from)",
    r"gonna|gunna|going to",
    r"(?:almost|nearly|came close to|came so close to|could have|could ve|could of|coulda|"
    r"would have|would ve|wouldve)",
    r"(?:had|have|got|get|fought|resisted|felt|feel|had to fight) (?:the|an|a|this|that) "
    r"(?:\w+ )?(?:urge|impulse|temptation|need) to",
    r"(?:my )?(?:first |only )?(?:instinct|urge|impulse|reaction|thought) (?:was|is) to",
    r"(?:all|what) i (?:wanted|want) (?:to do )?(?:was|is)(?: to)?",
    r"(?:had to|could barely|could hardly|barely|hardly|had to really) (?:stop|keep|hold) "
    r"myself (?:back )?from",
    r"(?:stopped|kept|held) myself (?:back )?from",
    r"(?:it )?took (?:everything|all)(?: i had| in me| of me| my strength| my willpower)? not to",
    r"(?:made|makes|make) me (?:want to|wanna|feel like)",
    r"part of me (?:wanted|wants|was ready|was about) to",
    r"tempted to|urge to|itching to|dying to",
    r"(?:started|start|began|begin|kept|keep|couldn t stop|could not stop|couldnt stop)(?= \w+ing)",
)
# Acts a trigger pulls toward, wanted ("I wanted to run"); "ing" and past forms too.
_ACTS: Final = (
    "smash", "hurl", "chuck", "punch", "hit", "slap", "kick", "scream", "yell", "shout", "swear",
    "curse", "slam", "trash", "wreck", "destroy", "rip", "burn", "key", "slash", "shred",
    "delete", "snoop", "stalk", "spy", "track", "confront", "expose", "post", "grab",
    "snatch", "shake", "smack", "shove", "push", "storm", "leave", "divorce", "dump", "unleash",
    "run", "hide", "disappear", "demand", "interrogate", "grill", "flee", "escape",
)  # fmt: skip
# The same acts, done in the heat of it ("I slammed the door", "I yelled at him"): only those
# that are not also the plain stuff of a day ("I left work", "I shook all over").
_DONE_ACTS: Final = (
    "smash", "hurl", "chuck", "punch", "slap", "kick", "scream", "yell", "shout", "curse",
    "slam", "trash", "wreck", "destroy", "key", "slash", "shred", "snoop", "stalk", "spy",
    "track", "confront", "expose", "snatch", "smack", "shove", "demand", "interrogate", "grill",
)  # fmt: skip
# Irregular past forms ("I nearly hit him", "I swore at him").
_PAST: Final = ("hit", "swore", "flung", "slung", "shook", "shaken", "burnt", "left", "ran", "hid")
_DONE_PAST: Final = ("hit", "swore", "flung")
_POSSESSED: Final = (
    r"(?:all |every one of |through |all of )?(?:his|her|their|your|the|that) "
    r"(?:ex s |ex |wife s |husband s |girlfriend s |boyfriend s )?"
)
_ITEMS: Final = (
    r"(?:phone|messages|texts|emails?|chats?|whatsapp|instagram|insta|facebook|snapchat|socials|"
    r"dms|location|laptop|call log|search history|browser|bank|car|keys|bag|pockets|wallet|"
    r"purse|things|stuff|drawers|account|photos|camera roll|receipts|computer|ipad)"
)
# Acts that are urges only with what follows ("check his phone", not "check in with you").
# Each verb is written with its forms. The first set counts when done as well as wanted.
_DONE_PHRASES: Final = (
    r"(?:throw|throwing|threw|thrown) (?!up\b)",
    r"(?:break|breaking|broke|broken) (?!down\b|up with\b)",
    r"(?:tear|tearing|tore|torn|rip|ripping|ripped) (?:up )?(?:his|her|their|the|that|those|it|"
    r"them|everything|apart)",
    r"(?:choke|choking|choked|strangle|strangling|strangled) (?:him|her|them)",
    r"(?:follow|following|followed) (?:him|her|them)(?! up\b)",
    r"(?:check|checking|checked|go through|going through|went through|gone through|look through"
    r"|looking through|looked through|read|reading|search|searching|searched|scroll through|"
    r"scrolling through|scrolled through|grab|grabbing|grabbed|snatch|snatching|snatched|"
    r"stalk|stalking|stalked) " + _POSSESSED + _ITEMS,
    r"(?:log|logging|logged|hack|hacking|hacked) (?:into|in to|onto) (?:his|her|their|the)",
    r"(?:drive|driving|drove|driven|race|racing|raced|rush|rushing|rushed|head|heading|headed) "
    r"(?:over|there|round|around|straight over|past|by|to (?:her|his|their|that|the) (?:place|"
    r"house|flat|office|work|apartment|hotel|job))",
    r"(?:show|showing|showed|turn|turning|turned) up (?:at|there|on)",
    r"(?:call|calling|called|text|texting|texted|message|messaging|messaged|dm|dming|dmed|ring|"
    r"ringing|rang|email|emailing|emailed) (?:her|him|them|that woman|the woman|that man|the "
    r"guy|that guy|his ex|her ex|the other)(?! back later| to (?:ask|say|see|check|let|tell)\b)",
    r"(?:check|checking|checked) (?:up on (?:him|her|them)|(?:where|who|what) (?:he|she|they) "
    r"(?:was|is|were|are|has been|had been))",
    r"(?:call|calling|called|text|texting|texted|message|messaging|messaged|dm|dming|dmed|email|"
    r"emailing|emailed|tell|telling|told) (?:all |every one of )?(?:his|her|their) (?:friends|"
    r"family|mom|mum|mother|dad|father|boss|husband|wife|boyfriend|girlfriend|sister|brother|"
    r"coworkers|colleagues)",
    r"(?:blow|blowing|blew) up (?:his|her|their) phone",
    r"(?:tell|telling|told) (?:everyone|everybody|the world|the (?:whole )?group(?: chat)?|"
    r"her husband|his wife|her boyfriend|"
    r"his girlfriend|his boss|her boss|his family|her family|his mom|his mum|his mother|her "
    r"mom|her mum|her mother|all our friends|the kids)",
    r"(?:tell|telling|told) (?:him|her|them) to (?:get out|leave|go|get lost|pack)",
    r"(?:storm|storming|stormed) (?:out|off)",
    r"(?:pack|packing|packed) (?:my|his|her|their|a) (?:bags?|things|stuff|suitcase)",
    r"(?:kick|kicking|kicked|throw|throwing|threw|lock|locking|locked) (?:him|her|them) out",
    r"(?:hurt|hurting) (?:him|her|them|you)",
    r"(?:get|getting|got) (?:revenge|back at|even)",
    r"(?:cheat|cheating|cheated) back",
    r"(?:sleep|sleeping|slept) with (?:someone|somebody|anyone|anybody|his|her)",
    r"(?:get|getting|got) (?:\w+ )?(?:drunk|wasted|hammered)",
    r"(?:go|going|went) off (?:on|at)",
    r"(?:blow|blowing|blew|lash|lashing|lashed) (?:up|out) at",
    r"(?:lose|losing|lost) it|(?:flip|flipping|flipped|freak|freaking|freaked) out",
    r"(?:rip|ripping|ripped|tear|tearing|tore) into",
    r"(?:wake|waking|woke) (?:him|her|them) up",
    r"(?:ask|asking|asked) (?:him|her|them) (?:a million|a hundred|a thousand|so many|a ton of|"
    r"all the|every) (?:\w+ )?questions",
    r"(?:screamed|yelled|shouted|swore|cursed) at",
    r"(?:pour|pouring|poured) (?:myself )?(?:a |another )?(?:\w+ )?(?:glass|drink|shot)",
    r"(?:drink|drinking|drank) (?:a whole|the whole|way too much|till|until)",
    r"(?:was |got )?halfway to (?:his|her|their|that)",
    r"(?:type|typed|typing|write|wrote|writing) (?:out )?(?:a |an )?(?:whole |long |angry |huge )?"
    r"(?:message|text|email|paragraph|essay)",
    r"(?:hide|hiding|hid) (?:in|under|from)",
    r"(?:call|calling|called) (?:him|her|them) (?:every|all the|names|a )",
    r"(?:go|going|went|gone) on (?:his|her|their) (?:insta|instagram|facebook|fb|socials|page|"
    r"profile|tiktok|twitter|snap)",
    r"(?:scroll|scrolling|scrolled) (?:back|all the way)",
    r"(?:google|googling|googled) (?:divorce|lawyers|how to leave|her|him)",
    r"(?:open|opening|opened) (?:his|her|their) (?:emails?|messages|texts|phone|laptop|dms)",
    r"(?:block|blocking|blocked) (?!out\b)",
)
# Acts that are urges when wanted, but plain facts when done ("I went home", "I walked out").
_WANTED_PHRASES: Final = (
    r"(?:go|going|went|run|running|ran) (?:over|there|round|around|straight over|to (?:her|his|"
    r"their|that|the) (?:place|house|flat|office|work|apartment|hotel|job))",
    r"(?:walk|walking|walked|run|running|ran|get|getting|got) (?:out|off|away)",
    r"(?:end|ending|ended) (?:it|things|this|us|the marriage|the relationship)",
    r"(?:turn|turning|turned) (?:the car )?around",
    r"(?:go|going|went|walk|walking|walked) up (?:to|and)",
    r"(?:go|going|went) (?:back )?home",
    r"(?:get|getting|got) in the car|(?:drive|driving) (?:away|off)",
    r"(?:call|calling|called|see|seeing|saw|ring|rang|get|got) (?:a|my) (?:lawyer|divorce lawyer|"
    r"solicitor)|(?:file|filing|filed) for divorce",
    r"(?:make|making|made) (?:him|her|them) (?:hurt|pay|suffer|feel|cry|beg|regret)",
)
# A wish about the partner that is an urge: "I wanted him out of the house", "…to suffer".
_WISHES: Final = re.compile(
    r"\b(?P<frame>(?:wanted|want|needed|need|wanting)) (?:(?:so badly|so much|badly|really|"
    r"just) )*(?:him|her|them) (?:out\b|gone\b|to (?:(?:really|just|also) )?(?:feel|hurt|"
    r"suffer|pay|know how it feels|cry|beg|crawl|get out|leave|go away|disappear)\b)"
)
_LEAD_INS: Final = (
    r"(?:(?:go|just go|get up|go over|storm over|run over|walk over|reach over|grab it|grab "
    r"the phone|pick it up|take it|get in the car|jump in the car|go in|march in|turn around|"
    r"cry|scream|yell|just cry)(?: and| and just)? )?"
)
_DONE_LEAD: Final = (
    r"(?:(?:just|then|immediately|instantly|literally|actually|finally|also|even|basically|"
    r"kind of|kinda|started|began|kept|ended up|went and|just went and|like) )*"
)
_SUBJECTS: Final = frozenset(
    ["i", "me", "he", "she", "they", "we", "you", "u", "him", "her", "them", "it", "who"]
)
_NEGATED: Final = re.compile(
    r"\b(?:did not|didn t|didnt|do not|don t|dont|never|not) (?:\w+ )?(?:want|wanted|feel|felt)"
    r"\b"
)


def _ed(verb: str) -> str:
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ied"
    if len(verb) <= 4 and re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", verb):
        return verb + verb[-1] + "ed"  # slap → slapped
    return verb + "ed"


def _ing(verb: str) -> str:
    if verb.endswith("e") and not verb.endswith("ee"):
        return verb[:-1] + "ing"
    if len(verb) <= 4 and re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", verb):
        return verb + verb[-1] + "ing"  # hit → hitting, slap → slapping
    return verb + "ing"


def _words_of(forms: set[str]) -> str:
    return r"(?:" + "|".join(sorted(forms, key=len, reverse=True)) + r")\b"


@cache
def _urge_re() -> re.Pattern[str]:
    """Something wanted: a frame, then an act ("I almost drove over there")."""
    forms = {form for verb in _ACTS for form in (verb, _ing(verb), _ed(verb))} | set(_PAST)
    act = r"(?:" + "|".join((*_DONE_PHRASES, *_WANTED_PHRASES)) + "|" + _words_of(forms) + ")"
    frame = r"(?:" + "|".join(_FRAMES) + ")"
    return re.compile(rf"\b(?P<frame>{frame}) (?:{_ADVERBS} )*{_LEAD_INS}(?:{_ADVERBS} )*{act}")


@cache
def _done_re() -> re.Pattern[str]:
    """Something done in the heat of it, by the speaker ("i yelled at him", "checked his
    location like 5 times")."""
    forms = {form for verb in _DONE_ACTS for form in (verb, _ed(verb))} | set(_DONE_PAST)
    act = r"(?:" + "|".join(_DONE_PHRASES) + "|" + _words_of(forms) + ")"
    # "i was googling lawyers": a doing, not "i was yelled at", which was done to them.
    return re.compile(rf"(?:^(?:and |but |so |then )?|\bi (?:was (?=\w+ing\b))?){_DONE_LEAD}{act}")


def _plain(text: str) -> str:
    """Lower case, one kind of apostrophe dropped into a space ("i'd" → "i d"), single spaces."""
    text = normalise.printable(normalise.unify(text)).casefold()
    text = re.sub(r"[’']", " ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    text = _TEXTING.sub(lambda m: _TEXTING_FORMS[m.group(0)], text)
    return " ".join(text.split())


# Phone spellings of the words the patterns above are written with.
_TEXTING_FORMS: Final = {"thru": "through", "tho": "though", "msg": "message", "msgs": "messages"}
_TEXTING: Final = re.compile(r"\b(?:" + "|".join(_TEXTING_FORMS) + r")\b")
# Said of an act, these make it one done in the heat of it, whatever the act.
_COMPULSION: Final = re.compile(
    r"\b(?:before i could stop myself|couldn t help (?:it|myself)|could not help (?:it|myself)|"
    r"couldnt help (?:it|myself)|couldn t stop myself|couldnt stop myself|without thinking|"
    r"before i knew it|on (?:its|their) own|on autopilot|i just did it)\b"
)


def is_urge(sentence: str, *, acts: bool = True) -> bool:
    """Whether a sentence tells what the speaker wanted to do in the heat of the moment, or
    did (an act: "I wanted to smash it", "I yelled at him"), not a feeling or a need.
    `acts=False` counts only what was wanted (a trigger's moment may itself be an act)."""
    text = _plain(sentence)
    if not text:
        return False
    for pattern in (_urge_re(), _WISHES):
        for found in pattern.finditer(text):
            before = text[: found.start("frame")].split()
            if _speaker(before, found.group("frame")) and not _NEGATED.search(text[: found.end()]):
                return True
    if not acts:
        return False
    acted = re.search(r"(?:^|\bi )\w+ed\b|\bmy \w+ did\b|\bwent\b", text)
    if _COMPULSION.search(text) and acted:
        return True  # "grabbed it before i could stop myself", "my thumbs did it on their own"
    return _done_re().search(text) is not None


def _speaker(before: list[str], frame: str) -> bool:
    """Whether the one who wanted it is the speaker: "I", a frame that says "me", or no
    subject at all ("Wanted to scream."); "he wanted to leave" is about someone else."""
    if re.search(r"\b(?:me|i|my)\b|^(?:it )?took\b", frame):
        return True
    subject = next((w for w in reversed(before) if w in _SUBJECTS), None)
    return subject in (None, "i", "me")


# Where a sentence turns to a new clause with its own subject: "…at dinner, and I wanted to…".
_CLAUSE_BREAK: Final = re.compile(
    r"(?:,?\s+(?:and|but|so|then|and then|until|till|which|that)\s+(?=(?:i|i'd|i’d|i'm|i’m|"
    r"part of me|all i|everything in me|my first|my only|it took|made me)\b)|"
    r",\s+(?=(?:i|part of me|all i|my first|it took)\b)|"
    r",?\s+which\s+(?=made me\b)|\s+[-–—]\s+|;\s*)",
    re.I,
)
_SENTENCE: Final = re.compile(r"[^.!?\n]+[.!?]*\s*|\n+")
_LEADING_JOIN: Final = re.compile(r"^\s*(?:[,;:–—-]\s*)?(?:(?:and|but|so|then)\b[,\s]*)*", re.I)


def split(text: str, *, acts: bool = True) -> tuple[str, tuple[str, ...]]:
    """The text without its urges, and the urges taken out (each as written).

    A sentence is read clause by clause, so "He was texting at dinner and I wanted to grab it
    and smash it" keeps "He was texting at dinner". What is left reads as a sentence: a
    dangling "and"/"but" is dropped and a first letter that was capital stays capital.
    """
    kept: list[str] = []
    urges: list[str] = []
    for sentence in _SENTENCE.findall(text):
        if not sentence.strip():
            kept.append(sentence)
            continue
        cuts = [0, *(m.start() for m in _CLAUSE_BREAK.finditer(sentence)), len(sentence)]
        pieces = [sentence[a:b] for a, b in itertools.pairwise(cuts) if b > a]
        left = [p for p in pieces if not is_urge(p, acts=acts)]
        urges += [_LEADING_JOIN.sub("", p).strip(" ,.;") for p in pieces if is_urge(p, acts=acts)]
        if not left:
            continue
        joined = "".join(left)
        if left[0] is not pieces[0]:
            joined = _LEADING_JOIN.sub("", joined)
            if pieces[0][:1].isupper():
                joined = joined[:1].upper() + joined[1:]
        end = re.search(r"[.!?]+\s*$", sentence)
        joined = joined.rstrip(" ,;–—-")
        if end and not re.search(r"[.!?]\s*$", joined):
            joined += end.group(0).rstrip() + (" " if sentence.endswith(" ") else "")
        elif sentence.endswith(" ") and not joined.endswith(" "):
            joined += " "
        kept.append(joined)
    return "".join(kept).strip(), tuple(u for u in urges if u)


_HARM_WANTED: Final = re.compile(
    r"\b(?:want|wanting|wanted|urge|feel like|felt like|tempted)\b(?:\s+\w+){0,3}?\s+"
    r"(?:to\s+)?(?:punch|hit|hurt|kill|smash|slap|kick|strangle|choke|stab|beat|attack)\b"
)


def wants_harm(text: str) -> bool:
    """A question or remark about wanting to hurt someone or break something ("is it normal
    to want to punch him"), whoever the sentence starts with."""
    return _HARM_WANTED.search(_plain(text)) is not None
