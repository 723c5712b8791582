"""Memory: 10,000 people left mid-conversation must add less than 20 MB to the process.

Where someone is lives in the database, not in the process; flows share one machine each.
So after a warm-up (imports, caches, the first connections) the resident size should stay
nearly flat however many people are mid-step.
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
from pathlib import Path

from telegram import Update

from bench.common import consent, database, mend_app
from bot.service import Mend
from storage.crypto import TextCipher, new_key
from tests.updates import text_update

PEOPLE = 10_000
WARM_UP = 500
TARGET_MB = 20.0


def rss_mb() -> float:
    """Current resident set size (Linux), falling back to the peak elsewhere."""
    statm = Path("/proc/self/statm")
    if statm.exists():
        pages = int(statm.read_text().split()[1])
        return pages * resource.getpagesize() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # pragma: no cover


async def main() -> dict[str, float]:
    with database() as engine:
        service = Mend(engine, TextCipher([new_key().encode()]))
        app = await mend_app(service)
        update_id = 0

        async def leave_mid_step(first: int, count: int) -> None:
            nonlocal update_id
            consent(service, range(first, first + count))
            for uid in range(first, first + count):
                for text in ("/hurt", "The night I found the messages"):
                    update_id += 1
                    await app.process_update(
                        Update.de_json(text_update(update_id, uid, text), app.bot)
                    )

        await leave_mid_step(1, WARM_UP)
        gc.collect()
        before = rss_mb()
        await leave_mid_step(100_000, PEOPLE)
        gc.collect()
        after = rss_mb()
        mid_step = service.store.load("telegram", str(100_000 + PEOPLE - 1), service.clock())
        assert mid_step.conversation.state == "landed", "they really are mid-step"
        await app.shutdown()
        service.close()
    added = after - before
    print(f"RSS after warm-up ({WARM_UP} people): {before:.1f} MB")
    print(f"RSS after {PEOPLE} more left mid-step: {after:.1f} MB")
    print(f"added: {added:.1f} MB  (target < {TARGET_MB:.0f} MB)")
    result = {
        "people": PEOPLE,
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "added_mb": round(added, 2),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    asyncio.run(main())
