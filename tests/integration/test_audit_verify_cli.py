"""``onecard audit verify`` against a real SQLite file whose bytes were tampered with."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

from typer.testing import CliRunner

from infra.cli.main import app
from infra.eventstore.port import NO_STREAM, NewEvent
from infra.eventstore.sqlite import SqliteEventStore

runner = CliRunner()


async def _store_with_markers(path: Path) -> None:
    store = await SqliteEventStore.open(path)
    try:
        for n in range(1, 5):
            data = json.dumps({"note": f"MARKER-{n}", "金额": n * 100}).encode()
            event = NewEvent(uuid.uuid4(), "Noted", 1, data)
            await store.append(f"s-{n % 2}", [event], expected_version=NO_STREAM if n < 3 else 1)
    finally:
        await store.close()


def test_verify_reports_an_intact_store(tmp_path: Path) -> None:
    asyncio.run(_store_with_markers(tmp_path / "log.db"))
    result = runner.invoke(app, ["audit", "verify", "--url", f"sqlite:///{tmp_path}/log.db"])
    assert result.exit_code == 0, result.output
    assert "intact: 4 events in 2 streams" in result.output


def test_verify_names_the_position_of_one_flipped_byte_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    asyncio.run(_store_with_markers(path))
    raw = bytearray(path.read_bytes())
    at = raw.index(b"MARKER-3")
    assert raw.count(b"MARKER-3") == 1
    raw[at] ^= 0x01  # "M" becomes "L": one bit of one byte, behind the store's back
    path.write_bytes(bytes(raw))

    result = runner.invoke(app, ["audit", "verify", "--url", f"sqlite:///{path}"])

    assert result.exit_code == 1
    assert "BROKEN at position 3" in result.output
    assert "does not match its hash" in result.output
