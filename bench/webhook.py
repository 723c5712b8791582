"""Webhook throughput: the real `mend serve`, fed by the fake Bot API's webhook delivery,
against an echo floor fed the same way, in the same run.

Each row starts `mend serve` subprocesses (one on SQLite; one, then two behind the fake's
round-robin "load balancer" on one PostgreSQL, when the bench's database answers), has the
fake deliver PEOPLE x 3 text updates from people who already consented (written through the
storage layer, as `bench.common.consent` does), and times two things from the first push:

- accepted: until Telegram (the fake) has a 200 for every update. For Mend that is the
  secret checked, the update kept in the inbox and queued; it is what Telegram waits on.
- handled: until every update has left the inbox and every letter the outbox, i.e. its
  flow ran and its replies are out. Every reply leaves through one sender within the send
  budget (REMINDER_RATE, 25 messages a second by default, 30 at most: Telegram's own
  limit), so this figure is bound by that budget by design, not by how fast Mend thinks;
  the messages a second are printed beside it to show how close to the budget it runs.

The echo floor is a minimal starlette app under uvicorn, in its own process as `mend serve`
is, that checks the same secret, answers 200 at once and then sends one sendMessage back per
update; it is "handled" when the fake has every one of them. The 2-replica row is compared
with two echo processes behind the same routing, so each ratio compares like with like.
Nothing here asserts a time: the figures are printed, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from bench.common import POSTGRES_URL, consent, database, postgres_reachable
from bot.service import Mend
from storage.crypto import TextCipher, new_key
from tests.fakebotapi import FakeBotAPI

PEOPLE = int(os.environ.get("MEND_BENCH_WEBHOOK_PEOPLE", "100"))
"""100 by default: Mend's replies (five messages a person here) go out within the send
budget, so each row takes PEOPLE x 5 / 25 seconds; 300 (the issue's size) takes ~3 minutes."""
SCRIPT = (  # three text updates a person, interleaved as real traffic would be
    "/hurt",
    "We agreed no more secrets and then I found the second phone",
    "Shaky. Like the floor moved.",
)
FIRST_USER = 700_000
SECRET = "bench-webhook_SECRET-0123456789"
PATH = "/telegram"
MAX_CONNECTIONS = 40  # MEND_WEBHOOK_MAX_CONNECTIONS' default, given to the echo as well
STARTUP = 60.0  # a guard against a process that never comes up, not a measure
WAIT = 300.0  # likewise for a run that never finishes
ROOT = Path(__file__).resolve().parents[1]
POLL = 0.02  # how often the inbox is looked at while Mend works (a read, cheap)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _mend_command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("mend")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "bot.cli", *args]


def _until(condition: Callable[[], bool], what: str, timeout: float = STARTUP) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(POLL)


def _answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


class Process:
    """A child process listening on its own port, its output in a log file."""

    def __init__(self, command: list[str], env: dict[str, str], folder: Path, port: int) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = folder / f"{port}.log"
        self.command = command
        self.env = env
        self.cwd = folder
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.cwd,
            )

    def says(self, line: str) -> bool:
        return self.log.exists() and line in self.log.read_text(errors="replace")

    def wait_until_up(self) -> None:
        def up() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise SystemExit(f"{self.command[-1]} exited:\n{self._tail()}")
            return _answers(f"{self.base}/healthz")

        _until(up, f"{self.base} to answer")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def _tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""


def _mend_env(api: FakeBotAPI, folder: Path, url: str, key: str, port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "MEND_DATA_DIR": str(folder),
        "MEND_SECRET_KEY": key,
        "MEND_WEBHOOK_SECRET": SECRET,
        "MEND_WEBHOOK_URL": f"http://127.0.0.1:{port}{PATH}",
        "MEND_LISTEN": f"127.0.0.1:{port}",
        "DATABASE_URL": url,
        "LOG_LEVEL": "INFO",
    }
    return env


def _push_all(api: FakeBotAPI) -> list[int]:
    """Every person says each line of the script in turn; each free text is their own."""
    ids: list[int] = []
    for line in SCRIPT:
        for n in range(PEOPLE):
            uid = FIRST_USER + n
            said = line if line.startswith("/") else f"{line} ({uid % 97} times)"
            ids.append(api.push_text(uid, said))
    return ids


def _accepted(api: FakeBotAPI, ids: list[int]) -> None:
    for uid in ids:
        api.wait_until_delivered(uid, timeout=WAIT)


def _unfinished(engine: Engine) -> int:
    """Updates not yet handled, and letters not yet out: an update leaves the inbox once its
    letters are written (on a replica that is not the sender, once they are handed over),
    so both must be empty for every reply to have reached Telegram."""
    with engine.connect() as conn:
        inbox = conn.execute(text("SELECT count(*) FROM inbox")).scalar() or 0
        outbox = conn.execute(text("SELECT count(*) FROM outbox")).scalar() or 0
    return int(inbox) + int(outbox)


@contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="mend-bench-webhook-") as made:
        yield Path(made)


def measure_mend(replicas: int, postgres: bool) -> dict[str, float]:
    """Updates per second, accepted and handled, by `replicas` `mend serve` processes."""
    key = new_key()
    with ExitStack() as stack:
        engine = stack.enter_context(database(postgres))
        url = POSTGRES_URL if postgres else engine.url.render_as_string(hide_password=False)
        people = range(FIRST_USER, FIRST_USER + PEOPLE)
        service = Mend(engine, TextCipher([key.encode()]))
        consent(service, people)
        api = stack.enter_context(FakeBotAPI(token="123456:BENCH"))
        folder = stack.enter_context(_folder())
        serves: list[Process] = []
        for n in range(replicas):
            home = folder / f"replica-{n}"
            home.mkdir()
            port = _free_port()
            env = _mend_env(api, home, url, key, port)
            serve = Process(_mend_command("serve"), env, home, port)
            serves.append(serve)
            stack.callback(serve.stop)
            serve.start()
        for serve in serves:
            serve.wait_until_up()
        if postgres:  # replies are handed over until a replica holds the send lock
            sender = "this process is now the sender"
            _until(lambda: any(s.says(sender) for s in serves), "a sender")
        registered = subprocess.run(
            _mend_command("webhook", "set"),
            env=serves[0].env,
            capture_output=True,
            text=True,
            timeout=STARTUP,
            check=False,
        )
        if registered.returncode != 0:
            raise SystemExit(f"mend webhook set failed: {registered.stderr[-2000:]}")
        api.route_webhook([f"{s.base}{PATH}" for s in serves])

        start = time.perf_counter()
        ids = _push_all(api)
        _accepted(api, ids)
        accepted = time.perf_counter() - start
        _until(lambda: _unfinished(engine) == 0, "the inbox and the outbox to empty", WAIT)
        handled = time.perf_counter() - start
        service.close()
        for serve in serves:
            if serve.says("Traceback"):
                raise SystemExit(f"mend serve failed:\n{serve.log.read_text()[-4000:]}")
        if api.internal_errors:
            raise SystemExit(f"the fake Bot API failed: {api.internal_errors}")
        if not api.calls_to("sendMessage"):  # a fast wrong answer is no answer
            raise SystemExit("mend serve answered nobody")
        sent = len(api.calls_to("sendMessage"))
    return {
        "accepted": len(ids) / accepted,
        "handled": len(ids) / handled,
        "sent": sent,
        "sent_per_s": sent / handled,
    }


def measure_echo(processes: int) -> dict[str, float]:
    """The same delivery to `processes` echo apps behind the same routing."""
    with ExitStack() as stack:
        api = stack.enter_context(FakeBotAPI(token="123456:BENCH"))
        folder = stack.enter_context(_folder())
        echoes: list[Process] = []
        for _ in range(processes):
            port = _free_port()
            command = [sys.executable, "-m", "bench.webhook", "echo", "--api", api.url]
            command += ["--port", str(port)]
            echo = Process(command, {**os.environ}, folder, port)
            echo.cwd = ROOT  # where `bench` is importable
            echoes.append(echo)
            stack.callback(echo.stop)
            echo.start()
        for echo in echoes:
            echo.wait_until_up()
        import httpx

        registered = httpx.post(
            f"{api.base_url}{api.token}/setWebhook",
            json={
                "url": f"{echoes[0].base}{PATH}",
                "secret_token": SECRET,
                "max_connections": MAX_CONNECTIONS,
            },
            timeout=10,
        )
        registered.raise_for_status()
        api.route_webhook([f"{e.base}{PATH}" for e in echoes])
        api.mark()

        start = time.perf_counter()
        ids = _push_all(api)
        _accepted(api, ids)
        accepted = time.perf_counter() - start
        api.wait_for_calls("sendMessage", count=len(ids), timeout=WAIT)
        handled = time.perf_counter() - start
        if api.internal_errors:
            raise SystemExit(f"the fake Bot API failed: {api.internal_errors}")
    return {
        "accepted": len(ids) / accepted,
        "handled": len(ids) / handled,
        "sent": len(ids),
        "sent_per_s": len(ids) / handled,
    }


def echo_app(api_url: str, token: str) -> Any:
    """Answers 200 at once, then sends one sendMessage back (the floor's whole work)."""
    import httpx
    from starlette.applications import Starlette
    from starlette.background import BackgroundTask
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    clients: list[httpx.AsyncClient] = []

    async def send(chat_id: int, said: str) -> None:
        if not clients:
            clients.append(httpx.AsyncClient(base_url=f"{api_url}/bot{token}", timeout=30))
        answer = await clients[0].post("/sendMessage", json={"chat_id": chat_id, "text": said})
        answer.raise_for_status()

    async def take(request: Request) -> Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != SECRET:
            return Response(status_code=403)
        update = json.loads(await request.body())
        message = update["message"]
        return Response(background=BackgroundTask(send, message["chat"]["id"], message["text"]))

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok\n")

    return Starlette(
        routes=[Route(PATH, take, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])]
    )


def serve_echo(port: int, api_url: str) -> None:
    """The echo process: uvicorn as `mend serve` runs it (no access log, no lifespan)."""
    import uvicorn

    uvicorn.run(
        echo_app(api_url, "123456:BENCH"),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )


def main() -> dict[str, Any]:
    rows: list[tuple[str, int, bool]] = [("1 replica, SQLite", 1, False)]
    if postgres_reachable():
        rows += [("1 replica, PostgreSQL", 1, True), ("2 replicas, PostgreSQL", 2, True)]
    else:
        print("PostgreSQL does not answer (MEND_BENCH_POSTGRES_URL): SQLite only")
    count = PEOPLE * len(SCRIPT)
    print(f"updates per row: {count} ({PEOPLE} people x {len(SCRIPT)} text updates, by webhook)")
    floors = {n: measure_echo(n) for n in sorted({replicas for _, replicas, _ in rows})}
    results: dict[str, Any] = {}
    for name, replicas, postgres in rows:
        got, floor = measure_mend(replicas, postgres), floors[replicas]
        ratio = got["handled"] / floor["handled"]
        print(
            f"webhook, {name:22}: {got['handled']:6.0f} updates/s vs echo "
            f"{floor['handled']:6.0f} -> ratio {ratio:.3f}; accepted {got['accepted']:.0f}/s "
            f"vs echo {floor['accepted']:.0f}/s -> ratio {got['accepted'] / floor['accepted']:.3f}"
            f"; {got['sent']:.0f} messages sent, {got['sent_per_s']:.1f}/s"
        )
        results[f"webhook, {name}"] = {
            "updates_per_s": round(got["handled"], 1),
            "echo_updates_per_s": round(floor["handled"], 1),
            "ratio": round(ratio, 3),
            "accepted_per_s": round(got["accepted"], 1),
            "echo_accepted_per_s": round(floor["accepted"], 1),
            "accepted_ratio": round(got["accepted"] / floor["accepted"], 3),
            "messages_sent": int(got["sent"]),
            "messages_per_s": round(got["sent_per_s"], 1),
        }
    print(json.dumps(results))
    return results


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="role")
    echo = sub.add_parser("echo", help="run one echo process (the bench starts these itself)")
    echo.add_argument("--api", required=True)
    echo.add_argument("--port", type=int, required=True)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = _arguments()
    if arguments.role == "echo":
        serve_echo(arguments.port, arguments.api)
    else:
        main()
