"""Blind batches: every `blind-*.tsv` of a check's folder, one row per line, in file order.

Each batch was written by someone who saw neither the rules nor the code, scored once before
it joined (docs/language.md), and is held by floors in the check's own tests.
"""

from __future__ import annotations

from pathlib import Path


def rows(folder: Path, columns: int) -> list[list[str]]:
    """Every non-blank line of every batch in `folder`, split into `columns` fields."""
    return [
        line.split("\t", columns - 1)
        for path in sorted(folder.glob("blind-*.tsv"))
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]
