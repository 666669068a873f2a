"""The approval service through its HTTP API and its consumer's handler, on the memory store
and a SQLite projection: a roster going round the chain with a send-back and a resubmission,
maker-checker and permission refusals that store nothing, a halted notice that never reaches
approval, pending work with its overdue flag, and programme chains."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from contracts.base import Event
from contracts.events import (
    EVENTS,
    BatchApproved,
    RosterLevelApproved,
    RosterSentBack,
    WorkingDayScheduleEntered,
)
from infra.clock import AdjustableClock
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.projections.database import ProjectionDatabase
from infra.service import Handler, ServiceDeps
from infra.settings import Settings
from services.approval.adapters.tables import TABLES
from services.approval.bootstrap import build
from tests.unit.approval_samples import (
    OTHER_TOWNSHIP,
    completed,
    halted,
    headers,
    submission,
)
from tests.unit.asgi import Response, request
from tests.unit.contract_samples import envelope_of, memory_cipher

START = datetime(2025, 9, 30, 1, tzinfo=UTC)  # 09:00 in China, the Tuesday before National Day


@dataclass
class World:
    app: FastAPI
    store: MemoryEventStore
    projections: ProjectionDatabase
    handler: Handler
    clock: AdjustableClock

    async def deliver(self, *events: Event) -> None:
        """The events as the consumer gets them from the bus, in one batch."""
        envelopes = [envelope_of(e, stream_id=f"x-{e.roster_id}") for e in events]
        async with self.projections.transaction() as conn:
            await self.handler(conn, envelopes)

    async def submit(self, roster_id: str = "r-1", no: int = 1, **kwargs: Any) -> None:
        part, totals = submission(roster_id=roster_id, submission_no=no, **kwargs)
        await self.deliver(part, totals, completed(roster_id, no))

    async def post(self, who: str | dict[str, str], path: str, body: dict[str, Any]) -> Response:
        return await request(self.app, "POST", path, headers=_headers(who), json_body=body)

    async def get(self, who: str | dict[str, str], path: str) -> Response:
        return await request(self.app, "GET", path, headers=_headers(who))

    async def work(self, who: str | dict[str, str]) -> list[dict[str, Any]]:
        answer = await self.get(who, "/work")
        assert answer.status == 200
        items: list[dict[str, Any]] = answer.json()["items"]
        return items

    async def stored(self, roster_id: str = "r-1") -> list[str]:
        return [r.event_type for r in await self.store.read_stream(f"approval-{roster_id}")]


def as_user(user: str, who: str) -> dict[str, str]:
    """``who``'s post (role and jurisdiction) held by ``user``."""
    return {**headers(who), "X-Onecard-User": user}


def _headers(who: str | dict[str, str]) -> dict[str, str]:
    return headers(who) if isinstance(who, str) else who


@asynccontextmanager
async def opened_world(tmp_path: Path, start: datetime = START) -> AsyncIterator[World]:
    store = MemoryEventStore()
    codec = EventCodec(registry=EVENTS, cipher=memory_cipher())
    projections = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{tmp_path}/approval.db")
    await projections.create_tables(TABLES)
    clock = AdjustableClock(start=start)
    deps = ServiceDeps(Settings(data_dir=tmp_path), store, codec, projections, clock)
    parts = build(deps)
    try:
        yield World(parts.http, store, projections, parts.consumers[0].handler, clock)
    finally:
        await projections.close()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with opened_world(tmp_path) as opened:
        yield opened


async def test_a_roster_goes_round_the_chain_with_one_send_back_and_a_resubmission(
    world: World,
) -> None:
    await world.submit(no=1)
    first = await world.post("auditor", "/approvals/r-1/approve", {"reason": "已核对"})
    assert (first.status, first.json()["level"], first.json()["recorded"]) == (200, 2, True)
    back = await world.post(
        "reviewer", "/approvals/r-1/send-back", {"reasons": ["第2行面积与确权不符"], "row_nos": [2]}
    )
    assert back.json()["status"] == "sent_back"

    part, totals = submission(submission_no=2, amounts=(61_725, 28_000))
    await world.deliver(part, totals, completed(submission_no=2))
    for who, level in (("auditor", 1), ("reviewer", 2), ("finance", 3)):
        answer = await world.post(
            who, "/approvals/r-1/approve", {"submission_no": 2, "level": level}
        )
        assert answer.status == 200, answer.json()
    assert answer.json()["batch_approved"] is True

    records = await world.store.read_stream("approval-r-1")
    batch = [r for r in records if r.event_type == BatchApproved.event_type]
    assert len(batch) == 1
    approved = EventCodec(registry=EVENTS, cipher=memory_cipher()).decode(batch[0]).event
    assert isinstance(approved, BatchApproved)
    assert approved.submission_no == 2
    assert approved.levels == ("u-auditor", "u-reviewer", "u-finance")
    assert approved.approved_row_count == len(part.rows) == totals.row_count
    assert approved.total_fen == sum(row.amount_fen for row in part.rows) == totals.total_fen

    view = (await world.get("finance", "/approvals/r-1")).json()
    assert view["status"] == "approved"
    decisions = [(s["step"], s["submission_no"], s.get("by")) for s in view["history"]]
    assert [d for d in decisions if d[0] in {"approved", "sent_back"}] == [
        ("approved", 1, "u-auditor"),
        ("sent_back", 1, "u-reviewer"),
        ("approved", 2, "u-auditor"),
        ("approved", 2, "u-reviewer"),
        ("approved", 2, "u-finance"),
    ]
    sent_back = next(s for s in view["history"] if s["step"] == "sent_back")
    assert (sent_back["reasons"], sent_back["row_nos"], sent_back["level"]) == (
        ["第2行面积与确权不符"],
        [2],
        2,
    )


async def test_a_maker_is_refused_at_every_level_and_nothing_is_stored(world: World) -> None:
    await world.submit()
    for approver in ("auditor", "reviewer", "finance"):
        maker = as_user("u-typist", approver)
        before = await world.store.head_position()
        for path, body in (("approve", {}), ("send-back", {"reasons": ["自己退回"]})):
            answer = await world.post(maker, f"/approvals/r-1/{path}", body)
            assert (answer.status, answer.json()["code"]) == (403, "approval_maker_cannot_decide")
        assert await world.work(maker) == []
        assert await world.store.head_position() == before
        assert [i["roster_id"] for i in await world.work(approver)] == ["r-1"]
        assert (await world.post(approver, "/approvals/r-1/approve", {})).status == 200


async def test_one_person_holding_two_posts_approves_only_one_level(world: World) -> None:
    await world.submit()
    assert (
        await world.post(as_user("u-ab", "auditor"), "/approvals/r-1/approve", {})
    ).status == 200
    as_reviewer = as_user("u-ab", "reviewer")
    assert await world.work(as_reviewer) == []
    before = await world.store.head_position()
    answer = await world.post(as_reviewer, "/approvals/r-1/approve", {})
    assert (answer.status, answer.json()["code"]) == (403, "approval_one_level_per_user")
    assert await world.store.head_position() == before


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("reviewer", "approval_wrong_level_role"),
        ("far_auditor", "outside_jurisdiction"),
        ("operator", "role_not_permitted"),
    ],
)
async def test_wrong_role_or_other_township_is_403_and_the_store_is_unchanged(
    world: World, who: str, code: str
) -> None:
    await world.submit()
    before = await world.store.head_position()
    for path, body in (("approve", {}), ("send-back", {"reasons": ["不符"]})):
        answer = await world.post(who, f"/approvals/r-1/{path}", body)
        assert (answer.status, answer.json()["code"]) == (403, code)
    assert await world.store.head_position() == before


async def test_a_halted_notice_never_reaches_approval(world: World) -> None:
    part, totals = submission()
    await world.deliver(part, totals, halted())
    await world.deliver(completed())
    assert "ApprovalOpened" not in await world.stored()
    assert await world.work("auditor") == []
    answer = await world.post("auditor", "/approvals/r-1/approve", {})
    assert (answer.status, answer.json()["code"]) == (409, "approval_notice_halted")
    view = (await world.get("auditor", "/approvals/r-1")).json()
    assert view["status"] == "notice_halted"
    assert [s["step"] for s in view["history"]] == ["submitted", "notice_halted"]


async def test_pending_work_is_what_each_user_may_decide_and_goes_overdue_after_national_day(
    world: World,
) -> None:
    await world.submit("r-1")
    await world.submit("r-2", township_code=OTHER_TOWNSHIP)
    assert [i["roster_id"] for i in await world.work("auditor")] == ["r-1"]
    assert [i["roster_id"] for i in await world.work("far_auditor")] == ["r-2"]
    assert await world.work("reviewer") == []

    world.clock.advance(timedelta(days=10))  # Friday 10-10: two working days (10-09, 10-10)
    (item,) = await world.work("auditor")
    assert (item["working_days_waited"], item["overdue"]) == (2, False)
    world.clock.advance(timedelta(days=1))  # Saturday 10-11, a make-up working day
    (item,) = await world.work("auditor")
    assert (item["working_days_waited"], item["overdue"]) == (3, True)

    await world.post("auditor", "/approvals/r-1/approve", {})
    assert await world.work("auditor") == []
    (item,) = await world.work("reviewer")
    assert (item["roster_id"], item["level"], item["role"]) == (
        "r-1",
        2,
        "county_department_reviewer",
    )
    assert (item["working_days_waited"], item["overdue"]) == (0, False)


async def test_a_programme_chain_applies_to_approvals_that_open_after_it(world: World) -> None:
    await world.submit("r-1")
    admin = headers("admin")
    body = {
        "levels": ["county_department_reviewer", "county_finance_officer"],
        "overdue_working_days": 5,
    }
    answer = await request(world.app, "PUT", "/chains/GDLS", headers=admin, json_body=body)
    assert answer.status == 200
    assert (answer.json()["version"], answer.json()["changed"]) == (1, True)
    await world.submit("r-2")
    assert [i["roster_id"] for i in await world.work("auditor")] == ["r-1"]
    assert [i["roster_id"] for i in await world.work("reviewer")] == ["r-2"]
    for who in ("reviewer", "finance"):
        assert (await world.post(who, "/approvals/r-2/approve", {})).status == 200
    assert (await world.stored("r-2"))[-1] == BatchApproved.event_type

    refused = await request(
        world.app, "PUT", "/chains/GDLS", headers=headers("auditor"), json_body=body
    )
    assert (refused.status, refused.json()["code"]) == (403, "role_not_permitted")
    bad = {**body, "levels": ["county_finance_officer", "county_department_reviewer"]}
    refused = await request(world.app, "PUT", "/chains/GDLS", headers=admin, json_body=bad)
    assert (refused.status, refused.json()["code"]) == (422, "approval_chain_must_end_with_finance")


async def test_a_retried_decision_stores_nothing_more(world: World) -> None:
    await world.submit()
    retry = {**headers("auditor"), "Idempotency-Key": "k-1"}
    first = await world.post(retry, "/approvals/r-1/approve", {"submission_no": 1, "level": 1})
    again = await world.post(retry, "/approvals/r-1/approve", {"submission_no": 1, "level": 1})
    assert (first.json()["recorded"], again.json()["recorded"]) == (True, False)
    assert (await world.stored()).count(RosterLevelApproved.event_type) == 1


async def test_a_decision_is_attributed_to_its_decider(world: World) -> None:
    await world.submit()
    await world.post("auditor", "/approvals/r-1/send-back", {"reasons": ["清册合计有误"]})
    (record,) = [
        r
        for r in await world.store.read_stream("approval-r-1")
        if r.event_type == RosterSentBack.event_type
    ]
    decoded = EventCodec(registry=EVENTS, cipher=memory_cipher()).decode(record)
    assert decoded.actor.user_id == "u-auditor"
    assert decoded.occurred_at == decoded.occurred_at.astimezone(UTC)


async def test_overdue_is_unknown_in_a_year_without_schedule_until_one_is_entered(
    tmp_path: Path,
) -> None:
    async with opened_world(tmp_path, datetime(2027, 9, 30, 1, tzinfo=UTC)) as world:
        await world.submit()
        world.clock.advance(timedelta(days=5))  # Tuesday 2027-10-05
        (item,) = await world.work("auditor")
        assert (item["working_days_waited"], item["overdue"]) == (None, None)
        schedule = WorkingDayScheduleEntered(
            year=2027,
            holidays=tuple(date(2027, 10, day) for day in (1, 4, 5, 6, 7)),
            workdays=(date(2027, 9, 26), date(2027, 10, 9)),
            source="国办发明电〔2026〕7号",
        )
        async with world.projections.transaction() as conn:
            await world.handler(conn, [envelope_of(schedule, stream_id="calendar-2027")])
        world.clock.advance(timedelta(days=4))  # Saturday 10-09, a make-up working day
        (item,) = await world.work("auditor")
        assert (item["working_days_waited"], item["overdue"]) == (2, False)


async def test_reading_an_approval_needs_its_jurisdiction(world: World) -> None:
    await world.submit()
    answer = await world.get("far_reviewer", "/approvals/r-1")
    assert (answer.status, answer.json()["code"]) == (403, "outside_jurisdiction")
    missing = await world.get("reviewer", "/approvals/r-9")
    assert (missing.status, missing.json()["code"]) == (404, "approval_not_found")
    assert (await world.get("reviewer", "/approvals/r-1")).json()["status"] == "open"


async def test_a_programme_without_its_own_chain_takes_the_default(world: World) -> None:
    answer = (await world.get("reviewer", "/chains/GDLS")).json()
    assert answer == {
        "programme_code": "GDLS",
        "levels": [
            "township_finance_auditor",
            "county_department_reviewer",
            "county_finance_officer",
        ],
        "overdue_working_days": 2,
        "version": 0,
    }
