"""The global layer: commands, stale buttons, odd input, changed flows, the journal."""

from __future__ import annotations

from flows import coach
from flows.core import content
from flows.core.contract import (
    Choice,
    Command,
    Conversation,
    JournalItem,
    Profile,
    Reply,
    Text,
    Tick,
    Unsupported,
)
from tests.flows.driver import Chat


def all_prompts() -> list[Reply]:
    """Every state's prompt of every flow, rendered with empty slots."""
    from flows.core.machine import Turn

    replies = [coach.idle_menu()]
    for flow in coach.FLOWS.values():
        for state in flow.states:
            replies.append(flow.prompt(Turn(state.name, {}, Profile(True, "both"))))
    return replies


def test_every_option_key_fits_telegram_callback_data() -> None:
    keys = [o.key for r in all_prompts() for o in r.options]
    assert keys, "there are buttons to check"
    for key in keys:
        assert 1 <= len(key.encode("utf-8")) <= 64, key


def test_option_keys_are_unique_within_a_prompt() -> None:
    for reply in all_prompts():
        keys = [o.key for o in reply.options]
        assert len(keys) == len(set(keys)), keys


def test_help_lists_every_command() -> None:
    chat = Chat()
    chat.command("help")
    for name in coach.command_menu():
        assert f"/{name}" in chat.said


def test_help_mid_step_shows_the_step_again() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("hurt")
    chat.command("help")
    assert chat.where == ("hurt", "what")
    assert chat.last[-1].text == content.text("hurt.what")


def test_unknown_command_is_kind_and_keeps_the_place() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("hurt")
    chat.text("something happened")
    chat.command("frobnicate")
    assert content.text("global", "unknown_command") in chat.said
    assert chat.where == ("hurt", "landed")
    assert chat.conversation.slots["what"] == "something happened"


def test_a_button_from_an_earlier_message_is_stale() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("hurt")
    chat.send(Choice("onboarding.consent.agree"))
    assert content.text("global", "stale_button") in chat.said
    assert chat.where == ("hurt", "what")
    assert chat.last[-1].text == content.text("hurt.what")


def test_forged_or_malformed_buttons_change_nothing() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("hurt")
    before = chat.conversation
    for key in ("", ".", "hurt.what.", "hurt.what.zzz", "x" * 64, "idle..rm -rf", "hurt..save"):
        chat.send(Choice(key))
        assert chat.conversation.flow == before.flow
        assert chat.conversation.state == before.state
    assert chat.records == []


def test_a_known_button_value_in_the_wrong_state_is_refused() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("hurt")
    chat.send(Choice("hurt.what.save"))
    assert chat.records == []
    assert chat.where == ("hurt", "what")


def test_photos_and_stickers_get_a_kind_note_and_the_prompt_again() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("hurt")
    chat.send(Unsupported("media"))
    assert chat.last[0].text == content.text("global", "unsupported")
    assert chat.last[-1].text == content.text("hurt.what")
    chat.send(Unsupported("edit"))
    assert chat.last[0].text == content.text("global", "unsupported_edit")


def test_text_between_steps_offers_the_steps() -> None:
    chat = Chat()
    chat.onboard()
    chat.text("hello?")
    assert chat.last[-1] == coach.idle_menu()
    chat.pick("hurt")
    assert chat.where == ("hurt", "what")


def test_a_step_command_switches_cleanly_mid_step() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("hurt")
    chat.text("half an answer")
    chat.command("reframe")
    assert chat.where == ("reframe", "draft")
    assert chat.conversation.slots == {}
    assert chat.conversation.history == ()


def test_cancel_when_idle_says_so() -> None:
    chat = Chat()
    chat.command("cancel")
    assert content.text("global", "cancel_idle") in chat.said


def test_a_saved_state_that_no_longer_exists_restarts_the_step_gently() -> None:
    profile = Profile(True, "hurt")
    gone = Conversation("hurt", "a_state_we_removed", {"what": "x"}, 1)
    outcome = coach.handle(profile, gone, Choice("hurt.review.save"))
    assert outcome.replies[0].text == content.text("global", "flow_changed")
    assert (outcome.conversation.flow, outcome.conversation.state) == ("hurt", "what")
    assert outcome.records == ()


def test_an_older_flow_version_restarts_too() -> None:
    old = Conversation("hurt", "landed", {"what": "x"}, version=0)
    outcome = coach.handle(Profile(True), old, Tick("nothing"))
    assert outcome.conversation.version == coach.FLOWS["hurt"].version
    assert outcome.conversation.state == "what"


def test_an_unknown_flow_becomes_idle() -> None:
    outcome = coach.handle(Profile(True), Conversation("retired", "x", {}, 1), Unsupported())
    assert outcome.conversation.idle


def test_malformed_saved_conversation_loads_as_idle() -> None:
    junks: tuple[object, ...] = (
        None,
        [],
        "x",
        {"slots": 5},
        {"history": [{"nope": 1}]},
        {"version": "v"},
    )
    for junk in junks:
        assert Conversation.from_json(junk).idle


def test_journal_shows_saved_entries_newest_first() -> None:
    chat = Chat()
    chat.onboard()
    chat.memory.items = [
        JournalItem("statement", (("statement", "I felt alone when…"),), "02 Mar 2026"),
        JournalItem("hurt", (("what", "the lie"), ("broke", "safety")), "01 Mar 2026"),
    ]
    chat.command("journal")
    said = chat.said
    assert said.index("I felt alone") < said.index("the lie")
    assert "What it shook: safety" in said


def test_an_empty_journal_points_to_the_steps() -> None:
    chat = Chat()
    chat.command("journal")
    assert content.text("journal", "empty") in chat.said


def test_history_stays_bounded() -> None:
    from flows.core.machine import HISTORY_LIMIT

    chat = Chat()
    chat.onboard()
    chat.command("hurt")
    for _ in range(HISTORY_LIMIT * 2):
        chat.text("a")
        chat.text("b")
        chat.text("c")
        chat.pick("restart")
    assert len(chat.conversation.history) <= HISTORY_LIMIT


def test_switching_steps_says_what_was_left_behind() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("hurt")
    chat.text("half an answer")
    chat.command("reframe")
    assert content.text("global", "set_aside") in chat.said


def test_a_command_after_a_flow_changed_still_works() -> None:
    old = Conversation("reframe", "need", {"feeling": "sad"}, version=0)
    outcome = coach.handle(Profile(True, "both"), old, Command("cancel"))
    assert outcome.conversation.idle
    assert content.text("global", "flow_changed") in outcome.replies[0].text


def test_journal_labels_come_from_each_steps_own_copy() -> None:
    from flows.views import journal

    (reply,) = journal.render(
        [JournalItem("listen", (("reflection", "you felt alone"),), "03 Mar 2026")]
    )
    assert "Listening practice" in reply.text
    assert "What I heard: you felt alone" in reply.text


def test_between_steps_the_menu_can_be_answered_in_words_or_by_number() -> None:
    from flows.core.contract import IDLE as BETWEEN_STEPS

    profile = Profile(True, "hurt", safety_checked_on="2026-03-01")
    first_value, first_label = next(iter(content.options(coach.IDLE_MENU).items()))
    for typed in ("1", first_label, first_label.upper()):
        outcome = coach.handle(profile, BETWEEN_STEPS, Text(typed))
        assert outcome.conversation.flow == coach.STARTS.get(first_value, first_value), typed
