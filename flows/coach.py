"""The coach: one pure function from (who, where, event) to (replies, new where, records).

This global layer owns what is the same in every step — screening every text for crisis
before any flow sees it, commands, /cancel and /back, stale buttons, text that is not text —
so each flow only knows its own path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import cast

from flows import steps
from flows.core import calendar, content, heard, keys, policy
from flows.core.contract import (
    IDLE,
    NO_MEMORY,
    Attachment,
    CheckinRecord,
    Choice,
    ClearChatRecord,
    Command,
    Conversation,
    DeliveryRecord,
    Event,
    JournalRecord,
    Memory,
    Option,
    Outcome,
    PartnerRecord,
    Profile,
    Record,
    Reply,
    Risk,
    Text,
    Tick,
    Unsupported,
)
from flows.core.machine import Flow, Turn
from flows.language import answers, urges
from flows.language.classifier import Level
from flows.language.screen import MODEL_SIGNAL, Screening, screen
from flows.language.watched import asks_about_privacy, blames_self, watched
from flows.steps import (
    answer,
    heavy,
    onboarding,
    reflect,
    rituals,
    safecheck,
    safety,
    safetyplan,
    suggest,
    timezone,
)
from flows.views import journal as journal_view
from flows.views import prompts, reminders

FLOWS: dict[str, Flow] = steps.flows()
STARTS: dict[str, str] = {
    command: step.flow.name for command, step in steps.by_command().items() if step.flow
}
"""Commands that open a flow, and which (every step declares its own)."""
SHOWS = {command: step.show for command, step in steps.by_command().items() if step.show}
"""Commands that only show something (/progress, /journal)."""
FIRST = "start"


def command_menu() -> dict[str, str]:
    """Every command with its menu text: /start, then each step in its place, then the rest.

    Steps bring their own line (`[<name>.command] text`); the commands that are not steps
    (help, cancel, partner and safety tools …) are `[commands]` in the main content file.
    """
    core = dict(content.section("commands"))
    out = {FIRST: core.pop(FIRST)}
    for step in steps.discovered():
        if step.command:
            out[step.command] = content.text(f"{step.name}.command")
    out.update(core)
    return out


COMMANDS = tuple(command_menu())
IDLE_MENU = "idle"
SEVERITY: dict[str, int] = {"abuse": 1, "self_harm": 2, "danger_now": 3}
RESUME = "_resume"


def idle_menu(profile: Profile | None = None) -> Reply:
    """What to do next, for their part of it; nothing offered that would be refused."""
    blocked = profile is not None and not policy.for_two(profile)
    section = content.section(IDLE_MENU)
    role = profile.role if profile is not None else None
    choices = section.get(f"options_{role}") or content.options(IDLE_MENU)
    opts = {
        value: label
        for value, label in dict(choices).items()
        if not (blocked and value in STARTS and FLOWS[STARTS[value]].about_us)
    }
    return Reply(
        content.text(IDLE_MENU),
        tuple(Option(keys.step_key(IDLE_MENU, "", value), label) for value, label in opts.items()),
    )


def help_reply() -> Reply:
    """Built from the command list, so /help can never fall behind the menu."""
    lines = [f"/{name} – {about}" for name, about in command_menu().items()]
    return Reply(
        "\n\n".join(
            [
                content.text("global", "help"),
                "\n".join(lines),
                content.text("global", "help_footer"),
            ]
        )
    )


def current_prompt(
    profile: Profile, conversation: Conversation, now: datetime | None = None
) -> Reply:
    """Where the person is now, asked again (after a detour, a stale button, a photo).

    `now` matters to prompts that speak of dates ("an end date like …")."""
    flow = FLOWS.get(conversation.flow)
    if flow is None or not flow.has_state(conversation.state):
        return idle_menu(profile)
    today = local_today(profile, now)
    return flow.prompt(Turn(conversation.state, conversation.slots, profile, today, now))


def _pick_from_text(options: tuple[Option, ...], body: str, numbers: bool = True) -> str | None:
    """Typing an option's number or its words (loosely) counts as choosing it."""
    return answers.match(options, body, numbers=numbers)


class _Step:
    """What one event builds up: who, where, what is said and what is stored."""

    __slots__ = ("conversation", "memory", "now", "profile", "records", "replies", "today")

    def __init__(
        self, profile: Profile, conversation: Conversation, memory: Memory, now: datetime | None
    ) -> None:
        self.profile = profile
        self.conversation = conversation
        self.memory = memory
        self.now = now
        self.today = local_today(profile, now)
        self.replies: list[Reply] = []
        self.records: list[Record] = []

    def say(self, *path: str, **values: str) -> None:
        self.replies.append(Reply(content.text(*path, **values)))

    def again(self) -> None:
        self.replies.append(current_prompt(self.profile, self.conversation, self.now))

    def outcome(self) -> Outcome:
        return Outcome(self.profile, self.conversation, tuple(self.replies), tuple(self.records))


def local_today(profile: Profile, now: datetime | None) -> str:
    """The person's own date (ISO), or "" when the adapter gave no time."""
    if now is None:
        return ""
    if profile.timezone:
        try:
            return now.astimezone(calendar.zone_for(profile.timezone)).date().isoformat()
        except ValueError:
            pass
    return now.date().isoformat()


def handle(
    profile: Profile,
    conversation: Conversation,
    event: Event,
    memory: Memory = NO_MEMORY,
    now: datetime | None = None,
) -> Outcome:
    """`now` (aware UTC) comes from the adapter's clock; flows never read one themselves."""
    step = _Step(profile, conversation, memory, now)
    outcome = _handle(step, conversation, event)
    if isinstance(event, Text) and watched(event.body):
        _may_be_seen(step)
        outcome = step.outcome()
    if isinstance(event, Text) and not policy.for_two(step.profile) and blames_self(event.body):
        # Told to someone on the individual track or after a crisis: what is true, gently.
        at = max(len(step.replies) - 1, 0)
        step.replies.insert(at, Reply(content.text("safety.not_your_fault")))
        outcome = step.outcome()
    return outcome


def _may_be_seen(step: _Step) -> None:
    """Someone goes through their phone: say plainly this chat may be seen, and what helps,
    just above where they are, so the question they were on stays the last thing said."""
    key = "discreet_on" if step.profile.discreet else "text"
    # Just above the question they are on (help's question too): the last message keeps its
    # options, which is what a typed number picks in the terminal.
    step.replies.insert(max(len(step.replies) - 1, 0), Reply(content.text("privacy.watched", key)))


def _handle(step: _Step, conversation: Conversation, event: Event) -> Outcome:
    if isinstance(event, Text) and (conversation.idle or _current(conversation)):
        picked = _typed_choice(step, event.body)
        if picked is not None:
            # The option's own words (or number), typed instead of pressed: Mend's words, not
            # theirs, so there is nothing to screen; a weak model signal on "continue" must not
            # reopen a crisis.
            event = Choice(picked)
    if isinstance(event, Text):
        found = screen(event.body)  # before any flow sees the words
        response = _response(step, found)
        if response == "possible":
            _ask_if_safe(step, event.body, found.risk)
            return step.outcome()
        if response == "clear" and found.risk != "none":
            if conversation.flow == safetyplan.FLOW.name and found.risk != "danger_now":
                # Writing a safety plan means writing about hard things: keep the answer, and
                # put help right under it, rather than breaking off the plan.
                _pause(step, found.risk)
                _text(step, event.body)
                step.replies.append(
                    Reply(safety.resources(safety.country_of(step.profile), found.risk))
                )
            elif _heard_today(step, found.risk, conversation):
                # Help was given today and coaching is paused already: say it is heard, and
                # let their words go on to what they are doing, instead of the same block again.
                step.say("safety.heard_again")
                _text(step, event.body)
            else:
                _crisis(step, found.risk)
            return step.outcome()
    if isinstance(event, Text) and asks_about_privacy(event.body):
        step.say("privacy.answer")  # a straight answer first; their step waits, untouched
        if step.conversation.idle:
            step.replies.append(idle_menu(step.profile))
        else:
            step.again()
        return step.outcome()
    flow = FLOWS.get(conversation.flow)
    quiet = isinstance(event, Tick) and event.kind == "prompt"  # nobody reads its replies
    if conversation.flow and not _current(conversation) and not quiet:
        # The saved step no longer exists as it was: begin it again rather than guess.
        step.say("global", "flow_changed")
        step.conversation = IDLE
        if flow is not None and not isinstance(event, Command):
            _open(step, flow.name)
            return step.outcome()

    match event:
        case Text(body=body):
            _text(step, body)
        case Command(name=name, args=args):
            _command(step, name.lower(), args)
        case Choice(key=key):
            _choice(step, key)
        case Unsupported(what=what):
            step.say("global", "unsupported_edit" if what == "edit" else "unsupported")
            step.again()
        case Tick(kind=kind, ref=ref):
            _tick(step, kind, ref)
    return step.outcome()


def _tick(step: _Step, kind: str, ref: str) -> None:
    """A reminder with a question was sent: between steps, their next words answer it.

    Mid-step nothing changes (the reminder's "Answer the question" button is there instead).
    """
    if kind == "prompt" and ref and step.conversation.idle and step.profile.consented:
        flow = answer.FLOW
        step.conversation = Conversation(flow.name, flow.first, {answer.PROMPT: ref}, flow.version)


# --- safety -------------------------------------------------------------------------------------

_SAFETY_FLOWS = frozenset({safety.FLOW.name, safetyplan.FLOW.name, heavy.FLOW.name})
"""Where a possible signal asks nothing more: help is already open, or being planned."""


def _response(step: _Step, found: Screening) -> Level:
    """What a verdict earns this person now: the full response, the one question, or nothing.

    After a crisis today nothing is second-guessed. The question is asked once: not where
    help is already open, nor again on a day they said they are safe; where it cannot be
    asked, a rule that spoke (or more heavy words while being asked) still brings help.
    """
    if found.level == "none" or found.risk == "none":
        return "none"
    today = step.today
    if found.level == "clear" or (today and step.profile.crisis_on == today):
        return "clear"
    said = step.profile.safe_said_on
    if step.conversation.flow not in _SAFETY_FLOWS and not (said and said == today):
        return "possible"
    if found.signals != (MODEL_SIGNAL,) or step.conversation.flow == heavy.FLOW.name:
        return "clear"
    return "none"


def _heard_today(step: _Step, risk: Risk, conversation: Conversation) -> bool:
    """Abuse told again, the same day, with help already given and coaching paused for it."""
    paused = step.profile.paused
    return (
        risk == "abuse"
        and bool(step.today)
        and step.profile.crisis_on == step.today
        and paused is not None
        and SEVERITY[paused] >= SEVERITY["abuse"]
        and conversation.flow not in _SAFETY_FLOWS
    )


def _current(conversation: Conversation) -> bool:
    """Whether a saved step still exists as it was saved (flows change between releases)."""
    flow = FLOWS.get(conversation.flow)
    return (
        flow is not None
        and conversation.version == flow.version
        and flow.has_state(conversation.state)
    )


def _ask_if_safe(step: _Step, body: str, risk: str) -> None:
    """Set the step aside with their words, and ask once whether they are safe now.

    Their words are kept only with the step they answer (between steps nothing is kept).
    """
    slots = {heavy.RISK: risk}
    if not step.conversation.idle:
        slots[heavy.SAVED] = json.dumps(step.conversation.to_json(), ensure_ascii=False)
        slots[heavy.HELD] = body
    elif RESUME in step.conversation.slots:
        slots[RESUME] = step.conversation.slots[RESUME]  # a step set aside by a crisis stays
    step.conversation, turn = heavy.FLOW.start(step.profile, slots, today=step.today, now=step.now)
    step.replies.extend(turn.replies)


def _after_heavy(step: _Step, slots: dict[str, str], then: str) -> None:
    """Back to where they were: with their words (safe) or with help first (not safe)."""
    saved = slots.get(heavy.SAVED, "")
    if saved:
        restored = Conversation.from_json(json.loads(saved))
        # A step that changed while they were being asked begins again later.
        step.conversation = restored if _current(restored) else IDLE
    elif RESUME in slots:
        step.conversation = Conversation(slots={RESUME: slots[RESUME]})
    if then in ("unsafe", "support"):
        risk = slots.get(heavy.RISK, "")
        # The model's guess pauses coaching; it never moves anyone to the individual track
        # by itself (their own answers at "safe to repair?" or a rule do that).
        _crisis(
            step,
            cast(Risk, risk) if risk in SEVERITY else "self_harm",
            start="urgent" if then == "unsafe" else None,
            track=False,
        )
        return
    step.profile = replace(step.profile, safe_said_on=step.today or None)
    step.say("heavy.safe")
    held = slots.get(heavy.HELD, "")
    if step.conversation.idle:
        step.replies.append(idle_menu(step.profile))
    elif held:
        _text(step, held)  # already screened: their words go on to the step
    else:
        step.again()


def _pause(step: _Step, risk: Risk, track: bool = True) -> None:
    """Pause exercises about the relationship (never downgrading a stronger signal)."""
    profile = step.profile
    if profile.paused is None or SEVERITY[risk] > SEVERITY[profile.paused]:
        profile = replace(profile, paused=risk)
    if risk == "abuse" and track:
        profile = replace(profile, track="individual")
    step.profile = profile


def _crisis(step: _Step, risk: Risk, start: str | None = None, track: bool = True) -> None:
    """Stop coaching: pause exercises about the relationship and offer help, now."""
    _pause(step, risk, track)
    step.profile = replace(step.profile, crisis_on=step.today or step.profile.crisis_on)
    slots: dict[str, str] = {"risk": risk}
    here = step.conversation
    if here.flow == safety.FLOW.name:
        shown = here.slots.get("risk", "")
        if shown in SEVERITY and SEVERITY[shown] > SEVERITY[risk]:
            slots["risk"] = shown
    if RESUME in here.slots:
        slots[RESUME] = here.slots[RESUME]  # a step set aside earlier stays set aside
    elif here.flow == heavy.FLOW.name:
        if here.slots.get(heavy.SAVED):
            slots[RESUME] = here.slots[heavy.SAVED]  # the step, not the question about it
    elif not here.idle and here.flow != safety.FLOW.name:
        slots[RESUME] = json.dumps(here.to_json(), ensure_ascii=False)
    step.conversation, turn = safety.FLOW.start(
        step.profile, slots, state=start, today=step.today, now=step.now
    )
    step.replies.extend(turn.replies)


def _resume(step: _Step, saved: str = "") -> None:
    step.profile = replace(step.profile, paused=None)
    step.say("safety.resumed")
    if step.profile.track == "individual":
        step.say("safety.individual")
    if saved:
        restored = Conversation.from_json(json.loads(saved))
        flow = FLOWS.get(restored.flow)
        if flow is not None and not (flow.about_us and step.profile.track == "individual"):
            step.conversation = restored
            step.again()


# --- commands -----------------------------------------------------------------------------------


def _command(step: _Step, name: str, args: str = "") -> None:
    """A step's command opens it (or shows it); the rest are Mend's own, in `CORE`."""
    if name in STARTS:
        _set_aside(step)
        _open(step, STARTS[name])
    elif name in SHOWS:
        step.replies.extend(SHOWS[name](step.memory))
        _resume_prompt(step)
    elif name in CORE:
        CORE[name](step, args)
    else:
        step.say("global", "unknown_command")
        _resume_prompt(step)


def _start(step: _Step, args: str) -> None:
    _set_aside(step)
    code = args.strip()[:64]
    _open(step, onboarding.FLOW.name, {JOIN: code} if code else None)


def _invite(step: _Step, args: str) -> None:
    if step.profile.paused is not None or step.profile.track == "individual":
        # No link to the partner while coaching is paused or being with them is not safe.
        _closed(step, "safety.paused" if step.profile.paused else "safety.individual")
    elif not step.profile.consented:
        step.say("global", "need_consent")
        _open(step, onboarding.FLOW.name)
    else:
        step.records.append(PartnerRecord("invite"))


def _pause_agreement(step: _Step, args: str) -> None:
    step.records.append(PartnerRecord("pause"))


def _ready(step: _Step, args: str) -> None:
    if not policy.for_two(step.profile):  # nothing for two now: "noted" would mislead
        _closed(step, "safety.paused" if step.profile.paused else "safety.individual")
        return
    step.profile = replace(step.profile, ready_for_two=not step.profile.ready_for_two)
    step.say("pace", "ready" if step.profile.ready_for_two else "not_ready")
    _resume_prompt(step)  # a draft waiting to be sent is shown again


def _unlink(step: _Step, args: str) -> None:
    if step.profile.paired:
        step.records.append(PartnerRecord("unlink"))
    else:
        step.say("partner", "not_linked")


def _help(step: _Step, args: str) -> None:
    step.replies.append(help_reply())
    _resume_prompt(step)


def _cancel(step: _Step, args: str) -> None:
    step.say("global", "cancel_idle" if step.conversation.idle else "cancel_done")
    step.conversation = IDLE


def _safety(step: _Step, args: str) -> None:
    _open(step, safety.FLOW.name, {"risk": safety.ASKED})


def _resume_coaching(step: _Step, args: str) -> None:
    """Coaching comes back only after "I'm safe", asked now (the pause may be days old)."""
    if step.profile.paused is None:
        step.say("safety.resume_idle")
        return
    slots: dict[str, str] = {"risk": step.profile.paused}
    if RESUME in step.conversation.slots:
        slots[RESUME] = step.conversation.slots[RESUME]
    step.conversation, turn = safety.FLOW.start(
        step.profile, slots, state=safety.RESUME_CHECK, today=step.today, now=step.now
    )
    step.replies.extend(turn.replies)


def _discreet(step: _Step, args: str) -> None:
    """On unless they say "off": protection is never turned off by a second tap."""
    wanted = args.strip().casefold()
    if wanted == "off":
        step.profile = replace(step.profile, discreet=False)
        step.say("discreet", "off")
    elif step.profile.discreet and wanted != "on":
        step.say("discreet", "already")
    else:
        step.profile = replace(step.profile, discreet=True)
        step.say("discreet", "on")


def _exit(step: _Step, args: str) -> None:
    step.records.append(ClearChatRecord())
    step.profile = replace(step.profile, reminders_paused=True)
    step.conversation = IDLE
    step.say("exit")


def _set_aside(step: _Step) -> None:
    """Say so when starting something else leaves unsaved answers behind."""
    here = step.conversation
    flow = FLOWS.get(here.flow)
    if flow is not None and flow.needs_consent and any(not k.startswith("_") for k in here.slots):
        step.say("global", "set_aside")


def _resume_prompt(step: _Step) -> None:
    """After a detour (/help, /journal) show the step's prompt again, but not the idle menu."""
    if not step.conversation.idle:
        step.again()


def _back(step: _Step) -> None:
    flow = FLOWS.get(step.conversation.flow)
    if flow is None or not step.conversation.history:
        step.say("global", "back_none")
        step.again()
        return
    step.conversation, turn = flow.back(step.conversation, step.profile, step.today, step.now)
    step.replies.extend(turn.replies)


def _export(step: _Step, args: str = "") -> None:
    data = step.memory.export()
    if not data:
        step.say("export", "empty")
        return
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    step.replies.append(
        Reply(content.text("export"), attachments=(Attachment("mend-export.json", body),))
    )


CORE: dict[str, Callable[[_Step, str], None]] = {
    "start": _start,
    "invite": _invite,
    "pauseagreement": _pause_agreement,
    "ready": _ready,
    "unlink": _unlink,
    "help": _help,
    "cancel": _cancel,
    "back": lambda step, args: _back(step),
    "safety": _safety,
    "resume": _resume_coaching,
    "discreet": _discreet,
    "export": _export,
    "exit": _exit,
}
"""Mend's own commands (each with its menu line in `[commands]`); steps bring theirs."""


def _pace(step: _Step) -> str:
    """What an exercise for two waits for, if anything: their own /ready, then the partner's."""
    return policy.pace(step.profile, step.memory.partner_ready) or ""


def _closed(step: _Step, *path: str) -> None:
    """Why a step does not open now, then where they are: their step, or the menu."""
    step.say(*path)
    if step.conversation.idle:
        step.replies.append(idle_menu(step.profile))
    else:
        step.again()


def _open(step: _Step, name: str, slots: dict[str, str] | None = None, then: str = "") -> None:
    """Open a flow, unless consent, a pause or the individual track says otherwise."""
    flow = FLOWS[name]
    start_slots = dict(slots or {})
    if then:
        start_slots["then"] = then
    # Safety first, whatever was said about keeping words: no work on the relationship while
    # coaching is paused, or on the individual track.
    if flow.about_us and step.profile.paused is not None:
        _closed(step, "safety.paused")
        return
    if flow.about_us and step.profile.track == "individual":
        _closed(step, "safety.individual")
        return
    if flow.needs_consent and not step.profile.consented and step.profile.role is None:
        step.say("global", "need_consent")
        flow, start_slots = onboarding.FLOW, {"then": ",".join(filter(None, (name, then)))}
    elif flow.needs_consent and not step.profile.consented and flow.stores:
        _closed(step, "global", "needs_keeping")
        return
    elif flow.needs_consent and not step.profile.consented:
        step.say("global", "unkept")  # they said "not now": tried, and nothing kept
    elif flow.about_us:
        if flow.couples and step.profile.paired:  # done alone, it waits for nobody's pace
            pace = _pace(step)
            if pace:
                _closed(step, "pace", pace)  # the pace of the slower partner
                return
        if safecheck.due(step.profile, step.today):
            flow, start_slots = safecheck.FLOW, {"then": ",".join(filter(None, (name, then)))}
    if flow is rituals.FLOW and not step.profile.timezone:
        flow, start_slots = timezone.FLOW, {"then": ",".join(filter(None, (name, then)))}
    if flow.prepare is not None:
        start_slots.update(flow.prepare(step.memory, step.today, step.profile))
    if RESUME in step.conversation.slots and flow in (safety.FLOW, safetyplan.FLOW):
        start_slots[RESUME] = step.conversation.slots[RESUME]
    state = None
    if flow is rituals.FLOW:
        start_slots.update(rituals.start_slots(step.memory.rituals()))
    if flow is safetyplan.FLOW:
        plan = step.memory.safety_plan()
        if plan is not None:
            state = "show"
            start_slots[safetyplan.EXISTING] = safetyplan.render_plan(plan.parts)
    step.conversation, turn = flow.start(
        step.profile,
        start_slots,
        state=state,
        today=step.today,
        now=step.now,
        memory=step.memory,
    )
    step.replies.extend(turn.replies)


# --- buttons and text ---------------------------------------------------------------------------


def _choice(step: _Step, key: str) -> None:
    parsed = keys.read_reminder(key)
    if parsed is not None:
        _reminder(step, *parsed)
        return
    answered = keys.read_partner(key)
    if answered is not None:
        _partner_answer(step, *answered)
        return
    flow_name, state, value = keys.read_step(key)
    if flow_name == IDLE_MENU and value in COMMANDS:
        _command(step, value)
    elif flow_name == step.conversation.flow and state == step.conversation.state and value:
        _fire(step, "pick", value)
    else:
        step.say("global", "stale_button")
        step.again()


def _reminder(step: _Step, delivery_id: int, action: str) -> None:
    """A button on a daily reminder; only the person's own reminders can be acted on."""
    found = step.memory.delivery(delivery_id)
    if found is None:
        step.say("reminder.gone")
        _resume_prompt(step)
        return
    if action == "done":
        step.records.append(DeliveryRecord(delivery_id, "done"))
        step.replies.append(Reply(prompts.reminder_copy("done")))
    elif action == "skip":
        step.records.append(DeliveryRecord(delivery_id, "not_today"))
        step.replies.append(Reply(prompts.reminder_copy("not_today")))
    elif action == "later":
        step.replies.append(reminders.later_choices(delivery_id))
    elif action in ("hour", "evening"):
        step.records.append(DeliveryRecord(delivery_id, "later", action))
        step.replies.append(Reply(prompts.reminder_copy("snoozed")))
    elif action == "answer" and found.prompt_id:
        text = prompts.prompt_text(found.prompt_id)
        if text:
            _open(step, answer.FLOW.name, {answer.PROMPT: text})
            return
    _resume_prompt(step)


JOIN = "_join"


def _partner_answer(step: _Step, share_id: int, action: str) -> None:
    """Only what was shared with this very person can be answered, and only by them."""
    item = step.memory.shared(share_id)
    if item is None:
        step.say("partner", "gone")
        _resume_prompt(step)
        return
    if action not in policy.ACTIONS_BY_KIND.get(item.kind, ()):
        step.say("partner", "gone")  # a button that does not belong to this kind of message
        _resume_prompt(step)
        return
    if action in ("reflect", "suggest") and not policy.may_share(step.profile):
        step.say("partner", "paused")  # safety outranks sharing, quietly
        _resume_prompt(step)
        return
    if action == "reflect":
        _open(step, reflect.FLOW.name, {reflect.SHARE: str(share_id)})
        return
    if action == "suggest":
        _open(step, suggest.FLOW.name, {suggest.SHARE: str(share_id)})
        return
    step.records.append(PartnerRecord("answer", kind=action, share_id=share_id))
    _resume_prompt(step)  # the adapter says whether it went (a replayed button does not)


def _typed_choice(step: _Step, body: str) -> str | None:
    """The option on screen that typed words clearly choose, as if its button were pressed."""
    if step.conversation.idle:
        return _pick_from_text(idle_menu(step.profile).options, body)
    flow = FLOWS.get(step.conversation.flow)
    if flow is None or not flow.has_state(step.conversation.state):
        return None
    turn = Turn(step.conversation.state, step.conversation.slots, step.profile, step.today)
    numbers = flow.numbers_are_answers(step.conversation.state)
    return _pick_from_text(flow.options(turn), body, numbers=not numbers)


_GREETING = re.compile(
    r"^\s*(?:hi+|hey+|hello+|hiya|yo|morning|good (?:morning|evening|afternoon)|im back|i m back)"
    r"(?:\s+(?:there|mend|again))?\s*[.!]*\s*$",
    re.I,
)
_QUESTION = re.compile(
    r"\?\s*$|^\s*(?:so\s+)?(?:are|is|can|could|should|would|will|do|does|what|whats|why|how|"
    r"where|who|when)\b",
    re.I,
)
_BOT = re.compile(r"\b(?:a bot|a robot|an ai|a person|a human|real person|chatgpt)\b", re.I)


def _heard_between_steps(step: _Step, body: str) -> None:
    """Words between steps are met: a question honestly (Mend does not decide for anyone),
    anything else with a few words back where the gist gives some."""
    if _QUESTION.search(body):
        if urges.is_urge(body) or urges.wants_harm(body):  # "is it normal to want to punch him"
            step.say("idle", "question_urge")
        elif _BOT.search(body):
            step.say("idle", "bot")
        else:
            step.say("idle", "question")
        return
    if _GREETING.match(body):
        step.say("idle", "hello")
        return
    found = heard.line_for(body, heard.Listen(("feelings", "duration", "kind")))
    said_back = found is not None and not found[1].startswith("other.")  # something of theirs
    step.replies.append(Reply(found[0] if found and said_back else content.text("idle", "heard")))


def _text(step: _Step, body: str) -> None:
    if step.conversation.idle:
        menu = idle_menu(step.profile)
        if step.profile.role is None and not step.profile.consented:
            step.say("idle", "first_words")  # a first message is met by a welcome, not a menu
            _open(step, onboarding.FLOW.name)
        else:
            _heard_between_steps(step, body)
            step.replies.append(menu)
        return
    flow = FLOWS[step.conversation.flow]
    turn = Turn(step.conversation.state, step.conversation.slots, step.profile, step.today)
    options = flow.options(turn)
    numbers = flow.numbers_are_answers(step.conversation.state)
    saving = any(keys.read_step(o.key)[2] == "save" for o in options)
    if saving and answers.discards(body):
        _cancel(step, "")  # "no, don't save that": left, and nothing kept
        return
    if options and body.strip().isdecimal() and not numbers:
        step.say("global", "pick_an_option")  # a number that is not on the list
        step.again()
    else:
        _fire(step, "text", body)


def _fire(step: _Step, trigger: str, value: str) -> None:
    flow = FLOWS[step.conversation.flow]
    step.conversation, turn = flow.fire(
        step.conversation,
        step.profile,
        trigger,
        value,
        today=step.today,
        now=step.now,
        memory=step.memory,
    )
    step.profile = turn.profile
    step.replies.extend(_unsaid(flow, turn) if not step.profile.consented else turn.replies)
    step.records.extend(_kept(step, turn.records))
    if step.conversation.idle:
        if RESUME in turn.slots:
            # Keep the step set aside by a crisis until the person chooses to resume.
            step.conversation = Conversation(slots={RESUME: turn.slots[RESUME]})
        _follow(step, turn.slots)


def _unsaid(flow: Flow, turn: Turn) -> list[Reply]:
    """A step's own "saved" line is not said when nothing was kept (`_kept` says so)."""
    if not turn.records:
        return turn.replies
    try:
        saved = content.text(f"{flow.name}.saved")
    except content.MissingCopy:
        return turn.replies
    return [reply for reply in turn.replies if reply.text != saved]


def _kept(step: _Step, records: list[Record]) -> list[Record]:
    """Without their yes to keeping words, what a step would save is shown to copy instead."""
    if step.profile.consented:
        return records
    kept: list[Record] = []
    for record in records:
        if isinstance(record, JournalRecord):
            words = journal_view.to_copy(record.kind, record.parts)
            step.replies.append(Reply(content.text("global", "not_kept") + "\n\n" + words))
        elif isinstance(record, CheckinRecord):
            step.say("global", "not_kept_checkin")
        else:
            kept.append(record)
    return kept


def _follow(step: _Step, slots: dict[str, str]) -> None:
    """What a finished flow asked to come next ("then": a comma-separated list)."""
    then = slots.get("then", "")
    if slots.get(JOIN) and step.profile.consented:
        # They came with a partner's invite and have now said yes to Mend themselves.
        step.records.append(PartnerRecord("join", code=slots[JOIN]))
    first, _, rest = then.partition(",")
    if first in heavy.AFTER:
        _after_heavy(step, slots, first)
    elif first == "resume":
        _resume(step, slots.get(RESUME, ""))
    elif first in FLOWS:
        if FLOWS[first].about_us and step.profile.track == "individual":
            return  # the safety check just explained why; no exercise for two follows
        _open(step, first, then=rest)
