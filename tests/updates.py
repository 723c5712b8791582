"""Bot API update payloads as Telegram sends them, for handler tests and benchmarks.

Shapes follow what PTB 22 needs: dates in seconds, a bot_command entity on commands,
callback queries with chat_instance and a full message.
"""

from __future__ import annotations

import time
from typing import Any

BOT_ID = 999
BOT_USERNAME = "mend_test_bot"


def user(user_id: int, first_name: str = "Alex") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}


def bot_user() -> dict[str, Any]:
    return {"id": BOT_ID, "is_bot": True, "first_name": "Mend", "username": BOT_USERNAME}


def chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    data: dict[str, Any] = {"id": chat_id, "type": kind}
    if kind == "private":
        data["first_name"] = "Alex"
    else:
        data["title"] = "A group"
    return data


def message(
    user_id: int,
    text: str | None,
    *,
    message_id: int = 1,
    chat_id: int | None = None,
    kind: str = "private",
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat(chat_id if chat_id is not None else user_id, kind),
        "from": user(user_id),
        **extra,
    }
    if text is not None:
        data["text"] = text
        if text.startswith("/"):
            word = text.split(" ", 1)[0]
            data["entities"] = [{"type": "bot_command", "offset": 0, "length": len(word)}]
    return data


def text_update(update_id: int, user_id: int, text: str, **kw: Any) -> dict[str, Any]:
    return {"update_id": update_id, "message": message(user_id, text, message_id=update_id, **kw)}


def callback_update(
    update_id: int, user_id: int, data: str, *, message_id: int = 1
) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}",
            "from": user(user_id),
            "chat_instance": f"ci{user_id}",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat(user_id),
                "from": bot_user(),
                "text": "an earlier prompt",
            },
        },
    }


def photo_update(update_id: int, user_id: int) -> dict[str, Any]:
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    return {"update_id": update_id, "message": message(user_id, None, photo=photo)}


def sticker_update(update_id: int, user_id: int) -> dict[str, Any]:
    sticker = {
        "file_id": "s1",
        "file_unique_id": "s1u",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    return {"update_id": update_id, "message": message(user_id, None, sticker=sticker)}


def voice_update(update_id: int, user_id: int) -> dict[str, Any]:
    voice = {"file_id": "v1", "file_unique_id": "v1u", "duration": 3}
    return {"update_id": update_id, "message": message(user_id, None, voice=voice)}


def edited_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    edited = message(user_id, text, edit_date=int(time.time()))
    return {"update_id": update_id, "edited_message": edited}


def group_update(update_id: int, user_id: int, group_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": message(user_id, text, chat_id=group_id, kind="group"),
    }
