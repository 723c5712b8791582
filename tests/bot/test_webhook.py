"""`mend serve`'s web side: the webhook takes updates only from Telegram, keeps each before it
answers, handles each once however often it comes, and reports health, readiness and metrics.

The app runs in-process (httpx over ASGI) on PTB's real application with a recording fake
request; the fake Bot API's own webhook delivery is checked at the end, against a receiver
that refuses first.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from telegram.ext import Application

from bot import cli, metrics
from bot.mend_bot import MendBot
from bot.sender import Sender, Sent
from bot.service import Mend
from bot.telegram_app import build_application
from bot.webhook import SECRET_HEADER, Readiness, create_app, stale_after
from storage import migrate
from storage.engine import make_engine
from tests.conftest import TOKEN, FakeClock
from tests.fake_request import FakeRequest
from tests.fakebotapi import FakeBotAPI
from tests.updates import text_update

App = Application[Any, Any, Any, Any, Any, Any]
SAM = 3003
SECRET = "s3cret-Token_for-tests"
SWEEP = 20.0


class Ticks:
    """A monotonic clock moved by hand, for the reminder heartbeat."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def sweeps(ticks: Ticks) -> metrics.Heartbeat:
    return metrics.Heartbeat(metrics.LAST_SWEEP, ticks)


@pytest.fixture
async def client(
    app: App, mend: Mend, clock: FakeClock, sweeps: metrics.Heartbeat
) -> AsyncIterator[httpx.AsyncClient]:
    web = create_app(app, mend, secret=SECRET, sweep_seconds=SWEEP, clock=clock, sweeps=sweeps)
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://mend") as http:
        yield http


async def deliver(
    http: httpx.AsyncClient, update: dict[str, Any], secret: str | None = SECRET
) -> httpx.Response:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return await http.post("/telegram", content=json.dumps(update), headers=headers)


async def handled(app: App) -> None:
    """Every update queued so far has run (PTB counts each one done)."""
    await app.update_queue.join()


def sample(page: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(page):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0


# --- the secret ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret", [None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper(), "sécret"]
)
async def test_without_the_right_secret_nothing_is_kept_queued_or_answered(
    client: httpx.AsyncClient,
    app: App,
    mend: Mend,
    request_log: FakeRequest,
    secret: str | None,
) -> None:
    # As bytes: a header may carry any octet, not only ASCII.
    headers = {} if secret is None else {SECRET_HEADER.encode(): secret.encode()}
    answer = await client.post(
        "/telegram", content=json.dumps(text_update(41, SAM, "/start")), headers=headers
    )
    assert answer.status_code == 403
    assert mend.waiting() == [], "nothing reached the inbox"
    assert app.update_queue.empty(), "nothing was queued for the coach"
    assert request_log.sent() == [], "nobody was answered"


def test_the_webhook_refuses_to_exist_without_a_secret(app: App, mend: Mend) -> None:
    with pytest.raises(ValueError, match="secret"):
        create_app(app, mend, secret="")


# --- keeping and handling --------------------------------------------------------------------


async def test_an_update_is_kept_before_the_answer_so_a_crash_after_200_loses_nothing(
    client: httpx.AsyncClient, mend: Mend, app: App
) -> None:
    raw = text_update(51, SAM, "/start")
    body = json.dumps(raw)
    answer = await client.post("/telegram", content=body, headers={SECRET_HEADER: SECRET})
    assert answer.status_code == 200
    assert mend.waiting() == [(51, body)], "in the inbox, as Telegram sent it, before 200"
    assert app.update_queue.qsize() == 1

    # The process dies here, before handling it; the next one starts on the same database.
    sends = FakeRequest()
    after = build_application(TOKEN, mend, request=sends, get_updates_request=FakeRequest())
    await after.initialize()
    try:
        assert after.post_init is not None
        await after.post_init(after)
        assert sends.sent(SAM), "the update the first process took is answered"
        assert mend.waiting() == []
    finally:
        await after.shutdown()


async def test_an_update_delivered_twice_is_handled_once(
    client: httpx.AsyncClient, app: App, mend: Mend, request_log: FakeRequest
) -> None:
    await app.start()
    try:
        update = text_update(61, SAM, "/start")
        assert (await deliver(client, update)).status_code == 200
        await handled(app)
        answered = len(request_log.sent(SAM))
        assert answered >= 1

        again = await deliver(client, update)  # Telegram did not hear our 200
        await handled(app)
        assert again.status_code == 200, "taken already: Telegram must stop sending it"
        assert len(request_log.sent(SAM)) == answered, "no second answer"
        assert mend.waiting() == []
    finally:
        await app.stop()


async def test_an_update_that_cannot_be_kept_is_refused_so_telegram_sends_it_again(
    client: httpx.AsyncClient, app: App, mend: Mend, monkeypatch: pytest.MonkeyPatch
) -> None:
    keep = mend.keep

    def locked(_: Any) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(mend, "keep", locked)
    update = text_update(71, SAM, "/start")
    assert (await deliver(client, update)).status_code == 503
    assert app.update_queue.empty()

    monkeypatch.setattr(mend, "keep", keep)
    assert (await deliver(client, update)).status_code == 200, "the retry is taken"
    assert [uid for uid, _ in mend.waiting()] == [71]


@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b'{"message": {}}', b'{"update_id": "7"}']
)
async def test_what_is_not_an_update_is_refused(
    client: httpx.AsyncClient, app: App, mend: Mend, body: bytes
) -> None:
    answer = await client.post("/telegram", content=body, headers={SECRET_HEADER: SECRET})
    assert answer.status_code == 400
    assert mend.waiting() == [] and app.update_queue.empty()


async def test_the_path_is_configurable(app: App, mend: Mend) -> None:
    web = create_app(app, mend, secret=SECRET, path="/hook/tg")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://m") as h:
        update = json.dumps(text_update(81, SAM, "/start"))
        assert (await h.post("/telegram", content=update)).status_code == 404
        moved = await h.post("/hook/tg", content=update, headers={SECRET_HEADER: SECRET})
        assert moved.status_code == 200


# --- health and readiness --------------------------------------------------------------------


async def test_healthz_says_the_process_is_up(client: httpx.AsyncClient) -> None:
    answer = await client.get("/healthz")
    assert answer.status_code == 200 and answer.text.strip() == "ok"


async def test_readyz_waits_for_a_recent_reminder_sweep(
    client: httpx.AsyncClient, sweeps: metrics.Heartbeat, ticks: Ticks
) -> None:
    first = await client.get("/readyz")
    assert first.status_code == 503
    assert first.json() == {
        "ready": False,
        "database": "ok",
        "schema": "ok",
        "reminders": "no sweep yet",
    }

    sweeps.beat()
    ticks.now += stale_after(SWEEP) - 1
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["ready"] is True

    ticks.now += 2  # the sweep has stopped finishing
    stale = await client.get("/readyz")
    assert stale.status_code == 503 and stale.json()["reminders"].startswith("last sweep")


def test_readiness_sees_an_old_schema_and_an_unreachable_database(
    tmp_path: Path, sweeps: metrics.Heartbeat
) -> None:
    sweeps.beat()
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "-1")
    old = make_engine(url)
    try:
        assert Readiness(old, SWEEP, sweeps).check()["schema"] == "out of date"
    finally:
        old.dispose()

    gone: Engine = make_engine("postgresql+psycopg://mend@127.0.0.1:9/none?connect_timeout=2")
    try:
        found = Readiness(gone, SWEEP, sweeps).check()
    finally:
        gone.dispose()
    assert found["database"] == "unreachable"
    assert "127.0.0.1" not in json.dumps(found), "no address or error text in the answer"


# --- metrics ---------------------------------------------------------------------------------


async def test_metrics_count_updates_latency_screens_backlog_and_sends(
    client: httpx.AsyncClient, app: App, mend: Mend, clock: FakeClock
) -> None:
    before = (await client.get("/metrics")).text
    await app.start()
    try:
        for n, words in enumerate(("/start", "hello there", "hello there")):
            await deliver(client, text_update(90 + n, SAM, words))
            await handled(app)
        await deliver(client, text_update(99, SAM, "/start"), secret="nope")
    finally:
        await app.stop()
    bot = app.bot
    assert isinstance(bot, MendBot)
    assert await Sender(bot).send(SAM, "a reminder") is Sent.OK

    person = mend.store.load("telegram", str(SAM), clock()).person_id
    due = clock() - timedelta(minutes=5)
    mend.rituals.add(person, "coffee", None, "08:00", "0123456", due, clock())

    page = await client.get("/metrics")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    after = page.text

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("mend_updates_total", kind="message", outcome="ok") == 3
    assert grew("mend_handler_seconds_count") == 3
    assert grew("mend_screen_total", level="none", risk="none") == 2, "each text, once"
    assert grew("mend_sends_total", outcome="ok") >= 4, "the replies and the reminder"
    assert grew("mend_webhook_requests_total", status="403") == 1
    assert sample(after, "mend_reminder_backlog") == 1
    assert "hello" not in after, "no words of anyone's in the metrics"


# --- `mend webhook set|info|delete` ----------------------------------------------------------


@pytest.fixture
def webhook_env(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeBotAPI]:
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "TELEGRAM_BOT_TOKEN": fake_api.token,
        "TELEGRAM_API_URL": fake_api.url,
        "MEND_DATA_DIR": str(tmp_path),
        "MEND_WEBHOOK_URL": "https://mend.example.org/telegram",
        "MEND_WEBHOOK_SECRET": SECRET,
        "MEND_WEBHOOK_MAX_CONNECTIONS": "12",
        "MEND_LANGUAGE_MODEL": "false",
    }.items():
        monkeypatch.setenv(name, value)
    yield fake_api


def test_webhook_set_info_and_delete(
    webhook_env: FakeBotAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api = webhook_env
    assert cli.main(["webhook", "set"]) == 0
    assert api.webhook_url == "https://mend.example.org/telegram"
    registered = api.calls_to("setWebhook")[-1].params
    assert registered["secret_token"] == SECRET
    assert registered["max_connections"] == 12
    assert "message" in registered["allowed_updates"]
    assert registered.get("drop_pending_updates") in (None, False), "nothing pending is lost"

    assert cli.main(["webhook", "info"]) == 0
    assert cli.main(["webhook", "delete"]) == 0
    assert api.webhook_url is None

    out, err = capsys.readouterr()
    info = json.loads(out[out.index("{") : out.rindex("}") + 1])
    assert info["url"] == "https://mend.example.org/telegram"
    assert info["max_connections"] == 12
    assert SECRET not in out + err, "the secret is never shown"


def test_webhook_set_needs_a_url_and_a_secret(
    webhook_env: FakeBotAPI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MEND_WEBHOOK_SECRET")
    assert cli.main(["webhook", "set"]) == 2
    monkeypatch.setenv("MEND_WEBHOOK_SECRET", SECRET)
    monkeypatch.delenv("MEND_WEBHOOK_URL")
    assert cli.main(["webhook", "set"]) == 2
    monkeypatch.setenv("MEND_WEBHOOK_SECRET", "has spaces")
    assert cli.main(["webhook", "set"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert [line.split()[1] for line in err] == [
        "MEND_WEBHOOK_SECRET",
        "MEND_WEBHOOK_URL",
        "MEND_WEBHOOK_SECRET",
    ]
    assert "has spaces" not in " ".join(err)
    assert webhook_env.webhook_url is None


def test_a_new_webhook_secret_is_one_telegram_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["webhook", "secret"]) == 0
    made = capsys.readouterr().out.strip()
    assert len(made) >= 32 and all(ch.isalnum() or ch in "_-" for ch in made)


def test_serve_refuses_to_start_without_a_secret(
    webhook_env: FakeBotAPI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MEND_WEBHOOK_SECRET")
    assert cli.main(["serve"]) == 2
    assert "MEND_WEBHOOK_SECRET" in capsys.readouterr().err
    assert webhook_env.calls == [], "not a single call to Telegram"


# --- the fake Bot API delivers by webhook ----------------------------------------------------


class Receiver:
    """A webhook that answers 500 to the first `refusals` calls, then 200."""

    def __init__(self, refusals: int) -> None:
        self.seen: list[tuple[int, str | None, int]] = []  # update id, secret header, answer
        self.refusals = refusals
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = 500 if owner.refusals > 0 else 200
                owner.refusals -= 1
                owner.seen.append((body["update_id"], self.headers.get(SECRET_HEADER), status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/telegram"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def test_the_fake_retries_a_refused_delivery_and_keeps_a_chats_order(
    fake_api: FakeBotAPI,
) -> None:
    receiver = Receiver(refusals=2)
    try:
        from telegram import Bot

        async with Bot(fake_api.token, base_url=fake_api.base_url) as bot:
            await bot.set_webhook(receiver.url, secret_token=SECRET, max_connections=4)
            first = fake_api.push_text(SAM, "one")
            second = fake_api.push_text(SAM, "two")
            fake_api.wait_until_delivered(second)
            info = await bot.get_webhook_info()
        assert [(uid, answer) for uid, _, answer in receiver.seen] == [
            (first, 500),
            (first, 500),
            (first, 200),
            (second, 200),
        ], "tried again until taken; the chat's second waits for its first"
        assert {header for _, header, _ in receiver.seen} == {SECRET}
        assert info.last_error_message and "500" in info.last_error_message
        assert info.pending_update_count == 0

        fake_api.redeliver(first)
        fake_api.wait_until_delivered(first)
        assert [uid for uid, _, _ in receiver.seen].count(first) == 4, "at least once"
    finally:
        receiver.close()
