"""The ``fake_api`` pytest fixture, kept out of conftest.py so it can be imported where needed.

Import it into a conftest (``from tests.fake_api_fixture import fake_api``) or a test module.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakebotapi import FakeBotAPI


@pytest.fixture
def fake_api() -> Iterator[FakeBotAPI]:
    """A started fake server per test, so recorded calls never leak between tests.

    Teardown fails the test if the fake itself crashed on a request: otherwise such a bug
    would only surface as a confusing 500 inside the bot.
    """
    api = FakeBotAPI().start()
    try:
        yield api
    finally:
        api.stop()
    assert not api.internal_errors, f"fake Bot API crashed: {api.internal_errors}"
