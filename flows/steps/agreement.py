"""/agreement: draft a voluntary transparency agreement — what is open, until when, reviewed when.

After trust breaks, a little chosen openness can quiet the guessing. It helps only while it
is freely offered by the one whose things they are, and has an end: as trust returns,
privacy should come back by itself. So every draft has an end date in the future and a
review date before it; an offer of one's own openness is met as an offer, and a term that
is really control (a demand for the other's passwords, phone or whereabouts, spyware,
proof, isolation, or openness with no end) is named kindly and left out, because control
tends to deepen the hurt it means to soothe (DESIGN §4a). Where that line runs is written
out above `judge`.

The draft is only ever the person's own: it is saved to their journal and, if they like,
shown as clean text they can forward themselves. Mend never sends it to a partner.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from transitions import EventData

from flows.core import content, policy
from flows.core.contract import JournalRecord, Option, PartnerRecord, Reply, Role
from flows.core.machine import (
    END,
    Callback,
    Flow,
    State,
    Turn,
    editing,
    forget,
    has_words,
    model_of,
    slot_set,
    value_is,
    value_of,
)
from flows.core.step import Step
from flows.language.normalise import unify
from flows.views import partner as partner_view

KIND = "agreement"

PRESETS = ("schedules", "phone", "checkins")
MAX_TERMS = 10
MAX_TERM_CHARS = 200
MIN_DAYS = 7
"""A shorter agreement would end before it could show anything."""
MAX_DAYS = 366
"""Longer than a year stops being "for a while"; it can be renewed at the review instead."""
LENGTHS = ("w2", "m1", "m3")
_ALL = ("terms", "ends", "half", "review_on", "_editing")

# --- the control detector --------------------------------------------------------------------
#
# Where the line is, and why. Openness is something a person gives of their OWN: their phone,
# messages, email, location, schedule, accounts. Offered freely, for the time the agreement
# runs, it is openness, whoever offers it; after an affair the one who broke the trust often
# offers exactly this ("she can read my phone", "I'll share my location for three months"),
# and it can help. Control is reaching for what is the OTHER's: no one can offer what is not
# theirs, so a term that hands one partner the other's phone, passwords or whereabouts is a
# demand, whoever types it. So the detector asks whose things a term is about, in this order:
#
# 1. The words: "my phone", "mine", "where I am" are the typer's own; "his", "her", "your",
#    "Sam's", "where she is" the other's; "our", "each other's", "both ways", "we share" both.
#    One-way dressed as mutual ("only I see his", "mine stays off") is the other's. When both
#    the typer's and the other's things are named, whose messages, email or accounts counts
#    over whose screen shows them ("her icloud on my laptop" is hers), and it is mutual only
#    when the words say so ("… and she can see mine").
# 2. Who gives and who takes: "I'll share … with her", "she can read …" give the typer's own;
#    "send me", "with me", "I check …", "so I know", "he sends …" take the other's.
# 3. Who is typing, when the words do not say ("phone stays unlocked"): the one who broke the
#    trust is offering their own; anyone else is asking for the other's, so it stays control.
#
# Then:
# * Own (an offer) or both (mutual): openness, as long as the term does not reach past the
#   agreement's end. "Forever", "from now on", "for the rest of our lives", "as long as she
#   needs", "until she trusts me", a closing "always", or more than a year has no end: it is
#   named, and the person is asked to offer it for the agreement's time. A stated time longer
#   than the agreement's chosen end is caught by the flow (`reach`), which knows that end.
# * The other's (a demand): control; unless the words say the other offered it themselves
#   ("he offered to share his location"), which makes it their offer, written down.
# * Whoever's things and whoever types, control: secret monitoring (spyware, hidden trackers,
#   "without her knowing", "he doesn't need to know", "while he's asleep"), proof ("prove",
#   "lie detector", checking that his story "matches what he said"), isolation (cutting
#   someone off from friends or family, going out only "with me", "no guys' nights"), duties
#   laid on the other ("he has to…", "she can't…"), and rules that put one person's wish over
#   the other's ("whenever I want", "when I ask", "on demand", "I get to check", "not
#   allowed", "until I say", "within five minutes", "every minute").
# * A negated reach ("no going through each other's phones", "we don't track each other",
#   "no spyware"), a reach done "instead of" or an urge named instead of acted on ("if I want
#   to check her phone I'll tell her instead") is a promise of respect, and keeping things
#   private is not access: openness.
# * Terms with nothing private in them (check-ins, "tell each other when plans change",
#   phones face up at dinner) are openness.

Kind = Literal["control", "openness"]
Reason = Literal[
    "open", "offer", "mutual", "theirs", "no_end", "demand", "secret", "proof", "isolation", "rule"
]
Whose = Literal["own", "mutual", "other", "unclear"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a term is, and which part of the line above decided it (the copy follows it)."""

    kind: Kind
    reason: Reason


_SHORTHAND = {
    "u": "you",
    "ur": "your",
    "urs": "yours",
    "r": "are",
    "im": "i am",
    "ive": "i have",
    "ill": "i will",
    "dont": "do not",
    "wont": "will not",
    "cant": "can not",
    "cannot": "can not",
    "doesnt": "does not",
    "didnt": "did not",
    "isnt": "is not",
    "arent": "are not",
    "hes": "he is",
    "shes": "she is",
    "theyre": "they are",
    "youre": "you are",
    "gonna": "going to",
    "gimme": "give me",
    "lemme": "let me",
    "wanna": "want to",
    "msg": "message",
    "msgs": "messages",
    "convo": "conversation",
    "convos": "conversations",
    "txt": "text",
    "txts": "texts",
    "pw": "password",
    "pws": "passwords",
    "pwd": "password",
    "pwds": "passwords",
    "passwd": "password",
    "loc": "location",
    "fb": "facebook",
    "ig": "instagram",
    "insta": "instagram",
    "ppl": "people",
    "wifes": "wife's",
    "husbands": "husband's",
    "hubby": "husband",
    "wifey": "wife",
}
_CONTRACTIONS = (
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bcan't\b"), "can not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"\bi'm\b"), "i am"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"\bi'd\b"), "i would"),
    (re.compile(r"\blet's\b"), "let us"),
    (re.compile(r"\b(he|she|it|that|there|who|where|what)'s\b"), r"\1 is"),
)
_LETTERS = re.compile(r"[a-z']+")


def _plain(term: str) -> str:
    """One spelling for how people type on phones: lowercase, "u"/"ur", no apostrophes."""
    text = " ".join(unify(term).casefold().split())
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return _LETTERS.sub(lambda m: _SHORTHAND.get(m[0], m[0]), text)


# Who a term can be about, besides "i" and "we".
_PARTNER = r"(?:my\s+)?(?:wife|husband|partner|spouse|girlfriend|boyfriend|gf|bf|fianc[eé]e?)"
_THEM = rf"(?:she|he|they|you|{_PARTNER})"
_HIM_HER = rf"(?:_her_|him|them|you|{_PARTNER})"
_GIVING = (
    r"(?:share|shares|sharing|give|gives|giving|send|sends|sending|show|shows|showing|"
    r"forward|forwards|forwarding|hand|hands|handing|tell|tells|telling|let|lets|text|texts|"
    r"email|emails|offer|offers|offering|call|calls|calling|ring|rings|facetime|facetimes)"
)
# Private things: what openness, or control, is about.
_THINGS = (
    r"(?:phones?|mobiles?|cell\s?phones?|iphones?|messages?|texts?|chats?|dms|whatsapps?|"
    r"snapchats?|instagram|facebook|messenger|telegram|inbox(?:es)?|e-?mails?|mail|"
    r"call\s+logs?|call\s+history|laptops?|computers?|pcs?|devices?|tablets?|ipads?|"
    r"(?:browser|search|internet|chat)\s+history|history|conversations?|social\s+media|"
    r"socials|accounts?|bank\s+statements?|statements?|receipts|spending|calendars?|"
    r"schedules?|diar(?:y|ies)|locations?|whereabouts|gps|pass(?:word|code|phrase)s?|pins?|"
    r"log-?ins?|credentials|codes?|selfies?|photos?|pictures?|pics?|pix|video\s+calls?|screens?|"
    r"facetimes?|contacts?|icloud|apple\s+id|google\s+account|cloud|bank\s+app|apps?)"
)
_REACH = (
    r"(?:read|reads|reading|check(?!\s+in\b)|checks(?!\s+in\b)|checking(?!\s+in\b)|checked|"
    r"see|sees|seeing|look(?:s|ing)?\s+(?:at|through|in|into|over)|"
    r"go(?:es|ing)?\s+through|went\s+through|scroll(?:s|ing)?|"
    r"search(?:es|ing)?|inspect\w*|monitor\w*|track|tracks|tracking|tracked|view|views|"
    r"viewing|access|accessing|know|knows|have|has|having|get|gets|screenshot\w*|"
    r"share|shares|sharing|shared|give|gives|giving|send|sends|sending|show|shows|showing|"
    r"forward|forwards|forwarding|hand|hands|handing|leave|leaves|leaving|unlock\w*|lock|"
    r"locks|install\w*|open\s+up|opens?|text|texts|texting|email|emails|emailing|set\s+up|"
    r"sets\s+up|setting\s+up|sync\w*|put|puts|putting|delete|deletes|deleting|block|blocks|"
    r"blocking|unfollow|unfollows)"
)
_TELLING = (
    r"(?:know|knows|tell|tells|telling|told|say|says|share|shares|sharing|text|texts|show|"
    r"shows|send|sends|check|checks|see|sees|track|tracks|prove|proves|open\s+about|"
    r"honest\s+about|updates?\s+on|"
    r"ask|asks|asking|asked)"
)
_ACCESS = re.compile(
    r"\b(?:locations?|whereabouts|gps|find\s+my|life360|airtags?|trackers?|track|tracks|"
    r"tracking|tracked|pass(?:word|code|phrase)s?|pins?|pin\s+codes?|log-?ins?|credentials|"
    r"unlock\w*|access\s+to|on\s+the\s+line|"
    r"(?:stay|stays|staying|stayed)\s+on\s+(?:the\s+)?(?:phone|facetime|video|call))\b"
    rf"|\b{_REACH}\b(?:\s+\S+){{0,5}}?\s+{_THINGS}\b"
    rf"|\b{_THINGS}\b(?:\s+\S+){{0,3}}?\s+(?:open\s+to|without\s+(?:a\s+)?(?:lock|pass))"
    r"|\b(?:take|takes|taking|keep|keeps|keeping|hold|holds|confiscate\w*)\s+"
    r"(?:my|his|her|their|your)\s+phones?\b"
    rf"|\bi\s+(?:want|need|get|demand)\s+(?:all\s+)?(?:his|her|their|your)\s+(?:\w+\s+)?{_THINGS}\b"
    rf"|\b{_THINGS}\s+(?:\S+\s+){{0,2}}?(?:emailed|sent|forwarded|shown|screenshotted|handed)\s+to\s+me\b"
    r"|\bno\s+(?:pass(?:word|code)s?|pins?|locks?|lock\s*screens?)\b"
    rf"|\b{_TELLING}\b(?:\s+\S+){{0,3}}?\s+(?:where|who)\s+(?:i|we|he|she|they|you)\b"
)
_WHERE_WHO = re.compile(
    r"\b(?:where|who)\s+(?P<who>i|we|he|she|they|you)\b(?:\s+\w+){0,2}?\s+"
    r"(?:am|is|are|was|were|be|go|goes|going|went|been|with|meeting|meets|meet|texting|"
    r"texts|seeing|sees|talking|talks|messaging|calling|calls|chatting|spend|spends)\b"
)
_KEPT_PRIVATE = re.compile(
    r"\b(?:keep|keeps|kept|keeping|stay|stays)\b.{0,40}\b(?:private|to\s+(?:myself|himself|"
    r"herself|themselves|ourselves))\b|\bown\s+(?:privacy|space)\b"
)

# A reach that is negated is a promise of respect: the clause is dropped before reading on.
# So is what is done "instead of" or "rather than", and an urge the person says they will
# name instead of acting on ("if I want to check her phone, I'll tell her instead").
_INSTEAD = re.compile(r"\b(?:instead\s+of|rather\s+than)\b[^,.;!?]*")
_URGE = re.compile(
    r"\bif\s+i\b[^,.;!?]*?\b(?:want|wanting|feel|feeling|urge|tempted|itch|itching)\b"
    r"[^,.;!?]*?(?=\s+(?:i\s+will|i\s+am\s+going|then)\b|[,.;!?]|$)"
)
_REPLACED = re.compile(r"\b(?:instead|rather)\b")
_PROTECTIVE_NEGATION = re.compile(
    r"\b(?:no|not|never|nobody|no\s+one|neither|nor|stop|without)\b"
    r"(?=\s+(?:\w+\s+){0,2}?(?:track|tracks|tracking|check|checks|checking|read|reads|reading|"
    r"go|goes|going|look|looks|looking|spy|spying|snoop|snooping|demand|demanding|ask|asks|"
    r"asking|search|searching|monitor|monitoring|install|installing|record|recording|prove|"
    r"proving|proof|spyware|stalkerware|trackers?|secret\w*|hidden|follow|following)\b)"
    r"[^,.;!?]*"
)
_SECRET = re.compile(
    r"\b(?:spyware|stalkerware|keyloggers?|spy\s+apps?|spying|snoop\w*|secretly|in\s+secret|"
    r"hidden\s+(?:cameras?|trackers?|apps?|gps|devices?|airtags?|mics?)|"
    r"without\s+(?:him|her|them|you|my\s+\w+)\s+(?:knowing|noticing|finding\s+out|seeing)|"
    r"without\s+(?:his|her|their|your)\s+(?:knowledge|consent|knowing)|"
    rf"{_THEM}\s+(?:does|do|will|would|is|are|has)?\s*(?:not|never)\s+(?:\w+\s+){{0,2}}?"
    r"(?:know|knows|find\s+out|notice|notices)|"
    r"behind\s+(?:his|her|their|your)\s+back|"
    r"(?:while|when)\s+(?:he|she|they|you)\s+(?:is|are)\s+(?:asleep|sleeping|in\s+the\s+shower|"
    r"not\s+looking|not\s+home)|"
    r"record\w*\s+(?:his|her|their|your)\s+(?:calls|conversations|phone)|"
    r"(?:bug|bugs|bugging|clone|clones|cloning|mirror|mirrors|mirroring)\s+"
    r"(?:his|her|their|your)\s+phone|"
    r"(?:tracker|airtag|gps)\s+(?:in|on|under)\s+(?:his|her|their|your)\s+(?:car|bag|keys))\b"
)
_PROOF = re.compile(
    r"\b(?:prove|proves|proving|proof|evidence|verify|verifies|verified|lie\s+detectors?|"
    r"polygraphs?)\b"
    r"|\bto\s+show\s+(?:that\s+)?(?:he|she|they|you)\s+(?:is|are|was|were)\s+(?:really|actually|"
    r"truly|where|there)\b"
    r"|\b(?:check|checks|checking|make\s+sure|makes\s+sure)\s+(?:that\s+|if\s+|whether\s+)?"
    r"(?:he|she|they|you|it)\s+(?:did|does|has|have|is|are|was|were|really|actually|went|"
    r"matches|match|adds\s+up)\b"
    r"|\b(?:matches|match|adds\s+up|lines\s+up|checks\s+out)\b(?:\s+\S+){0,3}?\s+what\s+"
    r"(?:he|she|they|you)\s+(?:said|says|told|claims?)\b"
)
_PEOPLE = (
    r"(?:friends?|family|families|mates|parents|sisters?|brothers?|mum|mom|dad|"
    r"(?:anyone|anybody|everyone|everybody|people)(?!\s+(?:from|at|who|that|of|connected|"
    r"involved|else\s+from)\b))"
)
_ISOLATION = re.compile(
    r"\b(?:not|never|no\s+longer|no\s+more|stop|stops|stopping|quit|quits|cut|cuts|cutting|"
    r"drop|drops|dropping|ban|bans)\b(?:\s+\S+){0,3}?\s+"
    r"(?:see|sees|seeing|meet|meets|meeting|go\s+out|goes\s+out|going\s+out|hang\s+out|"
    r"hangs\s+out|hanging\s+out|talk|talks|talking|speak|speaks|speaking|visit|visits|"
    r"visiting|call|calls|calling|contact|contacts|contacting|spend\s+time|spends\s+time|"
    rf"spending\s+time|off)\b(?:\s+\S+){{0,3}}?\s+{_PEOPLE}\b"
    r"|\b(?:drop|drops|dropping|cut\s+off|cuts\s+off|block|blocks|unfriend\w*|unfollow\w*)\s+"
    r"(?:all\s+)?(?:his|her|their|your)\s+(?:\w+\s+)?(?:friends?|mates|coworkers?|colleagues|"
    r"family|exes?)\b"
    r"|\b(?:go|goes|going|went|leave|leaves|leaving|out|anywhere|see|sees|seeing|meet|meets|"
    r"meeting|friends)\b(?:\s+\S+){0,4}?\s+without\s+me\b"
    r"|\bonly\s+(?:with|if)\s+me\b|\bonly\s+(?:go|goes|see|sees)\b(?:\s+\S+){0,3}?\s+with\s+me\b"
    r"|\b(?:quit|quits|quitting)\s+(?:his|her|their|your|my)\s+job\b"
    r"|\b(?:not|never)\s+(?:go|goes|going)\s+out\b|\bno\s+(?:friends|nights?\s+out|going\s+out)\b"
    r"|\bno\s+(?:guys|girls|lads|boys|mates|friends|work)'?\s+nights?\b"
)
_RULE = re.compile(
    r"\bnot\s+allowed\b|\bforbid\w*|\bbann?ed\b"
    r"|\b(?:whenever|any\s?time|every\s+time)\s+i\s+(?:want|wants|like|ask|need|say|demand)\b"
    r"|\b(?:when|if)\s+i\s+(?:ask|say\s+so|demand|request)\b"
    r"|\bi\s+get\s+to\s+(?:\w+\s+)?(?:check|see|read|look|know|go\s+through|have|decide|track|"
    r"access|view|keep|hold|ask|approve|choose|say)\b|\bon\s+demand\b|\bat\s+my\s+(?:request|command|say\s+so)\b"
    r"|\baccount\s+for\s+(?:every|all)\b|\bevery\s+(?:single\s+)?minute\b"
    r"|\bwithin\s+(?:\d+|one|two|three|five|ten|fifteen|twenty|thirty|a\s+few)\s+"
    r"(?:minutes?|mins?|seconds?)\b"
    r"|\btell\s+me\s+everything\b|\breports?\s+(?:back\s+)?to\s+me\b|\breporting\s+to\s+me\b"
    r"|\b(?:ask|asks|get|gets|need|needs|with|without)\s+my\s+(?:permission|approval|ok|okay)\b"
    r"|\bi\s+(?:will\s+|get\s+to\s+)?(?:decide|approve)\s+(?:who|where|when|what|which)\b"
    r"|\buntil\s+i\s+say\b"
    # a rule over the other's day: "no gym for him", "no phone unless I am in the room"
    r"|\bno\s+(?:more\s+)?(?:\S+\s+){1,2}?(?:at\s+all\s+)?for\s+(?:him|her|them)\b"
    r"|\bunless\s+i\s+(?:am|m)\s+(?:in\s+the\s+room|there|with)\b"
    r"|\bonly\s+(?:when|if)\s+i\s+(?:am|m)\s+there\b"
    r"|\b(?:picks?|picking)\s+up\s+on\s+the\s+first\s+ring\b"
    r"|\b(?:he|she|they)\s+(?:always\s+)?(?:answers|replies|picks\s+up)\s+(?:\S+\s+){0,2}?"
    r"(?:right\s+away|immediately|instantly|straight\s+away)\b"
    # a condition with a threat: "… or I assume he is lying", "or else"
    r"|\bor\s+(?:else|i\s+(?:assume|will\s+assume|know|will\s+know|leave|am\s+leaving|walk))\b"
)
# A duty laid on the other ("he has to…", "she can't…") is a demand, whatever it is about;
# "if he has to travel" is not one.
_DUTY = re.compile(
    rf"(?<!\bif\s)(?<!\bwhen\s)(?<!\bunless\s)(?<!\bwhenever\s)\b{_THEM}\s+"
    r"(?:has\s+to|have\s+to|must|should|needs?\s+to|is\s+to|are\s+to|is\s+required\s+to|"
    r"will\s+have\s+to|can\s+not|may\s+not|must\s+not|is\s+not\s+going\s+to\s+be\s+allowed)\b"
)

# Whose things: the words first, then who gives and who takes (see the comment block).
_DETS = r"(?:my|our|his|her|their|your)"
_OWNED = re.compile(
    rf"\b(?P<det>{_DETS}|[a-z]+'s|[a-z]+s')\s+(?:(?!{_DETS}\b|[a-z]+'s\b)[a-z0-9'/-]+\s+){{0,2}}?"
    rf"(?P<thing>{_THINGS})\b"
)
_DEVICE = re.compile(
    r"(?:phones?|mobiles?|cell\s?phones?|iphones?|laptops?|computers?|pcs?|devices?|tablets?|"
    r"ipads?|screens?)"
)
"""Where things are kept. Whose messages or email is what matters, not whose screen shows
them ("her icloud on my laptop" reaches for hers; "my email on her phone" offers mine)."""
_MINE = re.compile(r"\bmine\b")
_THEIRS = re.compile(r"(?<!\bis\s)(?<!\bare\s)(?<!\bits\s)\b(?:hers|theirs|yours)\b")
"""Theirs, unless it is what the typer's thing becomes: "my passcode is hers to know"."""
_BOTH = re.compile(
    r"\b(?:both\s+ways|both\s+of\s+us|we\s+both|us\s+both|both\s+(?:partners|our|phones)|"
    r"each\s+other|one\s+another|mutual(?:ly)?|two[-\s]way|either\s+of\s+us|vice\s+versa|"
    r"the\s+other\s+way\s+round|swap)\b"
)
_RECIPROCAL = re.compile(
    rf"{_BOTH.pattern}|\b(?:in\s+return|likewise|same\s+for|same\s+goes)\b"
    r"|\band\b[^.;!?]*\b(?:mine|hers|theirs|yours|his)\b"
)
_ONE_WAY = re.compile(
    r"\bonly\s+i\b|\bonly\s+(?:his|hers|theirs|yours)\b|\bnot\s+mine\b|\bbut\s+not\s+me\b"
    r"|\b(?:mine|my\s+\w+)\s+(?:stays?|is|remains?)\s+(?:off|private|closed|locked)\b"
    r"|\b(?:not|never)\s+(?:need|needs|get|gets|see|sees|have|has)\s+mine\b"
    r"|\bnot\s+the\s+other\s+way\b"
)
_THERE_AND_BACK = re.compile(
    r"\b(commute|commutes|drive|drives|journey|trip|ride|walk|flight|route)\s+both\s+ways\b"
)
"""A commute "both ways" is there and back, not openness both ways."""
_WE = re.compile(rf"\bwe\s+(?:\w+\s+){{0,2}}?(?:{_REACH}|keep)\b")
_TYPER_TAKES = re.compile(
    r"\bi\s+(?:(?!let\b|lets\b)\w+\s+){0,3}?(?:read|check(?!\s+in\b)|see|look|go\s+through|"
    r"scroll|search|inspect|monitor|track|access|view|have\s+access|get\s+access)\b"
    rf"|\b(?:with|to)\s+me\b|\b{_GIVING}\s+me\b|\bso\s+(?:that\s+)?i\s+(?:can|could|know|see|"
    r"always|will)\b|\bme\s+(?:access|see|read|check|look|know)\b"
    rf"|\b{_THEM}\s+(?:\w+\s+){{0,2}}?(?:must|has\s+to|have\s+to|needs?\s+to|is\s+to|"
    r"shares|gives|sends|shows|forwards|hands|leaves|keeps|turns|reports|unlocks)\b"
)
_TYPER_GIVES = re.compile(
    rf"\bi\s+(?:\w+\s+){{0,3}}?(?:{_GIVING}|leave|open|unlock|keep|turn|answer|install|add|"
    r"put)\b"
    rf"|\b(?:with|to|for)\s+{_HIM_HER}\b|\b{_GIVING}\s+{_HIM_HER}\b"
    rf"|\b{_THEM}\s+(?:\w+\s+){{0,3}}?(?:read|check(?!\s+in\b)|see|look|go\s+through|scroll|"
    r"search|access|view|know|have|ask)\b"
)
_THEY_OFFERED = re.compile(
    rf"\b{_THEM}\s+(?:has\s+|have\s+|had\s+)?(?:offered|offers|volunteered|volunteers|"
    r"suggested|suggests|chose|chooses|decided|decides|wants|would\s+like|is\s+happy|"
    r"are\s+happy|was\s+happy|is\s+willing|are\s+willing)\s+to\b"
)
_OBJECT_HER = re.compile(rf"\b({_GIVING})\s+her\b(?!\s+own\b)")
"""After a verb of giving, "her" is who receives ("send her my location"), not an owner."""

# No end: the term itself reaches past any agreement.
_NO_END = re.compile(
    r"\b(?:forever|for\s+ever|for\s+good|permanent(?:ly)?|indefinitely|from\s+now\s+on|"
    r"from\s+here\s+on(?:\s+out)?|for\s+life|(?:the\s+)?rest\s+of\s+(?:our|my|his|her|their|"
    r"your)\s+(?:lives|life)|till\s+death|until\s+(?:we|i)\s+die|no\s+end(?:\s+date)?|"
    r"without\s+(?:an?\s+)?end|never\s+ends?|no\s+time\s+limit|open[-\s]ended|"
    r"as\s+long\s+as\s+(?:she|he|they|you|it|we)\s+(?:wants?|needs?|likes?|takes?|lives?|"
    r"are\s+together|are\s+married|stay\s+together)|for\s+as\s+long\s+as|no\s+limits?|"
    r"however\s+long|for\s+(?:years|decades)|until\s+further\s+notice|"
    r"until\s+(?:she|he|they|you)\s+(?:trusts?|feels?|is|are|says?|decides?)|"
    r"always(?=\s*(?:[,.;!?]|$)))"
)
_COUNTS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "a couple of": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
}
_AMOUNT = (
    r"(?P<n>\d{1,3}|a\s+couple\s+of|couple\s+of|a\s+few|few|an?|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|eleven|twelve)"
)
_UNIT = r"(?P<unit>day|week|fortnight|month|year)s?"
_LENGTH = re.compile(
    r"\b(?:for|over|during|in)\s+(?:(?P<next>the\s+next|the\s+coming)\s+|another\s+|"
    rf"about\s+|around\s+|roughly\s+|just\s+)?(?:{_AMOUNT}\s+)?{_UNIT}\b"
)
_COMPOUND = re.compile(rf"\b{_AMOUNT}-{_UNIT}\b")
_DAYS_IN = {"day": 1, "week": 7, "fortnight": 14}


def _span(text: str) -> tuple[int, int] | None:
    """The time a plain term gives itself ("for three months"), as (months, days)."""
    for match in (*_LENGTH.finditer(text), *_COMPOUND.finditer(text)):
        amount = match["n"]
        if amount is None and not match.groupdict().get("next"):
            continue  # "for months" names no length
        n = _COUNTS.get(" ".join(amount.split()), 0) if amount else 1
        if amount and amount.isdecimal():
            n = int(amount)
        unit = match["unit"]
        if unit in _DAYS_IN:
            return 0, n * _DAYS_IN[unit]
        return (n * 12 if unit == "year" else n), 0
    return None


def reach(term: str, start: date) -> date | None:
    """Where a term's own stated time ends, counted from `start`; None when it states none."""
    span = _span(_plain(term))
    if span is None:
        return None
    months, days = span
    return add_months(start, months) + timedelta(days=days)


def _endless(text: str) -> bool:
    span = _span(text)
    return bool(_NO_END.search(text)) or (span is not None and (span[0] > 12 or span[1] > MAX_DAYS))


def _whose(text: str, role: Role | None) -> Whose:
    """Whose private things a plain term is about, by the order in the comment block above."""
    owned = [(m["det"], _DEVICE.fullmatch(m["thing"]) is None) for m in _OWNED.finditer(text)]
    contents = [det for det, content in owned if content]
    owners: set[Whose] = {_owner(det) for det in (contents or [det for det, _ in owned])}
    owners |= {_owner_of(m["who"]) for m in _WHERE_WHO.finditer(text)}
    if _MINE.search(text):
        owners.add("own")
    if _THEIRS.search(text):
        owners.add("other")
    if _ONE_WAY.search(text):
        return "other"
    if "mutual" in owners or _BOTH.search(text):
        return "mutual"
    if {"own", "other"} <= owners:
        return "mutual" if _RECIPROCAL.search(text) else "other"
    if owners:
        return "other" if "other" in owners else "own"
    if _WE.search(text):
        return "mutual"
    takes, gives = bool(_TYPER_TAKES.search(text)), bool(_TYPER_GIVES.search(text))
    if takes != gives:
        return "other" if takes else "own"
    return "own" if role == "broke" else "unclear"


def _owner(det: str) -> Whose:
    if det == "my":
        return "own"
    if det in ("our", "other's", "another's"):
        return "mutual"
    return "other"


def _owner_of(pronoun: str) -> Whose:
    return "own" if pronoun == "i" else "mutual" if pronoun == "we" else "other"


_KEPT: dict[Whose, Reason] = {"own": "offer", "mutual": "mutual", "other": "theirs"}


_WATCHED_FOR_EVER = re.compile(
    r"\b(?:open\s+book|24\s*/?\s*7|round\s+the\s+clock|monitor\w*|transparen\w*|"
    r"everything\s+i\s+do|every\s+move)\b"
)
"""Being watched in everything, with no end, needs no named phone to be control."""


def judge(term: str, role: Role | None = None) -> Verdict:
    """Openness or control, and why, by the line drawn above. Pure, so it is tested on terms."""
    text = _THERE_AND_BACK.sub(r"\1 there and back", _OBJECT_HER.sub(r"\1 _her_", _plain(term)))
    if _RULE.search(text):
        return Verdict("control", "rule")
    if _ISOLATION.search(text):
        return Verdict("control", "isolation")
    if _DUTY.search(text):
        return Verdict("control", "demand")
    kept = _PROTECTIVE_NEGATION.sub(" ", _INSTEAD.sub(" ", text))
    if _REPLACED.search(text):
        kept = _URGE.sub(" ", kept)
    if _SECRET.search(kept):
        return Verdict("control", "secret")
    if _PROOF.search(kept):
        return Verdict("control", "proof")
    if _endless(kept) and _WATCHED_FOR_EVER.search(kept):
        return Verdict("control", "no_end")  # "an open book 24/7 for the rest of my life"
    if not _ACCESS.search(kept) or (_KEPT_PRIVATE.search(kept) and not _ONE_WAY.search(kept)):
        return Verdict("openness", "open")
    owner = _whose(kept, role)
    if owner == "unclear" or (owner == "other" and not _THEY_OFFERED.search(kept)):
        return Verdict("control", "demand")
    if _endless(kept):
        return Verdict("control", "no_end")
    return Verdict("openness", _KEPT[owner])


def classify(term: str, role: Role | None = None) -> Kind:
    """Openness or control: `judge` without the why."""
    return judge(term, role).kind


# --- dates -----------------------------------------------------------------------------------

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def nice(iso: str) -> str:
    """A date as people say it; the stored value stays ISO."""
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def add_months(start: date, months: int) -> date:
    """The same day n months on, or the month's last day when it has no such day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def ends_after(start: date, length: str) -> date:
    if length == "w2":
        return start + timedelta(days=14)
    return add_months(start, 1 if length == "m1" else 3)


def halfway(start: date, end: date) -> date:
    return start + timedelta(days=(end - start).days // 2)


def example_end(today: date) -> date:
    """The end date the copy shows as an example: three months on, so it never goes stale."""
    return add_months(today, 3)


def _today(turn: Turn) -> date | None:
    try:
        return date.fromisoformat(turn.today) if turn.today else None
    except ValueError:
        return None


# Dates as people type them: "2027-03-31", "31 march", "march 31st, 2027", "31/3/2027",
# "31.3.27", "end of march", "in 3 months". A date without a year is its next coming; a
# numeric date is read day first ("4/5" is 4 May) unless the person's country reads month
# first (only the US among the countries Mend knows) or the day cannot be a month ("3/31").
_LEADING = re.compile(
    r"^(?:(?:on|until|till|til|to|by|ending|ends?(?!\s+of\b)|it\s+ends|end\s+it|the)\s+)+"
)
_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3,9})\.?(?:\s+(\d{2,4}))?")
_MONTH_DAY = re.compile(r"([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s+(\d{2,4}))?")
_END_OF = re.compile(r"end\s+of\s+([a-z]{3,9})(?:\s+(\d{2,4}))?")
_NUMERIC = re.compile(r"(\d{1,4})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?")
_AFTER = re.compile(rf"(?:in\s+|after\s+|for\s+)?{_AMOUNT}\s+{_UNIT}(?:\s+from\s+(?:now|today))?")
_MONTH_FIRST = frozenset({"US"})


def _month(word: str) -> int | None:
    return next(
        (
            n
            for n, name in enumerate(_MONTHS, 1)
            if len(word) >= 3 and name.casefold().startswith(word)
        ),
        None,
    )


def _year(typed: str | None) -> int | None:
    """A typed year ("27" is 2027); -1 when it cannot be one ("202")."""
    if typed is None:
        return None
    return int(typed) + 2000 if len(typed) == 2 else int(typed) if len(typed) == 4 else -1


def _dated(day: int, month: int, year: int | None, today: date | None) -> date | None:
    """A real day; without a year, its next coming from today (today itself included)."""
    try:
        if year is not None:
            return date(year, month, day)
        if today is None:
            return None
        this_year = date(today.year, month, day)
        return this_year if this_year >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def read_date(typed: str, today: date | None, month_first: bool = False) -> date | None:
    """A day from what people type (the forms in the comment above); None if it is none."""
    text = _LEADING.sub("", " ".join(typed.casefold().replace(",", " ").split())).rstrip(".!")
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    if (after := _AFTER.fullmatch(text)) is not None:
        if today is None:
            return None
        n = int(after["n"]) if after["n"].isdecimal() else _COUNTS[" ".join(after["n"].split())]
        unit = after["unit"]
        if unit in _DAYS_IN:
            return today + timedelta(days=n * _DAYS_IN[unit])
        return add_months(today, n * 12 if unit == "year" else n)
    if (end_of := _END_OF.fullmatch(text)) is not None:
        month, year = _month(end_of[1]), _year(end_of[2])
        if month is None or year == -1:
            return None
        if year is None:
            if today is None:
                return None
            year = today.year if month >= today.month else today.year + 1
        return date(year, month, calendar.monthrange(year, month)[1])
    for pattern, day_at, month_at in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        found = pattern.fullmatch(text)
        if found is not None and (month := _month(found[month_at])) is not None:
            year = _year(found[3])
            return None if year == -1 else _dated(int(found[day_at]), month, year, today)
    numeric = _NUMERIC.fullmatch(text)
    if numeric is None:
        return None
    first, second, third = numeric.groups()
    if len(first) == 4:
        return _dated(int(third), int(second), int(first), today) if third else None
    a, b = int(first), int(second)
    day, month = (b, a) if b > 12 or (month_first and a <= 12) else (a, b)
    year = _year(third)
    return None if year == -1 else _dated(day, month, year, today)


def _typed_date(turn: Turn, value: str) -> date | None:
    return read_date(value, _today(turn), turn.profile.country in _MONTH_FIRST)


def _example(turn: Turn) -> str:
    """An end date to show as an example, from the person's own today when it is known."""
    today = _today(turn)
    if today is None:
        return content.text("agreement.ends", "example_undated")
    return content.text("agreement.ends", "example", date=nice(example_end(today).isoformat()))


# --- terms -----------------------------------------------------------------------------------


def terms_of(slots: dict[str, str]) -> list[str]:
    return [t for t in slots.get("terms", "").split("\n") if t]


def _preset_text(value: str) -> str:
    return content.text("agreement.presets", value)


def _set_terms(turn: Turn, terms: list[str]) -> None:
    if terms:
        turn.slots["terms"] = "\n".join(terms)
    else:
        turn.slots.pop("terms", None)


def _toggle(event: EventData) -> None:
    turn = model_of(event)
    wanted = _preset_text(value_of(event))
    terms = terms_of(turn.slots)
    _set_terms(turn, [t for t in terms if t != wanted] if wanted in terms else [*terms, wanted])


def _room(event: EventData) -> bool:
    """A preset can always be taken away; a new term needs space on the list."""
    turn = model_of(event)
    terms = terms_of(turn.slots)
    if value_of(event) in PRESETS and _preset_text(value_of(event)) in terms:
        return True
    if len(terms) >= MAX_TERMS:
        turn.hint = content.text("agreement.terms", "full", limit=str(MAX_TERMS))
        return False
    return True


_A_QUESTION = re.compile(
    r"\?\s*$|^\s*(?:why|how come|what if|should i|do i have to|is it fair)\b", re.I
)
""""Why should I be the one being open?" is something to hear, not a term to sign."""


def _openness(event: EventData) -> bool:
    """A term of their own: kept if it is openness, named kindly and left out if control."""
    turn = model_of(event)
    term = _tidy(value_of(event))
    if len(term) > MAX_TERM_CHARS:
        turn.hint = content.text("agreement.own", "too_long", limit=str(MAX_TERM_CHARS))
        return False
    if _A_QUESTION.search(term):
        turn.hint = content.text("agreement.own", "question")  # met, not written in as a term
        return False
    verdict = judge(term, turn.profile.role)
    if verdict.kind == "control":
        turn.hint = _named(verdict, turn.profile.role)
        return False
    if term.casefold() in (t.casefold() for t in terms_of(turn.slots)):
        turn.hint = content.text("agreement.own", "already")
        return False
    ends, today = turn.slots.get("ends", ""), _today(turn)
    until = reach(term, today) if today is not None else None
    if ends and until is not None and until.isoformat() > ends:
        turn.hint = content.text("agreement.own", "outlasts", ends=nice(ends))
        return False
    return True


def _named(verdict: Verdict, role: Role | None) -> str:
    """Control, named by what made it so: no end, a wish for the other's openness, the rest.

    The hurt partner asking for the other's openness is pointed to asking for an offer."""
    if verdict.reason == "no_end":
        return content.text("agreement.control", "no_end")
    if verdict.reason in ("demand", "rule") and role in ("hurt", "both"):
        return content.text("agreement.control", "ask")
    return content.text("agreement.control")


def _tidy(term: str) -> str:
    """One line (terms are stored one per line), starting with a capital as the presets do."""
    text = " ".join(term.split())
    return text[:1].upper() + text[1:]


def _add_own(event: EventData) -> None:
    """Keep the term; an offer of one's own openness is met as the offer it is."""
    turn = model_of(event)
    term = _tidy(value_of(event))
    _set_terms(turn, [*terms_of(turn.slots), term])
    if judge(term, turn.profile.role).reason == "offer":
        offers = sum(judge(t, turn.profile.role).reason == "offer" for t in terms_of(turn.slots))
        more = content.section("agreement.offer")["more"]
        turn.hint = (
            content.text("agreement.offer") if offers <= 1 else str(more[(offers - 2) % len(more)])
        )


def _some_terms(event: EventData) -> bool:
    if terms_of(model_of(event).slots):
        return True
    model_of(event).hint = content.text("agreement.terms", "none")
    return False


def _clear(event: EventData) -> None:
    model_of(event).slots.pop("terms", None)


# --- the end and the review ------------------------------------------------------------------


def _end_ok(turn: Turn, end: date) -> bool:
    today = _today(turn)
    if today is None:
        return True  # no clock given: nothing to compare with, so trust the typed date
    days = (end - today).days
    if days <= 0:
        turn.hint = content.text("agreement.ends", "past")
    elif days < MIN_DAYS:
        turn.hint = content.text("agreement.ends", "too_soon", days=str(MIN_DAYS))
    elif days > MAX_DAYS:
        turn.hint = content.text("agreement.ends", "too_far")
    else:
        return True
    return False


def _length_known(event: EventData) -> bool:
    """Two weeks from when? Without today's date only a typed date can say."""
    if _today(model_of(event)) is not None:
        return True
    model_of(event).hint = content.text("agreement.ends", "type_it")
    return False


def _candidate(event: EventData) -> date | None:
    """The end date this event proposes: a length from today, or a typed date."""
    value = value_of(event)
    if value in LENGTHS:
        today = _today(model_of(event))
        return ends_after(today, value) if today is not None else None
    return _typed_date(model_of(event), value)


def _end_typed(event: EventData) -> bool:
    turn = model_of(event)
    end = _typed_date(turn, value_of(event))
    if end is None:
        turn.hint = content.text("agreement.ends", "format", example=_example(turn))
        return False
    return _end_ok(turn, end)


def _terms_fit(event: EventData) -> bool:
    """Every term ends with the agreement: one that states a longer time asks for a later end."""
    turn, end = model_of(event), _candidate(event)
    today = _today(turn)
    if end is None or today is None:
        return True
    for term in terms_of(turn.slots):
        until = reach(term, today)
        if until is not None and until > end:
            turn.hint = content.text(
                "agreement.ends", "outlasts", term=term, until=nice(until.isoformat())
            )
            return False
    return True


def _review_still_fits(event: EventData) -> bool:
    """While editing, the review date is kept only if it still falls before the new end."""
    end = _candidate(event)
    review = model_of(event).slots.get("review_on", "")
    return end is not None and bool(review) and review < end.isoformat()


def _keep_end(event: EventData) -> None:
    """Keep the end and its halfway point; a review date that no longer fits is dropped."""
    turn = model_of(event)
    end = _candidate(event)
    assert end is not None  # the conditions made sure
    turn.slots["ends"] = end.isoformat()
    today = _today(turn)
    if today is not None:
        turn.slots["half"] = halfway(today, end).isoformat()
    else:
        turn.slots.pop("half", None)
    if turn.slots.get("review_on", "") >= end.isoformat():
        turn.slots.pop("review_on", None)


def _review_typed(event: EventData) -> bool:
    turn = model_of(event)
    when = _typed_date(turn, value_of(event))
    if when is None:
        turn.hint = content.text(
            "agreement.review_date", "format", ends=nice(turn.slots.get("ends", ""))
        )
        return False
    today = _today(turn)
    if today is not None and when <= today:
        turn.hint = content.text("agreement.review_date", "past")
        return False
    if when.isoformat() >= turn.slots.get("ends", ""):
        turn.hint = content.text("agreement.review_date", "after_end")
        return False
    return True


def _has_half(event: EventData) -> bool:
    return bool(model_of(event).slots.get("half"))


def _keep_review(event: EventData) -> None:
    turn = model_of(event)
    if value_of(event) == "half":
        turn.slots["review_on"] = turn.slots["half"]
    else:
        when = _typed_date(turn, value_of(event))
        assert when is not None  # guarded by _review_typed
        turn.slots["review_on"] = when.isoformat()


# --- saving and the copy ---------------------------------------------------------------------


def _bullets(terms: list[str]) -> str:
    return "\n".join(f"• {t}" for t in terms)


def _shown(slots: dict[str, str]) -> dict[str, str]:
    return {
        "terms": _bullets(terms_of(slots)),
        "ends": nice(slots.get("ends", "")),
        "review": nice(slots.get("review_on", "")),
    }


def clean_copy(slots: dict[str, str]) -> str:
    """The agreement as plain text for the person to forward; nothing of the coach in it."""
    return content.text("agreement.copy", **_shown(slots))


def _save(event: EventData) -> None:
    turn = model_of(event)
    turn.records.append(
        JournalRecord(
            KIND,
            (
                ("terms", "\n".join(terms_of(turn.slots))),
                ("ends", turn.slots["ends"]),
                ("review", turn.slots["review_on"]),
            ),
        )
    )


def _send_copy(event: EventData) -> None:
    turn = model_of(event)
    turn.say(content.text("agreement.copy", "intro"))
    turn.say(clean_copy(turn.slots))


def _linked(event: EventData) -> bool:
    return policy.may_share(model_of(event).profile)


def _propose(event: EventData) -> None:
    """Send the draft to the partner to accept, suggest changes to, or decline."""
    turn = model_of(event)
    text = partner_view.propose(
        clean_copy(turn.slots), turn.slots.get("ends", ""), turn.slots.get("review_on", "")
    )
    turn.records.append(PartnerRecord("share", kind="agreement", text=text))


def _saved(flow: Flow, turn: Turn) -> Reply:
    reply = flow.plain_prompt("saved", {})
    profile = turn.profile
    if policy.may_share(profile):
        return reply
    return Reply(reply.text, tuple(o for o in reply.options if not o.key.endswith(".propose")))


def _said(path: str) -> Callback:
    def speak(event: EventData) -> None:
        model_of(event).say(content.text(path))

    return speak


# --- prompts ---------------------------------------------------------------------------------


def _terms(flow: Flow, turn: Turn) -> Reply:
    """The list so far, with a tick on each chosen preset so a second tap takes it away."""
    terms = terms_of(turn.slots)
    labels = content.options("agreement.terms")
    options: list[Option] = []
    for value, label in labels.items():
        if value == "clear" and not terms:
            continue
        chosen = value in PRESETS and _preset_text(value) in terms
        options.append(Option(flow.key("terms", value), f"✓ {label}" if chosen else label))
    so_far = (
        content.text("agreement.terms", "so_far", terms=_bullets(terms))
        if terms
        else content.text("agreement.terms", "empty")
    )
    return Reply(content.text("agreement.terms", so_far=so_far), tuple(options))


def _review_date(flow: Flow, turn: Turn) -> Reply:
    half = turn.slots.get("half", "")
    options = tuple(
        Option(flow.key("review_date", value), label.format(half=nice(half)))
        for value, label in content.options("agreement.review_date").items()
        if value != "half" or half
    )
    text = content.text(
        "agreement.review_date",
        ends=nice(turn.slots.get("ends", "")),
        suggestion=content.text("agreement.review_date", "suggest", half=nice(half))
        if half
        else "",
    )
    return Reply(text, options)


def _ends(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt("ends", {}, example=_example(turn))


def _review(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt("review", {}, **_shown(turn.slots))


def _transitions() -> list[dict[str, Any]]:
    text_term: dict[str, Any] = {
        "trigger": "text",
        "source": ["terms", "own"],
        "dest": "terms",
        "conditions": [has_words, _openness, _room],
        "before": _add_own,
    }
    return [
        # what will be open
        {
            "trigger": "pick",
            "source": "terms",
            "dest": "terms",
            "conditions": [value_is(*PRESETS), _room],
            "before": _toggle,
        },
        {"trigger": "pick", "source": "terms", "dest": "own", "conditions": value_is("own")},
        {
            "trigger": "pick",
            "source": "terms",
            "dest": "terms",
            "conditions": value_is("clear"),
            "before": _clear,
        },
        text_term,
        {"trigger": "pick", "source": "own", "dest": "terms", "conditions": value_is("list")},
        {
            "trigger": "pick",
            "source": "terms",
            "dest": "review",
            "conditions": [value_is("done"), _some_terms, slot_set("_editing")],
            "after": forget("_editing"),
        },
        {
            "trigger": "pick",
            "source": "terms",
            "dest": "ends",
            "conditions": [value_is("done"), _some_terms],
        },
        # for how long: back to the review while editing, if the review date still fits
        *_end_steps("pick", [value_is(*LENGTHS), _length_known, _terms_fit]),
        *_end_steps("text", [has_words, _end_typed, _terms_fit]),
        # when to look at it again
        {
            "trigger": "pick",
            "source": "review_date",
            "dest": "review",
            "conditions": [value_is("half"), _has_half],
            "before": _keep_review,
            "after": forget("_editing"),
        },
        {
            "trigger": "text",
            "source": "review_date",
            "dest": "review",
            "conditions": [has_words, _review_typed],
            "before": _keep_review,
            "after": forget("_editing"),
        },
        # the draft
        {
            "trigger": "pick",
            "source": "review",
            "dest": "saved",
            "conditions": value_is("save"),
            "before": _save,
        },
        *(
            {
                "trigger": "pick",
                "source": "review",
                "dest": part,
                "conditions": value_is(part),
                "before": editing,
            }
            for part in ("terms", "ends", "review_date")
        ),
        {
            "trigger": "pick",
            "source": "review",
            "dest": "terms",
            "conditions": value_is("restart"),
            "before": forget(*_ALL),
        },
        # after saving: propose it (when linked), a copy to forward, or done
        {
            "trigger": "pick",
            "source": "saved",
            "dest": END,
            "conditions": [value_is("propose"), _linked],
            "before": _propose,
        },
        {
            "trigger": "pick",
            "source": "saved",
            "dest": END,
            "conditions": value_is("copy"),
            "before": _send_copy,
        },
        {
            "trigger": "pick",
            "source": "saved",
            "dest": END,
            "conditions": value_is("close"),
            "before": _said("agreement.closed"),
        },
    ]


def _end_steps(trigger: str, when: list[Callback]) -> list[dict[str, Any]]:
    """An accepted end date: the review if editing and the review date still fits, else ask."""
    return [
        {
            "trigger": trigger,
            "source": "ends",
            "dest": "review",
            "conditions": [*when, slot_set("_editing"), _review_still_fits],
            "before": _keep_end,
            "after": forget("_editing"),
        },
        {
            "trigger": trigger,
            "source": "ends",
            "dest": "review_date",
            "conditions": when,
            "before": _keep_end,
        },
    ]


FLOW = Flow(
    name="agreement",
    stores=True,
    version=1,
    couples=True,
    states=[
        State("terms", render=_terms),
        State("own"),
        State("ends", render=_ends),
        State("review_date", render=_review_date),
        State("review", render=_review),
        State("saved", render=_saved),
    ],
    transitions=_transitions(),
)

STEP = Step(
    flow=FLOW,
    name="agreement",
    command="agreement",
    place=60,
    on_map=True,
    kinds=("agreement",),
    roles=("broke",),
    topic="transparency",
)
