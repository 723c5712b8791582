"""/start: what Mend is and is not, consent to keep their words, and their role.

Consent is asked before anything a person writes is kept; declining is respected and
leaves the door open without pressure.
"""

from __future__ import annotations

from dataclasses import replace

from transitions import EventData

from flows.core import content
from flows.core.contract import ROLES, Role
from flows.core.machine import END, Flow, State, has_words, model_of, say, value_is
from flows.core.step import Step
from flows.steps import safecheck


def _agree(event: EventData) -> None:
    model_of(event).profile = replace(model_of(event).profile, consented=True)


def _decline(event: EventData) -> None:
    """"Not now" is respected, not a dead end: the steps can be tried, nothing is kept."""
    turn = model_of(event)
    turn.profile = replace(turn.profile, consented=False)
    turn.say(content.text("onboarding.declined"))


def _set_role(event: EventData) -> None:
    role: Role = event.kwargs["value"]
    model_of(event).profile = replace(model_of(event).profile, role=role)


def _welcome(event: EventData) -> None:
    """The first step that fits their role, once "safe to repair?" is answered.

    Then the offer of a daily moment, and then whatever step they first asked for.
    """
    turn = model_of(event)
    daily = "moment" if turn.profile.consented else ""  # a daily moment is kept, so it waits
    turn.slots["then"] = ",".join(filter(None, (daily, turn.slots.get("then", ""))))
    if turn.profile.track == "individual":
        return  # the answer itself said what comes next
    if turn.slots["then"] and turn.slots["then"] != "moment":
        turn.say(content.text("onboarding.done", "then"))  # the step they asked for follows
        return
    role = turn.profile.role or "both"
    turn.say(
        content.text("onboarding.done", role) + "\n\n" + content.text("onboarding.done", "footer")
    )


FLOW = Flow(
    name="onboarding",
    version=1,
    needs_consent=False,
    states=[
        State("intro"),
        State("consent"),
        State("role"),
        State("safe", render=safecheck.ask),
    ],
    transitions=[
        {"trigger": "pick", "source": "intro", "dest": "consent", "conditions": value_is("ok")},
        {  # words instead of "I understand": met, and the start goes on
            "trigger": "text",
            "source": "intro",
            "dest": "consent",
            "conditions": has_words,
            "before": say("onboarding.heard"),
        },
        {
            "trigger": "pick",
            "source": "consent",
            "dest": "role",
            "conditions": value_is("agree"),
            "before": _agree,
        },
        {
            "trigger": "pick",
            "source": "consent",
            "dest": "role",
            "conditions": value_is("decline"),
            "before": _decline,
        },
        {
            "trigger": "pick",
            "source": "role",
            "dest": "safe",
            "conditions": value_is(*ROLES),
            "before": _set_role,
        },
        *(
            {
                "trigger": "pick",
                "source": "safe",
                "dest": END,
                "conditions": value_is(value),
                "before": [safecheck.answer(track, copy), _welcome],
            }
            for value, (track, copy) in safecheck.ANSWERS.items()
        ),
    ],
)

STEP = Step(flow=FLOW, name="onboarding")
