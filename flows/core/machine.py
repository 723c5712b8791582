"""How a healing step is declared and run as a `transitions` state machine.

Each flow builds its machine once, at import, with ``model=None`` and fires events on a
throw-away `Turn` for the length of one event (the static pattern from the transitions FAQ).
So memory does not grow with the number of people, and an event costs microseconds.

A flow declares its states with prompts (copy keyed ``<flow>.<state>`` in the content file)
and transitions on two triggers: ``text`` (the person wrote something) and ``pick`` (they
chose an option). Conditions are the validators: when none lets an event through, the
machine stays where it is and the flow's hint for that state is shown with the prompt again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

from transitions import EventData, Machine

from flows.core import content
from flows.core.contract import (
    NO_MEMORY,
    Conversation,
    JournalRecord,
    Memory,
    Option,
    Profile,
    Record,
    Reply,
    Slots,
    Snapshot,
)
from flows.core.keys import step_key

END = "end"
"""The terminal state every flow shares: reaching it closes the step."""

HISTORY_LIMIT = 12
NEW_PROMPT = "_new_numbers"
"""A slot a callback sets when what the prompt shows has changed: shown whole, not short."""
MAX_ANSWER = 4000

Callback = Callable[[EventData], Any]


class Turn:
    """The per-event model the shared machine acts on; discarded after the event."""

    __slots__ = (
        "hint",
        "memory",
        "now",
        "profile",
        "records",
        "replies",
        "slots",
        "state",
        "today",
    )

    def __init__(
        self,
        state: str,
        slots: Slots,
        profile: Profile,
        today: str = "",
        now: datetime | None = None,
        memory: Memory = NO_MEMORY,
    ) -> None:
        self.state = state
        self.slots: Slots = dict(slots)
        self.profile = profile
        self.today = today  # the person's local date, ISO; flows never read a clock
        self.now = now  # the moment of the event, aware UTC, given by the adapter
        self.memory = memory  # read-only view of this person's stored things
        self.replies: list[Reply] = []
        self.records: list[Record] = []
        self.hint: str = ""

    def say(self, text: str) -> None:
        self.replies.append(Reply(text))


@dataclass(frozen=True, slots=True)
class State:
    """One step of a flow. `render` builds the prompt when plain copy is not enough."""

    name: str
    render: Callable[[Flow, Turn], Reply] | None = None
    # A typed number here is an answer (a time, a score), not the number of an option.
    numbers_are_answers: bool = False
    # Copy for asking again, short, when the answer did not move them on: the long prompt
    # (all the help numbers) is just above, and once is enough.
    again: str | None = None


@dataclass(slots=True)
class Flow:
    name: str
    version: int
    states: Sequence[State]
    transitions: list[dict[str, Any]]
    needs_consent: bool = True
    # Keeps something that lasts by its nature (a ritual's time, an agreement), so it cannot
    # be tried without keeping anything, as every other step can after a "not now".
    stores: bool = False
    # An exercise for two: paused after a crisis, never offered on the individual track.
    couples: bool = False
    # Work on the relationship itself, done alone (owning the harm, forgiving, growing as two):
    # paused after a crisis and closed on the individual track like an exercise for two,
    # but needing no partner's /ready.
    reconciling: bool = False
    # Slots to begin with, read from the person's memory (and their date) as it opens.
    prepare: Callable[[Memory, str, Profile], Slots] | None = None
    machine: Machine = field(init=False, repr=False)
    _by_name: dict[str, State] = field(init=False, repr=False)
    _option_cache: dict[tuple[str, str], tuple[Option, ...]] = field(
        init=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._by_name = {s.name: s for s in self.states}
        self.machine = Machine(
            model=None,
            states=[s.name for s in self.states] + [END],
            transitions=self.transitions,
            initial=None,
            auto_transitions=False,
            ignore_invalid_triggers=True,
            send_event=True,
        )

    @property
    def about_us(self) -> bool:
        """Assumes a couple working on it together: not for someone on their own, or paused."""
        return self.couples or self.reconciling

    @property
    def first(self) -> str:
        return self.states[0].name

    def numbers_are_answers(self, state: str) -> bool:
        found = self._by_name.get(state)
        return found is not None and found.numbers_are_answers

    def has_state(self, name: str) -> bool:
        return name in self._by_name

    def key(self, state: str, value: str) -> str:
        """The option key that travels in callback_data; short and stable."""
        return step_key(self.name, state, value)

    # --- prompts -------------------------------------------------------------------------

    def prompt(self, turn: Turn) -> Reply:
        state = self._by_name[turn.state]
        if state.render is not None:
            return state.render(self, turn)
        return self.plain_prompt(turn.state, turn.slots)

    def options(self, turn: Turn) -> tuple[Option, ...]:
        """The choices on the current prompt, without composing its text when avoidable."""
        state = self._by_name[turn.state]
        if state.render is not None:
            return self.prompt(turn).options
        return self._options(turn.state, f"{self.name}.{turn.state}")

    def state_options(self, state: str) -> tuple[Option, ...]:
        """A state's own options, for a prompt worded another way (a short second asking)."""
        return self._options(state, f"{self.name}.{state}")

    def plain_prompt(
        self, state: str, slots: Slots, *, section: str | None = None, **extra: str
    ) -> Reply:
        """The copy at `section` (default: this state's) with options keyed to `state`.

        A dotted `section` names copy of another flow, for a question two flows share.
        """
        path = section if section and "." in section else f"{self.name}.{section or state}"
        return Reply(content.text(path, **{**slots, **extra}), self._options(state, path))

    def _options(self, state: str, path: str) -> tuple[Option, ...]:
        """Options depend only on the copy, never on answers: build each set once."""
        key = (state, path)
        cached = self._option_cache.get(key)
        if cached is None:
            cached = tuple(
                Option(self.key(state, value), label)
                for value, label in content.options(path).items()
            )
            self._option_cache[key] = cached
        return cached

    def hint(self, state: str, *, options: bool = True) -> str:
        """The state's own nudge, or a general one that fits what is on screen: "choose one
        of the options" only when there are options to choose from."""
        try:
            hint = content.section(f"{self.name}.{state}").get("hint")
        except content.MissingCopy:
            hint = None
        if isinstance(hint, str):
            return hint
        return content.text("global", "pick_an_option" if options else "say_it_again")

    # --- running -------------------------------------------------------------------------

    def start(
        self,
        profile: Profile,
        slots: Slots | None = None,
        *,
        state: str | None = None,
        today: str = "",
        now: datetime | None = None,
        memory: Memory = NO_MEMORY,
    ) -> tuple[Conversation, Turn]:
        turn = Turn(state or self.first, slots or {}, profile, today, now, memory)
        turn.replies.append(self.prompt(turn))
        return self._conversation(turn, ()), turn

    def fire(
        self,
        conversation: Conversation,
        profile: Profile,
        trigger: str,
        value: str,
        today: str = "",
        now: datetime | None = None,
        memory: Memory = NO_MEMORY,
    ) -> tuple[Conversation, Turn]:
        """Run one trigger; stay put with a hint when nothing accepts it."""
        turn = Turn(conversation.state, conversation.slots, profile, today, now, memory)
        before = Snapshot(conversation.state, dict(conversation.slots))
        event = self.machine.events.get(trigger)
        accepted = False
        # Asked only where the trigger is known, so `transitions` never logs a warning
        # about an answer we handle ourselves (the hint below).
        if event is not None and conversation.state in event.transitions:
            accepted = bool(event.trigger(turn, value=value))
        if not accepted:
            again = self._again(turn)
            turn.replies.append(
                Reply(turn.hint or self.hint(conversation.state, options=bool(again.options)))
            )
            turn.replies.append(again)
            return replace(conversation, slots=turn.slots), turn
        history = conversation.history
        if turn.state != before.state:
            history = (*history, before)[-HISTORY_LIMIT:]
        if turn.state == END:
            return Conversation(), turn  # what comes next, if anything, is in turn.slots["then"]
        if turn.hint:
            turn.replies.append(Reply(turn.hint))
        stayed = turn.state == before.state and not turn.slots.pop(NEW_PROMPT, "")
        turn.replies.append(self._again(turn) if stayed else self.prompt(turn))
        return self._conversation(turn, history), turn

    def _again(self, turn: Turn) -> Reply:
        """The prompt once more: in its short form where the state has one."""
        state = self._by_name[turn.state]
        if state.again is None:
            return self.prompt(turn)
        return Reply(content.text(state.again), self.state_options(turn.state))

    def back(
        self,
        conversation: Conversation,
        profile: Profile,
        today: str = "",
        now: datetime | None = None,
    ) -> tuple[Conversation, Turn]:
        snapshot = conversation.history[-1]
        turn = Turn(snapshot.state, snapshot.slots, profile, today, now)
        turn.replies.append(self.prompt(turn))
        return self._conversation(turn, conversation.history[:-1]), turn

    def _conversation(self, turn: Turn, history: tuple[Snapshot, ...]) -> Conversation:
        return Conversation(self.name, turn.state, turn.slots, self.version, history)


def model_of(event: EventData) -> Turn:
    """The Turn an event runs on (transitions types it as a plain object)."""
    return cast(Turn, event.model)


def value_of(event: EventData) -> str:
    return str(event.kwargs.get("value", ""))


# --- small builders that keep flow modules declarative ----------------------------------------


def value_is(*values: str) -> Callback:
    def check(event: EventData) -> bool:
        return event.kwargs.get("value") in values

    return check


def slot_set(name: str) -> Callback:
    def check(event: EventData) -> bool:
        return bool(model_of(event).slots.get(name))

    return check


def has_words(event: EventData) -> bool:
    """Validator for free text: something to keep, and not more than a message can hold."""
    value = str(event.kwargs.get("value", ""))
    if not value.strip():
        model_of(event).hint = content.text("global", "empty_text")
        return False
    if len(value) > MAX_ANSWER:
        model_of(event).hint = content.text("global", "too_long", limit=str(MAX_ANSWER))
        return False
    return True


def store(name: str) -> Callback:
    def keep(event: EventData) -> None:
        model_of(event).slots[name] = str(event.kwargs.get("value", "")).strip()

    return keep


def store_value(name: str) -> Callback:
    """Store a picked option's value (its label is looked up when shown)."""
    return store(name)


def then(name: str) -> Callback:
    """What the coach opens or does once this flow ends (its `then` slot)."""

    def chain(event: EventData) -> None:
        model_of(event).slots["then"] = name

    return chain


def forget(*names: str) -> Callback:
    def drop(event: EventData) -> None:
        for name in names:
            model_of(event).slots.pop(name, None)

    return drop


def journal(kind: str, parts: Iterable[str]) -> Callback:
    names = tuple(parts)

    def record(event: EventData) -> None:
        slots = model_of(event).slots
        model_of(event).records.append(
            JournalRecord(kind, tuple((p, slots[p]) for p in names if slots.get(p)))
        )

    return record


def say(path: str, key: str = "text") -> Callback:
    def speak(event: EventData) -> None:
        model_of(event).say(content.text(path, key, **model_of(event).slots))

    return speak


def step(
    trigger: str,
    source: str | list[str],
    dest: str,
    *,
    when: Sequence[Callback] = (),
    do: Sequence[Callback] = (),
    review: str | None = None,
) -> list[dict[str, Any]]:
    """A transition that moves on to `dest`, or back to `review` while the person is editing."""
    out: list[dict[str, Any]] = []
    if review is not None:
        out.append(
            {
                "trigger": trigger,
                "source": source,
                "dest": review,
                "conditions": [*when, slot_set("_editing")],
                "before": list(do),
                "after": forget("_editing"),
            }
        )
    out.append(
        {
            "trigger": trigger,
            "source": source,
            "dest": dest,
            "conditions": list(when),
            "before": list(do),
        }
    )
    return out


def answer(source: str, dest: str, slot: str, *, review: str | None = None) -> list[dict[str, Any]]:
    """A free-text answer kept in `slot`."""
    return step("text", source, dest, when=[has_words], do=[store(slot)], review=review)


def editing(event: EventData) -> None:
    model_of(event).slots["_editing"] = "1"


def edit_menu(source: str, parts: Sequence[str], review: str) -> list[dict[str, Any]]:
    """The "which part would you like to change?" choices, plus leaving it as it is."""
    out: list[dict[str, Any]] = [
        {
            "trigger": "pick",
            "source": source,
            "dest": part,
            "conditions": value_is(part),
            "before": editing,
        }
        for part in parts
    ]
    out.append(
        {"trigger": "pick", "source": source, "dest": review, "conditions": value_is(review)}
    )
    return out
