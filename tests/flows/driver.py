"""Drive the pure coach like a person would, with no Telegram and no database.

Every turn round-trips the saved conversation through JSON, as storage does, so anything
that would not survive a restart fails here first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flows import coach
from flows.core.contract import (
    Choice,
    Command,
    Conversation,
    DeliveryItem,
    Event,
    JournalItem,
    Profile,
    Progress,
    Record,
    Reply,
    RitualItem,
    SharedItem,
    Text,
    Together,
)


class Memory:
    def __init__(self) -> None:
        self.items: list[JournalItem] = []
        self.plan: JournalItem | None = None
        self.exported: dict[str, Any] = {}
        self.ritual_items: list[RitualItem] = []
        self.deliveries: dict[int, DeliveryItem] = {}
        self.checkins: dict[str, int] = {}
        self.progress_data = Progress()
        self.shares: dict[int, SharedItem] = {}
        self.together_scores: Together | None = None
        self.partner_is_ready: bool | None = None

    def journal(self, limit: int) -> Sequence[JournalItem]:
        return self.items[:limit]

    def safety_plan(self) -> JournalItem | None:
        return self.plan

    def export(self) -> dict[str, Any]:
        return self.exported

    def rituals(self) -> Sequence[RitualItem]:
        return self.ritual_items

    def delivery(self, delivery_id: int) -> DeliveryItem | None:
        return self.deliveries.get(delivery_id)

    def checkin_on(self, local_date: str) -> int | None:
        return self.checkins.get(local_date)

    def progress(self) -> Progress:
        return self.progress_data

    def shared(self, share_id: int) -> SharedItem | None:
        return self.shares.get(share_id)

    def together(self, local_date: str) -> Together | None:
        return self.together_scores

    def partner_ready(self) -> bool | None:
        return self.partner_is_ready


class Chat:
    def __init__(self, profile: Profile | None = None) -> None:
        self.profile = profile or Profile()
        self.conversation = Conversation()
        self.records: list[Record] = []
        self.last: tuple[Reply, ...] = ()
        self.memory = Memory()
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def send(self, event: Event) -> tuple[Reply, ...]:
        outcome = coach.handle(self.profile, self.conversation, event, self.memory, self.now)
        saved = json.loads(json.dumps(outcome.conversation.to_json()))
        self.conversation = Conversation.from_json(saved)
        assert self.conversation == outcome.conversation, "conversation must survive JSON"
        self.profile = outcome.profile
        self.records.extend(outcome.records)
        self.last = outcome.replies
        return outcome.replies

    def text(self, body: str) -> tuple[Reply, ...]:
        return self.send(Text(body))

    def command(self, name: str, args: str = "") -> tuple[Reply, ...]:
        return self.send(Command(name, args))

    def pick(self, value: str) -> tuple[Reply, ...]:
        """Press the button whose key ends in `value` on the latest prompt (it must be there)."""
        keys = [o.key for r in self.last for o in r.options]
        matches = [k for k in keys if k.rsplit(".", 1)[-1] == value]
        assert matches, f"no option {value!r} on the last prompt; options were {keys}"
        return self.send(Choice(matches[-1]))

    @property
    def said(self) -> str:
        return "\n".join(r.text for r in self.last)

    @property
    def where(self) -> tuple[str, str]:
        return self.conversation.flow, self.conversation.state

    def onboard(self, role: str = "hurt") -> None:
        self.command("start")
        self.pick("ok")
        self.pick("agree")
        self.pick(role)
        self.pick("safe")  # "safe to repair?"
        self.pick("no")  # no daily moment for now
