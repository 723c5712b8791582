"""No dead ends: at every state of every step, whatever a person sends, Mend answers with a
way forward.

The walk starts every step the way people reach it, then at each state it reaches sends the
options (pressed, typed as numbers, typed as words), free text of several shapes and the
commands people use to get out. After every event:

- something is said, and the last thing said is either a question with options, or a prompt
  that takes typed words, or (between steps) the menu or a closing line;
- when the answer did not fit, the nudge never says "choose one of the options" with no
  options on screen, and the prompt comes again.

A state no seed reaches fails the test, so a new step is walked the day it is added.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest

from flows import coach
from flows.core import content, keys
from flows.core.contract import (
    Choice,
    Command,
    Conversation,
    Event,
    JournalItem,
    Outcome,
    PartnerRecord,
    Profile,
    Reply,
    RitualItem,
    SharedItem,
    Text,
    Tick,
)
from flows.core.machine import END
from flows.language import classifier
from flows.steps import flows
from tests.flows.driver import Memory
from tests.flows.stand_in import StandIn

HEAVY = "i keep thinking about the drive to work and the big tree on the bend"
NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
READY = Profile(
    consented=True,
    role="hurt",
    timezone="Europe/Lisbon",
    safety_checked_on="2026-12-05",
    ready_for_two=True,
)
TEXTS = (
    "hmm",
    "I felt hurt when you came home late because I need honesty",
    "yes",
    "no",
    "21:00",
    "Lisbon",
    "3",
    "2026-12-20",
    "idk",
    "I only did it because you were never home",
    "you always ignore me, you're so selfish",
    HEAVY,
    "🙂",
    "x" * 300,
)
COMMANDS = ("help", "back", "cancel", "nonsense")
PICK = content.text("global", "pick_an_option")
AGAIN = content.text("global", "say_it_again")
MAX_STATES = 20000
PER_STATE = 4
"""Ways of being at one state walked at most per kind of person (slots differ), breadth first."""


@dataclass(frozen=True)
class Seen:
    profile: Profile
    conversation: Conversation


def _memory() -> Memory:
    """Someone with a bit of everything: a ritual, a safety plan, things their partner shared."""
    memory = Memory()
    memory.ritual_items = [
        RitualItem(id=1, kind="checkin", label=None, local_time="21:00", days="0123456"),
        RitualItem(id=2, kind="own", label="a walk", local_time="07:30", days="01234"),
    ]
    memory.plan = JournalItem("safety_plan", (("signs", "I stop sleeping"),), "1 Dec")
    memory.shares = {
        1: SharedItem(1, "statement", "I felt alone when you were late"),
        2: SharedItem(2, "agreement", "Phones open for a month"),
    }
    memory.partner_is_ready = True
    return memory


@pytest.fixture(autouse=True)
def stand_in() -> Iterator[None]:
    """The model hears one phrase as possibly heavy, so the "are you safe?" question is walked."""
    classifier.install(StandIn({HEAVY: 0.7}, default=0.0))
    yield


def _send(profile: Profile, conversation: Conversation, event: Event) -> Outcome:
    outcome = coach.handle(profile, conversation, event, _memory(), NOW)
    saved = Conversation.from_json(json.loads(json.dumps(outcome.conversation.to_json())))
    assert saved == outcome.conversation
    return outcome


def _seeds() -> Iterator[tuple[str, Seen, Event]]:
    """Every way in: each step's command, /start, a reminder's question, a worrying message."""
    for command in coach.STARTS:
        yield command, Seen(READY, Conversation()), Command(command)
        yield command, Seen(replace(READY, timezone=None), Conversation()), Command(command)
    yield "start", Seen(Profile(), Conversation()), Command("start")
    yield "safety", Seen(READY, Conversation()), Command("safety")
    yield "tick", Seen(READY, Conversation()), Tick("prompt", "What made you smile today?")
    yield "worry", Seen(READY, Conversation()), Text("i dont want to be here anymore")
    yield "abuse", Seen(READY, Conversation()), Text("he hit me last night and took my phone")
    quiet = replace(READY, quiet_from="22:00", quiet_to="08:00")
    for command in ("rituals", "settings", "resume"):
        yield command, Seen(replace(quiet, paused="self_harm"), Conversation()), Command(command)
        yield command, Seen(quiet, Conversation()), Command(command)
    after_start = Conversation(flow="onboarding", state="safe", version=1)
    yield "moment", Seen(quiet, after_start), Choice("onboarding.safe.safe")
    yield "moment", Seen(replace(quiet, timezone=None), after_start), Choice("onboarding.safe.safe")
    paired = replace(READY, paired=True)
    for command in coach.STARTS:
        yield command, Seen(paired, Conversation()), Command(command)
        yield (
            command,
            Seen(replace(paired, safety_checked_on=None), Conversation()),
            Command(command),
        )
    for key in (keys.partner_key(1, "reflect"), keys.partner_key(2, "suggest")):
        yield "partner", Seen(paired, Conversation()), Choice(key)
    yield "heavy", Seen(READY, Conversation()), Text(HEAVY)
    individual = replace(READY, track="individual")
    for command in coach.STARTS:
        yield command, Seen(individual, Conversation()), Command(command)


def _events(reply: tuple[Reply, ...]) -> Iterator[Event]:
    options = [o for r in reply for o in r.options]
    for number, option in enumerate(options, start=1):
        yield Choice(option.key)
        yield Text(str(number))
        yield Text(option.label)
    for body in TEXTS:
        yield Text(body)
    for name in COMMANDS:
        yield Command(name)


def _short_asking(here: Conversation) -> set[str]:
    state = next((s for s in flows()[here.flow].states if s.name == here.state), None)
    return {content.text(state.again)} if state is not None and state.again else set()


def _way_forward(before: Seen, event: Event, outcome: Outcome) -> str | None:
    """What is wrong with this answer, or None when the person can go on."""
    replies = outcome.replies
    if isinstance(event, Tick):
        return None  # nobody reads a tick's replies
    if not replies and any(isinstance(r, PartnerRecord) for r in outcome.records):
        return None  # sending to a partner: the adapter says whether it went
    if not replies or not any(r.text.strip() for r in replies):
        return "nothing was said"
    if any("{" in r.text and "}" in r.text for r in replies):
        return "a placeholder was left in the copy"
    here = outcome.conversation
    if here.idle or here.state == END:
        return None
    # The prompt comes last, or just above help that was put under it (a heavy safety plan).
    current = coach.current_prompt(outcome.profile, here, NOW)
    asked = {current.text, *_short_asking(here)}  # or its short form, asked again
    if not asked & {r.text for r in replies[-2:]}:
        return "the last thing said is not where they are"
    last = next(r for r in reversed(replies) if r.text in asked)
    shown = bool(last.options)
    if any(r.text == PICK for r in replies) and not shown:
        return "asked to choose with nothing to choose from"
    if any(r.text == AGAIN for r in replies):
        return "a general nudge where this question needs its own"
    return None


def _walk(
    check: Callable[[Seen, Event, Outcome], str | None],
) -> tuple[set[tuple[str, str]], list[str]]:
    reached: set[tuple[str, str]] = set()
    problems: list[str] = []
    queue: deque[tuple[str, Seen, Outcome]] = deque()
    per_state: dict[tuple[str, str, str], int] = {}
    visited: set[str] = set()
    for name, seen, event in _seeds():
        outcome = _send(seen.profile, seen.conversation, event)
        problem = check(seen, event, outcome)
        if problem:
            problems.append(f"{name}: {problem} after {event!r}")
        queue.append((name, seen, outcome))
    while queue and len(visited) < MAX_STATES:
        name, _, outcome = queue.popleft()
        here = Seen(outcome.profile, outcome.conversation)
        if here.conversation.idle:
            continue
        where = (here.conversation.flow, here.conversation.state)
        person = here.profile
        kind = (
            *where,
            f"{person.paired}{person.consented}{person.track}{person.paused}"
            f"{person.timezone is None}{person.quiet_from}{person.role is None}",
        )
        slots = sorted((k, v if len(v) <= 20 else "…") for k, v in here.conversation.slots.items())
        marker = json.dumps([kind, slots])
        if marker in visited or per_state.get(kind, 0) >= PER_STATE:
            continue
        visited.add(marker)
        per_state[kind] = per_state.get(kind, 0) + 1
        reached.add(where)
        for event in _events(outcome.replies):
            after = _send(here.profile, here.conversation, event)
            problem = check(here, event, after)
            if problem:
                problems.append(
                    f"{here.conversation.flow}.{here.conversation.state}: {problem} after {event!r}"
                )
            queue.append((name, here, after))
    return reached, problems


def test_every_state_of_every_step_answers_everything_with_a_way_forward() -> None:
    reached, problems = _walk(_way_forward)
    assert not problems, "\n".join(sorted(set(problems))[:40])
    declared = {(f.name, s.name) for f in flows().values() for s in f.states}
    assert not declared - reached, f"never reached: {sorted(declared - reached)}"
