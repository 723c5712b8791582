"""The daily prompt pool and chooser: the copy is checked here because it ships to every person
every day, so one careless word reaches everyone, and the chooser because a repeated or
unsuitable question is the quickest way to make a daily message feel automated."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from flows.views import prompts
from flows.views.prompts import REPEAT_GAP_DAYS, ROLES, STEPS, Prompt, choose

START = date(2025, 1, 1)
SEEDS = (0, 1, 7, 123_456_789, -42)


def _simulate(
    role: str | None, days: int, *, seed: int = 0, focus: tuple[str, ...] = ()
) -> list[tuple[date, Prompt]]:
    """Run the chooser the way the scheduler does: each pick is fed back as "used today"."""
    recent: dict[str, date] = {}
    picks: list[tuple[date, Prompt]] = []
    for offset in range(days):
        today = START + timedelta(days=offset)
        chosen = choose(role, recent, today, focus=focus, seed=seed)
        recent[chosen.id] = today
        picks.append((today, chosen))
    return picks


def _all_copy() -> dict[str, str]:
    """Every piece of text a person can read from this module, labelled for failure messages."""
    texts = {f"prompt {p.id}": p.text for p in prompts.all_prompts()}
    for key in prompts.ritual_keys():
        texts[f"ritual {key} label"] = prompts.ritual_label(key)
        texts[f"ritual {key} text"] = prompts.ritual_text(key)
    for key in (
        "text",
        "discreet",
        "done",
        "not_today",
        "later",
        "later_hour",
        "later_evening",
        "snoozed",
        "answered",
        "own_ritual",
    ):
        texts[f"reminder {key}"] = prompts.reminder_copy(key)
    return texts


# --- the pool ---------------------------------------------------------------------------------


def test_pool_is_large_enough_for_a_month_without_repeats() -> None:
    assert len(prompts.all_prompts()) >= 72


def test_ids_and_texts_are_unique() -> None:
    pool = prompts.all_prompts()
    ids = Counter(p.id for p in pool)
    texts = Counter(p.text.casefold() for p in pool)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [t for t, n in texts.items() if n > 1] == []


def test_ids_are_snake_case() -> None:
    bad = [p.id for p in prompts.all_prompts() if not p.id.isascii() or p.id != p.id.lower()]
    bad += [p.id for p in prompts.all_prompts() if not p.id.replace("_", "").isalnum()]
    assert bad == []


def test_every_step_has_at_least_six_prompts() -> None:
    counts = Counter(p.step for p in prompts.all_prompts())
    assert set(counts) <= set(STEPS)
    short = {step: counts[step] for step in STEPS if counts[step] < 6}
    assert short == {}, f"steps with fewer than 6 prompts: {short}"


def test_roles_are_valid_and_non_empty() -> None:
    for p in prompts.all_prompts():
        assert p.roles, p.id
        assert set(p.roles) <= set(ROLES), p.id


def test_owning_prompts_are_for_whoever_broke_trust() -> None:
    """Asking the person who was hurt to take responsibility for it would be blaming them."""
    own = [p for p in prompts.all_prompts() if p.step == "own"]
    assert own
    assert [p.id for p in own if "hurt" in p.roles] == []
    assert all({"broke", "both"} <= set(p.roles) for p in own)


def test_selftrust_prompts_all_reach_the_person_who_was_hurt() -> None:
    selftrust = [p for p in prompts.all_prompts() if p.step == "selftrust"]
    assert [p.id for p in selftrust if "hurt" not in p.roles] == []


@pytest.mark.parametrize("role", ROLES)
def test_each_role_has_enough_prompts_to_never_repeat_within_the_gap(role: str) -> None:
    suited = [p for p in prompts.all_prompts() if role in p.roles]
    assert len(suited) > REPEAT_GAP_DAYS


def test_no_prompt_is_over_200_characters() -> None:
    long = {p.id: len(p.text) for p in prompts.all_prompts() if len(p.text) > 200}
    assert long == {}


def test_prompts_read_as_a_question_or_invitation() -> None:
    bad = [p.id for p in prompts.all_prompts() if not p.text.endswith(("?", "."))]
    assert bad == []


# --- copy quality -----------------------------------------------------------------------------

BANNED_PHRASES = ("you should", "you must", "why didn't you", "why didn’t you", "always", "never")


def test_no_copy_lectures_or_deals_in_absolutes() -> None:
    offending = {
        where: [phrase for phrase in BANNED_PHRASES if phrase in text.casefold()]
        for where, text in _all_copy().items()
    }
    offending = {where: found for where, found in offending.items() if found}
    assert offending == {}, f"copy with banned phrases: {offending}"


def test_discreet_reminder_gives_nothing_away() -> None:
    """Discreet mode exists for screens other people can see, so it must read as anything."""
    discreet = prompts.reminder_copy("discreet").casefold()
    words = ("trust", "partner", "relationship", "hurt", "feel", "love", "cheat")
    assert [w for w in words if w in discreet] == []


def test_reminder_layout_fills_ritual_and_prompt() -> None:
    text = prompts.reminder_copy("text", ritual="RITUAL", prompt="PROMPT")
    assert text == "RITUAL\n\nPROMPT"
    own = prompts.reminder_copy("own_ritual", label="A walk after dinner")
    assert "A walk after dinner" in own


def test_done_is_warm_without_shouting() -> None:
    assert prompts.reminder_copy("done").count("!") <= 1


def test_unknown_reminder_key_is_an_error() -> None:
    with pytest.raises(KeyError):
        prompts.reminder_copy("nope")


# --- rituals ----------------------------------------------------------------------------------


def test_ritual_catalogue_has_the_core_rituals() -> None:
    keys = prompts.ritual_keys()
    assert {"coffee", "checkin", "kind_text", "no_phones", "question", "win"} <= set(keys)
    assert len(set(keys)) == len(keys)
    assert prompts.ritual_label("coffee") == "A coffee together"
    assert prompts.ritual_label("no_phones") == "Ten minutes, no phones"
    assert prompts.ritual_label("question") == "One real question"
    assert prompts.ritual_label("win") == "Celebrate a small win"
    for key in keys:
        assert prompts.ritual_label(key).strip()
        assert prompts.ritual_text(key).strip()


def test_unknown_ritual_is_an_error() -> None:
    with pytest.raises(KeyError):
        prompts.ritual_label("skydiving")
    with pytest.raises(KeyError):
        prompts.ritual_text("skydiving")


# --- choose -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, None])
@pytest.mark.parametrize("seed", SEEDS)
def test_a_year_of_daily_prompts_never_repeats_within_thirty_days(
    role: str | None, seed: int
) -> None:
    last_seen: dict[str, date] = {}
    repeats: list[str] = []
    for today, p in _simulate(role, 365, seed=seed):
        if p.id in last_seen and (today - last_seen[p.id]).days <= REPEAT_GAP_DAYS:
            repeats.append(f"{p.id} on {last_seen[p.id]} and {today}")
        last_seen[p.id] = today
    assert repeats == []


@pytest.mark.parametrize("role", ROLES)
def test_a_year_with_a_fixed_focus_still_never_repeats(role: str) -> None:
    last_seen: dict[str, date] = {}
    for today, p in _simulate(role, 365, seed=3, focus=("trigger", "wins")):
        if p.id in last_seen:
            assert (today - last_seen[p.id]).days > REPEAT_GAP_DAYS, p.id
        last_seen[p.id] = today


@pytest.mark.parametrize("role", [*ROLES, None])
def test_each_role_always_gets_a_prompt_suited_to_it(role: str | None) -> None:
    expected = "both" if role is None else role
    for seed in SEEDS:
        for focus in [(), ("own",), ("selftrust",), ("hurt", "grow")]:
            for _, p in _simulate(role, 120, seed=seed, focus=focus):
                assert expected in p.roles, (p.id, p.roles)


def test_missing_role_is_treated_as_both() -> None:
    for seed in SEEDS:
        assert choose(None, {}, START, seed=seed) == choose("both", {}, START, seed=seed)


def test_unknown_role_is_rejected() -> None:
    with pytest.raises(ValueError):
        choose("stranger", {}, START)


def test_the_whole_pool_is_walked_before_anything_returns() -> None:
    for role in ROLES:
        suited = {p.id for p in prompts.all_prompts() if role in p.roles}
        first_round = [p.id for _, p in _simulate(role, len(suited), seed=11)]
        assert set(first_round) == suited


@pytest.mark.parametrize("step", STEPS)
def test_focus_is_honoured_while_fresh_prompts_remain(step: str) -> None:
    role = "both"  # suits every step, so each focus can be met
    available = [p for p in prompts.all_prompts() if p.step == step and role in p.roles]
    picks = _simulate(role, len(available), seed=5, focus=(step,))
    assert [p.step for _, p in picks] == [step] * len(available)


def test_focus_falls_back_to_other_steps_once_used_up() -> None:
    available = [p for p in prompts.all_prompts() if p.step == "listen"]
    picks = _simulate("hurt", len(available) + 3, focus=("listen",))
    steps = [p.step for _, p in picks]
    assert steps[: len(available)] == ["listen"] * len(available)
    assert "listen" not in steps[len(available) :]


def test_several_focus_steps_share_the_days() -> None:
    focus = ("trigger", "wins", "grow")
    steps = [p.step for _, p in _simulate("broke", 12, seed=9, focus=focus)]
    assert set(steps) <= set(focus)
    assert len(set(steps)) > 1


def test_focus_that_does_not_suit_the_role_is_ignored_gracefully() -> None:
    p = choose("hurt", {}, START, focus=("own",))
    assert p.step != "own"
    assert "hurt" in p.roles


def test_unknown_focus_steps_are_ignored() -> None:
    assert choose("both", {}, START, focus=("nonsense",), seed=2) == choose(
        "both", {}, START, seed=2
    )


def test_a_prompt_used_exactly_thirty_days_ago_is_still_held_back() -> None:
    target = choose("both", {}, START, focus=("wins",), seed=4)
    used = {target.id: START - timedelta(days=REPEAT_GAP_DAYS)}
    pool = [p for p in prompts.all_prompts() if "both" in p.roles]
    for seed in range(40):
        assert choose("both", used, START, seed=seed).id != target.id
    # Everything else used yesterday: only the 30-day-old one would be "fresh" if the gap leaked.
    everyone_else = {p.id: START - timedelta(days=1) for p in pool if p.id != target.id}
    assert choose("both", {**everyone_else, **used}, START).id == target.id  # least recent
    assert (
        choose("both", {**everyone_else, target.id: START - timedelta(days=31)}, START).id
        == target.id
    )


def test_future_dates_in_recent_count_as_recent() -> None:
    pool = [p for p in prompts.all_prompts() if "both" in p.roles]
    tomorrow = START + timedelta(days=1)
    recent = {p.id: tomorrow for p in pool[1:]}
    assert choose("both", recent, START).id == pool[0].id


def test_when_everything_is_recent_the_least_recently_used_is_picked() -> None:
    pool = [p for p in prompts.all_prompts() if "hurt" in p.roles]
    recent = {p.id: START - timedelta(days=1 + i % 10) for i, p in enumerate(pool)}
    oldest = min(recent.values())
    for seed in SEEDS:
        chosen = choose("hurt", recent, START, seed=seed)
        assert "hurt" in chosen.roles
        assert recent[chosen.id] == oldest


def test_choice_is_deterministic_for_the_same_inputs() -> None:
    recent = {"wins_01": START - timedelta(days=3), "grow_02": START - timedelta(days=40)}
    for role in [*ROLES, None]:
        for seed in SEEDS:
            first = choose(role, recent, START, focus=("grow",), seed=seed)
            again = choose(role, dict(recent), START, focus=["grow"], seed=seed)
            assert first == again
    assert _simulate("broke", 60, seed=8) == _simulate("broke", 60, seed=8)


def test_seed_varies_the_choice_between_people() -> None:
    firsts = {choose("both", {}, START, seed=seed).id for seed in range(30)}
    assert len(firsts) > 5


def test_choice_does_not_mutate_recent() -> None:
    recent = {"wins_01": START - timedelta(days=3)}
    choose("both", recent, START)
    assert recent == {"wins_01": START - timedelta(days=3)}
