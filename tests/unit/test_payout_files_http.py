"""The file exchange and reconciliation routes: a result file uploaded by the exchange's
operator is applied and reported (the same file again answers the first report), an unsound
one is a 4xx with its code and nothing applied; county finance reconciles a statement, others
may only read the payout's own statement."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from services.payout.domain.bank_file_layouts import (
    StatementLine,
    write_result_file,
    write_statement_file,
)
from tests.unit.payout_harness import PayoutWorld, payout_world
from tests.unit.payout_samples import APPROVED_AT, headers, rejected, succeeded

NOVEMBER_1 = datetime(2025, 10, 31, 16, 0, tzinfo=UTC)
RESULTS = write_result_file(
    [succeeded("r-1:1:1", 61_725), rejected("r-1:2:1", 30_000, "name_mismatch")], "gb18030"
)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[PayoutWorld]:
    async with payout_world(tmp_path, now=APPROVED_AT) as world:
        await world.submit_and_approve()
        yield world


async def upload(world: PayoutWorld, path: str, who: str, data: bytes) -> httpx.Response:
    sent = {**headers(who), "Content-Type": "text/csv"}
    return await world.client.post(path, headers=sent, content=data)


async def test_an_uploaded_result_file_is_applied_once_and_reported(world: PayoutWorld) -> None:
    path = "/banks/ABC/result-files?encoding=gb18030&file_name=ABC-1010.csv"
    first = await upload(world, path, "bank", RESULTS)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["already_imported"], body["dispositions"]) == (False, {"applied": 2})
    assert [line["row_status"] for line in body["lines"]] == ["paid", "failed"]
    again = await upload(world, path, "bank", RESULTS)
    assert again.json()["already_imported"] is True
    assert again.json()["lines"] == body["lines"]


@pytest.mark.parametrize(
    ("path", "data", "status", "code"),
    [
        ("/banks/ABC/result-files", RESULTS, 422, "bank_file_encoding"),
        ("/banks/ABC/result-files?encoding=gb18030", RESULTS[:-9], 422, "bank_file_truncated"),
        ("/banks/ABC/result-files?encoding=big5", RESULTS, 422, "bank_file_encoding_unknown"),
    ],
)
async def test_an_unsound_upload_is_refused_with_its_code_and_nothing_applied(
    world: PayoutWorld, path: str, data: bytes, status: int, code: str
) -> None:
    head = await world.store.head_position()
    answer = await upload(world, path, "bank", data)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert await world.store.head_position() == head


async def test_only_the_bank_exchange_uploads_result_files(world: PayoutWorld) -> None:
    answer = await upload(world, "/banks/ABC/result-files?encoding=gb18030", "finance", RESULTS)
    assert (answer.status_code, answer.json()["code"]) == (403, "role_not_permitted")


async def test_county_finance_reconciles_a_statement_and_others_read_ours(
    world: PayoutWorld,
) -> None:
    await upload(world, "/banks/ABC/result-files?encoding=gb18030", "bank", RESULTS)
    await world.deliver()
    world.advance_to(NOVEMBER_1)
    paid = StatementLine(2, "r-1:1:1", "succeeded", 61_725, "B-1", date(2025, 10, 10))
    statement = write_statement_file([paid], "utf-8")

    refused = await upload(world, "/banks/ABC/statements/2025-10", "auditor", statement)
    assert (refused.status_code, refused.json()["code"]) == (403, "role_not_permitted")
    done = await upload(world, "/banks/ABC/statements/2025-10", "finance", statement)
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["recorded"], body["balanced"], body["mismatch_kinds"]) == (
        True,
        False,
        {"not_on_statement": 1},
    )
    assert body["mismatches"][0]["row_no"] == 2

    ours = await world.get("/banks/ABC/statements/2025-10", "auditor")
    assert ours.status_code == 200, ours.text
    assert (ours.json()["succeeded_fen"], ours.json()["open_rows"]) == (61_725, 1)
    assert (await world.get("/banks/ABC/statements/2025-10", "bank")).status_code == 403
    invalid = await world.get("/banks/ABC/statements/2025-13", "auditor")
    assert (invalid.status_code, invalid.json()["code"]) == (422, "payout_period_invalid")
