"""The coach: one pure function from (who, where, event) to (replies, new where, records).

This global layer owns what is the same in every step — commands, /cancel and /back,
stale buttons, text that is not text — so each flow only knows its own path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from flows import content, hurt, journal, onboarding, reframe
from flows.contract import (
    IDLE,
    Choice,
    Command,
    Conversation,
    Event,
    JournalItem,
    Option,
    Outcome,
    Profile,
    Reply,
    Text,
    Tick,
    Unsupported,
)
from flows.flow import Flow, Turn

FLOWS: dict[str, Flow] = {f.name: f for f in (onboarding.FLOW, hurt.FLOW, reframe.FLOW)}
STEPS = ("hurt", "reframe")
"""Commands that open a healing step of the same name."""

COMMANDS = tuple(content.section("commands"))
IDLE_MENU = "idle"
LABEL_MATCH_LIMIT = 60


class Memory(Protocol):
    """What the coach may read back from storage; the adapter decides how."""

    def journal(self, limit: int) -> Sequence[JournalItem]: ...


class _NoMemory:
    def journal(self, limit: int) -> Sequence[JournalItem]:
        return ()


NO_MEMORY: Memory = _NoMemory()


def idle_menu() -> Reply:
    opts = content.options(IDLE_MENU)
    return Reply(
        content.text(IDLE_MENU),
        tuple(Option(f"{IDLE_MENU}..{value}", label) for value, label in opts.items()),
    )


def help_reply() -> Reply:
    """Built from the command list, so /help can never fall behind the menu."""
    lines = [f"/{name} – {about}" for name, about in content.section("commands").items()]
    return Reply(
        "\n\n".join(
            [
                content.text("global", "help"),
                "\n".join(lines),
                content.text("global", "help_footer"),
            ]
        )
    )


def current_prompt(profile: Profile, conversation: Conversation) -> Reply:
    """Where the person is now, asked again (after a detour, a stale button, a photo)."""
    flow = FLOWS.get(conversation.flow)
    if flow is None or not flow.has_state(conversation.state):
        return idle_menu()
    return flow.prompt(Turn(conversation.state, conversation.slots, profile))


def _pick_from_text(options: tuple[Option, ...], body: str) -> str | None:
    """Typing an option's number or its exact words counts as choosing it."""
    if not options or len(body) > LABEL_MATCH_LIMIT:
        return None
    typed = body.strip().casefold()
    if typed.isdigit():
        index = int(typed) - 1
        return options[index].key if 0 <= index < len(options) else None
    for option in options:
        if option.label.casefold() == typed:
            return option.key
    return None


def handle(
    profile: Profile, conversation: Conversation, event: Event, memory: Memory = NO_MEMORY
) -> Outcome:
    notices: list[Reply] = []
    flow = FLOWS.get(conversation.flow)
    if conversation.flow and (
        flow is None
        or conversation.version != flow.version
        or not flow.has_state(conversation.state)
    ):
        # The saved step no longer exists as it was: begin it again rather than guess.
        notices.append(Reply(content.text("global", "flow_changed")))
        if flow is None:
            conversation = IDLE
        else:
            conversation, turn = flow.start(profile)
            return Outcome(profile, conversation, (*notices, *turn.replies))

    match event:
        case Command(name=name):
            return _command(profile, conversation, name.lower(), memory, notices)
        case Choice(key=key):
            return _choice(profile, conversation, key, memory, notices)
        case Text(body=body):
            return _text(profile, conversation, body, notices)
        case Unsupported(what=what):
            key = "unsupported_edit" if what == "edit" else "unsupported"
            notices.append(Reply(content.text("global", key)))
            return _again(profile, conversation, notices)
        case Tick():
            return Outcome(profile, conversation, tuple(notices))
    return _again(profile, conversation, notices)  # pragma: no cover - exhaustive above


def _again(profile: Profile, conversation: Conversation, notices: list[Reply]) -> Outcome:
    return Outcome(profile, conversation, (*notices, current_prompt(profile, conversation)))


def _start(profile: Profile, name: str, notices: list[Reply]) -> Outcome:
    flow = FLOWS[name]
    if flow.needs_consent and not profile.consented:
        notices.append(Reply(content.text("global", "need_consent")))
        conversation, turn = FLOWS["onboarding"].start(profile, {"then": name})
    else:
        conversation, turn = flow.start(profile)
    return Outcome(profile, conversation, (*notices, *turn.replies))


def _command(
    profile: Profile, conversation: Conversation, name: str, memory: Memory, notices: list[Reply]
) -> Outcome:
    if name == "start":
        return _start(profile, "onboarding", notices)
    if name in STEPS:
        return _start(profile, name, notices)
    if name == "help":
        notices.append(help_reply())
        return _resume(profile, conversation, notices)
    if name == "journal":
        notices.extend(journal.render(memory.journal(journal.SHOWN + 1)))
        return _resume(profile, conversation, notices)
    if name == "cancel":
        key = "cancel_idle" if conversation.idle else "cancel_done"
        return Outcome(profile, IDLE, (*notices, Reply(content.text("global", key))))
    if name == "back":
        flow = FLOWS.get(conversation.flow)
        if flow is None or not conversation.history:
            notices.append(Reply(content.text("global", "back_none")))
            return _again(profile, conversation, notices)
        conversation, turn = flow.back(conversation, profile)
        return Outcome(profile, conversation, (*notices, *turn.replies))
    notices.append(Reply(content.text("global", "unknown_command")))
    return _resume(profile, conversation, notices)


def _resume(profile: Profile, conversation: Conversation, notices: list[Reply]) -> Outcome:
    """After a detour (/help, /journal) show the step's prompt again, but not the idle menu."""
    if conversation.idle:
        return Outcome(profile, conversation, tuple(notices))
    return _again(profile, conversation, notices)


def _choice(
    profile: Profile, conversation: Conversation, key: str, memory: Memory, notices: list[Reply]
) -> Outcome:
    flow_name, _, rest = key.partition(".")
    state, _, value = rest.partition(".")
    if flow_name == IDLE_MENU and value in COMMANDS:
        return _command(profile, conversation, value, memory, notices)
    if flow_name == conversation.flow and state == conversation.state and value:
        return _fire(profile, conversation, "pick", value, notices)
    notices.append(Reply(content.text("global", "stale_button")))
    return _again(profile, conversation, notices)


def _text(profile: Profile, conversation: Conversation, body: str, notices: list[Reply]) -> Outcome:
    if conversation.idle:
        return Outcome(profile, conversation, (*notices, idle_menu()))
    flow = FLOWS[conversation.flow]
    turn = Turn(conversation.state, conversation.slots, profile)
    picked = _pick_from_text(flow.options(turn), body)
    if picked is not None:
        return _fire(profile, conversation, "pick", picked.rsplit(".", 1)[-1], notices)
    return _fire(profile, conversation, "text", body, notices)


def _fire(
    profile: Profile, conversation: Conversation, trigger: str, value: str, notices: list[Reply]
) -> Outcome:
    flow = FLOWS[conversation.flow]
    conversation, turn = flow.fire(conversation, profile, trigger, value)
    replies = [*notices, *turn.replies]
    then = turn.slots.get("then", "")
    if conversation.idle and then in STEPS and turn.profile.consented:
        conversation, follow = FLOWS[then].start(turn.profile)
        replies.extend(follow.replies)
    return Outcome(turn.profile, conversation, tuple(replies), tuple(turn.records))
