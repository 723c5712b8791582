"""What partners see of each other: something shared, with the answers it can get.

Only what a person chose to send is ever shown, in their own words, with buttons whose keys
come from `flows.core.keys` (the coach reads them back there).
"""

from __future__ import annotations

import json

from flows.core import content
from flows.core.contract import Option, Reply
from flows.core.keys import partner_key


def propose(text: str, ends: str, review: str) -> str:
    """A proposed agreement as it travels to the partner (read back by `proposal`)."""
    return json.dumps({"text": text, "ends": ends, "review": review})


def proposal(body: str) -> dict[str, str]:
    """A proposed agreement travels as JSON: its text, end date and review date."""
    try:
        data = json.loads(body)
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return {key: str(data.get(key, "")) for key in ("text", "ends", "review")}


def received(kind: str, text: str, share_id: int) -> Reply:
    """The partner's view of something shared: the words, and the answers it can get."""
    buttons = {
        "statement": content.options("partner.received"),
        "agreement": dict(content.section("partner.received")["agreement_options"]),
    }.get(kind, {})
    readable = proposal(text)["text"] if kind == "agreement" else text
    return Reply(
        content.text("partner.received", kind, text=readable),
        tuple(Option(partner_key(share_id, v), label) for v, label in buttons.items()),
    )
