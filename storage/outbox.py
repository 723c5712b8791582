"""The outbox: what an event says to anyone, kept (encrypted) until Telegram has it.

Letters are written in the event's own transaction. The adapter sends them at once and lets
them go; what it could not send (a crash, Telegram down) waits here, and a drain job tries
again with growing pauses. A letter becomes due for the drain only after a grace period, so
it never races the adapter that is sending it right now.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from flows.core.contract import Attachment, Option, Reply
from storage.models import Letter
from storage.store import Store

_outbox = Letter.__table__  # type: ignore[attr-defined]
GRACE = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class Waiting:
    id: int
    channel: str
    external_id: str
    replies: tuple[Reply, ...]
    attempts: int


def encode(replies: Sequence[Reply]) -> str:
    return json.dumps(
        [
            {
                "text": r.text,
                "options": [[o.key, o.label] for o in r.options],
                "attachments": [
                    [a.filename, base64.b64encode(a.data).decode("ascii"), a.kind]
                    for a in r.attachments
                ],
            }
            for r in replies
        ],
        ensure_ascii=False,
    )


def decode(body: str) -> tuple[Reply, ...]:
    data: list[dict[str, Any]] = json.loads(body)
    return tuple(
        Reply(
            str(r["text"]),
            tuple(Option(str(k), str(label)) for k, label in r.get("options", [])),
            tuple(
                Attachment(str(name), base64.b64decode(raw), kind)
                for name, raw, kind in r.get("attachments", [])
            ),
        )
        for r in data
    )


class OutboxStore(Store):
    def due(self, now: datetime, limit: int = 100) -> list[Waiting]:
        with self._read() as conn:
            rows = conn.execute(
                select(_outbox)
                .where(_outbox.c.next_try_at <= now)
                .order_by(_outbox.c.id)
                .limit(limit)
            ).all()
        return [
            Waiting(
                r.id, r.channel, r.external_id, decode(self._cipher.decrypt(r.body)), r.attempts
            )
            for r in rows
        ]

    def later(self, letter_id: int, attempts: int, at: datetime) -> None:
        with self._write() as conn:
            conn.execute(
                update(_outbox)
                .where(_outbox.c.id == letter_id)
                .values(attempts=attempts, next_try_at=at)
            )

    def all_due_now(self, now: datetime) -> None:
        """At start-up: what the last process left is due at once (nobody else is sending)."""
        with self._write() as conn:
            conn.execute(update(_outbox).where(_outbox.c.next_try_at > now).values(next_try_at=now))
