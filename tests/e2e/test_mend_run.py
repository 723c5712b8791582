"""The real `mend run` process against a fake Bot API on 127.0.0.1.

It survives SIGKILL in the middle of a step: the restarted process continues exactly where
the person was, with what they had already written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.core import content
from storage.crypto import new_key
from tests.fakebotapi import FakeBotAPI

ALEX = 424242
_KEY = new_key()
STARTUP = 30.0


def mend_command() -> list[str]:
    script = Path(sys.executable).with_name("mend")
    return [str(script), "run"] if script.exists() else [sys.executable, "-m", "bot.cli", "run"]


def upgrade(env: dict[str, str], cwd: Path) -> None:
    """What `make run` does before `mend start`: the bot never migrates the database itself."""
    command = [*mend_command()[:-1], "db", "upgrade"]
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


class Bot:
    """One `mend run` child process; kill() is SIGKILL, no goodbye."""

    def __init__(self, api: FakeBotAPI, data_dir: Path) -> None:
        self.api, self.data_dir = api, data_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "bot.log"

    def start(self) -> None:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": self.api.token,
            "TELEGRAM_API_URL": self.api.url,
            "MEND_DATA_DIR": str(self.data_dir),
            "LOG_LEVEL": "INFO",
        }
        env.pop("DATABASE_URL", None)
        env.setdefault("MEND_SECRET_KEY", _KEY)
        upgrade(env, self.data_dir)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                mend_command(),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.data_dir,
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@pytest.fixture
def bot(fake_api: FakeBotAPI, tmp_path: Path) -> Iterator[Bot]:
    runner = Bot(fake_api, tmp_path)
    yield runner
    runner.stop()
    log = runner.log.read_text(errors="replace") if runner.log.exists() else ""
    assert "Traceback" not in log, log


def say(api: FakeBotAPI, text: str, expect: str) -> None:
    api.mark()
    api.push_text(ALEX, text)
    api.wait_for_text(ALEX, expect, timeout=STARTUP)


def click(api: FakeBotAPI, label: str, expect: str) -> None:
    api.mark()
    api.click(ALEX, label)
    api.wait_for_text(ALEX, expect, timeout=STARTUP)


def test_start_reframe_then_survive_sigkill_mid_hurt(fake_api: FakeBotAPI, bot: Bot) -> None:
    api = fake_api
    bot.start()
    api.wait_until_polled(timeout=STARTUP)
    assert any(c["command"] == "reframe" for c in api.commands()), "the command menu is set"

    say(api, "/start", "not a therapist")
    click(api, "I understand", "Is that okay with you?")
    click(api, "Yes, keep my words", "closest to where you are")
    click(api, "A bit of both", "afraid of your partner")
    click(api, "No, I feel safe with them", "daily moment")
    click(api, "Not now", "/rituals")

    say(api, "/reframe", "What would you like to say")
    say(api, "You never listen to me", "What did you feel?")
    click(api, "lonely", "camera")
    say(api, "I was telling you about my day and you looked at your phone", "what do you need")
    click(api, "to be heard", "Here is your statement")
    click(api, "Save it", content.text("reframe.saved")[:30])

    say(api, "/hurt", "What happened?")
    say(api, "You told me you were at work, and you were not", "How did it land")

    bot.kill()  # SIGKILL mid-step: no shutdown, no goodbye
    bot.start()
    api.wait_until_polled(timeout=STARTUP)

    say(api, "Like the floor gave way", "What did it break")
    say(api, "Believing what I am told", "Shall I keep this")
    review = api.calls_to("sendMessage", chat_id=ALEX)[-1].text or ""
    assert "You told me you were at work" in review, "what was written before the kill is kept"
    click(api, "Save it", content.text("hurt.saved")[:30])

    say(api, "/journal", "Your journal")
    journal = api.calls_to("sendMessage", chat_id=ALEX)[-1].text or ""
    assert "Like the floor gave way" in journal
    assert "I felt lonely when I was telling you about my day" in journal


def test_a_bad_setting_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "LOG_LEVEL": "LOUD", "MEND_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        mend_command(),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "LOG_LEVEL" in done.stderr
