"""deploy/: a systemd unit an operator can install as it is, running what the CLI has."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot import cli
from bot.settings import Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNIT = DEPLOY / "mend.service"
ENV_EXAMPLE = DEPLOY / "mend.env.example"


def unit() -> configparser.ConfigParser:
    """systemd's format read the way systemd reads it: keys keep their case, a key may
    repeat (the last wins here), and `%` is not interpolation."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text("utf-8"), source=str(UNIT))
    return parser


def test_the_unit_runs_mend_serve_and_comes_back_after_a_crash() -> None:
    service = unit()["Service"]
    program, *args = service["ExecStart"].split()
    assert program.startswith("/") and program.endswith("/bin/mend"), "systemd needs a path"
    assert cli.parser().parse_args(args).command == "serve"
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == str(cli.EXIT_CONFIG), (
        "a configuration mistake is not retried forever"
    )
    assert service["User"] == "mend"
    assert service["EnvironmentFile"].startswith("/")
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def test_the_unit_keeps_the_data_folder_private_and_the_rest_out_of_reach() -> None:
    service = unit()["Service"]
    assert service["Environment"] == f"MEND_DATA_DIR=/var/lib/{service['StateDirectory']}"
    assert service["StateDirectoryMode"] == "0700" and service["UMask"] == "0077"
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
        "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "SystemCallFilter": "@system-service",
    }.items():
        assert service[key] == value, key


def test_the_example_environment_file_names_real_settings_only() -> None:
    names = re.findall(r"^([A-Z_]+)=", ENV_EXAMPLE.read_text("utf-8"), re.MULTILINE)
    assert "MEND_SECRET_KEY" in names and "DATABASE_URL" in names
    known = {name.upper() for name in Settings.model_fields}
    assert set(names) <= known, set(names) - known


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_reads_every_line_of_the_unit(tmp_path: Path) -> None:
    """`systemd-analyze verify` warns about a mistyped or unknown directive; the program
    itself is installed on the server, not here, so a stand-in takes its place."""
    program = unit()["Service"]["ExecStart"].split()[0]
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text("utf-8").replace(program, "/bin/true"), "utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and copy.name not in done.stderr, done.stderr
