"""``onecard serve registry`` as a real process: it answers, is ready, and stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.bus.local_broker import LocalBroker, free_port

pytestmark = [pytest.mark.broker, pytest.mark.slow]
DEADLINE = 60.0


@pytest.fixture
def broker() -> Iterator[LocalBroker]:
    with LocalBroker() as running:
        yield running


def _environment(tmp_path: Path, broker: LocalBroker, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "ONECARD_DATA_DIR": str(tmp_path),
        "ONECARD_EVENT_STORE_URL": f"sqlite:///{tmp_path}/events.db",
        "ONECARD_PROJECTION_DB_URL": f"sqlite+aiosqlite:///{tmp_path}/{{service}}.db",
        "ONECARD_KEY_FILE": str(tmp_path / "keys.json"),
        "ONECARD_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "ONECARD_HTTP_BASE_PORT": str(port - 1),
    }


def _get(url: str) -> tuple[int, dict[str, object]] | None:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError:
        return None


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> dict[str, object]:
    deadline, answer = time.monotonic() + DEADLINE, None
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve exited early with {process.returncode}"
        answer = _get(url)
        if answer is not None and answer[0] == 200:
            return answer[1]
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer 200 within {DEADLINE}s; last: {answer}")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_serve_answers_health_and_ready_then_stops_cleanly(
    tmp_path: Path, broker: LocalBroker, stop_signal: signal.Signals
) -> None:
    port = free_port()
    command = [sys.executable, "-m", "infra.cli", "serve", "registry"]
    env = _environment(tmp_path, broker, port)
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/health", process) == {"status": "ok"}
        ready = _wait_for(f"http://127.0.0.1:{port}/ready", process)
        assert ready["checks"] == {"event_store": "ok", "projections": "ok", "broker": "ok"}
        process.send_signal(stop_signal)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr.decode(errors="replace")[-2000:]
