"""/start: what Mend is and is not, consent to keep their words, and their role.

Consent is asked before anything a person writes is kept; declining is respected and
leaves the door open without pressure.
"""

from __future__ import annotations

from dataclasses import replace

from transitions import EventData

from flows import content
from flows.contract import ROLES, Role
from flows.flow import END, Flow, State, model_of, value_is


def _agree(event: EventData) -> None:
    model_of(event).profile = replace(model_of(event).profile, consented=True)


def _decline(event: EventData) -> None:
    model_of(event).profile = replace(model_of(event).profile, consented=False)
    model_of(event).say(content.text("onboarding.declined"))


def _set_role(event: EventData) -> None:
    role: Role = event.kwargs["value"]
    model_of(event).profile = replace(model_of(event).profile, role=role)
    model_of(event).say(
        content.text("onboarding.done", role) + "\n\n" + content.text("onboarding.done", "footer")
    )


FLOW = Flow(
    name="onboarding",
    version=1,
    needs_consent=False,
    states=[State("intro"), State("consent"), State("role")],
    transitions=[
        {"trigger": "pick", "source": "intro", "dest": "consent", "conditions": value_is("ok")},
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
            "dest": END,
            "conditions": value_is("decline"),
            "before": _decline,
        },
        {
            "trigger": "pick",
            "source": "role",
            "dest": END,
            "conditions": value_is(*ROLES),
            "before": _set_role,
        },
    ],
)
