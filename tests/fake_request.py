"""A recording stand-in for PTB's HTTP layer: the real Bot object, no network.

Handler tests and benchmarks push updates through `Application.process_update` and read
back exactly what would have been sent to Telegram.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

from tests.updates import bot_user, chat


@dataclass(slots=True)
class Sent:
    method: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def options(self) -> list[tuple[str, str]]:
        markup = self.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if not markup:
            return []
        rows = markup.get("inline_keyboard", [])
        return [(b["text"], b["callback_data"]) for row in rows for b in row]


@dataclass
class FakeRequest(BaseRequest):
    """Answers like the Bot API; `fail` makes the next call to a method fail with a status."""

    calls: list[Sent] = field(default_factory=list)
    record: bool = True
    fail: dict[str, tuple[int, str]] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    _message_id: int = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        if self.record:
            self.calls.append(Sent(name, params))
        if name in self.fail:
            status, description = self.fail.pop(name)
            body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
            if status == 429:
                body["parameters"] = {"retry_after": 3}
            return status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return {
                **bot_user(),
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if name in {"sendMessage", "sendPhoto", "sendDocument", "editMessageText"}:
            self._message_id += 1
            chat_id = int(params.get("chat_id", 0))
            result: dict[str, Any] = {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": chat(chat_id, "private" if chat_id > 0 else "group"),
                "from": bot_user(),
            }
            if "text" in params:
                result["text"] = params["text"]
            return result
        if name == "getUpdates":
            return list(self.updates)
        return True

    def sent(self, chat_id: int | None = None) -> list[Sent]:
        return [
            c
            for c in self.calls
            if c.method in {"sendMessage", "sendPhoto", "sendDocument"}
            and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
        ]

    def clear(self) -> None:
        self.calls.clear()
