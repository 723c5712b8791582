"""Mend's Bot: polling that survives an unreadable update, and a lean way to send text.

If PTB fails to parse one update in a batch, `get_updates` raises something that is not a
TelegramError, the polling loop stops, and every person is left unanswered; worse, the
update would be fetched again forever. Here the batch is read again one update at a time,
and an unreadable one becomes an empty Update, so the offset moves past it and nobody is
stuck. Its contents are never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot import logs

log = logging.getLogger("mend.telegram")
logs.guard_library_loggers()


class MendBot(ExtBot[None]):
    async def send_text(self, chat_id: int, text: str, markup_json: str | None = None) -> Any:
        """sendMessage without building a Message from Telegram's answer.

        Mend never reads that answer, and parsing it was most of the cost of every reply.
        Errors (RetryAfter, Forbidden, NetworkError) and any rate limiter apply as usual,
        since this goes through the same request path as `send_message`.
        """
        data: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if markup_json is not None:
            data["reply_markup"] = markup_json
        return await self._post("sendMessage", data)

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,
        allowed_updates: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> tuple[Update, ...]:
        try:
            return await super().get_updates(
                offset=offset,
                limit=limit,
                timeout=timeout,
                allowed_updates=allowed_updates,
                **kwargs,
            )
        except TelegramError:
            raise
        except Exception:  # a parsing failure: salvage the batch one by one
            raw = await self._post(
                "getUpdates",
                {
                    "offset": offset,
                    "limit": limit,
                    "timeout": 0,
                    "allowed_updates": allowed_updates,
                },
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
