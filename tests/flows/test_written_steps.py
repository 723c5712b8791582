"""Every written step (a few answers, a review, then save, change or start over) behaves the
same way: one kit, run for each step `flows.core.written` built, so a new one is covered the
moment it exists. Each step's own test file keeps only what is its own (its words, its
safety rules)."""

from __future__ import annotations

import pytest

from flows import coach, steps
from flows.core import content
from flows.core.contract import Choice, JournalRecord
from flows.core.step import Step
from flows.core.written import SHAPES, Shape
from tests.flows.driver import Chat

WRITTEN = [s for s in steps.discovered() if s.flow is not None and s.flow.name in SHAPES]
IDS = [s.name for s in WRITTEN]


def shape(step: Step) -> Shape:
    assert step.flow is not None
    return SHAPES[step.flow.name]


def answer(part: str) -> str:
    return f"my own words about {part.replace('_', ' ')}"


def answers(chat: Chat) -> dict[str, str]:
    """The person's answers kept so far (not the step's own "_" bookkeeping, such as which
    line it said back last)."""
    return {k: v for k, v in chat.conversation.slots.items() if not k.startswith("_")}


def started(step: Step) -> Chat:
    chat = Chat()
    chat.onboard(step.roles[0] if step.roles else "both")
    assert step.command
    chat.command(step.command)
    assert chat.where == (step.name, shape(step).parts[0])
    return chat


def at_review(step: Step) -> Chat:
    chat = started(step)
    for part in shape(step).parts:
        chat.text(answer(part))
    assert chat.where == (step.name, "review")
    return chat


def test_the_kit_covers_the_written_steps() -> None:
    assert {"hurt", "selftrust", "grow"} <= set(IDS)


@pytest.mark.parametrize("step", WRITTEN, ids=IDS)
def test_answers_are_asked_in_order_shown_back_and_saved(step: Step) -> None:
    chat = started(step)
    parts = shape(step).parts
    for here, following in zip(parts, [*parts[1:], "review"], strict=True):
        assert chat.where == (step.name, here)
        chat.text(answer(here))
        assert chat.where == (step.name, following)
    for part in parts:
        assert answer(part) in chat.said
    chat.pick("save")
    assert chat.conversation.idle
    assert chat.records == [JournalRecord(step.kinds[0], tuple((p, answer(p)) for p in parts))]
    assert content.text(f"{step.name}.saved") in chat.said


@pytest.mark.parametrize("step", WRITTEN, ids=IDS)
def test_optional_parts_can_be_skipped_and_say_so(step: Step) -> None:
    chat = started(step)
    for part in shape(step).parts:
        if part in shape(step).skippable:
            chat.pick("skip")
        else:
            chat.text(answer(part))
    assert chat.where == (step.name, "review")
    assert content.text(f"{step.name}.skipped") in chat.said
    chat.pick("save")
    kept = tuple((p, answer(p)) for p in shape(step).parts if p not in shape(step).skippable)
    assert chat.records == [JournalRecord(step.kinds[0], kept)]


@pytest.mark.parametrize("step", WRITTEN, ids=IDS)
def test_each_part_can_be_edited_from_the_review(step: Step) -> None:
    for part in shape(step).parts:
        chat = at_review(step)
        chat.pick("edit")
        chat.pick(part)
        assert chat.where == (step.name, part)
        chat.text("a new answer")
        assert chat.where == (step.name, "review")
        assert chat.conversation.slots[part] == "a new answer"
        assert "_editing" not in chat.conversation.slots


@pytest.mark.parametrize("step", WRITTEN, ids=IDS)
def test_skipping_while_editing_returns_to_the_review(step: Step) -> None:
    for part in shape(step).skippable:
        chat = at_review(step)
        chat.pick("edit")
        chat.pick(part)
        chat.pick("skip")
        assert chat.where == (step.name, "review")
        assert part not in chat.conversation.slots


@pytest.mark.parametrize("step", WRITTEN, ids=IDS)
def test_leaving_the_edit_menu_changes_nothing(step: Step) -> None:
    chat = at_review(step)
    chat.pick("edit")
    chat.pick("review")
    assert chat.where == (step.name, "review")
    assert answers(chat) == {p: answer(p) for p in shape(step).parts}


@pytest.mark.parametrize("step", WRITTEN, ids=IDS)
def test_start_over_forgets_everything(step: Step) -> None:
    chat = at_review(step)
    chat.pick("restart")
    assert chat.where == (step.name, shape(step).parts[0])
    assert chat.conversation.slots == {}
    assert chat.records == []


@pytest.mark.parametrize("step", WRITTEN, ids=IDS)
def test_back_undoes_the_last_answer_and_keeps_earlier_ones(step: Step) -> None:
    chat = started(step)
    first, second = shape(step).parts[:2]
    chat.text(answer(first))
    chat.text(answer(second))
    chat.command("back")
    assert chat.where == (step.name, second)
    assert answers(chat) == {first: answer(first)}


@pytest.mark.parametrize("step", WRITTEN, ids=IDS)
def test_empty_text_is_not_an_answer(step: Step) -> None:
    chat = started(step)
    chat.text("")
    assert chat.where == (step.name, shape(step).parts[0])
    assert content.text("global", "empty_text") in chat.said


@pytest.mark.parametrize("step", WRITTEN, ids=IDS)
@pytest.mark.parametrize("state", ["review", "edit"])
def test_typing_where_a_choice_is_needed_shows_the_hint(step: Step, state: str) -> None:
    chat = at_review(step)
    if state == "edit":
        chat.pick("edit")
    chat.text("hmm")
    assert chat.where == (step.name, state)
    assert content.text(f"{step.name}.{state}", "hint") in chat.said


@pytest.mark.parametrize("step", WRITTEN, ids=IDS)
def test_a_made_up_button_changes_nothing(step: Step) -> None:
    chat = started(step)
    first = shape(step).parts[0]
    chat.send(Choice(f"{step.name}.{first}.nonsense"))
    assert chat.where == (step.name, first)
    assert content.text(f"{step.name}.{first}", "hint") in chat.said


@pytest.mark.parametrize("step", WRITTEN, ids=IDS)
def test_cancel_leaves_without_saving(step: Step) -> None:
    chat = started(step)
    chat.text(answer(shape(step).parts[0]))
    chat.command("cancel")
    assert chat.conversation.idle
    assert chat.records == []


@pytest.mark.parametrize("step", WRITTEN, ids=IDS)
def test_menu_text_and_journal_labels(step: Step) -> None:
    assert step.command and step.kinds
    assert coach.command_menu()[step.command] == content.text(f"{step.name}.command")
    own = content.section(f"{step.name}.journal")
    labels = {**content.section("journal.parts"), **dict(own.get("parts", {}))}
    assert own["kind"]
    assert set(shape(step).parts) <= set(labels)
