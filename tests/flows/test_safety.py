"""Safety before coaching: crisis responses, pauses, the individual track, safety plans."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows import coach
from flows.core import content
from flows.core.contract import (
    ClearChatRecord,
    Command,
    Conversation,
    EraseRecord,
    JournalItem,
    JournalRecord,
    PartnerRecord,
    Profile,
    Text,
)
from flows.core.machine import Turn
from flows.views.helplines import for_country
from tests.flows.driver import Chat

SELF_HARM = "I want to kill myself, I can't do this anymore"
ABUSE = "he hits me when he gets angry and takes my money"
DANGER = "he is at the door right now with a knife"


def onboarded() -> Chat:
    chat = Chat()
    chat.onboard("hurt")
    return chat


def test_a_crisis_mid_step_pauses_coaching_and_offers_help() -> None:
    chat = onboarded()
    chat.command("hurt")
    chat.text("he lied about the trip")
    chat.text(SELF_HARM)
    assert chat.where == ("safety", "check")
    assert chat.profile.paused == "self_harm"
    assert content.text("safety.intro", "self_harm") in chat.said
    assert "Are you safe right now?" in chat.said
    assert for_country(None).emergency in chat.said
    assert SELF_HARM not in json.dumps(chat.conversation.to_json()), "the words are not kept"
    assert chat.records == []


def test_resuming_returns_to_the_step_with_its_answers() -> None:
    chat = onboarded()
    chat.command("hurt")
    chat.text("he lied about the trip")
    chat.text(SELF_HARM)
    chat.pick("safe")
    assert chat.where == ("safety", "after")
    chat.pick("resume")
    assert chat.profile.paused is None
    assert chat.where == ("hurt", "landed")
    assert chat.conversation.slots["what"] == "he lied about the trip"


def test_exercises_for_two_wait_while_paused() -> None:
    chat = onboarded()
    chat.text(SELF_HARM)
    chat.pick("safe")
    chat.pick("later")
    chat.command("reframe")
    assert content.text("safety.paused") in chat.said
    assert chat.conversation.idle
    chat.command("hurt")
    assert chat.where == ("hurt", "what"), "steps for oneself stay open"
    chat.command("resume")
    assert chat.where == ("safety", "resume_check"), "asked first: are you safe right now?"
    chat.pick("safe")
    chat.command("reframe")
    assert chat.where == ("reframe", "draft")


def test_abuse_moves_to_the_individual_track_for_good() -> None:
    chat = onboarded()
    chat.text(ABUSE)
    assert chat.profile.track == "individual"
    assert content.text("safety.intro", "abuse") in chat.said
    chat.pick("safe")
    chat.pick("resume")
    chat.command("reframe")
    assert content.text("safety.individual") in chat.said
    assert chat.conversation.idle


def test_danger_now_says_call_now_and_not_safe_gets_urgent_help() -> None:
    chat = onboarded()
    chat.text(DANGER)
    assert chat.profile.paused == "danger_now"
    assert "call" in chat.said.lower()
    chat.pick("unsafe")
    assert chat.where == ("safety", "urgent")
    chat.pick("ground")
    assert chat.where == ("safety", "ground")
    chat.pick("steadier")
    assert chat.where == ("safety", "steadier"), "a little steadier is not safe: asked again"
    assert "glad you are safe" not in chat.said
    chat.pick("safe")
    assert chat.where == ("safety", "after")


def test_resume_asks_first_and_not_safe_brings_help_not_the_exercise() -> None:
    chat = onboarded()
    chat.command("hurt")
    chat.text("he lied about the trip")
    chat.text(SELF_HARM)
    chat.pick("safe")
    chat.pick("later")
    chat.command("resume")
    assert chat.where == ("safety", "resume_check")
    chat.text("not really no")
    assert chat.where == ("safety", "urgent")
    assert chat.profile.paused == "self_harm", "coaching stays paused"
    chat.pick("safe")
    chat.pick("resume")
    assert chat.where == ("hurt", "landed"), "their words were kept all along"


def test_a_stronger_signal_is_never_downgraded() -> None:
    chat = onboarded()
    chat.text(DANGER)
    chat.text(ABUSE)
    assert chat.profile.paused == "danger_now"
    assert chat.conversation.slots["risk"] == "danger_now"


def test_telling_the_country_shows_local_numbers() -> None:
    chat = onboarded()
    chat.text(SELF_HARM)
    assert content.text("safety.resources", "ask_country") in chat.said
    chat.text("Germany")
    assert chat.profile.country == "de"
    assert for_country("de").country_name in chat.said
    assert for_country("de").emergency in chat.said
    assert chat.where == ("safety", "check")


def test_safety_on_request_does_not_pause_anything() -> None:
    chat = onboarded()
    chat.command("safety")
    assert chat.where == ("safety", "check")
    assert chat.profile.paused is None
    assert content.text("safety.intro", "asked") in chat.said


def test_crisis_help_needs_no_consent() -> None:
    chat = Chat()
    chat.text(SELF_HARM)
    assert chat.where == ("safety", "check")


def test_safe_to_repair_no_means_individual_track() -> None:
    chat = Chat()
    chat.command("start")
    chat.pick("ok")
    chat.pick("agree")
    chat.pick("both")
    chat.pick("unsafe")
    assert chat.profile.track == "individual"
    assert content.text("safecheck.unsafe") in chat.said
    chat.command("reframe")
    assert content.text("safety.individual") in chat.said


def test_safe_to_repair_is_asked_again_after_two_weeks() -> None:
    profile = Profile(consented=True, role="both", safety_checked_on="2026-03-01")
    outcome = coach.handle(
        profile, Conversation(), Command("reframe"), now=datetime(2026, 3, 10, 12, tzinfo=UTC)
    )
    assert outcome.conversation.flow == "reframe", "not yet due"
    outcome = coach.handle(
        profile, Conversation(), Command("reframe"), now=datetime(2026, 3, 20, 12, tzinfo=UTC)
    )
    assert outcome.conversation.flow == "safecheck"
    chat = Chat(profile)
    chat.conversation = outcome.conversation
    chat.last = outcome.replies
    chat.pick("safe")
    assert chat.where == ("reframe", "draft")


def test_a_safety_plan_is_built_saved_and_shown() -> None:
    chat = onboarded()
    chat.command("safetyplan")
    assert chat.where == ("safetyplan", "signs")
    chat.text("I stop sleeping")
    chat.pick("skip")
    chat.text("My sister Ana, 555-0100")
    chat.text("the library")
    chat.text("my GP")
    assert chat.where == ("safetyplan", "review")
    assert "My sister Ana" in chat.said
    chat.pick("save")
    assert chat.records == [
        JournalRecord(
            "safety_plan",
            (
                ("signs", "I stop sleeping"),
                ("people", "My sister Ana, 555-0100"),
                ("places", "the library"),
                ("pros", "my GP"),
            ),
        )
    ]


def test_an_existing_plan_is_shown_first() -> None:
    chat = onboarded()
    chat.memory.plan = JournalItem("safety_plan", (("calm", "a long walk"),), "01 Mar 2026")
    chat.command("safetyplan")
    assert chat.where == ("safetyplan", "show")
    assert "a long walk" in chat.said
    chat.pick("update")
    assert chat.where == ("safetyplan", "signs")


def test_delete_asks_first_then_erases() -> None:
    chat = onboarded()
    chat.command("delete")
    assert "cannot be undone" in chat.said
    chat.pick("keep")
    assert chat.records == []
    chat.command("delete")
    chat.pick("erase")
    assert chat.records == [EraseRecord()]


def test_export_sends_a_json_file() -> None:
    chat = onboarded()
    chat.memory.exported = {"journal": [{"kind": "hurt", "parts": {"what": "the lie"}}]}
    chat.command("export")
    files = [a for r in chat.last for a in r.attachments]
    assert len(files) == 1 and files[0].filename.endswith(".json")
    assert json.loads(files[0].data)["journal"][0]["parts"]["what"] == "the lie"


def test_exit_clears_the_chat_and_pauses_reminders_quietly() -> None:
    chat = onboarded()
    chat.command("hurt")
    chat.command("exit")
    assert chat.records == [ClearChatRecord()]
    assert chat.profile.reminders_paused
    assert chat.conversation.idle
    assert chat.said == content.text("exit")


def test_discreet_mode_is_never_turned_off_by_a_second_tap() -> None:
    chat = onboarded()
    chat.command("discreet")
    assert chat.profile.discreet
    chat.command("discreet")
    assert chat.profile.discreet, "protection stays on"
    assert content.text("discreet", "already") in chat.said
    chat.command("discreet", "off")
    assert not chat.profile.discreet


def test_no_partner_link_while_paused_or_on_the_individual_track() -> None:
    chat = onboarded()
    chat.text(ABUSE)
    chat.pick("safe")
    chat.pick("later")
    chat.command("invite")
    assert not any(isinstance(r, PartnerRecord) for r in chat.records)
    assert content.text("safety.paused") in chat.said


PROFILES = st.builds(
    Profile,
    consented=st.booleans(),
    role=st.sampled_from([None, "hurt", "broke", "both"]),
    track=st.sampled_from(["couples", "individual"]),
    paused=st.sampled_from([None, "self_harm", "abuse", "danger_now"]),
)
STATES = st.sampled_from(
    [(flow.name, state.name) for flow in coach.FLOWS.values() for state in flow.states] + [("", "")]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(profile=PROFILES, where=STATES, body=st.text(max_size=300))
def test_any_text_anywhere_gets_an_answer(
    profile: Profile, where: tuple[str, str], body: str
) -> None:
    flow, state = where
    version = coach.FLOWS[flow].version if flow else 0
    conversation = Conversation(flow, state, {}, version)
    outcome = coach.handle(
        profile, conversation, Text(body), now=datetime(2026, 3, 1, 12, tzinfo=UTC)
    )
    assert outcome.replies, "nobody is left without an answer"


@settings(max_examples=50, deadline=None)
@given(body=st.sampled_from(["", " ", "\u200b", "\u202e", "🙂" * 50, "x" * 20000, "\x00\x1b"]))
def test_odd_strings_get_an_answer(body: str) -> None:
    profile = replace(Profile(), consented=True)
    outcome = coach.handle(profile, Conversation(), Text(body))
    assert outcome.replies


def test_after_a_crisis_reminders_can_pause_or_turn_neutral() -> None:
    chat = onboarded()
    chat.text(SELF_HARM)
    chat.pick("safe")
    chat.pick("quiet")
    assert chat.profile.reminders_paused
    assert chat.where == ("safety", "after")
    chat.pick("neutral")
    assert chat.profile.discreet


ALL_KEYS = sorted(
    {
        option.key
        for flow in coach.FLOWS.values()
        for state in flow.states
        for option in flow.options(Turn(state.name, {}, Profile()))
    }
    | {"r.1.done", "r.999999.answer", "idle..hurt", "idle..nope", "x", ""}
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(profile=PROFILES, where=STATES, key=st.sampled_from(ALL_KEYS))
def test_any_button_anywhere_gets_an_answer(
    profile: Profile, where: tuple[str, str], key: str
) -> None:
    from flows.core.contract import Choice

    flow, state = where
    version = coach.FLOWS[flow].version if flow else 0
    conversation = Conversation(flow, state, {}, version)
    outcome = coach.handle(
        profile, conversation, Choice(key), now=datetime(2026, 3, 1, 12, tzinfo=UTC)
    )
    assert outcome.replies, "every press gets an answer"


def test_answering_safe_later_never_lifts_the_individual_track() -> None:
    chat = onboarded()
    chat.text(ABUSE)
    chat.pick("safe")
    chat.pick("later")
    chat.command("start")
    chat.pick("ok")
    chat.pick("agree")
    chat.pick("both")
    chat.pick("safe")
    assert chat.profile.track == "individual"
    chat.command("resume")
    chat.pick("safe")
    chat.command("listen")
    assert content.text("safety.individual") in chat.said
    assert chat.conversation.flow != "listen"


def test_a_hard_answer_inside_the_safety_plan_is_kept_with_help_beside_it() -> None:
    chat = onboarded()
    chat.command("safetyplan")
    chat.text("When I start thinking I want to die")
    assert chat.where == ("safetyplan", "calm"), "the plan goes on"
    assert chat.conversation.slots["signs"] == "When I start thinking I want to die"
    assert for_country(None).emergency in chat.said
    assert chat.profile.paused == "self_harm"


def test_a_safety_plan_needs_no_welcome_first_and_is_not_kept_without_consent() -> None:
    chat = Chat()
    chat.text(SELF_HARM)
    chat.pick("plan")
    assert chat.where == ("safetyplan", "signs")
    for _ in range(5):
        chat.pick("skip")
    chat.pick("save")
    assert chat.records == []
    assert "haven’t kept it" in chat.said


def test_a_step_set_aside_by_a_crisis_waits_for_resume() -> None:
    chat = onboarded()
    chat.command("hurt")
    chat.text("he lied about the trip")
    chat.text(SELF_HARM)
    chat.pick("safe")
    chat.pick("later")
    assert chat.conversation.idle
    chat.command("resume")
    chat.text("yes im safe")
    assert chat.where == ("hurt", "landed")
    assert chat.conversation.slots["what"] == "he lied about the trip"


def test_the_idle_menu_offers_no_exercise_for_two_while_paused() -> None:
    chat = onboarded()
    chat.text(ABUSE)
    chat.pick("safe")
    chat.pick("later")
    chat.text("hello")
    keys = [o.key for o in chat.last[-1].options]
    assert "idle..reframe" not in keys and "idle..hurt" in keys


def test_the_country_comes_from_the_time_zone_when_not_told() -> None:
    chat = onboarded()
    chat.profile = replace(chat.profile, timezone="Europe/Berlin")
    chat.text(SELF_HARM)
    assert for_country("de").country_name in chat.said
    assert content.text("safety.resources", "ask_country") not in chat.said


@pytest.mark.parametrize(
    ("typed", "where"),
    [
        ("I'm not safe", "urgent"),
        ("I’m not safe", "urgent"),
        ("no", "urgent"),
        ("not really no", "urgent"),
        ("im safe", "after"),
        ("yes", "after"),
        ("ok im safe now", "after"),
        ("no worries, i'm fine", "check"),
        ("2", "urgent"),
    ],
)
def test_are_you_safe_can_be_answered_in_words(typed: str, where: str) -> None:
    chat = onboarded()
    chat.text(SELF_HARM)
    chat.text(typed)
    assert chat.where == ("safety", where)


def test_while_urgent_help_is_shown_ok_is_not_taken_for_safe() -> None:
    chat = onboarded()
    chat.text(SELF_HARM)
    chat.pick("unsafe")
    chat.text("ok")
    assert chat.where == ("safety", "urgent")
    chat.text("im safe now")
    assert chat.where == ("safety", "after")


def test_urgent_help_for_self_harm_says_to_put_the_means_out_of_reach() -> None:
    chat = onboarded()
    chat.text(SELF_HARM)
    chat.pick("unsafe")
    assert content.text("safety.step", "self_harm") in chat.said
    assert "go somewhere safer" not in chat.said, "that advice is for danger from someone else"


def test_closing_a_shown_safety_plan_says_where_it_stays() -> None:
    """Found by the any-button property: "Done" under a shown plan used to get no answer."""
    from flows.core.contract import Choice

    shown = Conversation("safetyplan", "show", {}, coach.FLOWS["safetyplan"].version)
    outcome = coach.handle(Profile(True), shown, Choice("safetyplan.show.done"))
    assert outcome.conversation.idle
    assert [r.text for r in outcome.replies] == [content.text("safetyplan.closed")]


def test_starting_again_and_saying_not_now_never_lifts_a_pause() -> None:
    chat = onboarded()
    chat.text(SELF_HARM)
    chat.pick("safe")
    chat.pick("later")
    chat.command("start")
    chat.pick("ok")
    chat.pick("decline")  # "not now" to keeping words this time
    chat.pick("broke")
    chat.pick("safe")
    assert chat.profile.paused == "self_harm"
    for command in ("own", "forgive", "grow", "reframe"):
        chat.command(command)
        assert chat.conversation.flow != command, f"/{command} stays closed while paused"
        assert content.text("safety.paused") in chat.said
        assert chat.last[-1].options, "with the menu under it, not a bare line"


def test_unsure_is_met_gently_and_asked_again_without_the_whole_block() -> None:
    chat = onboarded()
    chat.text(DANGER)
    first = chat.said
    chat.text("idk")
    assert content.text("safety.unsure") in chat.said
    assert chat.where == ("safety", "check") or chat.where == ("safety", "urgent")
    assert content.text("safety.again") in chat.said, "the question again, short"
    assert len(chat.said) < len(first), "not every number and paragraph once more"
    chat.text("im ok, just a bad night. not going to do anything")
    assert chat.where == ("safety", "after")


def test_abuse_told_again_the_same_day_is_heard_without_the_whole_block_and_words_go_on() -> None:
    chat = onboarded()
    chat.text(ABUSE)
    chat.pick("safe")
    chat.pick("later")
    chat.command("selftrust")
    start = chat.where
    chat.text(ABUSE)
    assert content.text("safety.heard_again") in chat.said
    assert content.text("safety.intro", "abuse") not in chat.said, "not the same block again"
    assert chat.where != ("safety", "check")
    assert chat.where[0] == start[0], "their words went on to the step they were in"


def test_on_the_individual_track_check_ins_and_wins_are_about_them_not_the_couple() -> None:
    chat = onboarded()
    chat.text(ABUSE)
    chat.pick("safe")
    chat.pick("later")
    chat.command("checkin")
    assert content.text("checkin.score", "alone") in chat.said
    assert "close" not in chat.said
    chat.command("win")
    chat.text("i had lunch with my sister")
    assert content.text("win.saved_alone") in chat.said
    assert "trust grows back" not in chat.said


def test_what_is_already_on_is_not_offered_again_after_help() -> None:
    chat = onboarded()
    chat.text(SELF_HARM)
    chat.pick("safe")
    chat.pick("neutral")
    offered = [o.key.rsplit(".", 1)[-1] for r in chat.last for o in r.options]
    assert "neutral" not in offered and "resume" in offered


def test_taking_the_blame_for_being_controlled_is_met_with_what_is_true() -> None:
    chat = onboarded()
    chat.text(ABUSE)
    chat.pick("safe")
    chat.pick("later")
    chat.text("but its my fault hes like this. i cheated so i deserve him checking")
    assert content.text("safety.not_your_fault") in chat.said


def test_a_country_told_inside_an_answer_shows_its_numbers() -> None:
    chat = onboarded()
    chat.text(ABUSE)
    chat.text("uk. and yeah im ok")
    assert for_country("gb").emergency in chat.said


def test_ready_says_nothing_misleading_while_paused() -> None:
    chat = onboarded()
    chat.text(ABUSE)
    chat.pick("safe")
    chat.pick("later")
    chat.command("ready")
    assert not chat.profile.ready_for_two
    assert content.text("pace", "ready") not in chat.said
