"""A new step is one module and one content file: it then shows up everywhere, with no other
edit. The files are written into the real folders for the length of the test (and removed),
and checked in a fresh interpreter, exactly as a newcomer adding a step would see it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import flows

ROOT = Path(flows.__file__).resolve().parent
MODULE = ROOT / "steps" / "zz_kindness.py"
COPY = ROOT / "content" / "en" / "zz_kindness.toml"

STEP_MODULE = '''
"""/kindness: one kind thing you noticed today (a step written only for this test)."""

from flows.core.step import Step
from flows.core.written import written_step

FLOW = written_step("kindness", ("noticed",))
STEP = Step(
    flow=FLOW, name="kindness", command="kindness", place=95, on_map=True,
    kinds=("kindness",), roles=("both",), topic="kindness",
)
'''

STEP_COPY = """
[kindness.command]
text = "Notice one kind thing"
about = "notice one kind thing from today"

[kindness.journal]
kind = "Kindness noticed"
parts = { noticed = "What I noticed" }

[kindness.noticed]
text = "What kind thing did you notice today?"

[kindness.review]
text = "You noticed: {noticed}. Keep it?"
options = { save = "Save it", edit = "Change it", restart = "Start over" }

[kindness.edit]
text = "Which part?"
options = { noticed = "What I noticed", back = "Back" }

[kindness.saved]
text = "Saved."

[kindness.skipped]
text = "(not said)"
"""

CHECK = """
from flows import coach, steps
from flows.core.contract import Command, JournalItem, Profile, Progress
from tests.flows.driver import Memory

profile = Profile(consented=True, role="both", safety_checked_on="2026-03-01")
menu = coach.command_menu()
assert menu["kindness"] == "Notice one kind thing", "menu"
assert list(menu).index("grow") < list(menu).index("kindness") < list(menu).index("win"), "place"
assert "/kindness – Notice one kind thing" in coach.help_reply().text, "/help"

memory = Memory()
memory.items = [JournalItem("kindness", (("noticed", "the tea"),), "01 Mar 2026")]
memory.progress_data = Progress(kinds=("kindness",))
said = lambda outcome: "\\n".join(r.text for r in outcome.replies)
shown = said(coach.handle(profile, coach.IDLE, Command("steps"), memory))
assert "✓ /kindness – notice one kind thing from today" in shown, "/steps"
assert "/kindness" in said(coach.handle(profile, coach.IDLE, Command("progress"), memory))
journal = said(coach.handle(profile, coach.IDLE, Command("journal"), memory))
assert "Kindness noticed" in journal and "What I noticed: the tea" in journal, "/journal"
opened = coach.handle(profile, coach.IDLE, Command("kindness"))
assert opened.conversation.flow == "kindness", "the command opens it"
assert "kindness" in steps.topics("both"), "daily questions"
print("everywhere")
"""


def test_a_new_step_module_shows_up_everywhere_with_no_other_edit() -> None:
    assert not MODULE.exists() and not COPY.exists()
    try:
        MODULE.write_text(textwrap.dedent(STEP_MODULE), "utf-8")
        COPY.write_text(STEP_COPY, "utf-8")
        done = subprocess.run(
            [sys.executable, "-c", CHECK],
            capture_output=True,
            text=True,
            cwd=ROOT.parent,
            timeout=120,
            check=False,
        )
    finally:
        MODULE.unlink(missing_ok=True)
        COPY.unlink(missing_ok=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "everywhere"


def test_without_it_nothing_mentions_it() -> None:
    from flows import coach

    assert "kindness" not in coach.command_menu()
