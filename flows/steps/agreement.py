"""/agreement: draft a voluntary transparency agreement — what is open, until when, reviewed when.

After trust breaks, a little chosen openness can quiet the guessing. It helps only while it
is voluntary, goes both ways and has an end: as trust returns, privacy should come back by
itself. So every draft has an end date in the future and a review date before it, and a
term that is really control (passwords, tracking, reading messages, spyware, demanding
proof) is named kindly and left out, because control tends to deepen the hurt it means to
soothe (DESIGN §4a).

The draft is only ever the person's own: it is saved to their journal and, if they like,
shown as clean text they can forward themselves. Mend never sends it to a partner.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Any, Literal

from transitions import EventData

from flows.core import content, policy
from flows.core.contract import JournalRecord, Option, PartnerRecord, Reply
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
# Where the line is: openness that is voluntary, mutual and time-limited helps; anything that
# hands one partner access to the other's private things, or watches them, is control.
#
# * Passwords, PINs and logins, reading messages or email, going through a phone, spyware,
#   and demanding proof of where someone is: always control, even when offered. Under guilt
#   an "offer" is rarely free, and these are the shapes coercive control takes.
# * Location is the one grey area. Sharing it both ways, for a stated while ("share
#   location while he travels, both ways, for a month") is openness; one-way, constant or
#   open-ended location ("at all times", "always", "24/7") is tracking, hence control.
# * A negated control phrase ("no going through each other's phones", "we don't track each
#   other") is a promise of respect, so it is openness; but "no passcode on his phone" and
#   "not allowed to…" forbid something, so they stay control.

Kind = Literal["control", "openness"]

_PROTECTIVE_NEGATION = re.compile(
    r"\b(?:no|not|never|nobody|no\s+one|neither|don'?t|do not|won'?t|will not|doesn'?t|"
    r"does not|stop|without)\b"
    r"(?=\s+(?:\w+\s+){0,2}?(?:track|tracking|check|checking|read|reading|go|going|look|"
    r"looking|spy|spying|snoop|snooping|demand|demanding|ask|asking|search|searching|reads|"
    r"checks|tracks|looks|goes))"
    r"[^,.;!?]*",
    re.I,
)
_ALWAYS_CONTROL = [
    # forbidding and demanding
    r"\b(?:is|are|isn'?t|aren'?t|not)\s+allowed\b",
    r"\bforbid",
    r"\bbann?ed\b",
    r"\bno\s+(?:pass(?:word|code)s?|pins?|locks?|lock\s*screens?)\b",
    r"\bwithout\s+(?:asking|warning|notice|me)\b",
    r"\bwhenever\s+i\s+(?:want|like|ask|need|say)\b",
    r"\b(?:when|if)\s+i\s+(?:ask|say\s+so)\b",
    r"\bany\s?time\s+i\s+(?:want|like|ask|need|say)\b",
    r"\bi\s+get\s+to\b",
    r"\bon\s+demand\b",
    r"\baccount\s+for\s+every\b",
    r"\bevery\s+(?:single\s+)?(?:minute|hour)\b",
    r"\bwithin\s+(?:\d+|one|two|three|five|ten|fifteen|twenty|thirty)\s+minutes\b",
    r"\btell\s+me\s+everything\b",
    r"\breports?\s+(?:to\s+me|back\s+to\s+me)\b|\breporting\s+to\s+me\b",
]
_CONTROL = [
    # handing over secrets
    r"\bphones?\b.{0,30}\bunlocked\b|\bunlocked\b.{0,30}\bphones?\b",
    r"\bcodes?\b.{0,20}\bunlock|\bunlock\w*\s+codes?\b",
    r"\baccess\s+to\b(?:\s+\S+){0,3}?\s+(?:phones?|e-?mails?|accounts?|messages|inbox|"
    r"social\s+media|instagram|facebook|whatsapp|icloud|cloud)\b",
    # reading messages, going through a phone
    r"\b(?:read|reads|reading|check(?!\s+in\b)|checks(?!\s+in\b)|checking(?!\s+in\b)|"
    r"looks?\s+(?:at|through|in)|looking\s+(?:at|through|in)|go(?:es)?\s+through|"
    r"going\s+through|went\s+through|scroll(?:s|ing)?\s+through|search(?:es|ing)?|see|sees|"
    r"seeing|forwards?\s+me|show\s+me|screenshots?\s+of|inspect\w*)\b(?:\s+\S+){0,5}?\s+"
    r"(?:phones?|messages?|texts?|chats?|dms|whatsapp|inbox|e-?mails?|call\s+logs?|"
    r"laptops?|computers?|devices?|tablets?|ipads?|"
    r"(?:browser|search)\s+history|history|conversations|social\s+media|instagram|facebook|"
    r"accounts?|bank\s+statements?|receipts)\b",
    r"\b(?:take|takes|taking|keep|keeps|keeping|hold|holds|confiscate\w*)\s+"
    r"(?:his|her|their|your)\s+phone\b",
    r"\b(?:read|see|check|look\s+at|go\s+through)\s+(?:anything|everything)\b",
    # spyware
    r"\b(?:spyware|stalkerware|keyloggers?|monitoring\s+apps?|tracking\s+apps?|"
    r"hidden\s+cameras?)\b",
    r"\b(?:install|put)\w*\s+(?:an?\s+)?(?:\w+\s+)?apps?\s+on\s+(?:his|her|their|your)\b",
    r"\brecord\w*\s+(?:his|her|their|your)\s+calls\b",
    # demanding proof of where someone is
    r"\b(?:prove|proof|proving)\b",
    r"\b(?:photos?|pictures?|selfies?|videos?)\b.{0,40}\b(?:where|who|so\s+i\s+know|to\s+show)\b",
    r"\bvideo\s+call\w*\b.{0,40}\b(?:see|show)\b",
]
_SECRET = re.compile(
    r"\b(?:pass(?:word|code|phrase)s?|pins?|pin\s+codes?|log-?ins?|credentials)\b", re.I
)
_KEPT_PRIVATE = re.compile(r"\b(?:own|keep|keeps|kept|private)\b", re.I)
"""Passwords named only to keep them one's own: "we keep our own passwords private"."""
_LOCATION = re.compile(
    r"\b(?:location|locations|gps|find\s+my|life360|whereabouts|track|tracks|tracking|"
    r"tracked|know\s+where\s+(?:he|she|they|you)\s+(?:is|are))\b",
    re.I,
)
_MUTUAL = re.compile(
    r"\b(?:both\s+ways|both\s+of\s+us|we\s+both|each\s+other'?s?|mutual(?:ly)?|"
    r"we\s+share|with\s+each\s+other)\b",
    re.I,
)
_LIMITED = re.compile(
    r"\b(?:for\s+(?:a|one|two|three|four|the\s+next|\d+|a\s+few)\b.{0,20}?\b(?:days?|weeks?|"
    r"months?)|until|while|during|trip|next\s+(?:week|month)|on\s+the\s+(?:drive|way))\b",
    re.I,
)
_CONSTANT = re.compile(
    r"\b(?:always|at\s+all\s+times|24/7|all\s+the\s+time|whenever|permanent(?:ly)?|forever|"
    r"any\s?time|constantly|from\s+now\s+on)\b|24/7",
    re.I,
)
_ALWAYS_RE = [re.compile(p, re.I) for p in _ALWAYS_CONTROL]
_CONTROL_RE = [re.compile(p, re.I) for p in _CONTROL]


def classify(term: str) -> Kind:
    """Openness or control, by the line drawn above. Pure, so it is tested on labelled terms."""
    text = " ".join(term.replace("’", "'").split())
    if any(p.search(text) for p in _ALWAYS_RE):
        return "control"
    kept = _PROTECTIVE_NEGATION.sub(" ", text)
    if any(p.search(kept) for p in _CONTROL_RE):
        return "control"
    if _SECRET.search(kept) and not _KEPT_PRIVATE.search(kept):
        return "control"
    if _LOCATION.search(kept) and not (
        _MUTUAL.search(kept) and _LIMITED.search(kept) and not _CONSTANT.search(kept)
    ):
        return "control"
    return "openness"


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


def _today(turn: Turn) -> date | None:
    try:
        return date.fromisoformat(turn.today) if turn.today else None
    except ValueError:
        return None


def _typed_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


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


def _openness(event: EventData) -> bool:
    """A term of their own: kept if it is openness, named kindly and left out if control."""
    turn = model_of(event)
    term = _tidy(value_of(event))
    if len(term) > MAX_TERM_CHARS:
        turn.hint = content.text("agreement.own", "too_long", limit=str(MAX_TERM_CHARS))
        return False
    if classify(term) == "control":
        turn.hint = content.text("agreement.control")
        return False
    if term.casefold() in (t.casefold() for t in terms_of(turn.slots)):
        turn.hint = content.text("agreement.own", "already")
        return False
    return True


def _tidy(term: str) -> str:
    """One line (terms are stored one per line), starting with a capital as the presets do."""
    text = " ".join(term.split())
    return text[:1].upper() + text[1:]


def _add_own(event: EventData) -> None:
    turn = model_of(event)
    _set_terms(turn, [*terms_of(turn.slots), _tidy(value_of(event))])


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
    return _typed_date(value)


def _end_typed(event: EventData) -> bool:
    turn = model_of(event)
    end = _typed_date(value_of(event))
    if end is None:
        turn.hint = content.text("agreement.ends", "format")
        return False
    return _end_ok(turn, end)


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
    when = _typed_date(value_of(event))
    if when is None:
        turn.hint = content.text("agreement.ends", "format")
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
        when = _typed_date(value_of(event))
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
        *_end_steps("pick", [value_is(*LENGTHS), _length_known]),
        *_end_steps("text", [has_words, _end_typed]),
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
        State("ends"),
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
