"""The README's main command, run as a user runs it: a fresh working directory, defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ONECARD = Path(sys.executable).with_name("onecard")


@pytest.mark.slow
def test_the_main_command_runs_on_embedded_defaults_and_leaves_a_verifiable_store(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONECARD_")}

    def onecard(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ONECARD), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    first = onecard("run")
    assert first.returncode == 0, first.stderr
    assert "conflict:" in first.stdout
    assert "audit verify: 3 events, 3 streams: intact" in first.stdout
    assert (tmp_path / "var" / "onecard.db").exists()
    assert (tmp_path / "var" / "keys.json").stat().st_mode & 0o077 == 0

    second = onecard("run")
    assert "audit verify: 6 events, 6 streams: intact" in second.stdout
    verified = onecard("audit", "verify")
    assert verified.returncode == 0
    assert "intact: 6 events" in verified.stdout
    stored = b"".join(p.read_bytes() for p in (tmp_path / "var").glob("onecard.db*"))
    for text in ("13909910000", "650102196803141007"):  # first person's phone and ID
        assert text.encode() not in stored
