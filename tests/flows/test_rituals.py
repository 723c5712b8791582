"""/rituals, /settings and the daily moment at /start, without Telegram or a database."""

from __future__ import annotations

from flows.core import content
from flows.core.contract import Choice, RitualItem, RitualRecord
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
    chat.text("Atlantis")
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
    assert "a walk, then tea" in labels
    chat.pick("rm3")
    assert chat.records == [RitualRecord(remove_id=3)]
