from __future__ import annotations

from dataclasses import replace

import pytest

from flows import coach
from flows import steps as registry
from flows.core import content
from flows.core.contract import Choice, JournalItem, Progress, Risk, RitualItem, Track
from flows.steps import journey as steps
from tests.flows.driver import Chat, Memory

ALL = tuple(s.command for s in registry.mapped() if s.command)


def about(command: str) -> str:
    return content.text(f"{registry.by_command()[command].name}.command", "about")


FOR_TWO = {s.command for s in registry.mapped() if s.for_two}


def kinds(*names: str) -> list[JournalItem]:
    return [JournalItem(k, (("x", "y"),), "01 Mar 2026") for k in names]


def opened(
    role: str = "hurt",
    memory: Memory | None = None,
    track: Track = "couples",
    paused: Risk | None = None,
) -> Chat:
    chat = Chat()
    if memory is not None:
        chat.memory = memory
    chat.onboard(role)
    chat.profile = replace(chat.profile, track=track, paused=paused)
    chat.command("steps")
    assert chat.where == ("steps", "map")
    return chat


def offered(chat: Chat) -> list[str]:
    return [o.key.rsplit(".", 1)[-1] for o in chat.last[-1].options]


def with_kinds(*names: str) -> Memory:
    memory = Memory()
    memory.items = kinds(*names)
    return memory


def test_the_map_lists_every_step_with_what_it_is_for() -> None:
    chat = opened("hurt")
    for command in ALL:
        assert f"· /{command} – {about(command)}" in chat.said
    assert chat.said.index("/hurt") < chat.said.index("/reframe") < chat.said.index("/rituals")


@pytest.mark.parametrize(
    ("role", "visited", "expected"),
    [
        ("hurt", (), "hurt"),
        ("hurt", ("hurt",), "trigger"),
        ("hurt", ("hurt", "trigger"), "selftrust"),
        ("hurt", ("trigger",), "hurt"),
        ("broke", (), "listen"),
        ("broke", ("listen",), "own"),
        ("broke", ("own",), "listen"),
        ("broke", ("listen", "own"), "agreement"),
        ("both", (), "reframe"),
        ("both", ("statement",), "listen"),
        ("both", ("statement", "listen"), "grow"),
        ("both", ("statement", "listen", "grow"), "rituals"),
    ],
)
def test_the_suggestion_follows_the_role(
    role: str, visited: tuple[str, ...], expected: str
) -> None:
    chat = opened(role, with_kinds(*visited))
    assert offered(chat) == [f"go_{expected}", "close"]
    line = content.text("steps.map", "next", command=expected, about=about(expected))
    assert line in chat.said


def test_visited_steps_are_ticked() -> None:
    chat = opened("hurt", with_kinds("hurt", "statement", "forgive"))
    for command in ("hurt", "reframe", "forgive"):
        assert f"✓ /{command} – {about(command)}" in chat.said
    assert f"· /trigger – {about('trigger')}" in chat.said


def test_when_the_path_is_walked_nothing_is_pushed() -> None:
    chat = opened("broke", with_kinds("own", "listen", "agreement", "win"))
    assert offered(chat) == ["close"]
    assert content.text("steps.map", "all_seen") in chat.said


@pytest.mark.parametrize(
    ("role", "visited", "expected"),
    [
        ("both", (), "rituals"),  # reframe and listen are for two; growing as two is closed
        ("both", ("grow",), "rituals"),
        ("broke", (), "win"),  # owning the harm to a partner, listening, the agreement: closed
        ("broke", ("own",), "win"),
        ("broke", ("own", "win"), None),
        ("hurt", (), "hurt"),
    ],
)
def test_the_individual_track_never_offers_work_that_assumes_a_couple(
    role: str, visited: tuple[str, ...], expected: str | None
) -> None:
    chat = opened(role, with_kinds(*visited), track="individual")
    assert offered(chat) == ([f"go_{expected}"] if expected else []) + ["close"]
    for command in FOR_TWO:
        assert f"/{command} –" not in chat.said, "exercises for two are left off the map"
    for command in ("own", "forgive", "grow", "reframe"):
        assert f"/{command} –" not in chat.said, "nor work on the relationship done alone"
    assert "/hurt –" in chat.said


def test_while_paused_nothing_for_two_is_suggested() -> None:
    chat = opened("both", with_kinds(), paused="self_harm")
    assert offered(chat) == ["go_rituals", "close"]


def test_a_command_that_is_not_a_flow_is_listed_but_not_opened() -> None:
    chat = opened("hurt")
    assert f"/progress – {about('progress')}" in chat.said
    chat.send(Choice("steps.map.go_progress"))
    assert chat.where == ("steps", "map")


def test_the_real_coach_lists_what_it_has() -> None:
    opens = steps.installed()
    assert opens["hurt"].flow is coach.FLOWS["hurt"]
    assert opens["progress"].flow is None
    assert "nowhere" not in opens


def test_opening_the_suggested_step_ends_the_map_and_starts_it() -> None:
    chat = opened("hurt")
    chat.pick("go_hurt")
    assert chat.where == ("hurt", "what")
    assert content.text("hurt.what") in chat.said


def test_a_couples_button_from_an_older_map_is_refused_kindly() -> None:
    chat = opened("both", with_kinds(), track="individual")
    chat.send(Choice("steps.map.go_reframe"))
    assert chat.where == ("steps", "map")
    assert content.text("steps.map", "not_now") in chat.said


def test_an_unknown_step_is_not_opened() -> None:
    chat = opened("hurt")
    chat.send(Choice("steps.map.go_nowhere"))
    assert chat.where == ("steps", "map")
    assert content.text("steps.map", "hint") in chat.said


def test_close_leaves_the_map() -> None:
    chat = opened("hurt")
    chat.pick("close")
    assert chat.conversation.idle
    assert content.text("steps.closed") in chat.said
    assert chat.records == []


def test_free_text_gets_a_hint_and_the_map_again() -> None:
    chat = opened("hurt", with_kinds("hurt"))
    chat.text("where should I go?")
    assert chat.where == ("steps", "map")
    assert content.text("steps.map", "hint") in chat.said
    assert "✓ /hurt" in chat.said, "the ticks survive a re-render without memory"


def test_ticks_survive_a_detour() -> None:
    chat = opened("hurt", with_kinds("hurt"))
    chat.command("help")
    assert "✓ /hurt" in chat.said


def test_back_has_nothing_to_undo_on_the_map() -> None:
    chat = opened("hurt")
    chat.command("back")
    assert chat.where == ("steps", "map")
    assert content.text("global", "back_none") in chat.said


def test_the_map_opens_before_consent() -> None:
    chat = Chat()
    chat.command("steps")
    assert chat.where == ("steps", "map")


def test_visited_reads_the_journal_check_ins_and_rituals() -> None:
    memory = Memory()
    assert steps.visited(memory) == frozenset()
    memory.items = kinds("statement", "prompt", "win", "something_else")
    assert steps.visited(memory) == {"reframe", "rituals", "win"}
    memory.items = []
    memory.progress_data = Progress(checkins=(("2026-02-01", 3),), kinds=("grow",))
    assert steps.visited(memory) == {"checkin", "grow"}
    memory.progress_data = Progress()
    memory.ritual_items = [RitualItem(1, "coffee", None, "08:00", "0123456")]
    assert steps.visited(memory) == {"rituals"}


def test_every_step_on_the_map_has_a_line_and_the_exercises_for_two_are_known() -> None:
    for command in ALL:
        assert about(command)
    assert {"listen", "agreement"} == FOR_TWO  # /reframe is drafted alone; its sending waits
    for role in ("hurt", "broke", "both"):
        assert registry.suited(role), f"nothing is suggested to {role}"


def test_steps_is_in_the_menu() -> None:
    assert coach.STARTS["steps"] == "steps"
    assert coach.command_menu()["steps"] == content.text("steps.command")
