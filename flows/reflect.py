"""Answering a partner's statement with "What I heard is…" — sent only after a preview."""

from __future__ import annotations

from transitions import EventData

from flows.contract import PartnerRecord, Reply
from flows.flow import END, Flow, State, Turn, answer, model_of, say, slot_set, value_is

SHARE = "_share"


def _preview(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt("preview", {}, reflection=turn.slots.get("reflection", ""))


def _send(event: EventData) -> None:
    turn = model_of(event)
    share = turn.slots.get(SHARE, "")
    turn.records.append(
        PartnerRecord(
            "share",
            kind="reflection",
            text=turn.slots.get("reflection", ""),
            share_id=int(share) if share.isdecimal() else None,
        )
    )


FLOW = Flow(
    name="reflect",
    version=1,
    states=[State("write"), State("preview", render=_preview)],
    transitions=[
        *answer("write", "preview", "reflection"),
        {
            "trigger": "pick",
            "source": "preview",
            "dest": END,
            "conditions": [value_is("send"), slot_set("reflection")],
            "before": _send,
        },
        {"trigger": "pick", "source": "preview", "dest": "write", "conditions": value_is("edit")},
        {
            "trigger": "pick",
            "source": "preview",
            "dest": END,
            "conditions": value_is("cancel"),
            "before": say("reflect.cancelled"),
        },
    ],
)
