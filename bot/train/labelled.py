"""The labelled messages the model learns from, and the ones it must never see.

Two tasks share one encoder: *risk* (the crisis screen) and *statement* (the blame check).
Each task reads its team file (`tests/data/crisis.tsv`, `statements.tsv`, written while the
rules were built) plus every batch under `tests/data/crisis/` or `tests/data/statements/`
(written blind by people who never saw the rules or the model, each scored before it joined).
`tests/data/holdout/` is frozen: nothing there is ever trained on.

Validation rows are picked by a hash of their text, not by chance, so the split is the same
on every machine and a row never moves between train and validation when others are added.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

Task = Literal["risk", "statement"]

ROOT: Final = Path(__file__).resolve().parents[2] / "tests" / "data"
LABELS: Final[dict[Task, tuple[str, ...]]] = {
    "risk": ("none", "abuse", "self_harm", "danger_now"),
    "statement": ("neutral", "i_statement", "blame"),
}
"""Output order of each head; index 0 is the harmless class."""
TEAM_FILE: Final[dict[Task, str]] = {"risk": "crisis.tsv", "statement": "statements.tsv"}
BATCH_DIR: Final[dict[Task, str]] = {"risk": "crisis", "statement": "statements"}
HOLDOUT_DIR: Final = "holdout"
VALIDATION_SHARE: Final = 10  # percent
STYLES: Final = ("phone", "plain", "trap", "team")


@dataclass(frozen=True, slots=True)
class Row:
    task: Task
    label: str
    style: str
    text: str
    source: str


def _read(path: Path, task: Task) -> Iterator[Row]:
    """Team files are `label<TAB>…<TAB>text`; batches are `label<TAB>style<TAB>text`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    batch = lines[0].split("\t") == ["label", "style", "text"]
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        parts = line.split("\t")
        label, text = parts[0], parts[-1]
        style = parts[1] if batch else "team"
        if label not in LABELS[task] or not text.strip() or (batch and style not in STYLES):
            raise ValueError(f"{path.name}:{number}: not a {task} row")
        yield Row(task, label, style, text.strip(), path.name)


def team(task: Task) -> list[Row]:
    return list(_read(ROOT / TEAM_FILE[task], task))


def batches(task: Task, folder: str | None = None) -> list[Row]:
    where = ROOT / (folder or BATCH_DIR[task])
    rows: list[Row] = []
    for path in sorted(where.glob("*.tsv")):
        rows.extend(_read(path, task))
    return rows


def holdout(task: Task) -> list[Row]:
    prefix = BATCH_DIR[task]
    return [
        row
        for path in sorted((ROOT / HOLDOUT_DIR).glob(f"{prefix}-*.tsv"))
        for row in _read(path, task)
    ]


def training(task: Task) -> list[Row]:
    """Team rows and blind batches, one row per distinct text (the first label wins)."""
    frozen = {row.text.casefold() for row in holdout(task)}
    seen: set[str] = set()
    rows: list[Row] = []
    for row in team(task) + batches(task):
        key = row.text.casefold()
        if key in seen or key in frozen:
            continue
        seen.add(key)
        rows.append(row)
    return rows


def is_validation(text: str) -> bool:
    digest = hashlib.sha256(text.casefold().encode("utf-8")).digest()
    return digest[0] * 100 // 256 < VALIDATION_SHARE


def files() -> list[Path]:
    """Every file whose content shapes the model, in a stable order."""
    found: list[Path] = []
    for task in LABELS:
        found.append(ROOT / TEAM_FILE[task])
        found.extend(sorted((ROOT / BATCH_DIR[task]).glob("*.tsv")))
    found.extend(sorted((ROOT / HOLDOUT_DIR).glob("*.tsv")))  # excluded rows shape it too
    return found


def data_hash() -> str:
    """SHA-256 over the names and bytes of every file in `files()`."""
    digest = hashlib.sha256()
    for path in files():
        digest.update(path.relative_to(ROOT).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
