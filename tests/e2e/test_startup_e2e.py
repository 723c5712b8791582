"""Start-up problems are one line and exit 2, and nothing printed holds the token."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from storage.crypto import new_key
from tests.e2e.test_mend_run import mend_command, upgrade
from tests.fakebotapi import FakeBotAPI

REVOKED = "987654:REVOKED-token-that-must-never-be-printed"


def run(
    tmp_path: Path, token: str, api_url: str, level: str = "INFO"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_URL": api_url,
            "MEND_DATA_DIR": str(tmp_path),
            "MEND_SECRET_KEY": new_key(),
            "MEND_LANGUAGE_MODEL": "false",
            "LOG_LEVEL": level,
        }
    )
    upgrade(env, tmp_path)
    return subprocess.run(
        mend_command(),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def no_token(done: subprocess.CompletedProcess[str], token: str) -> str:
    printed = done.stdout + done.stderr
    assert token not in printed and token.split(":")[1] not in printed
    assert done.returncode == 2, printed[-2000:]
    return printed


def one_line(done: subprocess.CompletedProcess[str], token: str) -> str:
    printed = no_token(done, token)
    lines = [line for line in printed.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mend: "), lines[:5]
    return lines[0]


def test_a_revoked_token_is_one_line_without_the_token(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    line = one_line(run(tmp_path, REVOKED, fake_api.url), REVOKED)
    assert "TELEGRAM_BOT_TOKEN" in line


def test_an_unreachable_api_is_one_line(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, REVOKED, "http://127.0.0.1:9/"), REVOKED)
    assert "cannot reach" in line


def test_even_debug_logging_prints_no_token(fake_api: FakeBotAPI, tmp_path: Path) -> None:
    printed = no_token(run(tmp_path, REVOKED, fake_api.url, "DEBUG"), REVOKED)
    assert "mend: TELEGRAM_BOT_TOKEN" in printed
