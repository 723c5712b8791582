"""Handlers through PTB's real Application.process_update, with a recording fake request."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from telegram.ext import Application

from bot import logs
from bot.telegram_app import split_text
from flows.core import content
from tests.conftest import feed
from tests.fake_request import FakeRequest
from tests.updates import (
    callback_update,
    edited_update,
    group_update,
    photo_update,
    sticker_update,
    text_update,
    voice_update,
)

App = Application[Any, Any, Any, Any, Any, Any]
ALEX = 1001


class Person:
    """One Telegram user talking to the app; update ids increase like Telegram's."""

    next_id = 1

    def __init__(self, app: App, request: FakeRequest, user_id: int = ALEX) -> None:
        self.app, self.request, self.user_id = app, request, user_id

    def _id(self) -> int:
        return Person.fresh_id()

    @staticmethod
    def fresh_id() -> int:
        """Update ids only grow, as Telegram's do (a lower one reads as a redelivery)."""
        Person.next_id += 1
        return Person.next_id

    async def say(self, text: str) -> list[str]:
        self.request.clear()
        await feed(self.app, text_update(self._id(), self.user_id, text))
        return [c.text for c in self.request.sent(self.user_id)]

    async def press(self, value: str) -> list[str]:
        """Press the button ending in `value` on the newest message that has buttons."""
        options = [o for c in self.request.sent(self.user_id) for o in c.options]
        keys = [key for _, key in options if key.rsplit(".", 1)[-1] == value]
        assert keys, f"no button {value!r} among {options}"
        self.request.clear()
        await feed(self.app, callback_update(self._id(), self.user_id, keys[-1]))
        return [c.text for c in self.request.sent(self.user_id)]

    async def onboard(self) -> None:
        await self.say("/start")
        await self.press("ok")
        await self.press("agree")
        await self.press("hurt")
        await self.press("safe")
        await self.press("no")


async def test_start_shows_buttons_that_work(app: App, request_log: FakeRequest) -> None:
    alex = Person(app, request_log)
    said = await alex.say("/start")
    assert "not a therapist" in said[0]
    sent = request_log.sent(ALEX)[-1]
    assert sent.options == [("I understand", "onboarding.intro.ok")]
    await alex.press("ok")
    assert [c.method for c in request_log.calls].count("answerCallbackQuery") == 1
    said = await alex.press("agree")
    assert "closest" in said[-1]


async def test_a_whole_reframe_on_telegram(app: App, request_log: FakeRequest) -> None:
    alex = Person(app, request_log)
    await alex.onboard()
    await alex.say("/reframe")
    said = await alex.say("You never listen to me!")
    ways = [w.format(word="never") for w in content.section("reframe.sweeping")["never"]]
    assert any(way in said[0] for way in ways), "'never' is explained in its own words"
    await alex.press("lonely")
    await alex.say("I was talking about my day and the TV went on")
    said = await alex.press("heard")
    assert "I felt lonely when I was talking about my day and the TV went on" in said[-1]
    said = await alex.press("save")
    assert said == [content.text("reframe.saved")]
    said = await alex.say("/journal")
    assert "I felt lonely when" in said[0]


async def test_the_command_menu_is_set_on_start(app: App, request_log: FakeRequest) -> None:
    await app.post_init(app)  # type: ignore[misc]
    calls = [c for c in request_log.calls if c.method == "setMyCommands"]
    assert calls, "the Telegram command menu lists the commands"
    assert "reframe" in str(calls[-1].params["commands"])


@pytest.mark.parametrize("make", [photo_update, sticker_update, voice_update])
async def test_non_text_gets_a_kind_note_and_the_prompt(
    app: App, request_log: FakeRequest, make: Any
) -> None:
    alex = Person(app, request_log)
    await alex.onboard()
    await alex.say("/hurt")
    request_log.clear()
    await feed(app, make(5000, ALEX))
    said = [c.text for c in request_log.sent(ALEX)]
    assert said == [content.text("global", "unsupported"), content.text("hurt.what")]


async def test_an_edit_is_not_taken_as_an_answer(app: App, request_log: FakeRequest) -> None:
    alex = Person(app, request_log)
    await alex.onboard()
    await alex.say("/hurt")
    request_log.clear()
    await feed(app, edited_update(5001, ALEX, "changed words"))
    said = [c.text for c in request_log.sent(ALEX)]
    assert said == [content.text("global", "unsupported_edit"), content.text("hurt.what")]


async def test_groups_get_a_polite_note_and_nothing_is_stored(
    app: App, request_log: FakeRequest, engine: Any
) -> None:
    from sqlalchemy import text

    await feed(app, group_update(5002, ALEX, -500, "/start"))
    sent = request_log.sent(-500)
    assert [c.text for c in sent] == [content.text("global", "group_chat")]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM people")).scalar() == 0


async def test_a_redelivered_update_is_not_applied_twice(
    app: App, request_log: FakeRequest
) -> None:
    alex = Person(app, request_log)
    await alex.onboard()
    await alex.say("/hurt")
    update = text_update(9000, ALEX, "the first answer")
    await feed(app, update)
    request_log.clear()
    await feed(app, update)  # Telegram sends it again after a crash before confirming
    said = [c.text for c in request_log.sent(ALEX)]
    assert said == [content.text("hurt.landed")], "the current prompt, once; not a second step"


async def test_long_replies_are_split_under_telegram_limit(
    app: App, request_log: FakeRequest
) -> None:
    alex = Person(app, request_log)
    await alex.onboard()
    await alex.say("/hurt")
    long = ("word " * 799).strip()  # just under the 4000-character answer limit
    await alex.say(long)
    await alex.press("skip")
    said = await alex.press("skip")
    assert len(said) >= 2 and all(len(s) <= 4096 for s in said)
    assert long.replace(" ", "") in "".join(said).replace(" ", "").replace("\n", "")
    assert request_log.sent(ALEX)[-1].options, "buttons come with the last part"


def test_split_text_keeps_every_character() -> None:
    text = ("para one " * 300 + "\n\n") * 3 + "x" * 5000
    parts = split_text(text)
    assert all(0 < len(p) <= 4096 for p in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )


async def test_a_failure_apologises_and_logs_no_text(
    app: App, request_log: FakeRequest, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    mend = app.bot_data["mend"]

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("storage is down")

    monkeypatch.setattr(mend, "handle", broken)
    caplog.set_level(logging.DEBUG)
    await feed(app, text_update(9100, ALEX, "SECRET-MARKER words"))
    said = [c.text for c in request_log.sent(ALEX)]
    assert said[0] == content.text("global", "error_apology")
    assert said[1] == content.text("idle"), "followed by where the person is, as saved"
    assert "SECRET-MARKER" not in caplog.text
    assert "RuntimeError" in caplog.text


async def test_an_apology_that_fails_too_does_not_raise(
    app: App, request_log: FakeRequest, monkeypatch: Any
) -> None:
    mend = app.bot_data["mend"]
    real = mend.handle
    monkeypatch.setattr(mend, "handle", lambda *a, **k: 1 / 0)
    request_log.fail["sendMessage"] = (403, "Forbidden: bot was blocked by the user")
    await feed(app, text_update(9200, ALEX, "hello"))  # must not raise
    tried = [c for c in request_log.calls if c.method == "sendMessage"]
    assert tried and tried[0].params.get("text") == content.text("global", "error_apology")
    monkeypatch.setattr(mend, "handle", real)
    await feed(app, text_update(9201, ALEX, "/help"))
    assert request_log.sent(ALEX), "the next update is handled as usual"


async def test_updates_without_a_person_are_ignored(app: App, request_log: FakeRequest) -> None:
    channel_post = {
        "update_id": 9300,
        "channel_post": {
            "message_id": 1,
            "date": 1,
            "chat": {"id": -100, "type": "channel"},
            "text": "news",
        },
    }
    await feed(app, channel_post)
    assert request_log.sent() == []


async def test_polling_survives_an_update_it_cannot_read(caplog: pytest.LogCaptureFixture) -> None:
    """One unreadable update must not stop polling for everyone, nor leak into logs."""
    from bot.mend_bot import MendBot
    from tests.conftest import TOKEN

    odd = {"update_id": 41, "poll": {"id": "p", "question": "SECRET-MARKER?", "options": []}}
    polled = FakeRequest(
        updates=[
            text_update(40, ALEX, "hello"),
            odd,
            text_update(42, ALEX, "SECRET-MARKER again"),
        ]
    )
    bot = MendBot(TOKEN, request=FakeRequest(), get_updates_request=polled)
    await bot.initialize()
    logs.setup("DEBUG")
    caplog.set_level(logging.DEBUG)
    updates = await bot.get_updates(offset=40, timeout=0)
    assert [u.update_id for u in updates] == [40, 41, 42]
    assert updates[1].effective_chat is None, "the unreadable one arrives empty"
    assert "SECRET-MARKER" not in caplog.text
    await bot.shutdown()


async def test_a_press_counts_even_if_answering_the_callback_fails(
    app: App, request_log: FakeRequest
) -> None:
    alex = Person(app, request_log)
    await alex.say("/start")
    request_log.fail["answerCallbackQuery"] = (400, "Bad Request: query is too old")
    said = await alex.press("ok")
    assert "Is that okay with you?" in said[-1]


async def test_in_groups_only_commands_get_the_note(app: App, request_log: FakeRequest) -> None:
    await feed(app, group_update(6001, ALEX, -501, "just chatting"))
    await feed(app, group_update(6002, ALEX, -501, "/help"))
    assert [c.text for c in request_log.sent(-501)] == [content.text("global", "group_chat")]


async def test_service_messages_are_not_answered(app: App, request_log: FakeRequest) -> None:
    update = {
        "update_id": 6003,
        "message": {
            "message_id": 3,
            "date": 1,
            "chat": {"id": ALEX, "type": "private", "first_name": "A"},
            "from": {"id": ALEX, "is_bot": False, "first_name": "A"},
            "pinned_message": {"message_id": 2, "date": 0, "chat": {"id": ALEX, "type": "private"}},
        },
    }
    await feed(app, update)
    assert request_log.sent(ALEX) == []


@pytest.fixture
def waited(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses the bot would take before trying again (nothing really sleeps)."""
    from bot.mend_bot import MendBot

    pauses: list[float] = []

    async def wait(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(MendBot, "wait", staticmethod(wait))
    return pauses


async def test_too_many_requests_waits_and_sends(
    app: App, request_log: FakeRequest, waited: list[float]
) -> None:
    request_log.fail["sendMessage"] = (429, "Too Many Requests: retry after 3")
    alex = Person(app, request_log)
    said = await alex.say("/help")
    assert waited == [3.0]
    assert said[-1] == said[0] and "/reframe" in said[-1], "the same message, sent again"


async def test_after_a_failed_send_the_next_answer_is_not_misfiled(
    app: App, request_log: FakeRequest
) -> None:
    alex = Person(app, request_log)
    await alex.onboard()
    await alex.say("/hurt")
    request_log.fail["sendMessage"] = (400, "Bad Request: something odd")
    said = await alex.say("He lied about the weekend")
    assert said[-1] == content.text("hurt.landed"), "the apology shows the saved place"
    said = await alex.say("Small")
    assert said[-1].startswith(content.text("hurt.broke")[:20])


async def test_a_heavy_message_is_asked_about_once_and_the_step_goes_on(
    app: App, request_log: FakeRequest
) -> None:
    from flows.language import classifier
    from tests.flows.stand_in import StandIn

    heavy = "been sorting my stuff into boxes for people, feels calmer"
    classifier.install(StandIn({heavy: 0.7}))
    try:
        alex = Person(app, request_log)
        await alex.onboard()
        await alex.say("/hurt")
        said = await alex.say(heavy)
        assert said == [content.text("heavy.ask")]
        labels = [label for label, _ in request_log.sent(ALEX)[-1].options]
        assert labels == list(content.options("heavy.ask").values())
        said = await alex.press("safe")
        assert said[0] == content.text("heavy.safe")
        assert said[-1] == content.text("hurt.landed"), "their words answered 'what happened'"
    finally:
        classifier.configure(True)


async def test_the_shipped_model_runs_on_the_telegram_path(
    app: App, request_log: FakeRequest
) -> None:
    from flows.language import classifier
    from flows.language.classifier import Classifier

    alex = Person(app, request_log)
    await alex.onboard()
    typed = "i just swallowed all my sleeping pills"
    said = await alex.say(typed)
    assert content.text("safety.intro", "danger_now") in said[0]
    model = classifier.active()
    assert isinstance(model, Classifier), "the shipped model, loaded offline"
    assert typed in model._cache, "the model read the message on the Telegram path"


async def test_the_model_can_run_in_a_worker_thread_without_changing_answers(
    app: App, request_log: FakeRequest
) -> None:
    from bot.telegram_app import PRIME

    app.bot_data[PRIME] = True
    alex = Person(app, request_log)
    await alex.onboard()
    said = await alex.say("/hurt")
    said = await alex.say("She hid a second phone and lied about it")
    assert said[-1] == content.text("hurt.landed")
    said = await alex.say("i just swallowed all my sleeping pills")
    assert content.text("safety.intro", "danger_now") in said[0]


async def test_half_an_emoji_is_cleaned_not_a_failure(app: App, request_log: FakeRequest) -> None:
    from datetime import UTC, datetime

    from flows.core.contract import Profile

    mend = app.bot_data["mend"]
    now = datetime.now(UTC)
    loaded = mend.store.load("telegram", str(ALEX), now)
    mend.store.save(loaded, Profile(True, "hurt"), loaded.conversation, [], now)
    await feed(app, text_update(9401, ALEX, "/hurt"))
    await feed(app, text_update(9402, ALEX, "it hurt \ud83d so much"))  # saved in the step
    said = [c.text for c in request_log.sent(ALEX)]
    assert content.text("global", "error_apology") not in said
    assert content.text("hurt.landed") in said


def test_a_lone_surrogate_becomes_a_replacement_character() -> None:
    from flows.language.normalise import clean

    assert clean("ok \ud83d done") == "ok \ufffd done"
    assert clean("whole 💔 emoji") == "whole 💔 emoji"


async def test_a_server_error_is_tried_again_after_a_pause(
    app: App, request_log: FakeRequest, waited: list[float]
) -> None:
    request_log.fail["sendMessage"] = (500, "Internal Server Error")
    said = await Person(app, request_log).say("/help")
    assert waited == [0.5], "one pause, then the same message again"
    assert "/reframe" in said[-1]
    assert content.text("global", "error_apology") not in said
