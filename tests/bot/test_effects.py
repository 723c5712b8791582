"""Every record the coach can return has exactly one handler, and every partner action too."""

from __future__ import annotations

from typing import get_args, get_type_hints

from bot import effects
from flows.core.contract import PartnerRecord, Record


def test_every_record_type_has_a_handler() -> None:
    assert set(effects.HANDLERS) == set(get_args(Record))


def test_every_partner_action_has_a_handler() -> None:
    actions = get_args(get_type_hints(PartnerRecord)["action"])
    assert set(effects.PARTNER) == set(actions)
