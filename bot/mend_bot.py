"""Mend's Bot: polling that survives an unreadable update, and a lean way to send text.

If PTB fails to parse one update in a batch, `get_updates` raises something that is not a
TelegramError, the polling loop stops, and every person is left unanswered; worse, the
update would be fetched again forever. Here the batch is read again one update at a time,
and an unreadable one becomes an empty Update, so the offset moves past it and nobody is
stuck. Its contents are never logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot

from bot import logs, metrics

log = logging.getLogger("mend.telegram")
CLEAR_SPAN = 300


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked us to wait (PTB 22 warns when this is read as an int)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


logs.guard_library_loggers()


class MendBot(ExtBot[None]):
    wait: Callable[[float], Awaitable[None]] = staticmethod(asyncio.sleep)
    """How to wait before a retry (the database's lock, a send Telegram refused for now);
    tests replace it so nothing really sleeps."""
    _on_fetched: Callable[[Sequence[tuple[int, str]]], None] | None = None
    """Called with every fetched batch (update id, the JSON as Telegram sent it) before polling
    asks for the next one, which confirms this one to Telegram: the inbox keeps them, so a
    crash before they are handled loses nothing."""
    _raw: list[dict[str, Any]] | None = None

    def when_fetched(self, keep: Callable[[Sequence[tuple[int, str]]], None]) -> None:
        """What to do with each fetched batch before the next fetch confirms it."""
        self._on_fetched = keep

    async def _do_post(self, endpoint: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        """Keeps getUpdates' answer as sent: re-serialising parsed updates costs more than
        handling one."""
        result = await super()._do_post(endpoint, data, *args, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            self._raw = result
        return result

    @metrics.counts_sends
    async def send_text(self, chat_id: int, text: str, markup_json: str | None = None) -> Any:
        """sendMessage without building a Message from Telegram's answer (the answer as a dict).

        Mend never reads more of that answer than the message id, and parsing it was most of
        the cost of every reply. One try: waiting, pacing and trying again are the sender's
        (`bot.sender`), which sees every message and so can keep one budget. A time-out
        returns None: the message may well have arrived, so neither a second copy nor an
        apology follows.
        """
        data: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if markup_json is not None:
            data["reply_markup"] = markup_json
        try:
            return await self._post("sendMessage", data)
        except TimedOut:
            log.info("a message timed out and may have been delivered")
            return None

    async def clear_recent(self, chat_id: int, newest: int, oldest: int | None) -> bool:
        """Delete the chat's messages from `oldest` to `newest`, newest first, 100 at a time;
        True only when Telegram accepted every batch.

        Message ids in a private chat count up through both sides of the conversation, and
        `oldest` is the first of the last 48 hours (Telegram refuses older ones). Without it,
        only the last `CLEAR_SPAN` ids are tried.
        """
        bottom = max(1, oldest if oldest is not None else newest - CLEAR_SPAN + 1)
        complete = oldest is not None
        top = newest
        while top >= bottom:
            ids = list(range(max(bottom, top - 99), top + 1))
            try:
                if not await self.delete_messages(chat_id, ids):
                    complete = False
            except TelegramError as problem:
                log.info("could not clear a batch of messages: %s", type(problem).__name__)
                complete = False
            top -= 100
        return complete

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,
        allowed_updates: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> tuple[Update, ...]:
        try:
            batch = await super().get_updates(
                offset=offset,
                limit=limit,
                timeout=timeout,
                allowed_updates=allowed_updates,
                **kwargs,
            )
        except TelegramError:
            raise
        except Exception:  # a parsing failure: salvage the batch one by one
            batch = await self._salvage(offset, limit, allowed_updates)
        raw, self._raw = self._raw or [], None
        if batch and self._on_fetched is not None:
            self._on_fetched(
                [(int(i["update_id"]), json.dumps(i)) for i in raw if isinstance(i, dict)]
            )
        return batch

    async def _salvage(
        self, offset: int | None, limit: int | None, allowed_updates: Sequence[str] | None
    ) -> tuple[Update, ...]:
        raw = await self._post(
            "getUpdates",
            {"offset": offset, "limit": limit, "timeout": 0, "allowed_updates": allowed_updates},
        )
        return tuple(self._read(item) for item in raw if isinstance(item, dict))

    def _read(self, item: dict[str, Any]) -> Update:
        try:
            return Update.de_json(item, self)
        except Exception as problem:
            update_id = int(item.get("update_id", 0))
            log.warning(
                "skipped update %s that could not be read (%s)", update_id, type(problem).__name__
            )
            return Update(update_id=update_id)
