"""Throughput and latency of the whole stack against a PTB echo bot, in the same run.

Both push pre-built updates through `Application.process_update` on the same fake request,
so the ratio isolates what Mend adds: screening-free flow logic, one SQLite read and one
commit per update (plus a journal row when a step is saved), and the reply.
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import time
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.common import TOKEN, App, consent, database, journal_rows, mend_app, updates
from bot.service import Mend
from storage.crypto import TextCipher, new_key
from tests.fake_request import FakeRequest

PEOPLE = 1000
SCRIPT = [
    "/hurt",
    "We agreed no more secrets and then I found the second phone",
    "Shaky. Like the floor moved.",
    "Believing what I am told",
    "1",  # save: a journal row in the same transaction
]
ROUNDS = 3


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, update.message.text or "")


async def echo_app() -> App:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(FakeRequest(record=False))
        .get_updates_request(FakeRequest(record=False))
        .build()
    )
    app.add_handler(MessageHandler(filters.ALL, _echo))
    await app.initialize()
    return app


async def drive(app: App, batch: list[Update]) -> tuple[float, list[float]]:
    latencies: list[float] = []
    gc.collect()
    start = time.perf_counter()
    for update in batch:
        t0 = time.perf_counter()
        await app.process_update(update)
        latencies.append(time.perf_counter() - t0)
    return time.perf_counter() - start, latencies


async def main() -> dict[str, Any]:
    people = range(10_000, 10_000 + PEOPLE)
    echo = await echo_app()
    echo_rates: list[float] = []
    mend_rates: list[float] = []
    mend_latencies: list[float] = []
    for round_no in range(ROUNDS):
        with database() as engine:
            service = Mend(engine, TextCipher([new_key().encode()]))
            consent(service, people)
            app = await mend_app(service)
            batch = updates(app.bot, SCRIPT, people, first_id=1 + round_no * 10_000)
            echo_batch = updates(echo.bot, SCRIPT, people)
            seconds, _ = await drive(echo, echo_batch)
            echo_rates.append(len(echo_batch) / seconds)
            seconds, latencies = await drive(app, batch)
            mend_rates.append(len(batch) / seconds)
            mend_latencies.extend(latencies)
            saved = journal_rows(engine)
            if saved != PEOPLE:  # a fast wrong answer is no answer
                raise SystemExit(f"expected {PEOPLE} saved entries, found {saved}")
            await app.shutdown()
            service.close()
    await echo.shutdown()
    mend_rate = statistics.median(mend_rates)
    echo_rate = statistics.median(echo_rates)
    ordered = sorted(mend_latencies)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[int(len(ordered) * 0.99)] * 1000
    print(f"updates per round: {PEOPLE * len(SCRIPT)} ({PEOPLE} people x {len(SCRIPT)} steps)")
    print(f"echo bot : {echo_rate:8.0f} updates/s (rounds: {[round(r) for r in echo_rates]})")
    print(f"mend     : {mend_rate:8.0f} updates/s (rounds: {[round(r) for r in mend_rates]})")
    print(f"ratio    : {mend_rate / echo_rate:.2f}   (target >= 0.5)")
    print(f"latency  : p50 {p50:.2f} ms, p99 {p99:.2f} ms   (target p99 <= 5 ms)")
    result = {
        "updates_per_s": round(mend_rate, 1),
        "echo_updates_per_s": round(echo_rate, 1),
        "ratio": round(mend_rate / echo_rate, 3),
        "p50_ms": round(p50, 3),
        "p99_ms": round(p99, 3),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    asyncio.run(main())
