"""The real `mend serve` process, with the fake Bot API delivering updates to its webhook.

Registered once with `mend webhook set`, it takes every update by POST (none by polling),
answers people as `mend run` does, refuses a call without the secret, reports itself on
/healthz and /metrics, and stops cleanly on SIGTERM. On PostgreSQL too, when one is given.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from storage.crypto import new_key
from tests.conftest import POSTGRES_URL
from tests.fakebotapi import FakeBotAPI
from tests.updates import text_update

ALEX = 525252
EVE = 666
SECRET = "e2e-webhook_SECRET-0123456789"
STARTUP = 30.0
_KEY = new_key()


def mend(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("mend")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "bot.cli", *args]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Serve:
    """One `mend serve` child process on its own port."""

    def __init__(self, api: FakeBotAPI, data_dir: Path, database: str | None) -> None:
        self.api, self.data_dir = api, data_dir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_URL": api.url,
            "MEND_DATA_DIR": str(data_dir),
            "MEND_SECRET_KEY": _KEY,
            "MEND_WEBHOOK_SECRET": SECRET,
            "MEND_WEBHOOK_URL": f"{self.base}/telegram",
            "MEND_LISTEN": f"127.0.0.1:{self.port}",
            "LOG_LEVEL": "INFO",
        }
        self.env.pop("DATABASE_URL", None)
        if database is not None:
            self.env["DATABASE_URL"] = database

    def start(self) -> None:
        upgraded = self.command("db", "upgrade")  # as an operator does first; serve never does
        assert upgraded.returncode == 0, upgraded.stderr[-2000:]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                mend("serve"),
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.data_dir,
            )

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            mend(*args),
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=self.data_dir,
            check=False,
        )

    def terminate(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture(params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, fake_api: FakeBotAPI, tmp_path: Path) -> Iterator[Serve]:
    database = None
    if request.param == "postgres":
        request.getfixturevalue("postgres")  # an empty, migrated database (or a skip)
        database = POSTGRES_URL
    runner = Serve(fake_api, tmp_path, database)
    yield runner
    runner.stop()
    log = runner.log.read_text(errors="replace") if runner.log.exists() else ""
    assert "Traceback" not in log, log
    assert SECRET not in log, "the secret is never logged"


def say(api: FakeBotAPI, chat: int, text: str, expect: str) -> None:
    api.mark()
    api.push_text(chat, text)
    api.wait_for_text(chat, expect, timeout=STARTUP)


def click(api: FakeBotAPI, label: str, expect: str) -> None:
    api.mark()
    api.click(ALEX, label)
    api.wait_for_text(ALEX, expect, timeout=STARTUP)


def sample(page: str, name: str, **labels: str) -> float:
    return sum(
        s.value
        for family in text_string_to_metric_families(page)
        for s in family.samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


def test_a_person_onboards_through_the_webhook_and_serve_stops_on_sigterm(
    fake_api: FakeBotAPI, server: Serve
) -> None:
    api = fake_api
    server.start()
    registered = server.command("webhook", "set")
    assert registered.returncode == 0, registered.stderr
    assert api.webhook_url == f"{server.base}/telegram"
    # Deliveries are refused (nothing listens yet) and tried again until the server is up.

    say(api, ALEX, "/start", "not a therapist")
    click(api, "I understand", "Is that okay with you?")
    click(api, "Yes, keep my words", "closest to where you are")
    click(api, "A bit of both", "afraid of your partner")
    click(api, "No, I feel safe with them", "daily moment")
    click(api, "Not now", "/rituals")
    assert api.calls_to("getUpdates") == [], "nothing was fetched by polling"
    assert api.calls_to("deleteWebhook") == [], "serve leaves the registration alone"

    with httpx.Client(base_url=server.base, timeout=10) as http:
        forged = json.dumps(text_update(10_000, EVE, "/start"))
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
            refused = http.post("/telegram", content=forged, headers=headers)
            assert refused.status_code == 403
        # Eve's own /start comes after the forged ones in her chat's order: one welcome only.
        say(api, EVE, "/start", "not a therapist")
        assert sum("not a therapist" in t for t in api.texts(EVE)) == 1

        assert http.get("/healthz").status_code == 200
        page = http.get("/metrics").text
    assert sample(page, "mend_updates_total") >= 7
    assert sample(page, "mend_webhook_requests_total", status="403") == 2
    assert sample(page, "mend_sends_total", outcome="ok") >= 7

    info = json.loads(server.command("webhook", "info").stdout)
    assert info["url"] == f"{server.base}/telegram" and info["pending_update_count"] == 0

    assert server.terminate() == 0, "a graceful stop on SIGTERM"
    log = server.log.read_text(errors="replace")
    assert "serving the webhook" in log and "Application is stopping" in log
