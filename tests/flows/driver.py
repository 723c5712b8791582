"""Drive the pure coach like a person would, with no Telegram and no database.

Every turn round-trips the saved conversation through JSON, as storage does, so anything
that would not survive a restart fails here first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from flows import coach
from flows.contract import (
    Choice,
    Command,
    Conversation,
    Event,
    JournalItem,
    Profile,
    Record,
    Reply,
    Text,
)


class Memory:
    def __init__(self) -> None:
        self.items: list[JournalItem] = []

    def journal(self, limit: int) -> Sequence[JournalItem]:
        return self.items[:limit]


class Chat:
    def __init__(self, profile: Profile | None = None) -> None:
        self.profile = profile or Profile()
        self.conversation = Conversation()
        self.records: list[Record] = []
        self.last: tuple[Reply, ...] = ()
        self.memory = Memory()

    def send(self, event: Event) -> tuple[Reply, ...]:
        outcome = coach.handle(self.profile, self.conversation, event, self.memory)
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
