"""Reminders at scale: 100,000 people whose rituals all fall due in the same minute.

1. Claim, record and compose every reminder (no sending), in batches, and settle each batch
   (mark the day, move the ritual to tomorrow): reminders per second, and the process's
   resident memory, which must not grow with the number of people.
2. Send a smaller batch through the real sender to a fake Bot API that enforces a rate R
   and answers 429 above it: the achieved rate as a share of R, and how many 429s came back.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, text

from bench.common import database
from bench.memory import rss_mb
from bot.mend_bot import MendBot
from bot.reminders import Reminders
from bot.sender import Sender
from storage.crypto import TextCipher, new_key
from storage.models import Person, Ritual
from storage.rituals import RitualStore
from tests.fakebotapi import FakeBotAPI

PEOPLE = 100_000
BATCH = 1_000
SEND_RATE = 100.0  # R, messages per second, enforced by the fake Bot API
SEND_COUNT = 600
DUE = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Adelaide")


def seed(engine: Engine, count: int, first_user: int = 1) -> None:
    people = Person.__table__  # type: ignore[attr-defined]
    rituals = Ritual.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        start = conn.execute(text("SELECT coalesce(max(id), 0) FROM people")).scalar() or 0
        conn.execute(
            insert(people),
            [
                {
                    "id": start + i + 1,
                    "channel": "telegram",
                    "external_id": str(first_user + i),
                    "consented": True,
                    "role": ("hurt", "broke", "both")[i % 3],
                    "track": "couples",
                    "discreet": False,
                    "reminders_paused": False,
                    "timezone": ZONES[0],
                    "active": True,
                    "created_at": DUE - timedelta(days=30),
                }
                for i in range(count)
            ],
        )
        conn.execute(
            insert(rituals),
            [
                {
                    "person_id": start + i + 1,
                    "kind": ("coffee", "checkin", "kind_text", "no_phones")[i % 4],
                    "local_time": "08:00",
                    "days": "0123456",
                    "next_due_at": DUE,
                    "active": True,
                    "created_at": DUE - timedelta(days=30),
                }
                for i in range(count)
            ],
        )


def claim_and_compose(engine: Engine, cipher: TextCipher) -> tuple[float, float, int]:
    store = RitualStore(engine, cipher)
    reminders = Reminders(store, None, lambda: DUE + timedelta(seconds=30), batch=BATCH)
    gc.collect()
    peak = rss_mb()
    done = 0
    started = time.perf_counter()
    while True:
        batch = reminders.prepare(DUE + timedelta(seconds=30))
        if not batch.claimed:
            break
        done += len(batch.outgoing)
        store.finish(
            batch.token,
            [
                {
                    "d_id": o.delivery_id,
                    "r_id": o.claimed.ritual_id,
                    "status": "sent",
                    "prompt_id": o.prompt_id,
                    "sent_at": DUE,
                }
                for o in batch.outgoing
            ],
            [{"r_id": o.claimed.ritual_id, "next_due_at": o.next_due_at} for o in batch.outgoing]
            + batch.settled_rituals,
        )
        peak = max(peak, rss_mb())
    elapsed = time.perf_counter() - started
    return done / elapsed, peak, done


async def send_at_rate(engine: Engine, cipher: TextCipher) -> tuple[float, int, int]:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM deliveries"))
        conn.execute(text("DELETE FROM rituals"))
        conn.execute(text("DELETE FROM people"))
    seed(engine, SEND_COUNT, first_user=900_000)
    with FakeBotAPI() as api:
        api.enforce_rate(SEND_RATE)
        bot = MendBot(api.token, base_url=api.base_url, base_file_url=api.base_file_url)
        await bot.initialize()
        sender = Sender(bot, per_second=SEND_RATE)
        reminders = Reminders(
            RitualStore(engine, cipher), sender, lambda: DUE + timedelta(seconds=30), batch=200
        )
        started = time.perf_counter()
        report = await reminders.sweep()
        elapsed = time.perf_counter() - started
        await bot.shutdown()
        return (report.sent / elapsed) / SEND_RATE, api.http_429, report.sent


def main() -> dict[str, Any]:
    cipher = TextCipher([new_key().encode()])
    with database() as engine:
        t0 = time.perf_counter()
        seed(engine, PEOPLE)
        seeded_in = time.perf_counter() - t0
        claim_per_s, rss, composed = claim_and_compose(engine, cipher)
        send_ratio, http_429, sent = asyncio.run(send_at_rate(engine, cipher))
    print(f"seeded {PEOPLE} people with a ritual due at the same minute in {seeded_in:.1f} s")
    print(
        f"claim + record + compose + settle: {composed} reminders, {claim_per_s:,.0f}/s"
        f"  (target >= 5,000/s)"
    )
    print(f"peak RSS during the sweep: {rss:.0f} MB  (target <= 200 MB)")
    print(
        f"sending {sent} at R = {SEND_RATE:.0f}/s: achieved {send_ratio:.1%} of R, "
        f"{http_429} answers of 429  (target >= 95%, zero 429s)"
    )
    result = {
        "claim_per_s": round(claim_per_s, 1),
        "rss_mb": round(rss, 1),
        "send_ratio": round(send_ratio, 3),
        "http_429": http_429,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
