"""Suggesting changes to a partner's proposed agreement — sent only after a preview."""

from __future__ import annotations

from transitions import EventData

from flows.contract import PartnerRecord, Reply
from flows.flow import END, Flow, State, Turn, answer, model_of, say, slot_set, value_is

SHARE = "_share"


def _preview(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt("preview", {}, suggestion=turn.slots.get("suggestion", ""))


def _send(event: EventData) -> None:
    turn = model_of(event)
    share = turn.slots.get(SHARE, "")
    turn.records.append(
        PartnerRecord(
            "share",
            kind="suggestion",
            text=turn.slots.get("suggestion", ""),
            share_id=int(share) if share.isdecimal() else None,
        )
    )


FLOW = Flow(
    name="suggest",
    version=1,
    states=[State("write"), State("preview", render=_preview)],
    transitions=[
        *answer("write", "preview", "suggestion"),
        {
            "trigger": "pick",
            "source": "preview",
            "dest": END,
            "conditions": [value_is("send"), slot_set("suggestion")],
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
