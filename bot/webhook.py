"""`mend serve`: Telegram posts updates to us (a webhook), instead of us asking for them.

The shape of python-telegram-bot's custom-webhook example (starlette + uvicorn, updates put
on PTB's own `update_queue`, the application started without polling), with what Mend needs
on top:

- Only Telegram may post: each call must carry the secret given at `setWebhook` in the
  `X-Telegram-Bot-Api-Secret-Token` header, compared in constant time; anything else gets
  403 and nothing is read, kept or handled.
- Nothing is lost after "200": the update is kept in the inbox (encrypted, as polling keeps
  a fetched batch) before it is answered, and leaves it only once its replies are out. If it
  cannot be kept, the answer is 503 and Telegram delivers it again.
- Delivery is at least once: an update this replica has already taken is answered 200 and
  not queued again.
- `/healthz` (the process answers), `/readyz` (the database answers, its schema is the one
  this code expects, the reminder sweep ran lately) and `/metrics` (bot.metrics) sit beside
  it on the same server, for the proxy and the monitoring in front.

`set_webhook`/`describe`/`delete_webhook` back `mend webhook set|info|delete`: registering
is done once by an operator, never by each replica as it starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
import socket
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Bot, Update
from telegram.ext import Application

from bot import metrics
from bot.clock import Clock, system_clock
from bot.mend_bot import MendBot
from bot.reminders import BUDGET_SECONDS
from bot.service import Mend
from storage import health

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
REMEMBERED = 10_000
"""Update ids this replica took lately, to answer a redelivery without queueing it again."""
MAX_BODY = 1 << 20  # an update is a few kB; anything near this is not from Telegram
GRACE_SECONDS = 10  # on SIGTERM: how long open requests may take to finish

App = Application[Any, Any, Any, Any, Any, Any]
log = logging.getLogger("mend.webhook")


def stale_after(sweep_seconds: float) -> float:
    """A replica whose reminder sweep has not finished for this long is not ready: three
    missed sweeps plus the time one sweep may spend sending (so a long wave is not one)."""
    return 3 * sweep_seconds + BUDGET_SECONDS


@dataclass
class Readiness:
    """What `/readyz` checks; each answer is read fresh (a probe is cheap and rare)."""

    engine: Engine
    sweep_seconds: float
    sweeps: metrics.Heartbeat = metrics.SWEEPS

    def check(self) -> dict[str, str]:
        """Each check by name: "ok", or what is wrong (never a URL or an error's text)."""
        found: dict[str, str] = {}
        if not health.reachable(self.engine):
            found["database"] = "unreachable"
            found["schema"] = "unknown"
        else:
            found["database"] = "ok"
            try:
                found["schema"] = "ok" if health.schema_current(self.engine) else "out of date"
            except Exception as problem:
                found["schema"] = f"unreadable ({type(problem).__name__})"
        age = self.sweeps.age()
        if age is None:
            found["reminders"] = "no sweep yet"
        elif age > stale_after(self.sweep_seconds):
            found["reminders"] = f"last sweep {age:.0f} s ago"
        else:
            found["reminders"] = "ok"
        return found


class Ingress:
    """The webhook endpoint: check the secret, keep the update, queue it, answer at once."""

    def __init__(self, application: App, mend: Mend, secret: str) -> None:
        if not secret:
            raise ValueError("a webhook without a secret token would take updates from anyone")
        self._application = application
        self._mend = mend
        self._secret = secret.encode("ascii")
        self._taken: OrderedDict[int, None] = OrderedDict()

    def _authentic(self, request: Request) -> bool:
        # Headers arrive as latin-1 text; compared as bytes, in constant time.
        given = request.headers.get(SECRET_HEADER, "").encode("latin-1")
        return hmac.compare_digest(given, self._secret)

    async def take(self, request: Request) -> Response:
        if not self._authentic(request):
            metrics.WEBHOOK.labels("403").inc()
            log.warning("refused a webhook call without the right secret token")
            return Response(status_code=403)
        body = await request.body()
        update_id = _update_id(body)
        if update_id is None:
            metrics.WEBHOOK.labels("400").inc()
            log.warning("refused a webhook call that is not an update")
            return Response(status_code=400)
        if update_id in self._taken:
            metrics.WEBHOOK.labels("200").inc()
            return Response()  # delivered again (our answer was lost): taken once already
        self._take(update_id)
        try:
            # Kept before the answer, as polling keeps a batch before confirming it.
            await asyncio.to_thread(self._mend.keep, [(update_id, body.decode("utf-8"))])
        except Exception as problem:
            self._taken.pop(update_id, None)
            metrics.WEBHOOK.labels("503").inc()
            log.warning("could not keep update %s: %s", update_id, type(problem).__name__)
            return Response(status_code=503)  # Telegram delivers it again later
        bot = self._application.bot
        assert isinstance(bot, MendBot)
        # Read as polling reads one: an update PTB cannot parse becomes an empty one.
        await self._application.update_queue.put(bot._read(json.loads(body)))
        metrics.WEBHOOK.labels("200").inc()
        return Response()

    def _take(self, update_id: int) -> None:
        self._taken[update_id] = None
        while len(self._taken) > REMEMBERED:
            self._taken.popitem(last=False)


def _update_id(body: bytes) -> int | None:
    """The update's id, if the body is a Telegram update at all."""
    if len(body) > MAX_BODY:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    value = data.get("update_id") if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def create_app(
    application: App,
    mend: Mend,
    *,
    secret: str,
    path: str = "/telegram",
    sweep_seconds: float = 20.0,
    clock: Clock = system_clock,
    sweeps: metrics.Heartbeat = metrics.SWEEPS,
) -> Starlette:
    """The web app `mend serve` runs: the webhook at `path`, and the three probes."""
    metrics.watch_screen()
    ingress = Ingress(application, mend, secret)
    readiness = Readiness(mend.engine, sweep_seconds, sweeps)

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def readyz(_: Request) -> Response:
        found = await asyncio.to_thread(readiness.check)
        ready = all(v == "ok" for v in found.values())
        return JSONResponse({"ready": ready, **found}, status_code=200 if ready else 503)

    async def metrics_page(_: Request) -> Response:
        try:
            due = await asyncio.to_thread(health.reminder_backlog, mend.engine, clock())
            metrics.REMINDER_BACKLOG.set(due)
        except Exception as problem:  # the rest is still worth reporting
            log.info("could not count the reminder backlog: %s", type(problem).__name__)
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route(path, ingress.take, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics_page, methods=["GET"]),
        ]
    )


# --- serving --------------------------------------------------------------------------------


class _Server(uvicorn.Server):
    """uvicorn, but SIGTERM and SIGINT are ours: uvicorn re-raises a caught signal once it
    has stopped, which would end the process before PTB had finished what it holds."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def ask_to_stop(self) -> None:
        if self.should_exit:  # asked twice: stop without waiting for open requests
            self.force_exit = True
        self.should_exit = True


def listen_socket(host: str, port: int) -> socket.socket:
    """Bound before anything else starts, so a port in use is one clear line at once."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


async def serve(application: App, web: Starlette, listening: socket.socket) -> None:
    """PTB started without polling, then uvicorn until SIGTERM or SIGINT; then, in order:
    no new requests, the queued updates handled, the jobs stopped."""
    server = _Server(
        uvicorn.Config(
            web,
            log_config=None,  # Mend's own logging (redacted) stays in charge
            access_log=False,
            lifespan="off",
            server_header=False,
            timeout_graceful_shutdown=GRACE_SECONDS,
        )
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, server.ask_to_stop)
    try:
        async with application:
            if application.post_init is not None:  # the outbox and the inbox first
                await application.post_init(application)
            await application.start()
            try:
                host, port = listening.getsockname()[:2]
                log.info("serving the webhook on %s:%s", host, port)
                await server.serve(sockets=[listening])
            finally:
                await application.stop()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


# --- registering (`mend webhook set|info|delete`) ------------------------------------------


async def set_webhook(
    bot: Bot, url: str, secret: str, max_connections: int, allowed: list[str] | None = None
) -> None:
    """Tell Telegram where to post, with the secret it must send back; what is pending stays."""
    async with bot:
        await bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=allowed if allowed is not None else Update.ALL_TYPES,
            max_connections=max_connections,
            drop_pending_updates=False,
        )


async def describe(bot: Bot) -> dict[str, Any]:
    """What Telegram reports (it never reports the secret)."""
    async with bot:
        info = await bot.get_webhook_info()

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "url": info.url,
        "pending_update_count": info.pending_update_count,
        "max_connections": info.max_connections,
        "allowed_updates": list(info.allowed_updates or ()) or None,
        "last_error_date": when(info.last_error_date),
        "last_error_message": info.last_error_message,
        "has_custom_certificate": info.has_custom_certificate,
    }


async def delete_webhook(bot: Bot) -> None:
    """Back to no webhook (for `mend run`); what is pending stays for the next reader."""
    async with bot:
        await bot.delete_webhook(drop_pending_updates=False)
