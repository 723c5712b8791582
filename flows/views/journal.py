"""How saved journal entries read back to their author."""

from __future__ import annotations

from collections.abc import Sequence

from flows import steps
from flows.core import content
from flows.core.contract import JournalItem, Reply

SHOWN = 10
MAX_WORDS_SHOWN = 600


def _labels(kind: str) -> tuple[str, dict[str, str]]:
    """A kind's name and part labels: from the step that saves it (`[<step>.journal]`), with
    the shared part labels for parts it does not name itself."""
    parts = dict(content.section("journal.parts"))
    owner = steps.owner_of(kind)
    if owner is None:
        return kind, parts
    own = content.section(f"{owner.name}.journal")
    parts.update({str(k): str(v) for k, v in dict(own.get("parts", {})).items()})
    return str(own.get("kind", kind)), parts


def _short(words: str) -> str:
    return words if len(words) <= MAX_WORDS_SHOWN else words[:MAX_WORDS_SHOWN].rstrip() + "…"


def to_copy(kind: str, parts: Sequence[tuple[str, str]]) -> str:
    """An entry that was not kept, written out in full so the person can copy it."""
    name, labels = _labels(kind)
    return "\n".join([name, *(f"{labels.get(part, part)}: {words}" for part, words in parts)])


def render(items: Sequence[JournalItem]) -> tuple[Reply, ...]:
    if not items:
        return (Reply(content.text("journal", "empty")),)
    blocks = [content.text("journal", "header")]
    for item in items[:SHOWN]:
        name, labels = _labels(item.kind)
        lines = [f"— {item.created_on} · {name}"]
        lines += [f"{labels.get(part, part)}: {_short(words)}" for part, words in item.parts]
        blocks.append("\n".join(lines))
    if len(items) > SHOWN:
        blocks.append(content.text("journal", "more", count=str(SHOWN)))
    return (Reply("\n\n".join(blocks)),)
