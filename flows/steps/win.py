"""/win: log a small win in one tap or a few words ("the fight that never started")."""

from __future__ import annotations

from transitions import EventData

from flows import content
from flows.contract import JournalRecord
from flows.flow import END, Flow, State, has_words, model_of, value_of

COMMAND = "win"
ORDER = 80


def _quick(event: EventData) -> bool:
    return value_of(event) in content.options("win.ask")


def _save(words: str, event: EventData) -> None:
    turn = model_of(event)
    turn.records.append(JournalRecord("win", (("win", words.strip()[:500]),)))
    turn.say(content.text("win.saved"))


def _save_quick(event: EventData) -> None:
    _save(content.options("win.ask")[value_of(event)], event)


def _save_typed(event: EventData) -> None:
    _save(value_of(event), event)


FLOW = Flow(
    name="win",
    version=1,
    states=[State("ask")],
    transitions=[
        {
            "trigger": "pick",
            "source": "ask",
            "dest": END,
            "conditions": _quick,
            "before": _save_quick,
        },
        {
            "trigger": "text",
            "source": "ask",
            "dest": END,
            "conditions": has_words,
            "before": _save_typed,
        },
    ],
)
