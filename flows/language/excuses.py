"""Noticing excuses and defences, so an apology or a reflection can land.

An apology with a "but" in it, or a reflection that corrects the other person, is usually
heard as a defence, whatever the speaker meant. The /own and /listen steps point such
phrases out, explain each one kindly, and let the person rewrite or keep their words. The
person decides, so a rare false alarm costs one tap; a missed excuse costs nothing worse than
today. That is why a small set of readable patterns is enough, and why every finding has a
stable name the content file explains in plain words.

The "rewrite it / keep it" step both flows share is `flows.core.rewrite`.

Labelling rule for excuses (what ``excuses`` aims to find):

* an excuse or deflection moves weight away from what the speaker did: a reason offered as
  a way out ("only because", "I was drunk"), the other person's part ("you made me", "if you
  hadn't", "what about you"), making it smaller ("it was just", "it's not like"), intent over
  impact ("I didn't mean to"), everyone-does-it, a conditional apology ("sorry if"), or a
  "but" that takes the apology back;
* it is not an excuse to own a choice, name the impact, promise change, or use "but" to go on
  owning it ("I'm sorry, but I can't undo it", "but that doesn't excuse it").

Quoting one's old excuse in order to disown it ("I told myself it was just a friendship")
is not an excuse either.
"""

from __future__ import annotations

import re
from typing import Final

from flows.language import normalise as normalise_text
from flows.language.blame import analyse

EXCUSES: Final = (
    "but",
    "only_because",
    "you_made_me",
    "minimising",
    "anyone",
    "state",
    "if_you",
    "not_like",
    "didnt_mean",
    "sorry_if",
    "no_choice",
    "turning",
    "dismissing",
    "defending",
)
"""Every excuse signal, in the order they are reported."""

DEFENCES: Final = ("but", "not_true", "wrong", "actually", "explaining", "judging")
"""What can turn a reflection into a reply, in the order they are reported."""


# --- normalising --------------------------------------------------------------------------------

_REWRITES: Final = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"\bcan'?t\b|\bcannot\b", "can not"),
        (r"\bwon'?t\b", "will not"),
        (
            r"\b(do|does|did|is|are|was|were|has|have|had|would|could|should|must|need)n'?t\b",
            r"\1 not",
        ),
        (r"\bi'?m\b", "i am"),
        (r"\byou'?re\b", "you are"),
        (r"\bit'?s\b(?= (?:not|just|only|nothing|no|like|all|a|your|ur|normal)\b)", "it is"),
        (r"\bit's\b", "it is"),
        (r"\bthat'?s\b", "that is"),
        (r"\bthere'?s\b", "there is"),
        (r"\bi'?ve\b", "i have"),
        (r"\byou'?ve\b", "you have"),
        (r"\s+", " "),
    )
)


def normalise(text: str) -> str:
    """One spelling for the many ways phones type the same words ("didnt", "didn’t")."""
    out = normalise_text.unify(text).casefold()
    for pattern, repl in _REWRITES:
        out = pattern.sub(repl, out)
    return out.strip()


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# --- excuses ------------------------------------------------------------------------------------

_STATES = (
    r"drunk|tipsy|wasted|high|stoned|hammered|stressed(?: out)?|tired|exhausted|"
    r"burn[te] out|overwhelmed|under (?:a lot of |so much )?pressure|not myself|"
    r"not thinking(?: straight| clearly)?|in a (?:bad|dark|weird) (?:place|way|headspace)|"
    r"going through (?:a lot|so much|a hard time|a tough time|a rough patch|stuff|something)"
)

_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    "only_because": _any(
        r"\b(?:only|just|simply) (?:did (?:it|that|this) )?because\b",
        r"\bthe only reason\b",
        r"\bbecause (?:i was|i felt|i had been|i'd been) (?:so |really |very |a bit )?"
        r"(?:ignored|neglected|unhappy|unloved|unwanted|rejected|desperate)\b",
        r"\bbecause you (?:never|always|would not|did not|kept|started|made|ignored|"
        r"were (?:never|always|so|too|not|cold|distant|busy))\b",
        r"\bbecause of (?:you|work|the stress|stress|the alcohol|alcohol|the drinks?|my job)\b",
    ),
    "you_made_me": _any(
        r"\byou (?:made|make|forced|force|drove|drive|provoked|provoke|pushed|push|tempted|led)"
        r" me\b(?! (?:feel (?:loved|safe|welcome|happy|seen)|happy|smile|laugh))",
        r"\b(?:your|ur) fault\b",
        r"\bbecause of you\b",
        r"\byou started (?:it|this|the|all)\b",
        r"\byou asked for it\b",
    ),
    "minimising": _any(
        r"\b(?:it|that|this|she|he|they|we)(?: really)? (?:was|is|were|are)(?: really)? "
        r"(?:just|only|merely|nothing|no big deal|not a big deal|not (?:that|so) "
        r"(?:bad|serious|big|deep|important))\b"
        r"(?! (?:wrong|cruel|selfish|unfair|careless|dishonest|my\b|as\b))",
        r"\b(?:meant|means) nothing\b",
        r"\bdid not mean anything\b",
        r"\bnothing (?:really )?happened\b",
        r"\b(?:no|not a|not such a) big deal\b",
        r"\b(?:only|just) (?:once|one time|twice|a (?:few|couple|kiss|text|drink|coffee|lunch|"
        r"chat|friend|flirt|joke|fling)|texting|talking|flirting|messages|texts|friends|"
        r"kissing|one (?:kiss|night|time|drink|text|message))\b",
        r"\bat least (?:i|it|we|nothing|she|he)\b",
        r"\bharmless\b",
        r"\bit could have been worse\b",
    ),
    "anyone": _any(
        r"\b(?:anyone|anybody|everyone|everybody|most people|any (?:man|woman|guy|girl|person))"
        r"(?: else)? (?:would|'d)(?: have)? (?:done|do|act|acted|react|reacted|gone|go|caved|"
        r"cave|slipped|slip|looked|look|fallen|fall|cheated|cheat|lied|lie)\b",
        r"\bin my (?:position|place|shoes)\b",
        r"\b(?:everyone|everybody|people) (?:does|did|do) (?:it|this|that)\b",
        r"\b(?:everyone|everybody) makes mistakes\b",
        r"\b(?:nobody|no one|no-one)(?:'s| is) perfect\b",
        r"\bi am only human\b",
        r"\bit happens to (?:everyone|everybody|the best)\b",
    ),
    "state": _any(
        rf"\bi (?:was|had been|'d been|got) (?:so |really |very |a bit |a little |pretty |too |"
        rf"completely |just )?(?:{_STATES})\b",
        r"\bi (?:had )?had (?:a few|too many|some|a lot of) (?:drinks|beers|glasses)\b",
        r"\bi'd had (?:a few|too many|some)\b",
        r"\b(?:the )?(?:alcohol|drink|drinks|booze) (?:made|was talking|got)\b",
        r"\b(?:work|life|things|my job) (?:was|were|had been|has been) (?:so |really |very )?"
        r"(?:stressful|hard|crazy|a lot|overwhelming|busy|difficult)\b",
        r"\bi was not (?:thinking|myself)\b",
    ),
    "if_you": _any(
        r"(?<!as )\bif (?:only )?you(?:'d| had| would| were| was| did not| never| always| just|"
        r" only| paid| listened| cared| gave| spent| kept| started| stop| start| give| let|"
        r" trust| forgive)\b"
        r"(?! ?(?:like|rather|want|need|ever|let me know|me know|be willing|be open))"
        r"(?!(?: were| are| felt| feel| got) (?:hurt|upset|offended|bothered))"
        r"(?! would (?:like|rather))",
    ),
    "not_like": _any(
        r"\b(?:it|that) (?:is|was) not (?:like|as if|as though)\b",
        r"\bnot as (?:if|though)\b",
        r"\b(?:it|that) (?:is|was) not (?:that|so) (?:bad|serious|big|deep)\b",
        r"\bit is not the end of the world\b",
    ),
    "didnt_mean": _any(
        r"\bi (?:did not|never) (?:mean|meant|intend|intended)\b",
        r"\bnot on purpose\b",
        r"\bit was (?:an accident|not intentional|not deliberate)\b",
        r"\bunintentional",
        r"\bi was (?:only|just) trying to\b",
        r"\bi only wanted to\b",
        r"\bi did not think (?:it|that) (?:would|was|could)\b",
    ),
    "sorry_if": _any(
        r"\bsorry (?:if|(?:that )?you (?:feel|felt|are|were|got|took|see|think))\b",
        r"\bif (?:i|that|it|what i did|my \w+) (?:hurt|upset|offended|bothered) you\b",
        r"\bif you (?:were|felt|are|feel|got) (?:hurt|upset|offended|bothered)\b",
    ),
    "no_choice": _any(
        r"\bi (?:had|have) no (?:other )?choice\b",
        r"\bi did not have (?:a|any|much|another) choice\b",
        r"\bwhat (?:else )?(?:was|could|would) i (?:supposed to do|have done|do)\b",
        r"\bwhat did you expect\b",
        r"\b(?:left|gave) me no (?:other )?choice\b",
    ),
    "turning": _any(
        r"\byou (?:did|have done|do) (?:it|that|the same|this|worse)(?: thing)? "
        r"(?:too|as well|first|before)\b",
        r"\byou have done (?:worse|the same)\b",
        r"\bwhat about (?:you|when you|the times? (?:you|when you)|your)\b",
        r"\byou (?:are|were) not (?:perfect|innocent|a saint|blameless|exactly)\b",
        r"\byou (?:are|were) no (?:saint|angel|better)\b",
    ),
    "dismissing": _any(
        r"\boverreact",
        r"\btoo sensitive\b",
        r"\b(?:being|so|too) dramatic\b",
        r"\bmaking (?:such )?a (?:big )?(?:deal|fuss|scene)\b",
        r"\bblow(?:ing|n)? (?:it|this|things|everything) out of proportion\b",
        r"\bget over it\b",
        r"\bmove on already\b",
        r"\bcalm down\b",
    ),
    "defending": _any(
        r"\bin my defen[cs]e\b",
        r"\bto be fair\b",
        r"\bin fairness\b",
        r"\btechnically\b",
        r"\bto be honest,? you\b",
        r"\bif you think about it\b",
    ),
}

_QUOTED: Final = frozenset(("minimising", "not_like", "anyone", "didnt_mean"))
"""Signals someone may quote in order to disown them ("I told myself it was just…")."""

_DISOWNED = re.compile(
    r"\b(?:told (?:myself|you|everyone|people)|pretended|convinced myself|acted (?:like|as if)|"
    r"made (?:it )?out|claimed|kept (?:saying|telling (?:myself|you))|said|used to say)"
    r"(?: to (?:myself|you))?(?: that)?\s*$"
)

_BUT = re.compile(r"\bbut\b")
_BUT_SKIP_BEFORE = re.compile(r"\b(?:nothing|anything|all|everything|none|everyone)\s*$")
_CLAUSE_END = re.compile(r"[.;!?\n]")
_FILLER = re.compile(r"^(?:[,\s]|honestly|still|now|really|and|yes|then|please)+\b\s*")

_I_OWNS = re.compile(
    r"^i (?:was (?:wrong|the one|selfish|dishonest|careless|unfair|cruel|lying|not honest|"
    r"not fair|not there)|had no right|did not have (?:any|the) right|have no excuse|"
    r"had no excuse)\b"
)
_I_EXCUSES = re.compile(
    r"^i (?:was|had|felt|feel|thought|think|only|just|needed|need|got|swear|mean|meant|"
    r"did not (?:know|think|mean|realise|realize|want|have)|never meant|could not help|"
    r"am (?:only|just)|would not have)\b"
)
_OTHER_OWNS = _any(
    r"^(?:that|it|this|none of (?:that|this|it)|my reasons?)(?: still)? (?:does not|did not|"
    r"do not|will not|can not|could not) (?:excuse|justify|change|make it|undo|take away|erase)",
    r"^(?:that|it|this|there) (?:is|was) (?:no|not an?) (?:excuse|justification|reason)",
    r"^(?:nothing|no reason) (?:excuses|justifies|changes|makes)",
    r"^(?:it|that|this) (?:was|is)(?: still)? (?:wrong|my (?:choice|fault|doing|decision|"
    r"responsibility)|on me|not okay|not ok|not fair to you|not your fault)",
    r"^you (?:deserve|deserved|did not deserve|do not deserve|did nothing|have every right|"
    r"had every right|are right|were right)\b",
    r"^(?:sorry|words|saying sorry|an apology)(?: alone)? (?:is|are|will|can|does|do)\b",
    r"^(?:what i do|my actions|actions)\b",
    r"^(?:it|this|healing|trust) (?:will|may|might|is going to) take\b",
    r"^also\b",
)


def _but_excuses(text: str) -> bool:
    """Whether some "but" takes back what came before it.

    After "but I…" most people go on owning it ("but I can't undo it"), so only a reason
    ("but I was…", "but I felt…") counts; after "but" anything else ("but you…", "but it
    was…") usually hands the weight elsewhere, so only known owning turns are let through.
    """
    for found in _BUT.finditer(text):
        if _BUT_SKIP_BEFORE.search(text[: found.start()]):
            continue
        rest = text[found.end() :]
        end = _CLAUSE_END.search(rest)
        clause = _FILLER.sub("", rest[: end.start()] if end else rest).strip(" ,")
        if not clause:
            continue
        if clause.startswith("i "):
            if not _I_OWNS.search(clause) and _I_EXCUSES.search(clause):
                return True
        elif not _OTHER_OWNS.search(clause):
            return True
    return False


def excuses(text: str) -> tuple[str, ...]:
    """The excuse signals in `text`, in `EXCUSES` order (empty when it owns it plainly)."""
    norm = normalise(text)
    found: list[str] = []
    if _but_excuses(norm):
        found.append("but")
    for name, pattern in _PATTERNS.items():
        for match in pattern.finditer(norm):
            if name in _QUOTED and _DISOWNED.search(norm[: match.start()]):
                continue
            found.append(name)
            break
    return tuple(sorted(found, key=EXCUSES.index))


# --- defences in a reflection -------------------------------------------------------------------

_THEIR_SIDE = re.compile(
    r"^(?:you|they|he|she)(?: still| also| really)? (?:felt|feel|feeling|could not|can not|"
    r"did not|do not|were not|are not|wanted|want|needed|need|tried|try|hoped|hope|kept|"
    r"stayed|were (?:afraid|scared|hurt|alone)|are (?:afraid|scared|hurt|alone))\b"
    r"|^(?:could not|can not|did not|do not|still|also|then|now|nobody|no one)\b"
)
_DEFENCE_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    "not_true": _any(
        r"\b(?:that|it|this) (?:is|was) not (?:true|what happened|how it (?:was|happened|went))",
        r"\bnot what happened\b",
        r"\bthat never happened\b",
        r"\bi (?:never|did not) say\b",
        r"\bi never said\b",
    ),
    "wrong": _any(
        r"\byou are (?:wrong|mistaken)\b",
        r"\byou (?:have )?got it wrong\b",
        r"\bthat is wrong\b",
        r"\byou misunderstood\b",
        r"\byou remember it wrong\b",
        r"\bthat is not how\b",
    ),
    "actually": _any(r"\bactually\b", r"\bin fact\b", r"\bto be clear\b", r"\bfor the record\b"),
}
_EXPLAINING: Final = frozenset(EXCUSES) - {"but", "sorry_if"}


def _but_defends(text: str) -> bool:
    """A "but" defends unless what follows still speaks of their side ("but couldn't")."""
    for found in _BUT.finditer(text):
        if _BUT_SKIP_BEFORE.search(text[: found.start()]):
            continue
        clause = _FILLER.sub("", text[found.end() :]).strip(" ,")
        if clause and not _THEIR_SIDE.search(clause):
            return True
    return False


def defences(text: str) -> tuple[str, ...]:
    """What may make a "What I heard is…" sound like a reply, in `DEFENCES` order.

    A reflection mirrors the other person's side, so anything that corrects, explains,
    excuses or judges them is named; the analyser catches judgements of who they are.
    """
    norm = normalise(text)
    found: set[str] = set()
    if _but_defends(norm):
        found.add("but")
    found.update(name for name, pattern in _DEFENCE_PATTERNS.items() if pattern.search(norm))
    if _EXPLAINING.intersection(excuses(text)):
        found.add("explaining")
    verdict = analyse(text)
    # Only a named judgement ("you're overreacting") counts: a mirror is full of "you" (what
    # they feel, what I did to them), which the model, trained on messages *to* a partner,
    # hears as blame; and "you think…" is what a mirror says back, not mind reading.
    if verdict.kind == "blame" and set(verdict.signals) - {"model", "mind_reading"}:
        found.add("judging")
    return tuple(name for name in DEFENCES if name in found)
