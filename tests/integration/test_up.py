"""``onecard up`` as a real process: broker, relay and five services, stopped together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from infra.bus.local_broker import free_port
from infra.settings import SERVICES

pytestmark = [pytest.mark.broker, pytest.mark.slow]
DEADLINE = 90.0


def _free_base() -> int:
    """A base port whose next five ports are all free right now."""
    for _ in range(50):
        base = free_port()
        if all(_bindable(base + n) for n in range(1, len(SERVICES) + 1)):
            return base
    pytest.fail("no run of six free ports")


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def _read_lines(stream: IO[bytes], lines: list[str]) -> None:
    for raw in stream:
        lines.append(raw.decode(errors="replace"))


def test_up_prints_every_api_and_stops_everything_on_ctrl_c(tmp_path: Path) -> None:
    base = _free_base()
    env = {
        **os.environ,
        "ONECARD_DATA_DIR": str(tmp_path),
        "ONECARD_EVENT_STORE_URL": f"sqlite:///{tmp_path}/events.db",
        "ONECARD_PROJECTION_DB_URL": f"sqlite+aiosqlite:///{tmp_path}/{{service}}.db",
        "ONECARD_KEY_FILE": str(tmp_path / "keys.json"),
        "ONECARD_HTTP_BASE_PORT": str(base),
    }
    env.pop("ONECARD_KAFKA_BOOTSTRAP_SERVERS", None)
    command = [sys.executable, "-m", "infra.cli", "up"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines: list[str] = []
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        deadline = time.monotonic() + DEADLINE
        while not any(line.startswith("relay →") for line in lines):
            assert process.poll() is None, f"up exited early with {process.returncode}"
            assert time.monotonic() < deadline, "up did not print its table in time"
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    table = "".join(lines)
    for n, service in enumerate(SERVICES, start=1):
        assert f"http://127.0.0.1:{base + n}/docs" in table, service
    assert process.returncode == 0
    assert not any(_listening(base + n) for n in range(1, len(SERVICES) + 1)), (
        "a service outlived up"
    )
