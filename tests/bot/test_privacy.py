"""Privacy that holds: nothing said reaches a log, export and erase are complete."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from telegram.ext import Application

from bot import logs
from bot.service import Mend
from bot.settings import SettingsError, load_settings
from storage.crypto import local_key
from tests.bot.test_telegram import ALEX, Person
from tests.fake_request import FakeRequest

App = Application[Any, Any, Any, Any, Any, Any]
MARKER = "Quokka-Secret-7731"


async def test_nothing_written_reaches_the_logs_even_at_debug(
    app: App,
    request_log: FakeRequest,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.setup("DEBUG", secrets=["123456:TEST-TOKEN"])
    caplog.set_level(logging.DEBUG)
    alex = Person(app, request_log)
    await alex.onboard()
    await alex.say("/hurt")
    await alex.say(f"{MARKER} happened on Sunday")
    await alex.say(f"It felt like {MARKER}")
    await alex.say("/reframe")
    await alex.say(f"You always {MARKER}")
    await alex.say(f"I want to kill myself {MARKER}")
    captured = capsys.readouterr()
    everything = caplog.text + captured.out + captured.err
    assert MARKER not in everything
    assert "TEST-TOKEN" not in everything


def test_export_holds_everything_and_erase_leaves_no_row(mend: Mend, engine: Engine) -> None:
    from flows.core.contract import Choice, Command, Text

    def say(event: Any) -> Any:
        return mend.handle("console", "p1", event)

    say(Command("start"))
    for key in (
        "onboarding.intro.ok",
        "onboarding.consent.agree",
        "onboarding.role.hurt",
        "onboarding.safe.safe",
    ):
        say(Choice(key))
    say(Command("hurt"))
    say(Text(f"what {MARKER}"))
    say(Choice("hurt.landed.skip"))
    say(Choice("hurt.broke.skip"))
    say(Choice("hurt.review.save"))
    exported = say(Command("export")).replies[0].attachments[0]
    data = json.loads(exported.data)
    assert data["journal"][0]["parts"]["what"] == f"what {MARKER}"
    assert data["person"]["role"] == "hurt"
    say(Command("delete"))
    done = say(Choice("erase.confirm.erase"))
    assert "erased" in done.replies[0].text
    with engine.connect() as conn:
        for table in ("people", "conversations", "journal_entries"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table


def test_a_local_key_is_made_once_for_the_owner_only(tmp_path: Path) -> None:
    first = local_key(tmp_path)
    assert local_key(tmp_path) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret.key").st_mode)
    assert mode == 0o600


def test_a_bad_secret_key_is_refused_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MEND_SECRET_KEY", "hunter2-not-a-key")
    with pytest.raises(SettingsError) as problem:
        load_settings()
    assert "MEND_SECRET_KEY" in str(problem.value)
    assert "hunter2" not in str(problem.value)


async def test_exit_clears_recent_messages_on_telegram(app: App, request_log: FakeRequest) -> None:
    alex = Person(app, request_log)
    await alex.onboard()
    request_log.clear()
    await alex.say("/exit")
    deletes = [c for c in request_log.calls if c.method == "deleteMessages"]
    assert deletes, "recent messages are deleted"
    ids = [i for c in deletes for i in json.loads(str(c.params["message_ids"]))]
    assert max(ids) >= 1 and len(ids) >= 1
    assert [c.text for c in request_log.sent(ALEX)] == ["Done."]


async def test_exit_reaches_back_to_the_first_message_of_the_last_48_hours(
    app: App, request_log: FakeRequest, clock: Any
) -> None:
    from tests.conftest import feed
    from tests.updates import text_update

    alex = Person(app, request_log)
    await alex.onboard()
    clock.advance(hours=49)  # what came before is past what Telegram lets a bot delete
    base = Person.fresh_id() + 1000
    Person.next_id = base + 700
    await feed(app, text_update(base, ALEX, "/help"))  # message id = update id here
    request_log.clear()
    await feed(app, text_update(base + 650, ALEX, "/exit"))
    deletes = [c for c in request_log.calls if c.method == "deleteMessages"]
    ids = sorted(i for c in deletes for i in json.loads(str(c.params["message_ids"])))
    assert ids[0] == base and ids[-1] == base + 650, "all of the last 48 hours, no more"
    assert len(ids) == 651, "more than a fixed span of 300"
    assert [c.text for c in request_log.sent(ALEX)] == ["Done."]


async def test_exit_says_plainly_when_telegram_refused(
    app: App, request_log: FakeRequest
) -> None:
    from flows.core import content

    alex = Person(app, request_log)
    await alex.onboard()
    request_log.fail["deleteMessages"] = (400, "Bad Request: message can't be deleted")
    said = await alex.say("/exit")
    assert said[0] == "Done." and said[-1] == content.text("exit", "partial")
