from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from flows.core import content
from flows.core.contract import Conversation, JournalRecord, Profile
from flows.steps import agreement
from flows.steps.agreement import classify
from tests.flows.driver import Chat

# Terms as people might write them, labelled by the line the step draws: openness that is
# voluntary, mutual and time-limited is kept; access to the other's private things, watching
# them, or demanding proof is control. Location shared both ways for a stated while is
# openness; one-way or constant location is control.
LABELLED: list[tuple[str, str]] = [
    ("I get to check his phone whenever I want", "control"),
    ("She gives me all her passwords", "control"),
    ("Hand over your phone PIN", "control"),
    ("He shares his location with me at all times", "control"),
    ("Location tracking on her phone", "control"),
    ("I can read his messages", "control"),
    ("Going through her phone every night", "control"),
    ("I check his email every day", "control"),
    ("Install a monitoring app on his phone", "control"),
    ("Send me a photo to prove where you are", "control"),
    ("Proof of where he is when he's out", "control"),
    ("Give me access to all your social media accounts", "control"),
    ("I want the login to her Instagram", "control"),
    ("Turn on Find My so I always know where she is", "control"),
    ("He must answer my calls within five minutes", "control"),
    ("Life360 on his phone, always on", "control"),
    ("I look through her WhatsApp chats when she's asleep", "control"),
    ("Forward me every text he gets from coworkers", "control"),
    ("Screenshots of all her conversations", "control"),
    ("I keep his phone overnight", "control"),
    ("No passcode on his phone so I can see it anytime", "control"),
    ("She tells me the code to unlock her phone", "control"),
    ("Video call me whenever I ask so I can see who you're with", "control"),
    ("Spyware so I know what he's really doing", "control"),
    ("I see her browser history every week", "control"),
    ("He isn't allowed to see his friends without me", "control"),
    ("Account for every minute of his day", "control"),
    ("Check her bank statements and receipts to see where she's been", "control"),
    ("Share your live location 24/7", "control"),
    ("I read her emails when I need reassurance", "control"),
    ("He shares his location with me for the next month", "control"),
    ("We share locations, both ways, always", "control"),
    ("Her phone stays unlocked and on the table", "control"),
    ("I want to see every message from her coworker", "control"),
    ("He sends me his location every hour", "control"),
    ("I'll leave my laptop open so she can read anything", "control"),
    ("Tell me who you're texting whenever I ask", "control"),
    ("Let me look at your texts if I feel anxious", "control"),
    ("Check each other's phones once a week", "control"),
    ("Her Snapchat password", "control"),
    ("Show me your DMs when I ask", "control"),
    ("I'd like to know his Facebook login", "control"),
    ("She reports to me after every shift", "control"),
    ("Keep your GPS on so I can see where you are", "control"),
    ("He gives me his phone when I ask for it", "control"),
    ("She sends me a selfie from the gym so I know she's there", "control"),
    ("We both share our calendars", "openness"),
    ("Tell each other when plans change", "openness"),
    ("Check in once during the day with a short message", "openness"),
    ("Phones stay face up at dinner", "openness"),
    ("I'll mention it if my ex gets in touch", "openness"),
    ("Share location while he travels, both ways, for a month", "openness"),
    ("We both share our locations on the drive home during the trip next week", "openness"),
    ("Text when running late", "openness"),
    ("Introduce each other to new friends and colleagues", "openness"),
    ("Talk for ten minutes each evening about our day", "openness"),
    ("No going through each other's phones", "openness"),
    ("We keep our own passwords private", "openness"),
    ("I answer honestly when she asks who I was texting", "openness"),
    ("We don't track each other", "openness"),
    ("Let each other know who we're meeting after work", "openness"),
    ("Say so when something feels off instead of checking", "openness"),
    ("I'll take calls in the room instead of stepping out", "openness"),
    ("We'll show each other our week plan every Sunday", "openness"),
    ("Be honest if an old contact messages me", "openness"),
    ("Both of us keep location sharing on for the next two weeks while we rebuild", "openness"),
    ("We tell each other where we are going when we go out", "openness"),
    ("Sharing our locations both ways until the end of the month", "openness"),
    ("We put our phones in a basket during dinner", "openness"),
    ("A weekly talk about how the agreement feels for each of us", "openness"),
    ("I'll call when I'm on my way home", "openness"),
    ("We both say when we'll be home late", "openness"),
    ("We check in by phone at lunch", "openness"),
    ("We share a family calendar for the next three months", "openness"),
    ("I'll tell you if anyone from my past reaches out", "openness"),
    ("Nobody reads anyone's messages", "openness"),
    ("Both of us are open about who we spend time with", "openness"),
    ("I'll stop deleting my chat history", "openness"),
    ("We have a weekly walk to talk about how we're doing", "openness"),
]

CONTROL = "I get to check his phone whenever I want"
TRAVEL = "Share location while he travels, both ways, for a month"


def started(chat: Chat | None = None) -> Chat:
    chat = chat or Chat()
    chat.onboard("both")
    chat.command("agreement")
    assert chat.where == ("agreement", "terms")
    return chat


def drafted(chat: Chat | None = None) -> Chat:
    """Schedules on the list, one month from 2026-03-01, reviewed halfway."""
    chat = started(chat)
    chat.pick("schedules")
    chat.pick("done")
    chat.pick("m1")
    chat.pick("half")
    assert chat.where == ("agreement", "review")
    return chat


def saved(chat: Chat) -> dict[str, str]:
    assert len(chat.records) == 1
    record = chat.records[0]
    assert isinstance(record, JournalRecord)
    assert record.kind == "agreement"
    return dict(record.parts)


# --- the detector ----------------------------------------------------------------------------


def test_the_labelled_set_is_big_enough_and_balanced() -> None:
    assert len(LABELLED) >= 40
    kinds = [label for _, label in LABELLED]
    assert kinds.count("control") >= 15
    assert kinds.count("openness") >= 15
    assert len({term for term, _ in LABELLED}) == len(LABELLED)


def test_the_detector_tells_control_from_openness() -> None:
    wrong = [(term, label) for term, label in LABELLED if classify(term) != label]
    accuracy = 1 - len(wrong) / len(LABELLED)
    assert accuracy >= 0.9, f"accuracy {accuracy:.2f}; wrong: {wrong}"


@pytest.mark.parametrize(
    ("term", "label"),
    [
        ("We both share our calendars", "openness"),
        ("I get to check his phone whenever I want", "control"),
        (TRAVEL, "openness"),  # voluntary, both ways and time-limited: on the openness side
        ("He shares his location with me for the next month", "control"),  # one way only
        ("We share locations, both ways, always", "control"),  # no end
        ("No going through each other's phones", "openness"),
        ("No passcode on his phone so I can see it anytime", "control"),
        ("We check in by phone at lunch", "openness"),
    ],
)
def test_the_tricky_ones_land_where_documented(term: str, label: str) -> None:
    assert classify(term) == label


def test_curly_apostrophes_and_spacing_do_not_hide_control() -> None:
    assert classify("  I get   to go through her   phone ") == "control"
    assert classify("We don’t track each other") == "openness"


# --- what will be open ------------------------------------------------------------------------


def test_a_whole_draft_is_saved_and_a_clean_copy_offered() -> None:
    chat = started()
    chat.pick("schedules")
    chat.pick("checkins")
    chat.pick("own")
    assert chat.where == ("agreement", "own")
    chat.text("we tell each other when an old friend gets in touch")
    assert chat.where == ("agreement", "terms")
    chat.pick("done")
    assert chat.where == ("agreement", "ends")
    chat.pick("m1")
    assert chat.where == ("agreement", "review_date")
    assert "1 April 2026" in chat.said
    assert "16 March 2026" in chat.said
    chat.pick("half")
    assert chat.where == ("agreement", "review")
    assert "We tell each other when an old friend gets in touch" in chat.said
    chat.pick("save")
    assert chat.where == ("agreement", "saved")
    assert saved(chat) == {
        "terms": "\n".join(
            [
                content.text("agreement.presets", "schedules"),
                content.text("agreement.presets", "checkins"),
                "We tell each other when an old friend gets in touch",
            ]
        ),
        "ends": "2026-04-01",
        "review": "2026-03-16",
    }
    chat.pick("copy")
    assert chat.conversation.idle
    assert chat.last[0].text == content.text("agreement.copy", "intro")
    copy = chat.last[1].text
    assert copy == agreement.clean_copy(
        {"terms": saved(chat)["terms"], "ends": "2026-04-01", "review_on": "2026-03-16"}
    )
    assert "• We tell each other when an old friend gets in touch" in copy
    assert "1 April 2026" in copy and "16 March 2026" in copy
    assert "/" not in copy, "nothing of the coach's commands in the text they forward"
    assert len(chat.records) == 1, "the copy does not save anything again"


def test_closing_after_saving_needs_no_copy() -> None:
    chat = drafted()
    chat.pick("save")
    chat.pick("close")
    assert chat.conversation.idle
    assert content.text("agreement.closed") in chat.said
    assert len(chat.records) == 1


def test_control_is_named_kindly_and_never_written_in() -> None:
    chat = started()
    chat.pick("own")
    chat.text(CONTROL)
    assert chat.where == ("agreement", "own")
    assert content.text("agreement.control") in chat.said
    assert "control than openness" in chat.said
    assert CONTROL not in chat.conversation.slots.get("terms", "")
    chat.text("Give me all your passwords")  # typed straight on the list too
    assert content.text("agreement.control") in chat.said
    chat.pick("list")
    chat.text("Install a tracking app on her phone")
    assert chat.where == ("agreement", "terms")
    assert content.text("agreement.control") in chat.said
    chat.pick("phone")
    chat.pick("done")
    chat.pick("w2")
    chat.pick("half")
    chat.pick("save")
    terms = saved(chat)["terms"]
    assert terms == content.text("agreement.presets", "phone")
    for word in ("passwords", "check his phone", "tracking app"):
        assert word not in terms


def test_openness_in_their_own_words_is_kept() -> None:
    chat = started()
    chat.text(TRAVEL)
    assert chat.where == ("agreement", "terms")
    assert f"• {TRAVEL}" in chat.said
    chat.text("we both share our calendars")
    assert "• We both share our calendars" in chat.said, "tidied to start with a capital"
    assert agreement.terms_of(chat.conversation.slots) == [TRAVEL, "We both share our calendars"]


def test_a_preset_tapped_twice_comes_off_the_list() -> None:
    chat = started()
    chat.pick("schedules")
    labels = {o.key.rsplit(".", 1)[-1]: o.label for o in chat.last[-1].options}
    assert labels["schedules"].startswith("✓ ")
    assert not labels["phone"].startswith("✓ ")
    chat.pick("schedules")
    assert "terms" not in chat.conversation.slots
    labels = {o.key.rsplit(".", 1)[-1]: o.label for o in chat.last[-1].options}
    assert not labels["schedules"].startswith("✓ ")
    assert "clear" not in labels, "nothing to clear on an empty list"


def test_the_list_can_be_cleared() -> None:
    chat = started()
    chat.pick("schedules")
    chat.text("Say when plans change")
    chat.pick("clear")
    assert "terms" not in chat.conversation.slots
    assert content.text("agreement.terms", "empty") in chat.said


def test_done_needs_something_on_the_list() -> None:
    chat = started()
    chat.pick("done")
    assert chat.where == ("agreement", "terms")
    assert content.text("agreement.terms", "none") in chat.said


def test_the_same_term_twice_is_not_added_again() -> None:
    chat = started()
    chat.text("Say when plans change")
    chat.text("say when plans change")
    assert content.text("agreement.own", "already") in chat.said
    assert agreement.terms_of(chat.conversation.slots) == ["Say when plans change"]


def test_a_term_must_be_short_and_not_empty() -> None:
    chat = started()
    chat.pick("own")
    chat.text("We talk " * 40)
    assert chat.where == ("agreement", "own")
    assert content.text("agreement.own", "too_long", limit="200") in chat.said
    chat.text("   ")
    assert content.text("global", "empty_text") in chat.said


def test_the_list_has_a_limit_but_presets_can_still_come_off() -> None:
    chat = started()
    chat.pick("schedules")
    for n in range(agreement.MAX_TERMS - 1):
        chat.text(f"We talk about our day, evening number {n}")
    chat.text("One more thing we say to each other")
    assert content.text("agreement.terms", "full", limit=str(agreement.MAX_TERMS)) in chat.said
    assert len(agreement.terms_of(chat.conversation.slots)) == agreement.MAX_TERMS
    chat.pick("schedules")
    assert len(agreement.terms_of(chat.conversation.slots)) == agreement.MAX_TERMS - 1


# --- for how long, and when to look again ---------------------------------------------------


@pytest.mark.parametrize(
    ("length", "ends", "half"),
    [
        ("w2", "2026-03-15", "2026-03-08"),
        ("m1", "2026-04-01", "2026-03-16"),
        ("m3", "2026-06-01", "2026-04-16"),
    ],
)
def test_lengths_count_from_the_persons_today(length: str, ends: str, half: str) -> None:
    chat = started()
    chat.pick("schedules")
    chat.pick("done")
    chat.pick(length)
    assert chat.conversation.slots["ends"] == ends
    assert chat.conversation.slots["half"] == half


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("2026-02-27", content.text("agreement.ends", "past")),
        ("2026-03-01", content.text("agreement.ends", "past")),
        ("2026-03-04", content.text("agreement.ends", "too_soon", days="7")),
        ("2027-06-01", content.text("agreement.ends", "too_far")),
        ("next Friday", content.text("agreement.ends", "format")),
        ("2026-02-30", content.text("agreement.ends", "format")),
    ],
)
def test_an_end_date_must_be_a_real_day_in_the_near_future(typed: str, hint: str) -> None:
    chat = started()
    chat.pick("schedules")
    chat.pick("done")
    chat.text(typed)
    assert chat.where == ("agreement", "ends")
    assert hint in chat.said
    assert "ends" not in chat.conversation.slots


def test_a_typed_end_date_is_kept() -> None:
    chat = started()
    chat.pick("schedules")
    chat.pick("done")
    chat.text(" 2026-03-31 ")
    assert chat.where == ("agreement", "review_date")
    assert chat.conversation.slots["ends"] == "2026-03-31"
    assert "31 March 2026" in chat.said
    assert "16 March 2026" in chat.said


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("2026-03-01", content.text("agreement.review_date", "past")),
        ("2026-04-01", content.text("agreement.review_date", "after_end")),
        ("2026-05-01", content.text("agreement.review_date", "after_end")),
        ("soon", content.text("agreement.ends", "format")),
    ],
)
def test_the_review_must_come_between_today_and_the_end(typed: str, hint: str) -> None:
    chat = started()
    chat.pick("schedules")
    chat.pick("done")
    chat.pick("m1")
    chat.text(typed)
    assert chat.where == ("agreement", "review_date")
    assert hint in chat.said


def test_a_typed_review_date_is_kept() -> None:
    chat = started()
    chat.pick("schedules")
    chat.pick("done")
    chat.pick("m1")
    chat.text("2026-03-20")
    assert chat.where == ("agreement", "review")
    chat.pick("save")
    assert saved(chat)["review"] == "2026-03-20"


def test_months_end_on_the_last_day_when_the_day_does_not_exist() -> None:
    assert agreement.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert agreement.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert agreement.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert agreement.nice("2026-03-05") == "5 March 2026"
    assert agreement.nice("not a date") == "not a date"


def test_without_todays_date_a_length_cannot_be_counted_but_a_date_can_be_typed() -> None:
    flow = agreement.FLOW
    profile = Profile(consented=True, role="both")
    here = Conversation("agreement", "ends", {"terms": "Say when plans change"}, flow.version)
    after, turn = flow.fire(here, profile, "pick", "w2")
    assert after.state == "ends"
    assert content.text("agreement.ends", "type_it") in [r.text for r in turn.replies]
    after, turn = flow.fire(here, profile, "text", "2026-04-01")
    assert after.state == "review_date"
    assert "half" not in after.slots
    assert [o.key for o in turn.replies[-1].options] == [], "no halfway without a start"
    after, _ = flow.fire(after, profile, "text", "2026-03-20")
    assert after.state == "review"


# --- review and changes ----------------------------------------------------------------------


def test_the_review_shows_the_draft() -> None:
    chat = drafted()
    assert content.text("agreement.presets", "schedules") in chat.said
    assert "1 April 2026" in chat.said
    assert "16 March 2026" in chat.said


def test_changing_what_is_open_returns_to_the_review() -> None:
    chat = drafted()
    chat.pick("terms")
    assert chat.where == ("agreement", "terms")
    chat.pick("phone")
    chat.pick("done")
    assert chat.where == ("agreement", "review")
    assert "_editing" not in chat.conversation.slots
    assert content.text("agreement.presets", "phone") in chat.said


def test_a_new_end_keeps_a_review_date_that_still_fits() -> None:
    chat = drafted()
    chat.pick("ends")
    chat.pick("m3")
    assert chat.where == ("agreement", "review")
    assert chat.conversation.slots["ends"] == "2026-06-01"
    assert chat.conversation.slots["review_on"] == "2026-03-16"
    assert "_editing" not in chat.conversation.slots


def test_a_new_end_before_the_review_date_asks_for_a_new_one() -> None:
    chat = started()
    chat.pick("schedules")
    chat.pick("done")
    chat.pick("m3")
    chat.text("2026-05-01")
    chat.pick("ends")
    chat.pick("w2")
    assert chat.where == ("agreement", "review_date")
    assert "review_on" not in chat.conversation.slots
    chat.pick("half")
    assert chat.where == ("agreement", "review")
    assert chat.conversation.slots["review_on"] == "2026-03-08"
    assert "_editing" not in chat.conversation.slots


def test_a_past_end_is_refused_while_editing_too() -> None:
    chat = drafted()
    chat.pick("ends")
    chat.text("2025-12-31")
    assert chat.where == ("agreement", "ends")
    assert content.text("agreement.ends", "past") in chat.said
    assert chat.conversation.slots["ends"] == "2026-04-01"


def test_the_review_date_can_be_changed() -> None:
    chat = drafted()
    chat.pick("review_date")
    chat.text("2026-03-25")
    assert chat.where == ("agreement", "review")
    chat.pick("save")
    assert saved(chat)["review"] == "2026-03-25"


def test_start_over_clears_the_draft() -> None:
    chat = drafted()
    chat.pick("restart")
    assert chat.where == ("agreement", "terms")
    assert chat.conversation.slots == {}


def test_free_text_where_a_button_is_needed_gets_a_hint() -> None:
    chat = drafted()
    chat.text("hmm, not sure")
    assert chat.where == ("agreement", "review")
    assert content.text("agreement.review", "hint") in chat.said
    chat.pick("save")
    chat.text("what now?")
    assert chat.where == ("agreement", "saved")
    assert content.text("agreement.saved", "hint") in chat.said


def test_back_mid_step_undoes_the_last_answer() -> None:
    chat = started()
    chat.pick("schedules")
    chat.pick("done")
    chat.pick("m1")
    assert chat.where == ("agreement", "review_date")
    chat.command("back")
    assert chat.where == ("agreement", "ends")
    assert "ends" not in chat.conversation.slots
    assert "half" not in chat.conversation.slots
    chat.command("back")
    assert chat.where == ("agreement", "terms")


def test_cancel_leaves_without_saving() -> None:
    chat = drafted()
    chat.command("cancel")
    assert chat.conversation.idle
    assert chat.records == []


# --- safety ----------------------------------------------------------------------------------


def test_never_offered_on_the_individual_track() -> None:
    chat = Chat()
    chat.onboard("hurt")
    chat.profile = replace(chat.profile, track="individual")
    chat.command("agreement")
    assert chat.conversation.idle
    assert content.text("safety.individual") in chat.said


def test_paused_after_a_crisis() -> None:
    chat = Chat()
    chat.onboard("both")
    chat.profile = replace(chat.profile, paused="abuse")
    chat.command("agreement")
    assert chat.conversation.idle
    assert content.text("safety.paused") in chat.said
