"""What `/metrics` shows, in one place: the metric objects and the small hooks that feed them.

The code paths that count stay as they were but for one line each (a decorator, a call), so
reading the handler or the sender is not reading instrumentation. Labels are kinds and
outcomes only, never who or what: a metric must not become a second log of people.

Mend keeps its own registry, not prometheus-client's global one, so what a replica reports
is only what this module declares (plus the process's own memory and CPU), and tests can
read it without picking up anything another library registered.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from telegram.error import Forbidden, RetryAfter, TelegramError, TimedOut

P = ParamSpec("P")
T = TypeVar("T")
Job = Callable[P, Coroutine[Any, Any, T]]

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)

UPDATES = Counter(
    "mend_updates",
    "Telegram updates handled, by kind and outcome (ok, or error: apologised for)",
    ["kind", "outcome"],
    registry=REGISTRY,
)
HANDLE_SECONDS = Histogram(
    "mend_handler_seconds",
    "Time to handle one update: load, coach, save, and send its replies",
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
SCREENS = Counter(
    "mend_screen",
    "Messages screened for crisis, by level (none, possible, clear) and risk",
    ["level", "risk"],
    registry=REGISTRY,
)
REMINDER_BACKLOG = Gauge(
    "mend_reminder_backlog",
    "Reminders due now and not yet sent (read from the database at each scrape)",
    registry=REGISTRY,
)
LAST_SWEEP = Gauge(
    "mend_reminder_sweep_last_timestamp_seconds",
    "When this replica last finished a reminder sweep (Unix time)",
    registry=REGISTRY,
)
SENDS = Counter(
    "mend_sends",
    "Text messages sent to Telegram (each try), by outcome: ok, throttled (429), blocked, "
    "timed_out, failed",
    ["outcome"],
    registry=REGISTRY,
)
WEBHOOK = Counter(
    "mend_webhook_requests",
    "Calls to the webhook by answer (200 taken, 403 wrong secret, 400 unreadable, 503 not "
    "recorded, so Telegram tries again)",
    ["status"],
    registry=REGISTRY,
)


def exposition() -> bytes:
    """The text format Prometheus scrapes."""
    return generate_latest(REGISTRY)


# --- the handler -----------------------------------------------------------------------------


def update_kind(update: object) -> str:
    """A coarse kind for a label: what the person did, never what it said."""
    for kind in ("message", "callback_query", "edited_message", "my_chat_member"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def handling(fn: Job[P, None]) -> Job[P, None]:
    """Counts and times each call of an update handler (the update is its first argument)."""

    @functools.wraps(fn)
    async def timed(*args: P.args, **kwargs: P.kwargs) -> None:
        kind = update_kind(args[0]) if args else "other"
        started = time.perf_counter()
        try:
            await fn(*args, **kwargs)
        except BaseException:
            UPDATES.labels(kind, "error").inc()
            raise
        finally:
            HANDLE_SECONDS.observe(time.perf_counter() - started)
        UPDATES.labels(kind, "ok").inc()

    return timed


# --- sends -----------------------------------------------------------------------------------


def _failure(problem: BaseException) -> str:
    if isinstance(problem, Forbidden):
        return "blocked"
    if isinstance(problem, RetryAfter):
        return "throttled"
    if isinstance(problem, TimedOut):
        return "timed_out"
    return "failed"


def counts_sends(fn: Job[P, T]) -> Job[P, T]:
    """Counts each call of a send (one message to Telegram) by outcome: ok, timed_out when it
    returned nothing (it may have arrived), or the Telegram error it raised."""

    @functools.wraps(fn)
    async def counted(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            result = await fn(*args, **kwargs)
        except TelegramError as problem:
            SENDS.labels(_failure(problem)).inc()
            raise
        SENDS.labels("ok" if result is not None else "timed_out").inc()
        return result

    return counted


# --- the crisis screen -----------------------------------------------------------------------

_screen_watched = False


def watch_screen() -> None:
    """Count the screen's verdicts by level where the coach asks for them.

    The verdict is not part of what the coach returns (flows/ stays free of I/O and of
    metrics), so the coach's own reference to `screen` is wrapped once; it returns exactly
    what it did, and nothing of the text is kept.
    """
    global _screen_watched
    if _screen_watched:
        return
    from flows import coach
    from flows.language.screen import Screening

    original = coach.screen  # type: ignore[attr-defined]  # imported there, not exported

    def counted(text: str) -> Screening:
        found = original(text)
        SCREENS.labels(found.level, found.risk).inc()
        return found

    coach.screen = counted  # type: ignore[attr-defined]
    _screen_watched = True


# --- the reminder sweep ----------------------------------------------------------------------


class Heartbeat:
    """When something last completed, on a monotonic clock (for `/readyz`), and as wall time
    on a gauge (for alerts)."""

    def __init__(self, gauge: Gauge, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._gauge = gauge
        self._monotonic = monotonic
        self.last: float | None = None

    def beat(self) -> None:
        self.last = self._monotonic()
        self._gauge.set_to_current_time()

    def age(self) -> float | None:
        """Seconds since the last beat; None if there has been none."""
        return None if self.last is None else self._monotonic() - self.last


SWEEPS = Heartbeat(LAST_SWEEP)
"""Beaten by the reminder job after each sweep that finished (a failing sweep does not)."""
