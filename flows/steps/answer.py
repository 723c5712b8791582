"""Answering the day's question: the answer goes to the person's own journal."""

from __future__ import annotations

from transitions import EventData

from flows.core.contract import Reply
from flows.core.machine import END, Flow, State, Turn, has_words, journal, model_of, store
from flows.core.step import Step
from flows.views import prompts

PROMPT = "prompt"


def _wait(flow: Flow, turn: Turn) -> Reply:
    return flow.plain_prompt("wait", {}, prompt=turn.slots.get(PROMPT, ""))


def _thanks(event: EventData) -> None:
    model_of(event).say(prompts.reminder_copy("answered"))


FLOW = Flow(
    name="answer",
    version=1,
    states=[State("wait", render=_wait)],
    transitions=[
        {
            "trigger": "text",
            "source": "wait",
            "dest": END,
            "conditions": has_words,
            "before": [store("answer"), journal("prompt", (PROMPT, "answer")), _thanks],
        },
    ],
)

STEP = Step(flow=FLOW, name="answer", kinds=("prompt",))
