from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import cast

import pytest

from flows.core import content
from flows.core.contract import ROLES, Conversation, JournalRecord, Profile, Role
from flows.steps import agreement
from flows.steps.agreement import Kind, Reason, classify
from tests.flows import blind
from tests.flows.driver import Chat

# Terms as people might write them, labelled by the line the step draws (the comment above
# `agreement.judge`): each of these lands the same whoever types it. Access to the other's
# private things, watching them, proof or a rule over them is control; openness both ways, or
# of one's own things, for the agreement's time, is openness.
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
    ("Tell me who you're texting whenever I ask", "control"),
    ("Let me look at your texts if I feel anxious", "control"),
    ("Her Snapchat password", "control"),
    ("Show me your DMs when I ask", "control"),
    ("I'd like to know his Facebook login", "control"),
    ("She reports to me after every shift", "control"),
    ("Keep your GPS on so I can see where you are", "control"),
    ("He gives me his phone when I ask for it", "control"),
    ("She sends me a selfie from the gym so I know she's there", "control"),
    ("i look at my husbands phone every evening", "control"),
    ("gimme ur phone pin", "control"),
    ("Put a hidden tracker in his car", "control"),
    ("He stops seeing his friends for now", "control"),
    ("She can read my phone forever", "control"),
    ("My location stays on for the rest of our lives", "control"),
    ("I'll read her messages on the old ipad, she won't know", "control"),
    ("she must text me when she leaves work", "control"),
    ("i check that he really went to the gym", "control"),
    ("I get her location but she doesn't get mine", "control"),
    ("his phone is open to me, mine stays private", "control"),
    ("no girls nights out for now", "control"),
    ("he texts me a pic of every receipt", "control"),
    ("I set up his email on my phone", "control"),
    ("he stays on facetime with me the whole time hes out", "control"),
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
    # One's own things, offered: whoever types it, it is theirs to give.
    ("I'll leave my laptop open so she can read anything", "openness"),
    ("Check each other's phones once a week", "openness"),
    ("She can read my phone whenever she wants", "openness"),
    ("I'll share my location for three months", "openness"),
    ("i'll give her all my passwords for now", "openness"),
    ("u can check my phone whenever u want", "openness"),
    ("ill send her my location when im out", "openness"),
    ("my wife can read my texts for the next 3 months", "openness"),
    ("He offered to share his location while he travels", "openness"),
    ("if i feel like checking his phone i'll tell him instead", "openness"),
    ("rather than going through her phone ill just ask her", "openness"),
    ("if he has to work late he lets me know", "openness"),
    ("I can see her calendar and she can see mine", "openness"),
    ("my phone is hers to look at whenever she wants", "openness"),
    ("I'll set up my email on her phone so she can see it, until the review", "openness"),
    ("I'll call her on my drive both ways for the next month", "openness"),
]

# Where the words do not say whose things they are, who is typing decides: the one who broke
# the trust offers their own; anyone else would be asking for the other's.
BY_ROLE: list[tuple[Role, str, Kind, Reason]] = [
    ("broke", "Phone unlocked and on the table", "openness", "offer"),
    ("hurt", "Phone unlocked and on the table", "control", "demand"),
    ("both", "Phone unlocked and on the table", "control", "demand"),
    ("broke", "Full access to the laptop for a month", "openness", "offer"),
    ("hurt", "Full access to the laptop for a month", "control", "demand"),
    ("broke", "I'll share my calendar with her", "openness", "offer"),
    ("hurt", "I'll share my location with him too", "openness", "offer"),
    ("broke", "He gives me his passwords", "control", "demand"),
    ("hurt", "He gives me his passwords", "control", "demand"),
    ("hurt", "I check her phone every night", "control", "demand"),
    ("broke", "I check her phone every night", "control", "demand"),
    ("hurt", "She sends me her location every hour", "control", "demand"),
    ("broke", "I won't see my friends without her", "control", "isolation"),
    ("broke", "I'll send photos to prove where I am", "control", "proof"),
    ("broke", "spyware on my phone so she can see everything", "control", "secret"),
    ("broke", "She can check my phone as long as she needs", "control", "no_end"),
    ("broke", "I share my location with her until she trusts me again", "control", "no_end"),
    ("broke", "She can look through my phone for the next 2 years", "control", "no_end"),
    ("broke", "She can see my location for the next year", "openness", "offer"),
    ("hurt", "We both share our locations for a month", "openness", "mutual"),
    ("hurt", "He offered to share his location while he travels", "openness", "theirs"),
]

CONTROL = "I get to check his phone whenever I want"
TRAVEL = "Share location while he travels, both ways, for a month"
OFFER = "She can read my phone for the next three months"
EXAMPLE = content.text("agreement.ends", "example", date="1 June 2026")
"""The example end date the copy shows on the driver's day (1 March 2026): three months on."""


def started(chat: Chat | None = None, role: str = "both") -> Chat:
    chat = chat or Chat()
    chat.onboard(role)
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


@pytest.mark.parametrize("role", [*ROLES, None])
def test_the_detector_tells_control_from_openness_whoever_types(role: Role | None) -> None:
    wrong = [(term, label) for term, label in LABELLED if classify(term, role) != label]
    accuracy = 1 - len(wrong) / len(LABELLED)
    assert accuracy >= 0.95, f"accuracy {accuracy:.2f}; wrong: {wrong}"


@pytest.mark.parametrize(("role", "term", "kind", "reason"), BY_ROLE)
def test_who_types_and_whose_things_decide(
    role: Role, term: str, kind: Kind, reason: Reason
) -> None:
    assert agreement.judge(term, role) == agreement.Verdict(kind, reason)


@pytest.mark.parametrize(
    ("term", "label"),
    [
        ("We both share our calendars", "openness"),
        ("I get to check his phone whenever I want", "control"),
        (TRAVEL, "openness"),  # voluntary, both ways and time-limited: on the openness side
        ("He shares his location with me for the next month", "control"),  # his, to me
        ("We share locations, both ways, always", "control"),  # no end
        ("No going through each other's phones", "openness"),
        ("No passcode on his phone so I can see it anytime", "control"),
        ("No passcode on my phone for the next month", "openness"),  # mine to give
        ("We check in by phone at lunch", "openness"),
    ],
)
def test_the_tricky_ones_land_where_documented(term: str, label: str) -> None:
    assert classify(term) == label


def test_curly_apostrophes_and_spacing_do_not_hide_control() -> None:
    assert classify("  I get   to go through her   phone ") == "control"
    assert classify("We don’t track each other") == "openness"
    assert classify("She can’t go out without me") == "control"


BLIND = Path(__file__).resolve().parents[1] / "data" / "agreement" / "blind-1.tsv"


def blind_batch() -> list[tuple[str, Role, str]]:
    """Terms written and labelled by someone who had not seen the rules (`label, role, text`)."""
    rows = []
    for label, role, text in blind.rows(BLIND.parent, 3):
        assert label in ("openness", "control") and role in ("hurt", "broke"), text
        rows.append((label, cast(Role, role), text))
    return rows


def test_a_blind_batch_is_told_apart_and_control_is_not_let_through() -> None:
    """Floors a little below this batch's score once its misses were fixed as general gaps
    (before: accuracy 0.83, control recall 0.68; after: 1.00 and 1.00, see the README there).
    """
    rows = blind_batch()
    assert len(rows) >= 90
    wrong = [(label, role, text) for label, role, text in rows if classify(text, role) != label]
    accuracy = 1 - len(wrong) / len(rows)
    control = [(role, text) for label, role, text in rows if label == "control"]
    caught = sum(classify(text, role) == "control" for role, text in control) / len(control)
    assert accuracy >= 0.95, f"accuracy {accuracy:.2f}; wrong: {wrong}"
    assert caught >= 0.95, f"control recall {caught:.2f}; wrong: {wrong}"


def test_a_stated_time_is_read_so_the_flow_can_hold_it_to_the_end_date() -> None:
    today = date(2026, 12, 5)
    assert agreement.reach("I'll share my location for three months", today) == date(2027, 3, 5)
    assert agreement.reach("a 6-month trial of open phones", today) == date(2027, 6, 5)
    assert agreement.reach("she can see my calendar for 2 weeks", today) == date(2026, 12, 19)
    assert agreement.reach("we check in every evening", today) is None


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
    chat = started(role="broke")
    chat.pick("own")
    chat.text("I check her phone every night")
    assert chat.where == ("agreement", "own")
    assert content.text("agreement.control") in chat.said
    assert "control than openness" in chat.said
    assert "terms" not in chat.conversation.slots
    chat.pick("list")
    chat.text("Install spyware so she sees everything on my phone")  # typed straight on the list
    assert chat.where == ("agreement", "terms")
    assert content.text("agreement.control") in chat.said
    chat.pick("phone")
    chat.pick("done")
    chat.pick("w2")
    chat.pick("half")
    chat.pick("save")
    terms = saved(chat)["terms"]
    assert terms == content.text("agreement.presets", "phone")
    for word in ("her phone", "spyware"):
        assert word not in terms


def test_the_hurt_partner_asking_for_the_passwords_is_pointed_to_asking_for_an_offer() -> None:
    chat = started(role="hurt")
    chat.pick("own")
    chat.text("I want all his passwords")
    assert chat.where == ("agreement", "own")
    assert chat.last[0].text == content.text("agreement.control", "ask")
    assert "ask them whether they’d offer" in chat.said
    assert "terms" not in chat.conversation.slots
    chat.text(CONTROL)  # a rule over the other, from someone who was hurt too
    assert chat.last[0].text == content.text("agreement.control", "ask")
    # They asked, and he offered: written down as his offer, it is kept.
    chat.text("He offered to share his location while he travels")
    assert chat.where == ("agreement", "terms")
    assert "• He offered to share his location while he travels" in chat.said
    assert content.text("agreement.offer") not in chat.said, "not hers to call her offer"
    chat.text("My partner offered to share their location for a month")  # the copy's example
    assert len(agreement.terms_of(chat.conversation.slots)) == 2


def test_the_one_who_broke_the_trust_offering_their_phone_for_three_months_is_kept() -> None:
    chat = started(role="broke")
    chat.pick("own")
    chat.text(OFFER)
    assert chat.where == ("agreement", "terms")
    assert chat.last[0].text == content.text("agreement.offer")
    assert "control" not in chat.said
    assert f"• {OFFER}" in chat.said
    chat.text("ill send her my location when im out")  # typed as on a phone
    more = content.section("agreement.offer")["more"]
    assert chat.last[0].text in more, "a further offer is met, in other words than the first"
    chat.pick("done")
    chat.pick("m3")
    assert chat.where == ("agreement", "review_date")
    chat.pick("half")
    chat.pick("save")
    assert saved(chat)["terms"] == f"{OFFER}\nIll send her my location when im out"
    assert saved(chat)["ends"] == "2026-06-01"


def test_an_offer_with_no_end_is_named_and_asked_to_fit_the_agreement() -> None:
    chat = started(role="broke")
    chat.pick("own")
    chat.text("She can read my phone forever")
    assert chat.where == ("agreement", "own")
    assert chat.last[0].text == content.text("agreement.control", "no_end")
    assert "for the time of this agreement" in chat.said
    assert "terms" not in chat.conversation.slots
    chat.text("24/7 location sharing for the rest of our lives")
    assert chat.last[0].text == content.text("agreement.control", "no_end")
    chat.text("She can read my phone")  # the same offer, for the agreement's time
    assert chat.where == ("agreement", "terms")
    assert chat.last[0].text == content.text("agreement.offer")


def test_an_offer_longer_than_the_agreement_asks_for_a_later_end() -> None:
    chat = started(role="broke")
    chat.text("I'll share my location for six months")
    chat.pick("done")
    chat.pick("m3")
    assert chat.where == ("agreement", "ends")
    assert "ends" not in chat.conversation.slots
    hint = content.text(
        "agreement.ends",
        "outlasts",
        term="I'll share my location for six months",
        until="1 September 2026",
    )
    assert chat.last[0].text == hint
    chat.text("1 september 2026")
    assert chat.where == ("agreement", "review_date")
    assert chat.conversation.slots["ends"] == "2026-09-01"
    chat.pick("half")
    chat.pick("terms")  # while editing, a new term must fit the end that is set
    chat.text("She can see my calendar for a year")
    assert chat.where == ("agreement", "terms")
    assert content.text("agreement.own", "outlasts", ends="1 September 2026") in chat.said
    assert len(agreement.terms_of(chat.conversation.slots)) == 1


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
        ("next Friday", content.text("agreement.ends", "format", example=EXAMPLE)),
        ("2026-02-30", content.text("agreement.ends", "format", example=EXAMPLE)),
        ("31/2", content.text("agreement.ends", "format", example=EXAMPLE)),
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


def on_the_fifth_of_december(role: str = "broke") -> Chat:
    """A person drafting on 5 December 2026, at the question of how long."""
    chat = Chat()
    chat.now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    chat = started(chat, role=role)
    chat.pick("schedules")
    chat.pick("done")
    assert chat.where == ("agreement", "ends")
    return chat


def test_the_example_end_date_is_three_months_from_the_persons_today_and_is_accepted() -> None:
    chat = on_the_fifth_of_december()
    assert "5 March 2027" in chat.said
    assert "2026-03-31" not in chat.said, "no example that has gone stale"
    chat.text("5 March 2027")  # typing the example back, as people do
    assert chat.where == ("agreement", "review_date")
    assert chat.conversation.slots["ends"] == "2027-03-05"
    assert "type a day before 5 March 2027" in chat.said


@pytest.mark.parametrize(
    ("typed", "ends"),
    [
        ("31 march", "2027-03-31"),
        ("march 31", "2027-03-31"),
        ("31/3/2027", "2027-03-31"),
        ("31/03/27", "2027-03-31"),
        ("31.3.2027", "2027-03-31"),
        ("March 31st, 2027", "2027-03-31"),
        ("until the end of march", "2027-03-31"),
        ("in 3 months", "2027-03-05"),
        ("in six weeks", "2027-01-16"),
        ("2027-03-31", "2027-03-31"),
        ("4/5", "2027-05-04"),  # day first, as most of the world writes it
        ("3/31/2027", "2027-03-31"),  # 31 cannot be a month
    ],
)
def test_end_dates_are_read_in_the_forms_people_type(typed: str, ends: str) -> None:
    chat = on_the_fifth_of_december()
    chat.text(typed)
    assert chat.where == ("agreement", "review_date")
    assert chat.conversation.slots["ends"] == ends


def test_in_the_us_a_numeric_date_is_month_first() -> None:
    chat = Chat(Profile(country="US"))
    chat.now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    chat = started(chat)
    chat.pick("schedules")
    chat.pick("done")
    chat.text("4/5")
    assert chat.conversation.slots["ends"] == "2027-04-05"


def test_a_review_date_can_be_typed_as_a_length_too() -> None:
    chat = on_the_fifth_of_december()
    chat.pick("m3")
    chat.text("in 3 weeks")
    assert chat.where == ("agreement", "review")
    chat.pick("save")
    assert saved(chat) == {
        "terms": content.text("agreement.presets", "schedules"),
        "ends": "2027-03-05",
        "review": "2026-12-26",
    }


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("2026-03-01", content.text("agreement.review_date", "past")),
        ("2026-04-01", content.text("agreement.review_date", "after_end")),
        ("2026-05-01", content.text("agreement.review_date", "after_end")),
        ("soon", content.text("agreement.review_date", "format", ends="1 April 2026")),
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


def test_a_protest_is_heard_not_written_in_as_a_term() -> None:
    chat = Chat(Profile(True, "hurt", safety_checked_on="2026-12-01"))
    chat.command("agreement")
    chat.pick("own")
    chat.text("why should i be the one being open, hes the one who cheated")
    assert content.text("agreement.own", "question") in chat.said
    assert "why should i" not in chat.said.split(content.text("agreement.own", "question"))[-1]


def test_should_laid_on_the_other_is_a_demand() -> None:
    assert classify("she should share her location with me too so its fair", "broke") == "control"
