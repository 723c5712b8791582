"""Safety and partnership rules, pure: who may do, share, answer or hear what."""

from __future__ import annotations

from dataclasses import replace

import pytest

from flows.core.contract import Profile
from flows.core.policy import (
    JOIN_COPY,
    Answer,
    Join,
    Other,
    answered,
    both_safe,
    for_two,
    may_answer,
    may_reach,
    may_share,
    note_copy,
    ours,
    safe_for_two,
)

ME = Profile(consented=True, role="both", paired=True)
SAFE = Other(safe_for_two=True, reachable=True)


@pytest.mark.parametrize(
    ("paused", "track", "expected"),
    [
        (None, "couples", True),
        ("abuse", "couples", False),
        ("self_harm", "couples", False),
        (None, "individual", False),
        (None, None, True),  # a stored row before the track was known
    ],
)
def test_safe_for_two_is_neither_paused_nor_individual(
    paused: str | None, track: str | None, expected: bool
) -> None:
    assert safe_for_two(paused, track) is expected


def test_an_exercise_for_two_and_sharing_follow_safety_and_a_link() -> None:
    assert for_two(ME) and may_share(ME)
    assert not may_share(replace(ME, paired=False))
    assert not for_two(replace(ME, paused="danger_now"))
    assert not may_share(replace(ME, track="individual"))


def test_nothing_reaches_a_partner_unless_both_are_safe_and_reachable() -> None:
    assert may_reach(ME, SAFE)
    assert not may_reach(ME, None)
    assert not may_reach(ME, Other(safe_for_two=False, reachable=True))
    assert not may_reach(ME, Other(safe_for_two=True, reachable=False))
    assert not may_reach(replace(ME, paused="abuse"), SAFE)
    # News both should hear waits only for safety, not for a blocked chat.
    assert both_safe(ME, Other(safe_for_two=True, reachable=False))
    assert not both_safe(replace(ME, track="individual"), SAFE)


def test_an_answer_needs_the_partners_own_message_and_safety() -> None:
    assert may_answer(ME, True, SAFE) is None
    assert may_answer(ME, False, SAFE) is Answer.GONE
    assert may_answer(ME, True, None) is Answer.GONE
    assert may_answer(replace(ME, paused="self_harm"), True, SAFE) is Answer.PAUSED


def test_accepting_an_agreement_activates_it_until_its_end_date() -> None:
    assert answered("agreement", "accept", "2026-04-01", "2026-03-01") is Answer.ACTIVATE
    assert answered("agreement", "accept", "2026-03-01", "2026-03-01") is Answer.EXPIRED
    assert answered("agreement", "decline", "2026-04-01", "2026-03-01") is Answer.NOTE
    assert answered("statement", "hear", "", "2026-03-01") is Answer.NOTE
    assert note_copy("decline") == ("partner.agreement", "declined")
    assert note_copy("hear") == ("partner.answers", "hear")


def test_an_invite_never_tells_whether_someone_is_still_here() -> None:
    assert set(JOIN_COPY) == set(Join)
    hidden = {Join.UNKNOWN, Join.USED, Join.EXPIRED, Join.GONE}
    assert {JOIN_COPY[j] for j in hidden} == {"cannot_join"}


def test_a_ritual_for_both_is_made_for_both_only_while_the_partner_is_safe() -> None:
    assert ours(SAFE)
    assert not ours(None)
    assert not ours(Other(safe_for_two=False, reachable=True))
