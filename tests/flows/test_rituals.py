"""/rituals, /settings and the daily moment at /start, without Telegram or a database."""

from __future__ import annotations

from dataclasses import replace

from flows.core import content
from flows.core.contract import Choice, Profile, RitualChangeRecord, RitualItem, RitualRecord
from tests.flows.driver import Chat


def with_zone() -> Chat:
    chat = Chat()
    chat.onboard()
    chat.command("settings")
    chat.pick("zone")
    chat.text("berlin")
    assert "Europe/Berlin" in chat.said and "10:00" in chat.said  # 09:00 UTC, local now
    chat.pick("yes")
    assert chat.profile.timezone == "Europe/Berlin"
    chat.pick("close")
    return chat


def test_rituals_first_ask_where_you_are() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("rituals")
    assert chat.where == ("timezone", "ask")
    chat.text("Narnia")  # (Atlantis is a real town in South Africa)
    assert chat.where == ("timezone", "ask")
    assert content.text("timezone.ask", "hint") in chat.said
    chat.text("Sao Paulo")
    chat.pick("no")
    assert chat.where == ("timezone", "ask")
    chat.text("UTC+5:30")
    chat.pick("yes")
    assert chat.profile.timezone == "UTC+05:30"
    assert chat.where == ("rituals", "menu"), "then the rituals themselves"


def test_adding_a_catalogue_ritual_on_weekdays() -> None:
    chat = with_zone()
    chat.command("rituals")
    assert content.text("rituals.menu", "none") in chat.said
    chat.pick("add")
    chat.pick("coffee")
    chat.text("7.30 pm")
    chat.pick("weekdays")
    assert chat.records == [RitualRecord("coffee", None, "19:30", "01234")]
    assert "19:30" in chat.said and "weekdays" in chat.said
    assert chat.conversation.idle


def test_an_own_ritual_on_chosen_days() -> None:
    chat = with_zone()
    chat.command("rituals")
    chat.pick("add")
    chat.pick("own")
    chat.text("a walk after dinner")
    chat.pick("21:00")
    chat.text("mon wed fri")
    assert chat.records == [RitualRecord("own", "a walk after dinner", "21:00", "024")]


def test_an_unreadable_time_is_asked_again() -> None:
    chat = with_zone()
    chat.command("rituals")
    chat.pick("add")
    chat.pick("checkin")
    chat.text("whenever")
    assert chat.where == ("rituals", "time")
    assert content.text("rituals.time", "hint") in chat.said


def test_removing_only_ones_own_ritual() -> None:
    chat = with_zone()
    chat.memory.ritual_items = [RitualItem(7, "coffee", None, "08:00", "0123456")]
    chat.command("rituals")
    assert "A coffee together" in chat.said
    chat.pick("remove")
    chat.send(Choice("rituals.pick_remove.rm99"))
    assert chat.records == [], "a forged id is not on the list"
    chat.pick("rm7")
    assert chat.records == [RitualRecord(remove_id=7)]


def test_settings_quiet_hours_pause_and_discreet() -> None:
    chat = with_zone()
    chat.command("settings")
    chat.pick("quiet")
    chat.text("22:00-7:00")
    assert (chat.profile.quiet_from, chat.profile.quiet_to) == ("22:00", "07:00")
    chat.pick("pause")
    assert chat.profile.reminders_paused
    chat.pick("discreet")
    assert chat.profile.discreet
    chat.pick("quiet")
    chat.text("soon")
    assert chat.where == ("settings", "quiet")
    chat.text("off")
    assert chat.profile.quiet_from is None


def test_the_daily_moment_at_start() -> None:
    chat = Chat()
    chat.command("start")
    chat.pick("ok")
    chat.pick("agree")
    chat.pick("both")
    chat.pick("safe")
    assert chat.where == ("moment", "offer")
    chat.pick("yes")
    assert chat.where == ("moment", "zone")
    chat.text("new york")
    chat.pick("yes")
    chat.text("8pm")
    assert chat.records == [RitualRecord("checkin", None, "20:00", "0123456")]
    assert chat.profile.timezone == "America/New_York"


def test_a_typed_hour_is_a_time_not_an_option_number() -> None:
    chat = with_zone()
    chat.command("rituals")
    chat.pick("add")
    chat.pick("checkin")
    chat.text("2")
    assert chat.conversation.slots["time"] == "02:00"
    assert chat.where == ("rituals", "days")


def test_an_own_label_with_commas_can_be_removed() -> None:
    chat = with_zone()
    chat.memory.ritual_items = [RitualItem(3, "own", "a walk, then tea", "08:00", "0123456")]
    chat.command("rituals")
    chat.pick("remove")
    labels = [o.label for r in chat.last for o in r.options]
    assert "a walk, then tea — 08:00" in labels
    chat.pick("rm3")
    assert chat.records == [RitualRecord(remove_id=3)]


# --- changing a ritual's time or days, and quiet hours ------------------------------------------


def with_rituals(*items: RitualItem, quiet: tuple[str, str] | None = None) -> Chat:
    profile = Profile(consented=True, role="hurt", timezone="Europe/Berlin")
    if quiet is not None:
        profile = replace(profile, quiet_from=quiet[0], quiet_to=quiet[1])
    chat = Chat(profile)
    chat.memory.ritual_items = list(items)
    chat.command("rituals")
    return chat


COFFEE = RitualItem(7, "coffee", None, "08:00", "0123456")
WALK = RitualItem(8, "own", "a walk after dinner", "19:00", "01234")


def test_with_no_rituals_only_adding_is_offered() -> None:
    chat = with_rituals()
    keys = [o.key.rsplit(".", 1)[-1] for r in chat.last for o in r.options]
    assert keys == ["add", "close"]


def test_changing_the_time_of_the_only_ritual() -> None:
    chat = with_rituals(COFFEE)
    chat.pick("time")
    assert chat.where == ("rituals", "new_time"), "one ritual: no need to ask which"
    assert "A coffee together is at 08:00 now" in chat.said
    chat.text("9.30")
    assert chat.records == [RitualChangeRecord(7, "09:30", None)]
    assert "A coffee together, at 09:30 (every day)" in chat.said
    assert chat.conversation.idle


def test_a_typed_number_at_a_new_time_is_an_hour() -> None:
    chat = with_rituals(COFFEE)
    chat.pick("time")
    chat.text("4")
    assert chat.records == [RitualChangeRecord(7, "04:00", None)], "4 is 04:00, not option 4"


def test_changing_the_days_of_one_of_two_rituals() -> None:
    chat = with_rituals(COFFEE, WALK)
    chat.pick("days")
    assert chat.where == ("rituals", "pick_change")
    labels = [o.label for r in chat.last for o in r.options]
    assert labels == ["A coffee together — 08:00", "a walk after dinner — 19:00"]
    chat.send(Choice("rituals.pick_change.ch99"))
    assert chat.records == [] and chat.where == ("rituals", "pick_change"), "not on the list"
    chat.pick("ch8")
    assert "a walk after dinner is on weekdays now" in chat.said
    chat.text("sat and sun")
    assert chat.records == [RitualChangeRecord(8, None, "56")]
    assert "a walk after dinner, at 19:00 (weekends)" in chat.said


def test_a_new_ritual_inside_quiet_hours_says_so_and_another_time_can_be_chosen() -> None:
    chat = with_rituals(quiet=("22:00", "07:00"))
    chat.pick("add")
    chat.pick("no_phones")
    chat.text("11pm")
    assert chat.where == ("rituals", "clash")
    assert "23:00 is inside your quiet hours (22:00–07:00)" in chat.said
    assert "no reminder would come" in chat.said
    chat.pick("other")
    assert chat.where == ("rituals", "time")
    chat.text("9pm")
    chat.pick("every")
    assert chat.records == [RitualRecord("no_phones", None, "21:00", "0123456")]


def test_a_ritual_can_be_kept_inside_quiet_hours_anyway() -> None:
    chat = with_rituals(quiet=("22:00", "07:00"))
    chat.pick("add")
    chat.pick("no_phones")
    chat.text("22:30")
    chat.pick("keep")
    chat.pick("weekends")
    assert chat.records == [RitualRecord("no_phones", None, "22:30", "56")]
    assert content.text("rituals.added", "quiet") in chat.said, "said plainly: no reminder"


def test_a_changed_time_inside_quiet_hours_asks_and_a_typed_time_answers() -> None:
    chat = with_rituals(COFFEE, quiet=("23:00", "07:00"))
    chat.pick("time")
    chat.text("6:30am")
    assert chat.where == ("rituals", "clash")
    chat.text("7.15")  # simply another time, typed instead of choosing
    assert chat.records == [RitualChangeRecord(7, "07:15", None)]


def test_a_time_outside_quiet_hours_is_not_questioned() -> None:
    chat = with_rituals(COFFEE, quiet=("23:00", "07:00"))
    chat.pick("time")
    chat.text("7am")  # quiet hours end at 07:00
    assert chat.records == [RitualChangeRecord(7, "07:00", None)]


# --- the daily moment with rituals already there -------------------------------------------------


def at_the_moment(*items: RitualItem, quiet: tuple[str, str] | None = None) -> Chat:
    profile = Profile(timezone="Europe/Berlin")
    if quiet is not None:
        profile = replace(profile, quiet_from=quiet[0], quiet_to=quiet[1])
    chat = Chat(profile)
    chat.memory.ritual_items = list(items)
    chat.command("start")
    chat.pick("ok")
    chat.pick("agree")
    chat.pick("both")
    chat.pick("safe")
    assert chat.where == ("moment", "offer")
    chat.pick("yes")
    return chat


def test_the_moment_is_one_of_their_rituals_when_they_have_some() -> None:
    chat = at_the_moment(COFFEE, WALK)
    assert chat.where == ("moment", "which")
    labels = [o.label for r in chat.last for o in r.options]
    assert labels == [
        "A coffee together — 08:00",
        "a walk after dinner — 19:00",
        "A new daily check-in",
    ]
    chat.pick("r8")
    assert "a walk after dinner is at 19:00 now" in chat.said
    chat.text("7:30pm")
    assert chat.records == [RitualChangeRecord(8, "19:30", None)]
    assert "Your daily moment: a walk after dinner, at 19:30" in chat.said


def test_the_moment_can_still_be_a_new_check_in() -> None:
    chat = at_the_moment(COFFEE, WALK)
    chat.pick("new")
    chat.text("8pm")
    assert chat.records == [RitualRecord("checkin", None, "20:00", "0123456")]


def test_the_moment_inside_quiet_hours_says_so() -> None:
    chat = at_the_moment(quiet=("22:00", "07:00"))
    assert chat.where == ("moment", "time"), "no rituals yet: straight to the time"
    chat.text("6am")
    assert chat.where == ("moment", "clash")
    assert "06:00 is inside your quiet hours (22:00–07:00)" in chat.said
    chat.pick("other")
    chat.pick("08:00")
    assert chat.records == [RitualRecord("checkin", None, "08:00", "0123456")]


def test_a_typed_hour_is_that_hour_even_when_an_option_shares_its_digits() -> None:
    """ "12" is noon, not the option "12:30"; "30" is no time at all, so it is asked again."""
    chat = with_rituals(COFFEE)
    chat.pick("time")
    chat.text("30")
    assert chat.records == [] and chat.where == ("rituals", "new_time")
    chat.text("12")
    assert chat.records == [RitualChangeRecord(7, "12:00", None)]


def test_on_the_individual_track_only_rituals_for_oneself_are_offered() -> None:
    chat = Chat(Profile(True, "hurt", track="individual", timezone="Europe/Lisbon"))
    chat.command("rituals")
    chat.pick("add")
    offered = [o.key.rsplit(".", 1)[-1] for r in chat.last for o in r.options]
    assert "checkin" in offered and "own" in offered
    for together in ("coffee", "kind_text", "no_phones", "question"):
        assert together not in offered, f"{together} assumes a couple working on it together"
    assert "A coffee together" not in chat.said
    chat.send(Choice("rituals.kind.coffee"))  # an old button from before
    assert chat.where == ("rituals", "kind"), "not taken"


def test_a_bare_hour_is_morning_and_says_so_with_the_way_to_the_evening() -> None:
    chat = Chat(Profile(True, "hurt", timezone="Europe/Lisbon", safety_checked_on="2026-03-01"))
    chat.command("rituals")
    chat.pick("add")
    chat.pick("checkin")
    chat.text("9")
    assert content.text("rituals.morning", time="09:00", later="21:00", pm="9pm") in chat.said
    chat.command("back")
    chat.text("9pm")
    assert chat.conversation.slots["time"] == "21:00"


def test_a_time_said_inside_a_sentence_is_read() -> None:
    chat = Chat(Profile(True, "hurt", timezone="Europe/Lisbon", safety_checked_on="2026-03-01"))
    chat.command("rituals")
    chat.pick("add")
    chat.pick("checkin")
    chat.text("when hes at work. like 11am")
    assert chat.conversation.slots["time"] == "11:00"
