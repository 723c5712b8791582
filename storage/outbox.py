"""The outbox: every message an event says to anyone, kept (encrypted) until Telegram has it.

Letters are written in the event's own transaction. Only one process sends at a time, so
that all replicas together stay within one send budget: the holder of the send lock
(`SendLock`). The replica that handled an event sends its letters at once when it holds the
lock; any other replica hands them over (`hand_over`: due at once, and on PostgreSQL a
NOTIFY in the same transaction wakes the sender as it commits). What could not go yet
(Telegram busy or down) waits with a time to try again and keeps only what is left to send,
so a message already delivered is never sent twice because the next one failed.

A letter the adapter is sending itself becomes due for the drain only after a grace period,
so the two never race; a drain claims what it takes with a lease, so a sender stepping down
and the one taking over do not take the same letter.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import Engine, func, insert, select, update

from flows.core.contract import Attachment, Option, Reply
from storage.models import Letter
from storage.store import Store

_outbox = Letter.__table__  # type: ignore[attr-defined]
GRACE = timedelta(seconds=30)
LEASE = timedelta(minutes=2)  # a claimed letter is no one else's for this long
SKEW = timedelta(minutes=1)  # handed-over letters are due a little early: clocks differ
BATCH = 100
WAKE = "mend_outbox"  # the NOTIFY channel that tells the sender there is something to send
SEND_LOCK = 0x6D656E645F736E64  # "mend_snd": the advisory lock the one sender holds
CHECK_SECONDS = 5.0  # the lock's connection is checked at least this often
log = logging.getLogger("mend.outbox")


@dataclass(frozen=True, slots=True)
class Waiting:
    id: int
    channel: str
    external_id: str
    replies: tuple[Reply, ...]
    attempts: int
    created_at: datetime


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
    def claim(self, now: datetime, limit: int = BATCH, lease: timedelta = LEASE) -> list[Waiting]:
        """Due letters, oldest first, taken for `lease`: another drain (a sender stepping
        down while the next takes over) skips them, and a crash lets them go when it ends."""
        due = (
            select(_outbox.c.id)
            .where(_outbox.c.next_try_at <= now)
            .order_by(_outbox.c.id)
            .limit(limit)
        )
        if self._postgres:
            due = due.with_for_update(skip_locked=True)
        take = (
            update(_outbox)
            .where(_outbox.c.id.in_(due.scalar_subquery()))
            .values(next_try_at=now + lease)
            .returning(*_outbox.c)
        )
        with self._write() as conn:
            rows = conn.execute(take).all()
        return sorted(
            (
                Waiting(
                    r.id,
                    r.channel,
                    r.external_id,
                    decode(self._cipher.decrypt(r.body)),
                    r.attempts,
                    r.created_at,
                )
                for r in rows
            ),
            key=lambda w: w.id,
        )

    def later(
        self, letter_id: int, attempts: int, at: datetime, rest: Sequence[Reply] | None = None
    ) -> None:
        """Not sent yet: try again at `at`, with only `rest` when part of it went out."""
        values: dict[str, Any] = {"attempts": attempts, "next_try_at": at}
        if rest is not None:
            values["body"] = self._cipher.encrypt(encode(rest))
        with self._write() as conn:
            conn.execute(update(_outbox).where(_outbox.c.id == letter_id).values(**values))

    def add(
        self, channel: str, external_id: str, replies: Sequence[Reply], now: datetime, at: datetime
    ) -> int:
        """A letter no event wrote (an answer shown again, an apology), to send from `at`."""
        with self._write() as conn:
            return int(conn.execute(self._insert(channel, external_id, replies, now, at)).one()[0])

    def hand_over(
        self,
        now: datetime,
        letters: Sequence[int] = (),
        *,
        rewrite: Mapping[int, Sequence[Reply]] | None = None,
        new: Sequence[tuple[str, str, Sequence[Reply]]] = (),
    ) -> list[int]:
        """For the one sender to send now (this process does not send): `letters` due at
        once, the ones in `rewrite` with those replies instead, `new` ones added. Returns the
        new letters' ids. One transaction; on PostgreSQL it wakes the sender as it commits."""
        due = now - SKEW
        added: list[int] = []
        with self._write() as conn:
            for letter_id, replies in (rewrite or {}).items():
                body = self._cipher.encrypt(encode(replies))
                conn.execute(update(_outbox).where(_outbox.c.id == letter_id).values(body=body))
            if letters:
                conn.execute(
                    update(_outbox).where(_outbox.c.id.in_(letters)).values(next_try_at=due)
                )
            for channel, external_id, replies in new:
                added.append(
                    int(
                        conn.execute(self._insert(channel, external_id, replies, now, due)).one()[0]
                    )
                )
            if self._postgres:
                conn.execute(select(func.pg_notify(WAKE, "")))
        return added

    def _insert(
        self, channel: str, external_id: str, replies: Sequence[Reply], now: datetime, at: datetime
    ) -> Any:
        return (
            insert(_outbox)
            .values(
                channel=channel,
                external_id=external_id,
                body=self._cipher.encrypt(encode(replies)),
                attempts=0,
                next_try_at=at,
                created_at=now,
            )
            .returning(_outbox.c.id)
        )

    def all_due_now(self, now: datetime) -> None:
        """On becoming the sender: what the last one left (in its grace period, or claimed
        when it died) is due at once."""
        with self._write() as conn:
            conn.execute(update(_outbox).where(_outbox.c.next_try_at > now).values(next_try_at=now))

    def count(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(_outbox)).scalar() or 0)


# --- who sends ----------------------------------------------------------------------------------


class SendLock:
    """On SQLite: this process sends (one process per database file is the rule there)."""

    @property
    def leading(self) -> bool:
        return True

    async def acquire(self) -> bool:
        """Try to become the sender (or stay it); True while this process is the sender."""
        return True

    async def release(self) -> None:
        return None


class AdvisoryLock(SendLock):
    """On PostgreSQL: whoever holds a session advisory lock sends, on a connection of its
    own kept open while it leads. PostgreSQL lets the lock go with the connection, so when
    the sender's process dies another replica takes over at its next try (every few
    seconds). The same connection LISTENs for handed-over letters (`on_letters`) and is
    checked every few seconds; once it fails, this process stops sending at once.
    """

    def __init__(self, engine: Engine, on_letters: Callable[[], None]) -> None:
        # libpq's own URL form; it holds the password, so it is never logged.
        self._dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_letters = on_letters
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._watch: asyncio.Task[None] | None = None
        self._leading = False

    @property
    def leading(self) -> bool:
        return self._leading

    async def acquire(self) -> bool:
        if self._leading:
            return True
        try:
            if self._conn is None or self._conn.closed:
                self._conn = await psycopg.AsyncConnection.connect(
                    self._dsn, autocommit=True, connect_timeout=10
                )
            cursor = await self._conn.execute("SELECT pg_try_advisory_lock(%s)", (SEND_LOCK,))
            row = await cursor.fetchone()
            if not row or not row[0]:
                return False
            await self._conn.execute(f"LISTEN {WAKE}")
        except psycopg.Error as problem:
            log.warning("could not try the send lock: %s", type(problem).__name__)
            await self._close()
            return False
        self._leading = True
        self._watch = asyncio.get_running_loop().create_task(self._listen(self._conn))
        log.info("this process is now the sender")
        return True

    async def _listen(self, conn: psycopg.AsyncConnection[Any]) -> None:
        try:
            while True:
                async for _ in conn.notifies(timeout=CHECK_SECONDS):
                    self._on_letters()
                await conn.execute("SELECT 1")  # still there (and so is the lock)?
        except (psycopg.Error, OSError) as problem:
            log.warning(
                "the send lock's connection failed (%s): not sending", type(problem).__name__
            )
        finally:
            self._leading = False
            await self._close()

    async def stepped_down(self) -> None:
        """Returns once this process is no longer the sender (its connection failed)."""
        if self._watch is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._watch)

    async def release(self) -> None:
        """Step down: the lock goes with the connection."""
        self._leading = False
        watch, self._watch = self._watch, None
        if watch is not None and watch is not asyncio.current_task():
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watch
        await self._close()

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    @property
    def backend_pid(self) -> int | None:
        """The lock connection's server process (for operators and tests)."""
        return self._conn.info.backend_pid if self._conn is not None else None


def send_lock(engine: Engine, on_letters: Callable[[], None]) -> SendLock:
    """The lock that fits the database: advisory on PostgreSQL, this process on SQLite."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine, on_letters)
    return SendLock()
