from __future__ import annotations

from pathlib import Path

from flows import coach
from flows.core.machine import END, Flow, State, has_words, slot_set, value_is
from flows.views import diagrams

DOCS = Path(__file__).resolve().parents[2] / "docs" / "flows.md"


def test_the_flows_page_is_up_to_date() -> None:
    expected = diagrams.document(coach.FLOWS[name] for name in sorted(coach.FLOWS))
    assert DOCS.read_text("utf-8") == expected, (
        "docs/flows.md is out of date with the flows: run make docs"
    )


def test_every_flow_has_a_section() -> None:
    page = diagrams.document(coach.FLOWS[name] for name in sorted(coach.FLOWS))
    for name in coach.FLOWS:
        assert f"\n## {name}\n" in page


def _sample() -> Flow:
    return Flow(
        "sample",
        1,
        [State("ask"), State("end_note"), State("note")],
        [
            {"trigger": "text", "source": "ask", "dest": "note", "conditions": has_words},
            {
                "trigger": "pick",
                "source": "ask",
                "dest": "end_note",
                "conditions": [value_is("yes", "sure"), slot_set("_editing")],
            },
            {"trigger": "pick", "source": "note", "dest": END, "conditions": value_is("done")},
            {"trigger": "pick", "source": "note", "dest": END, "conditions": value_is("done")},
            {
                "trigger": "text",
                "source": "end_note",
                "dest": "ask",
                "conditions": lambda event: True,
                "unless": has_words,
            },
        ],
        couples=True,
    )


def test_mermaid_is_drawn_from_the_machine() -> None:
    assert diagrams.mermaid(_sample()).splitlines() == [
        "stateDiagram-v2",
        '    state "note" as note_',
        "    [*] --> ask",
        "    ask --> note_: text [has_words]",
        "    end_note --> ask: text [check, not has_words]",
        "    ask --> end_note: pick yes, sure [editing]",
        "    note_ --> [*]: pick done",
    ]


def test_a_section_says_what_kind_of_flow_it_is() -> None:
    page = diagrams.document([_sample()])
    assert page.startswith(diagrams.HEADER)
    assert "## sample\n\nversion 1; for two" in page
    assert "States: `ask`, `end_note`, `note`." in page
    assert "```mermaid\nstateDiagram-v2\n" in page
