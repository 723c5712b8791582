"""Inline keyboards as the Bot API receives them, built once per set of options."""

from __future__ import annotations

import json
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from flows.core.contract import Option

SHORT_LABEL = 16


@lru_cache(maxsize=512)
def keyboard_json(options: tuple[Option, ...]) -> str:
    """The keyboard as the Bot API receives it, serialised once per set of options.

    Rebuilding and re-serialising the same keyboard for every message cost more than a
    third of Mend's own work per update.
    """
    return json.dumps(_keyboard(options).to_dict(), separators=(",", ":"))


@lru_cache(maxsize=512)
def _keyboard(options: tuple[Option, ...]) -> InlineKeyboardMarkup:
    """Built once per set of options: PTB objects are immutable and costly to construct."""
    buttons = [InlineKeyboardButton(o.label, callback_data=o.key) for o in options]
    width = 2 if all(len(o.label) <= SHORT_LABEL for o in options) else 1
    return InlineKeyboardMarkup([buttons[i : i + width] for i in range(0, len(buttons), width)])
