"""Every step's own copy file: warm and plain, and every button fits Telegram.

One test over all steps (rather than one per step), so a new step is checked the moment its
content file exists.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from flows import coach, steps
from flows.core.contract import Profile
from flows.core.machine import Turn
from flows.core.step import Step

BANNED = re.compile(
    r"\byou should\b|\byou must\b|\bnever\b|\balways\b|\bshame on\b|narciss|disorder|toxic|"
    r"trauma|ptsd|gaslight|codependen",
    re.I,
)
FILES = sorted(
    item.name
    for item in resources.files("flows").joinpath("content/en").iterdir()
    if item.name.endswith(".toml")
)
STEPS = steps.discovered()


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def test_the_copy_checker_can_catch_a_slip() -> None:
    assert BANNED.search("Things always get better")
    assert not BANNED.search("One small step at a time is plenty.")


@pytest.mark.parametrize("name", FILES)
def test_copy_is_warm_and_free_of_orders_and_absolutes(name: str) -> None:
    text = resources.files("flows").joinpath(f"content/en/{name}").read_text("utf-8")
    found = [s for s in strings(tomllib.loads(text)) if BANNED.search(s)]
    assert not found, f"{name}: {found}"


@pytest.mark.parametrize("found", STEPS, ids=[s.name for s in STEPS])
def test_every_step_has_a_menu_line_and_buttons_that_fit(found: Step) -> None:
    if found.command:
        assert coach.command_menu()[found.command]
    if found.flow is None:
        return
    for state in found.flow.states:
        turn = Turn(state.name, {}, Profile(True, "both"))
        for option in found.flow.options(turn):
            assert 1 <= len(option.key.encode("utf-8")) <= 64, option.key
            assert option.label.strip(), option.key
