"""The demo's shared clock: every process of one system reads the same moved time from one
file, moved only forward, and never in production."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from infra.cli.main import app
from infra.clock import SharedClock, SystemClock
from infra.settings import Settings, get_settings
from infra.wiring import make_clock


@pytest.fixture(autouse=True)
def settings_read_afresh() -> Iterator[None]:
    """The CLI reads the settings once per process (cached): each test reads its own."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_clock_moved_in_one_process_is_seen_by_the_others(tmp_path: Path) -> None:
    mover = SharedClock(tmp_path / "clock.json")
    reader = SharedClock(tmp_path / "clock.json", refresh=0.0)
    assert abs(reader.now() - datetime.now(UTC)) < timedelta(seconds=5)
    mover.advance(timedelta(days=8))
    ahead = reader.now() - datetime.now(UTC)
    assert timedelta(days=8, seconds=-5) < ahead < timedelta(days=8, seconds=5)


def test_the_shared_clock_only_moves_forward(tmp_path: Path) -> None:
    clock = SharedClock(tmp_path / "clock.json")
    later = clock.advance(timedelta(hours=1))
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))
    assert clock.advance_to(later - timedelta(days=1)) >= later


def test_services_run_on_the_shared_clock_only_when_configured(tmp_path: Path) -> None:
    assert isinstance(make_clock(Settings(data_dir=tmp_path)), SystemClock)
    shared = make_clock(Settings(data_dir=tmp_path, shared_clock=True))
    assert isinstance(shared, SharedClock)
    assert shared.path == tmp_path / "clock.json"


def test_production_refuses_the_shared_clock(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="never production"):
        Settings(
            environment="prod",
            data_dir=tmp_path,
            shared_clock=True,
            key_file=tmp_path / "keys",
        )


def test_the_clock_command_moves_the_shared_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONECARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ONECARD_SHARED_CLOCK", "true")
    runner = CliRunner()
    moved = runner.invoke(app, ["clock", "advance", "--days", "10"])
    assert moved.exit_code == 0, moved.output
    offset = SharedClock(tmp_path / "clock.json").offset()
    assert timedelta(days=10) <= offset < timedelta(days=10, seconds=5)
    monkeypatch.setenv("ONECARD_SHARED_CLOCK", "false")
    get_settings.cache_clear()
    refused = runner.invoke(app, ["clock", "show"])
    assert refused.exit_code == 2
