"""Writing back to a partner — a reflection, a suggestion — sent only after a preview.

Both follow the same three moves (write, see exactly what they will see, send or not), so one
builder makes both flows; each keeps its own copy.
"""

from __future__ import annotations

from transitions import EventData

from flows.core.contract import PartnerRecord, Reply
from flows.core.machine import END, Flow, State, Turn, answer, model_of, say, slot_set, value_is

SHARE = "_share"


def written_reply(name: str, slot: str, kind: str) -> Flow:
    """States "write" and "preview"; copy under `<name>.write` and `<name>.preview`."""

    def preview(flow: Flow, turn: Turn) -> Reply:
        return flow.plain_prompt("preview", {}, **{slot: turn.slots.get(slot, "")})

    def send(event: EventData) -> None:
        turn = model_of(event)
        share = turn.slots.get(SHARE, "")
        turn.records.append(
            PartnerRecord(
                "share",
                kind=kind,
                text=turn.slots.get(slot, ""),
                share_id=int(share) if share.isdecimal() else None,
            )
        )

    return Flow(
        name=name,
        version=1,
        states=[State("write"), State("preview", render=preview)],
        transitions=[
            *answer("write", "preview", slot),
            {
                "trigger": "pick",
                "source": "preview",
                "dest": END,
                "conditions": [value_is("send"), slot_set(slot)],
                "before": send,
            },
            {
                "trigger": "pick",
                "source": "preview",
                "dest": "write",
                "conditions": value_is("edit"),
            },
            {
                "trigger": "pick",
                "source": "preview",
                "dest": END,
                "conditions": value_is("cancel"),
                "before": say("reflect.cancelled"),
            },
        ],
    )
