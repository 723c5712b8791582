"""The rooms keep to themselves (DESIGN §1): flows/ is pure and storage/ knows no adapter.

flows/ decides and never does I/O beyond reading its own packaged files (copy, model), so
every rule is tested in microseconds; storage/ may read the contract it stores, never bot/.
Read from the source, so a new import anywhere is caught the moment it is written.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IO = (
    "bot",
    "storage",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "telegram",
    "httpx",
    "apscheduler",
    "psycopg",
    "sqlite3",
    "socket",
    "urllib.request",
    "requests",
    "matplotlib",
    "asyncio",
    "subprocess",
)
RULES = {"flows": IO, "storage": ("bot",)}


def imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def breaks(name: str, banned: tuple[str, ...]) -> bool:
    return any(name == b or name.startswith(b + ".") for b in banned)


@pytest.mark.parametrize("room", sorted(RULES))
def test_each_room_imports_only_what_it_may(room: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / room).rglob("*.py")
        for name in imported(path)
        if breaks(name, RULES[room])
    }
    assert not wrong, sorted(wrong)


def test_the_checker_can_see_a_breach(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from sqlalchemy import select\nimport bot.service\n", "utf-8")
    assert {n for n in imported(bad) if breaks(n, IO)} == {"sqlalchemy", "bot.service"}
