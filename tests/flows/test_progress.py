from __future__ import annotations

import json

from flows.core import content
from flows.core.contract import Progress
from flows.views import progress
from tests.flows.driver import Chat


def test_too_little_data_gets_a_kind_sentence_and_no_picture() -> None:
    replies = progress.render(Progress(checkins=(("2026-03-01", 3),)))
    assert replies[-1].text == content.text("progress", "too_little")
    assert not any(r.attachments for r in replies)


def test_a_summary_and_a_chart_description() -> None:
    data = Progress(
        checkins=(("2026-03-01", 2), ("2026-03-02", 3), ("2026-03-03", 4)),
        wins=("2026-03-02",),
        rituals_kept=("2026-03-01", "2026-03-03"),
        kinds=("hurt", "statement"),
    )
    (reply,) = progress.render(data)
    assert "Check-ins: 3" in reply.text and "3.0 of 5" in reply.text
    assert "Small wins: 1" in reply.text and "Rituals kept: 2" in reply.text
    assert "/hurt, /reframe" in reply.text
    (chart,) = reply.attachments
    assert chart.kind == "chart"
    spec = json.loads(chart.data)
    assert spec["checkins"][0] == ["2026-03-01", 2]
    assert spec["wins"] == ["2026-03-02"]


def test_progress_mid_step_shows_the_step_again() -> None:
    chat = Chat()
    chat.onboard()
    chat.command("hurt")
    chat.command("progress")
    assert chat.where == ("hurt", "what")
    assert chat.last[-1].text == content.text("hurt.what")
