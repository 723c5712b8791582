"""What the trained model costs: per message beside the rules alone, and at start-up.

Per message: every text of the frozen phone-style hold-out set is screened (rules alone,
the model's pass alone with its cache bypassed, and the two as they ship), and p50 / p99
are reported. Start-up: a fresh process does what `mend run` does before polling (imports,
the Telegram application, the warm-up), once with the model and once without; its wall
time and peak RSS are reported side by side, as ratios.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from bot.train.labelled import holdout

STARTS = 3
START_SCRIPT = """
import json, resource, tempfile, time
from pathlib import Path
start = time.perf_counter()
from flows.language import classifier
classifier.configure({on})
from bot.telegram_app import build_application
from bot.service import Mend
from storage import migrate
from storage.crypto import TextCipher, new_key
from storage.engine import make_engine, sqlite_url
url = sqlite_url(Path(tempfile.mkdtemp()))
migrate.upgrade(url)
build_application("1:BENCH", Mend(make_engine(url), TextCipher([new_key().encode()])))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "rss_mb": peak}}))
"""


def _timed(check: Callable[[str], object], texts: list[str]) -> tuple[float, float]:
    costs: list[float] = []
    for text in texts:
        t0 = time.perf_counter()
        check(text)
        costs.append(time.perf_counter() - t0)
    costs.sort()
    return costs[len(costs) // 2] * 1000, costs[int(len(costs) * 0.99)] * 1000


def per_message() -> dict[str, Any]:
    from flows.language import classifier
    from flows.language.classifier import Classifier
    from flows.language.screen import rules, screen

    texts = [row.text for row in holdout("risk")]
    model = classifier.active()
    assert isinstance(model, Classifier), "the shipped model must load for this benchmark"
    for text in texts[:20]:
        rules(text)  # warm caches of the rules engine
        model._compute(text)

    def shipped(text: str) -> object:
        model._cache.clear()  # bypass the per-text cache: every message is new
        return screen(text)

    out: dict[str, Any] = {"messages": len(texts)}
    for name, check in (
        ("rules", rules),
        ("model pass", model._compute),
        ("rules + model", shipped),
    ):
        p50, p99 = _timed(check, texts)
        out[name] = {"p50_ms": round(p50, 3), "p99_ms": round(p99, 3)}
        print(f"{name:14}: p50 {p50:7.3f} ms   p99 {p99:7.3f} ms")
    return out


def start_up() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, on in (("without model", False), ("with model", True)):
        runs = []
        for _ in range(STARTS):
            env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
            done = subprocess.run(
                [sys.executable, "-c", START_SCRIPT.format(on=on)],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        out[name] = {
            "seconds": round(statistics.median(r["seconds"] for r in runs), 3),
            "rss_mb": round(statistics.median(r["rss_mb"] for r in runs), 1),
        }
    base, full = out["without model"], out["with model"]
    out["ratio"] = {
        "seconds": round(full["seconds"] / base["seconds"], 2),
        "rss": round(full["rss_mb"] / base["rss_mb"], 2),
    }
    print(
        f"start-up      : {base['seconds']:.2f} s, {base['rss_mb']:.0f} MB without the model; "
        f"{full['seconds']:.2f} s, {full['rss_mb']:.0f} MB with it "
        f"(x{out['ratio']['seconds']} time, x{out['ratio']['rss']} memory)"
    )
    return out


def main() -> dict[str, Any]:
    result = {"per_message": per_message(), "start_up": start_up()}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
