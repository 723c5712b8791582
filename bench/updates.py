"""Throughput and latency of the whole stack against a PTB echo bot, in the same run.

Both push pre-built updates through `Application.process_update` on the same fake request,
so the ratio isolates what Mend adds: screening (the rules, and the trained model when on),
flow logic, one SQLite read and one commit per update (plus a journal row when a step is
saved), and the reply. Every person's free text differs, so no cache flatters the model.
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.common import (
    TOKEN,
    App,
    consent,
    database,
    journal_rows,
    mend_app,
    postgres_reachable,
    updates,
)
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


async def drive(
    app: App, batch: list[Update], fetched: Callable[[list[Update]], None] | None = None
) -> tuple[float, list[float]]:
    """`fetched`: what polling does with each batch of 100 before handling it (the inbox)."""
    latencies: list[float] = []
    gc.collect()
    start = time.perf_counter()
    for n, update in enumerate(batch):
        if fetched is not None and n % FETCHED == 0:
            fetched(batch[n : n + FETCHED])
        t0 = time.perf_counter()
        await app.process_update(update)
        latencies.append(time.perf_counter() - t0)
    return time.perf_counter() - start, latencies


VARIANTS = {
    "rules only": (False, False, False),
    "rules only, through the inbox": (False, False, True),
    "rules + model": (True, False, False),
    "rules + model, primed in a thread": (True, True, False),
}
POSTGRES_VARIANT = "rules only, on PostgreSQL"
"""Measured too when the bench's PostgreSQL answers (bench.common.POSTGRES_URL)."""
"""Name: (language model on, model run in a worker thread before the coach, each fetched
batch kept in the inbox and every update settled after its replies, as polling does)."""
FETCHED = 100


async def measure(
    model_on: bool,
    in_thread: bool,
    round_no: int,
    echo: App,
    inbox: bool = False,
    postgres: bool = False,
) -> tuple[float, ...]:
    from flows.language import classifier

    classifier.configure(model_on)
    classifier.active()
    people = range(10_000, 10_000 + PEOPLE)
    with database(postgres) as engine:
        service = Mend(engine, TextCipher([new_key().encode()]))
        consent(service, people)
        app = await mend_app(service, prime_in_thread=in_thread)
        first = 1 + round_no * 10_000
        batch = updates(app.bot, SCRIPT, people, first_id=first, vary=True)
        echo_batch = updates(echo.bot, SCRIPT, people, vary=True)
        echo_seconds, _ = await drive(echo, echo_batch)
        keep = None
        if inbox:
            # Polling keeps the JSON as Telegram sent it, so it is made before the clock runs.
            sent = {u.update_id: json.dumps(u.to_dict()) for u in batch}

            def keep(chunk: list[Update]) -> None:
                service.keep([(u.update_id, sent[u.update_id]) for u in chunk])

        seconds, latencies = await drive(app, batch, keep)
        if inbox and service.waiting():
            raise SystemExit("updates were left in the inbox")
        saved = journal_rows(engine)
        if saved != PEOPLE:  # a fast wrong answer is no answer
            raise SystemExit(f"expected {PEOPLE} saved entries, found {saved}")
        await app.shutdown()
        service.close()
    return len(echo_batch) / echo_seconds, len(batch) / seconds, *latencies


async def main() -> dict[str, Any]:
    echo = await echo_app()
    results: dict[str, Any] = {}
    print(f"updates per round: {PEOPLE * len(SCRIPT)} ({PEOPLE} people x {len(SCRIPT)} steps)")
    variants = {name: (*flags, False) for name, flags in VARIANTS.items()}
    if postgres_reachable():
        variants[POSTGRES_VARIANT] = (False, False, False, True)
    for name, (model_on, in_thread, inbox, postgres) in variants.items():
        echo_rates: list[float] = []
        mend_rates: list[float] = []
        latencies: list[float] = []
        for round_no in range(ROUNDS):
            echo_rate, mend_rate, *lat = await measure(
                model_on, in_thread, round_no, echo, inbox, postgres
            )
            echo_rates.append(echo_rate)
            mend_rates.append(mend_rate)
            latencies.extend(lat)
        rate, floor = statistics.median(mend_rates), statistics.median(echo_rates)
        ordered = sorted(latencies)
        p50 = ordered[len(ordered) // 2] * 1000
        p99 = ordered[int(len(ordered) * 0.99)] * 1000
        print(
            f"{name:34}: {rate:7.0f} updates/s vs echo {floor:7.0f} -> ratio {rate / floor:.3f}; "
            f"latency p50 {p50:.2f} ms, p99 {p99:.2f} ms"
        )
        results[name] = {
            "updates_per_s": round(rate, 1),
            "echo_updates_per_s": round(floor, 1),
            "ratio": round(rate / floor, 3),
            "p50_ms": round(p50, 3),
            "p99_ms": round(p99, 3),
        }
    await echo.shutdown()
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    asyncio.run(main())
