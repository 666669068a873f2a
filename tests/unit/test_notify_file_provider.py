"""The file provider, the demo's "phone": the whole message in a spool file per day in China,
protected like a key file (folder 0700, files 0600), the number only masked in its name and in
the log."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import orjson
from structlog.testing import capture_logs

from contracts.pii import PhoneNo
from infra.clock import AdjustableClock
from services.notify.adapters.file_provider import SpoolFileProvider
from services.notify.application.ports import OutgoingSms
from services.notify.domain.delivery import Delivered, Transient

PHONE = "13800138000"


async def test_each_message_is_one_line_of_the_days_spool_file(tmp_path: Path) -> None:
    clock = AdjustableClock(start=datetime(2025, 10, 9, 17, 30, tzinfo=UTC))  # 10 Oct in China
    provider = SpoolFileProvider(folder=tmp_path / "spool", clock=clock)
    with capture_logs() as logs:
        first = await provider.send(OutgoingSms("sms-r-1:1:1", PhoneNo(PHONE), "短信一"))
        second = await provider.send(OutgoingSms("sms-r-1:2:1", PhoneNo(PHONE), "短信二"))

    assert first == second == Delivered("sms-20251010.jsonl")
    (path,) = (tmp_path / "spool").iterdir()
    assert path.name == "sms-20251010.jsonl"
    lines = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert [(line["id"], line["to"], line["text"]) for line in lines] == [
        ("sms-r-1:1:1", PHONE, "短信一"),
        ("sms-r-1:2:1", PHONE, "短信二"),
    ]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "spool").stat().st_mode) == 0o700
    assert PHONE not in repr(logs)
    assert {entry["to"] for entry in logs} == {"*******8000"}


async def test_an_unwritable_spool_is_tried_again_later(tmp_path: Path) -> None:
    blocker = tmp_path / "spool"
    blocker.write_text("a file where the folder should be")
    provider = SpoolFileProvider(folder=blocker, clock=AdjustableClock())
    outcome = await provider.send(OutgoingSms("sms-r-1:1:1", PhoneNo(PHONE), "短信"))
    assert outcome == Transient("spool_unwritable")
