"""How saved journal entries read back to their author."""

from __future__ import annotations

from collections.abc import Sequence

from flows import content
from flows.contract import JournalItem, Reply

SHOWN = 10


def render(items: Sequence[JournalItem]) -> tuple[Reply, ...]:
    if not items:
        return (Reply(content.text("journal", "empty")),)
    kinds = content.section("journal.kinds")
    labels = content.section("journal.parts")
    blocks = [content.text("journal", "header")]
    for item in items[:SHOWN]:
        lines = [f"— {item.created_on} · {kinds.get(item.kind, item.kind)}"]
        lines += [f"{labels.get(name, name)}: {words}" for name, words in item.parts]
        blocks.append("\n".join(lines))
    if len(items) > SHOWN:
        blocks.append(content.text("journal", "more", count=str(SHOWN)))
    return (Reply("\n\n".join(blocks)),)
