"""The inbox: updates kept (encrypted) from the moment they are fetched until handled.

A row leaves once the update's replies have been sent (or it needed none). What is still
here at start-up was fetched but not finished: it is handled then. An update that was
applied but whose reply never went out is recognised by its id and not applied again; the
person is shown where they are instead (the outbox will keep the reply itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import InboxUpdate
from storage.store import Store

_inbox = InboxUpdate.__table__  # type: ignore[attr-defined]


class InboxStore(Store):
    def keep(self, updates: Sequence[tuple[int, str]], now: datetime) -> None:
        """Record fetched updates (update id, JSON); one already kept is left as it is."""
        if not updates:
            return
        make = postgresql.insert if self._postgres else sqlite.insert
        rows = [
            {"update_id": uid, "body": self._cipher.encrypt(body), "received_at": now}
            for uid, body in updates
        ]
        with self._write() as conn:
            conn.execute(make(_inbox).on_conflict_do_nothing(index_elements=["update_id"]), rows)

    def stale(self, before: datetime) -> list[tuple[int, str]]:
        """Kept before `before` and still not handled: the replica that took it is gone."""
        with self._read() as conn:
            rows = conn.execute(
                select(_inbox.c.update_id, _inbox.c.body)
                .where(_inbox.c.received_at < before)
                .order_by("update_id")
            )
            return [(int(uid), self._cipher.decrypt(body)) for uid, body in rows]

    def pending(self) -> list[tuple[int, str]]:
        """What was fetched and never handled, oldest first."""
        with self._read() as conn:
            rows = conn.execute(select(_inbox.c.update_id, _inbox.c.body).order_by("update_id"))
            return [(int(uid), self._cipher.decrypt(body)) for uid, body in rows]
