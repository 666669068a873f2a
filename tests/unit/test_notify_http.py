"""The work queue: a failed payment is a notice for its township and the programme's county
department, with the bank's reason in Chinese, until the row is paid or returned; read only by
those who read payments there, and every read is logged first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from infra.identity.query_log import reads_of
from tests.unit.notify_harness import NotifyWorld, notify_world
from tests.unit.notify_samples import (
    PAID_AT,
    failed,
    flagged,
    instructed,
    paid,
    returned,
)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[NotifyWorld]:
    async with notify_world(tmp_path) as world:
        yield world


async def open_rows(
    world: NotifyWorld, who: str = "operator", query: str = ""
) -> list[tuple[Any, ...]]:
    answer = await world.get(f"/work-queue{query}", who)
    assert answer.status_code == 200, answer.text
    return [(item["row_no"], item["kind"], item["reason"]) for item in answer.json()["items"]]


async def test_a_failure_is_on_the_work_queue_with_the_reason_in_chinese(
    world: NotifyWorld,
) -> None:
    await world.payment(failed(1))
    await world.payment(failed(2, reason="name_mismatch", text="NAME MISMATCH"))
    await world.deliver_payments()

    answer = await world.get("/work-queue", "department")
    (first, second) = answer.json()["items"]
    assert (first["row_no"], first["reason"], first["county_code"]) == (1, "账户已销户", "650102")
    assert second["reason"] == "户名与账户不符（银行说明：NAME MISMATCH）"
    assert (first["programme_code"], first["amount_fen"], first["attempt"]) == ("GDLS", 61_725, 1)


async def test_a_notice_closes_when_the_row_is_paid_or_returned(world: NotifyWorld) -> None:
    await world.payment(failed(1))
    await world.payment(failed(2))
    await world.payment(failed(3))
    await world.deliver_payments()
    await world.payment(instructed(1, attempt=2, because="reissue"), paid(1, attempt=2))
    await world.payment(returned(2))
    await world.deliver_payments()

    assert await open_rows(world) == [(3, "failed", "账户已销户")]
    closed = {(n["row_no"], n["closed_because"]) for n in await world.notices()}
    assert closed == {(1, "paid"), (2, "returned"), (3, None)}


async def test_a_retried_row_awaits_the_bank_and_a_new_failure_reopens_it(
    world: NotifyWorld,
) -> None:
    busy = failed(1, reason="bank_system_busy", text="银行系统繁忙", retryable=True)
    await world.payment(busy, instructed(1, attempt=2, because="retry"))
    await world.deliver_payments()
    assert await open_rows(world) == []
    world.advance(timedelta(hours=1))
    await world.payment(failed(1, attempt=2, reason="account_frozen", text="账户已冻结"))
    await world.deliver_payments()
    assert await open_rows(world) == [(1, "failed", "账户已冻结")]
    (notice,) = await world.notices()
    assert notice["attempt"] == 2


async def test_a_flagged_answer_is_a_review_notice_beside_the_failure(world: NotifyWorld) -> None:
    await world.payment(failed(1), flagged(1))
    await world.deliver_payments()
    rows = await open_rows(world, query="?kind=review")
    assert rows == [(1, "review", "银行先报成功后又报失败，需人工核实")]
    assert len(await open_rows(world)) == 2


@pytest.mark.parametrize(
    ("who", "query", "status", "code"),
    [
        ("operator", "", 200, None),
        ("department", "?township=650102001", 200, None),
        ("auditor", "", 200, None),
        ("far_operator", "?township=650102001", 403, "outside_jurisdiction"),
        ("bank", "", 403, "role_not_permitted"),
    ],
)
async def test_the_work_queue_is_read_where_payments_may_be_read(
    world: NotifyWorld, who: str, query: str, status: int, code: str | None
) -> None:
    await world.payment(failed(1))
    await world.deliver_payments()
    answer = await world.get(f"/work-queue{query}", who)
    assert answer.status_code == status
    if code is None:
        assert [item["row_no"] for item in answer.json()["items"]] == [1]
    else:
        assert answer.json()["code"] == code


async def test_another_townships_operator_sees_none_of_it(world: NotifyWorld) -> None:
    await world.payment(failed(1))
    await world.deliver_payments()
    assert await open_rows(world, "far_operator") == []


async def test_each_read_is_logged_by_its_rows_before_it_is_answered(world: NotifyWorld) -> None:
    await world.payment(failed(1), flagged(1))
    await world.deliver_payments()
    await world.get("/work-queue", "operator")
    await world.get("/notifications", "operator")
    (queue, sms) = await reads_of(store=world.store, user_id="u-op", day=PAID_AT)
    assert (queue.event.kind, queue.event.subject_ids) == ("rows_to_fix", ("r-1:1",))  # type: ignore[attr-defined]
    assert queue.event.route == "GET /work-queue"  # type: ignore[attr-defined]
    assert (sms.event.kind, sms.event.subject_ids) == ("payment", ())  # type: ignore[attr-defined]


async def test_a_bad_filter_is_refused_with_a_code(world: NotifyWorld) -> None:
    answer = await world.get("/work-queue?township=65%25", "operator")
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid_request")
    answer = await world.get("/notifications?status=lost", "operator")
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid_request")
