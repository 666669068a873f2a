"""The README's main command, run as a user runs it: a fresh working directory, defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.bus.local_broker import free_port
from infra.mainjob.people import people

ONECARD = Path(sys.executable).with_name("onecard")
pytestmark = [pytest.mark.slow, pytest.mark.broker, pytest.mark.timeout(300)]


def test_the_main_command_runs_the_system_on_embedded_defaults(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONECARD_")}
    env["ONECARD_HTTP_BASE_PORT"] = str(free_port() - 10)  # keep clear of a running system

    def onecard(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ONECARD), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )

    result = onecard("run", "--exit", "--count", "12")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "201 registered                           12" in result.stdout
    assert "same person again: 409" in result.stdout
    assert "Excel-mangled ID:  422" in result.stdout
    assert "all registrations visible at publicity" in result.stdout
    assert "hash chain intact" in result.stdout
    assert (tmp_path / "var" / "keys.json").stat().st_mode & 0o077 == 0

    verified = onecard("audit", "verify")
    assert verified.returncode == 0
    assert "intact: 24 events" in verified.stdout
    stored = b"".join(p.read_bytes() for p in (tmp_path / "var").glob("*.db*"))
    logs = b"".join(p.read_bytes() for p in (tmp_path / "var" / "logs").glob("*.log"))
    for person in people(12, run_id="any", seed=12):  # the run's people: same seed
        for secret in (person.citizen_id, person.phone):
            assert secret.encode() not in stored
            assert secret.encode() not in logs
            assert secret not in result.stdout
