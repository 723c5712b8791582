"""The daily prompt and ritual a person is sent, and the choice of which prompt comes next.

Kept stdlib-only and free of I/O beyond reading its own TOML, so the scheduler can call
`choose` anywhere (including from tests and benchmarks) without a database or a bot. Choice
is deterministic: the caller passes the date and a per-person seed, so a retried or replayed
reminder picks the same prompt instead of surprising someone with a different question.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

STEPS: tuple[str, ...] = (
    "hurt",
    "reframe",
    "listen",
    "own",
    "transparency",
    "trigger",
    "selftrust",
    "grow",
    "wins",
    "rituals",
)
ROLES: tuple[str, ...] = ("hurt", "broke", "both")
# "Both" is the safe default for someone who has not said: those prompts are written for
# people who were hurt *and* carry responsibility, so they do not presume either side.
DEFAULT_ROLE = "both"
# A prompt seen within this many days is not repeated: long enough that it reads fresh,
# short enough that a small pool per role never runs dry.
REPEAT_GAP_DAYS = 30
MAX_PROMPT_CHARS = 200

_RESOURCE = "content/prompts_en.toml"


@dataclass(frozen=True, slots=True)
class Prompt:
    """One daily question; `id` is what journals and `recent` refer to, so it must stay stable."""

    id: str
    step: str
    roles: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class _Ritual:
    label: str
    text: str


@dataclass(frozen=True, slots=True)
class _Content:
    prompts: tuple[Prompt, ...]
    rituals: dict[str, _Ritual]
    reminder: dict[str, str]


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"prompts_en.toml {where}: '{key}' must be non-empty text")
    return value.strip()


def _prompt(raw: Any, index: int) -> Prompt:
    where = f"[[prompt]] #{index + 1}"
    if not isinstance(raw, dict):
        raise ValueError(f"prompts_en.toml {where}: must be a table")
    pid = _text(raw, "id", where)
    where = f"[[prompt]] {pid!r}"
    step = _text(raw, "step", where)
    if step not in STEPS:
        raise ValueError(f"prompts_en.toml {where}: unknown step {step!r}")
    roles = raw.get("roles")
    if (
        not isinstance(roles, list)
        or not roles
        or any(role not in ROLES for role in roles)
        or len(set(roles)) != len(roles)
    ):
        raise ValueError(f"prompts_en.toml {where}: roles must be distinct values from {ROLES}")
    text = _text(raw, "text", where)
    if len(text) > MAX_PROMPT_CHARS:
        raise ValueError(f"prompts_en.toml {where}: text is over {MAX_PROMPT_CHARS} characters")
    return Prompt(id=pid, step=step, roles=tuple(roles), text=text)


@cache
def _content() -> _Content:
    """Parse and validate strictly, so a typo in the copy fails the tests, not a morning message."""
    raw = tomllib.loads(resources.files("flows").joinpath(_RESOURCE).read_text("utf-8"))
    entries = raw.get("prompt")
    if not isinstance(entries, list) or not entries:
        raise ValueError("prompts_en.toml: no [[prompt]] entries")
    prompts = tuple(_prompt(entry, i) for i, entry in enumerate(entries))
    seen: set[str] = set()
    for p in prompts:
        if p.id in seen:
            raise ValueError(f"prompts_en.toml: duplicate prompt id {p.id!r}")
        seen.add(p.id)

    rituals_raw = raw.get("rituals")
    if not isinstance(rituals_raw, dict) or not rituals_raw:
        raise ValueError("prompts_en.toml: the [rituals] tables are missing")
    rituals: dict[str, _Ritual] = {}
    for key, entry in rituals_raw.items():
        if not isinstance(entry, dict):
            raise ValueError(f"prompts_en.toml [rituals.{key}]: must be a table")
        where = f"[rituals.{key}]"
        rituals[key] = _Ritual(label=_text(entry, "label", where), text=_text(entry, "text", where))

    reminder_raw = raw.get("reminder")
    if not isinstance(reminder_raw, dict):
        raise ValueError("prompts_en.toml: the [reminder] table is missing")
    # Not stripped: the layout template's blank line between ritual and prompt is deliberate.
    reminder = {str(k): v for k, v in reminder_raw.items() if isinstance(v, str) and v.strip()}
    if len(reminder) != len(reminder_raw):
        raise ValueError("prompts_en.toml [reminder]: every entry must be non-empty text")
    return _Content(prompts=prompts, rituals=rituals, reminder=reminder)


def all_prompts() -> tuple[Prompt, ...]:
    """Every prompt in file order, so tests and tooling judge the very pool `choose` uses."""
    return _content().prompts


def _tiebreak(seed: int, today: date, prompt_id: str) -> bytes:
    """A stable pseudo-random rank: varies by person and by day, yet replays identically.

    Python's ``hash()`` of a string is salted per process, and global ``random`` is shared
    state, so neither would give the same prompt after a restart or in a parallel job.
    """
    key = f"{seed}|{today.toordinal()}|{prompt_id}".encode()
    return hashlib.blake2b(key, digest_size=8).digest()


def choose(
    role: str | None,
    recent: Mapping[str, date],
    today: date,
    *,
    focus: Sequence[str] = (),
    seed: int = 0,
    avoid: Sequence[str] = (),
) -> Prompt:
    """Today's prompt for someone, never one they saw in the last `REPEAT_GAP_DAYS` days.

    `focus` steps are preferred as a group rather than in order, so someone working on, say,
    listening and triggers gets variety within where they are instead of exhausting one step
    first. Prompts they have not seen at all come before ones seen long ago, which walks the
    whole pool before anything returns. A date in `recent` later than `today` (clock skew,
    travel across time zones) counts as recent, because repeating is the worse mistake.
    """
    wanted = DEFAULT_ROLE if role is None else role
    if wanted not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {ROLES} or None")
    suited = [p for p in all_prompts() if wanted in p.roles]
    if avoid:  # e.g. exercises for two, for someone on the individual track
        suited = [p for p in suited if p.step not in avoid] or suited
    if not suited:  # guarded by tests; kept so a bad content edit fails loudly here too
        raise LookupError(f"no prompt suits the role {wanted!r}")

    focused = frozenset(focus)
    fresh = [
        p for p in suited if p.id not in recent or (today - recent[p.id]).days > REPEAT_GAP_DAYS
    ]
    if fresh:
        # The best tier (in focus, then never seen), and one stable pseudo-random pick in it:
        # a single hash per choice, since the scheduler makes one for every reminder it sends.
        rank = {p.id: (p.step not in focused, p.id in recent) for p in fresh}
        best = min(rank.values())
        tier = [p for p in fresh if rank[p.id] == best]
        pick = int.from_bytes(_tiebreak(seed, today, "pick"), "big") % len(tier)
        return tier[pick]
    # Only reachable with a pool smaller than the gap: the stalest prompt is the kindest repeat.
    return min(suited, key=lambda p: (recent[p.id], _tiebreak(seed, today, p.id)))


def _ritual(key: str) -> _Ritual:
    rituals = _content().rituals
    if key not in rituals:
        raise KeyError(f"unknown ritual {key!r}; expected one of {tuple(rituals)}")
    return rituals[key]


def ritual_label(key: str) -> str:
    """The short name shown on a button, so people pick a ritual by what it is, not by its key."""
    return _ritual(key).label


def ritual_text(key: str) -> str:
    """The one- or two-sentence invitation that opens a reminder for this ritual."""
    return _ritual(key).text


def ritual_keys() -> tuple[str, ...]:
    """Catalogue keys in file order, so the choice menu follows the order the copy intends."""
    return tuple(_content().rituals)


class _Lenient(dict[str, str]):
    """A missing placeholder renders empty: a slightly odd reminder beats none at all."""

    def __missing__(self, key: str) -> str:
        return ""


def reminder_copy(key: str, **values: str) -> str:
    """Reminder wording (``done``, ``later``, ``own_ritual`` …) with ``{placeholders}`` filled.

    Lives beside the prompts so the whole daily message can be reworded in one file.
    """
    table = _content().reminder
    if key not in table:
        raise KeyError(f"prompts_en.toml [reminder]: no {key!r}")
    return table[key].format_map(_Lenient(values)) if values else table[key]


def prompt_text(prompt_id: str) -> str | None:
    """The words of a prompt sent earlier (None if it has since been removed from the file)."""
    for prompt in all_prompts():
        if prompt.id == prompt_id:
            return prompt.text
    return None
