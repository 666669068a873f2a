"""File exchange with the agent bank, on the service as it is wired: a round's pending batch is
written as the bank file (its read logged like any batch the bank fetches), the bank's result
file comes back and is applied line by line; a result file that is not sound changes nothing,
and the same file twice is answered with the first report."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from contracts.envelope import Actor
from contracts.refusals import Refused
from infra.identity.permissions import Forbidden
from infra.identity.query_log import reads_of
from services.payout.application.bank_files import BatchFile, write_batch_files
from services.payout.application.reads import ReadContext
from services.payout.application.result_files import ResultFileReport, import_result_file
from services.payout.domain.bank_file import FileEncoding
from services.payout.domain.bank_file_layouts import read_batch_file, write_result_file
from services.payout.domain.results import BankResult
from tests.unit.contract_samples import ACCOUNT_NO
from tests.unit.payout_harness import PayoutWorld, payout_world
from tests.unit.payout_samples import (
    APPROVED_AT,
    BANK_CONNECTOR,
    FINANCE,
    context,
    rejected,
    succeeded,
)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[PayoutWorld]:
    async with payout_world(tmp_path, now=APPROVED_AT) as world:
        await world.submit_and_approve()
        yield world


async def export(
    world: PayoutWorld, *, actor: Actor = BANK_CONNECTOR, encoding: FileEncoding = "utf-8"
) -> list[BatchFile]:
    read = ReadContext(actor, world.clock.now(), uuid.uuid4(), "cli payout export-batch")
    return await write_batch_files(
        store=world.store,
        projections=world.payout.projections,
        cipher=world.payout.cipher,
        read_context=read,
        bank_code="ABC",
        encoding=encoding,
    )


async def import_file(
    world: PayoutWorld, data: bytes, *, actor: Actor = BANK_CONNECTOR
) -> ResultFileReport:
    return await import_result_file(
        store=world.store,
        codec=world.payout.codec,
        cipher=world.payout.cipher,
        projections=world.payout.projections,
        bank_code="ABC",
        data=data,
        file_name="ABC-results-20251010.csv",
        context=context(actor, world.clock.now()),
    )


async def test_a_pending_batch_goes_out_as_a_file_and_its_result_file_is_applied(
    world: PayoutWorld,
) -> None:
    (batch,) = await export(world, encoding="gb18030")
    assert (batch.row_count, batch.total_fen) == (3, 141_725)
    lines = read_batch_file(batch.data, "gb18030")
    assert [(i.instruction_id, i.amount_fen, i.query) for i in lines] == [
        ("r-1:1:1", 61_725, False),
        ("r-1:2:1", 30_000, False),
        ("r-1:4:1", 50_000, False),
    ]
    assert {(i.account_no, i.programme_name) for i in lines} == {(ACCOUNT_NO, "耕地地力保护补贴")}
    (logged,) = await reads_of(store=world.store, user_id="u-bank-abc", day=world.clock.now())
    assert (logged.event.subject_ids, logged.event.row_nos) == (("r-1",), (1, 2, 4))  # type: ignore[attr-defined]

    answers = write_result_file(
        [
            succeeded("r-1:1:1", 61_725),
            rejected("r-1:2:1", 30_000, "account_closed"),
            BankResult("r-1:4:1", "ABC", "unknown", 50_000),
        ],
        "utf-8",
    )
    report = await import_file(world, answers)

    assert [(line.line_no, line.disposition, line.row_status) for line in report.lines] == [
        (2, "applied", "paid"),
        (3, "applied", "failed"),
        (4, "applied", "unknown"),
    ]
    assert not report.already_imported
    assert await world.types("payment-r-1-1") == ["PaymentInstructed", "PaymentSucceeded"]
    (again,) = await export(world)
    assert [(i.instruction_id, i.query) for i in read_batch_file(again.data, "utf-8")] == [
        ("r-1:4:1", True)
    ]


async def test_the_same_result_file_again_is_answered_with_the_first_report(
    world: PayoutWorld,
) -> None:
    data = write_result_file([succeeded("r-1:1:1", 61_725), succeeded("r-9:1:1", 100)], "utf-8")
    first = await import_file(world, data)
    head = await world.store.head_position()

    second = await import_file(world, data)

    assert second.already_imported
    assert (second.lines, second.file_sha256) == (first.lines, first.file_sha256)
    assert first.dispositions == {"applied": 1, "unmatched": 1}
    assert await world.store.head_position() == head
    recorded = await world.types(f"payoutresultfile-{first.file_sha256}")
    assert recorded == ["ResultFileLinesReported", "ResultFileImported"]


async def test_a_line_its_row_refuses_is_reported_and_the_others_are_applied(
    world: PayoutWorld,
) -> None:
    data = write_result_file([succeeded("r-1:1:1", 61_725), succeeded("r-1:2:1", 29_999)], "utf-8")
    report = await import_file(world, data)
    assert [(line.disposition, line.code) for line in report.lines] == [
        ("applied", None),
        ("refused", "payout_amount_mismatch"),
    ]
    assert report.lines[1].message
    assert await world.types("payment-r-1-2") == ["PaymentInstructed"]


ANSWERS = [succeeded("r-1:1:1", 61_725), rejected("r-1:2:1", 30_000, "name_mismatch")]
SOUND = write_result_file(ANSWERS, "utf-8")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (SOUND.replace(b"617.25", b"617.52"), "bank_file_checksum_mismatch"),
        (SOUND[: SOUND.rindex(b"#CHECKSUM")], "bank_file_truncated"),
        (SOUND[: SOUND.rindex(b"#CHECKSUM") - 20], "bank_file_truncated"),
        (write_result_file(ANSWERS, "gb18030"), "bank_file_encoding"),
    ],
    ids=["checksum", "cut_before_checksum", "cut_mid_line", "gb18030_read_as_utf8"],
)
async def test_an_unsound_result_file_applies_nothing(
    world: PayoutWorld, data: bytes, code: str
) -> None:
    head = await world.store.head_position()
    with pytest.raises(Refused) as refused:
        await import_file(world, data)
    assert refused.value.code == code
    assert await world.store.head_position() == head


async def test_a_result_file_with_one_line_twice_applies_none_of_it(world: PayoutWorld) -> None:
    once = succeeded("r-1:1:1", 61_725)
    data = write_result_file([once, rejected("r-1:2:1", 30_000), once], "utf-8")
    head = await world.store.head_position()
    with pytest.raises(Refused) as refused:
        await import_file(world, data)
    assert refused.value.code == "bank_file_duplicate_line"
    assert await world.store.head_position() == head


async def test_only_the_bank_exchange_writes_or_reads_bank_files(world: PayoutWorld) -> None:
    with pytest.raises(Forbidden):
        await export(world, actor=FINANCE)
    assert await reads_of(store=world.store, user_id="u-finance", day=world.clock.now()) == []
    data = write_result_file([succeeded("r-1:1:1", 61_725)], "utf-8")
    head = await world.store.head_position()
    with pytest.raises(Forbidden):
        await import_file(world, data, actor=FINANCE)
    assert await world.store.head_position() == head


async def test_a_success_read_from_a_file_carries_the_banks_value_date(world: PayoutWorld) -> None:
    await import_file(world, write_result_file([succeeded("r-1:1:1", 61_725)], "utf-8"))
    history = await world.get("/instructions/r-1:1:1", "finance")
    assert history.status_code == 200, history.text
    succeeded_step = next(s for s in history.json()["history"] if s["step"] == "succeeded")
    assert date.fromisoformat(succeeded_step["value_date"]) == date(2025, 10, 10)
