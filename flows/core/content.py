"""Copy lives in TOML files keyed by section, so wording changes never touch code.

A future language is a new file (`content/<lang>.toml`) with the same keys; a missing key is
a bug we want to see at import time in tests, not a blank message in someone's chat.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

DEFAULT_LANGUAGE = "en"


class MissingCopy(KeyError):
    """A content key the code asked for is not in the content file."""


@cache
def _load(language: str) -> dict[str, Any]:
    """The language's main file, plus one file per healing step in `content/<language>/`.

    A step's copy can live in its own file so a new step touches no shared one; a section
    defined twice is a mistake worth failing on.
    """
    root = resources.files("flows").joinpath("content")
    merged: dict[str, Any] = tomllib.loads(root.joinpath(f"{language}.toml").read_text("utf-8"))
    folder = root.joinpath(language)
    if folder.is_dir():
        for item in sorted(folder.iterdir(), key=lambda i: i.name):
            if not item.name.endswith(".toml"):
                continue
            for name, table in tomllib.loads(item.read_text("utf-8")).items():
                if name in merged:
                    raise ValueError(f"content/{language}/{item.name}: [{name}] defined twice")
                merged[name] = table
    return merged


@cache
def section(path: str, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """The table at a dotted path, e.g. ``section("hurt.what")``. Callers must not mutate it."""
    node: Any = _load(language)
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise MissingCopy(f"{language}: {path}")
        node = node[part]
    if not isinstance(node, dict):
        raise MissingCopy(f"{language}: {path} is not a table")
    return node


class _Lenient(dict[str, str]):
    """Fills placeholders from slots; a missing one renders empty instead of raising mid-chat."""

    def __missing__(self, key: str) -> str:
        return ""


def text(path: str, key: str = "text", language: str = DEFAULT_LANGUAGE, **values: str) -> str:
    """One piece of copy, with ``{placeholders}`` filled from `values`."""
    table = section(path, language)
    if key not in table:
        raise MissingCopy(f"{language}: {path}.{key}")
    raw = table[key]
    if not isinstance(raw, str):
        raise MissingCopy(f"{language}: {path}.{key} is not text")
    return raw.format_map(_Lenient(values)) if values else raw


@cache
def options(path: str, language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The ordered value → label choices of a prompt (empty when it has none)."""
    table = section(path, language)
    raw = table.get("options", {})
    if not isinstance(raw, dict):
        raise MissingCopy(f"{language}: {path}.options is not a table")
    return {str(k): str(v) for k, v in raw.items()}
