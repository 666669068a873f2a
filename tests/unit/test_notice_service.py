"""The publicity service end to end in one process: a submitted roster is noticed on its
township's page (masked), objections come in through the public form and hold up or halt the
notice, the clock completes it, and a year nobody knows waits for its schedule."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from contracts.events import PublicNoticeCompleted, PublicNoticeHalted, PublicNoticeStarted
from services.publicity.adapters.tables import notice_rows
from services.publicity.domain.events import NoticeAwaitingSchedule, ObjectionResolved
from tests.unit.notice_harness import (
    ADMIN,
    AYGUL,
    OFFICIAL,
    TOWNSHIP,
    WANG,
    ZHANG,
    NoticeWorld,
    china,
    notice_world,
    roster,
)

PAGE = f"/notices/townships/{TOWNSHIP}"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[NoticeWorld]:
    async with notice_world(tmp_path, now=china(2025, 6, 9)) as running:  # a Monday
        yield running


async def notice_events(world: NoticeWorld, roster_id: str = "r-1") -> list[object]:
    records = await world.store.read_stream(f"notice-{roster_id}")
    codec = world.parts.http.state.publicity.codec
    return [codec.decode(record).event for record in records]


async def form_objection(
    world: NoticeWorld, row_no: int | None = 1, **fields: str
) -> httpx.Response:
    data = {"submission_no": "1", "reason": "此人已迁出本村", **fields}
    if row_no is not None:
        data["row_no"] = str(row_no)
    return await world.post("/notices/r-1/objections", data=data)


async def test_a_submitted_roster_is_on_its_township_page_masked(world: NoticeWorld) -> None:
    await world.submit(roster(rows=3), [ZHANG, WANG, AYGUL], at=world.clock.now())

    (started,) = await notice_events(world)
    assert isinstance(started, PublicNoticeStarted)
    assert (started.starts_on.isoformat(), started.ends_on.isoformat()) == (
        "2025-06-09",
        "2025-06-16",
    )
    page = await world.page(PAGE)
    assert page.status_code == 200
    html = page.text
    for shown in ("张*丰", "王*", "阿**丽·买*提", "**************1234", "***************8901"):
        assert shown in html
    for person in (ZHANG, WANG, AYGUL):
        assert person.citizen_id not in html
        assert person.account_no not in html
    assert "耕地地力保护补贴" in html
    assert "617.25" in html
    assert "49.38" in html
    assert "2025年6月9日至2025年6月16日" in html
    assert "12345" in html
    assert "红星乡政府一楼纪检室" in html
    assert "default-src 'none'" in page.headers["content-security-policy"]


async def test_the_json_board_shows_the_same_masked_rows(world: NoticeWorld) -> None:
    await world.submit(roster(rows=2), [ZHANG, WANG], at=world.clock.now())
    body = (await world.page(f"{PAGE}.json")).json()
    (notice,) = body["notices"]
    assert [row["masked_name"] for row in notice["rows"]] == ["张*丰", "王*"]
    assert notice["rows"][0]["masked_citizen_id"] == "**************1234"
    assert (notice["ends_on"], notice["total_fen"]) == ("2025-06-16", 123_450)
    assert body["reporting"]["phone"] == "12345"


async def test_the_projection_stores_only_masked_personal_data(world: NoticeWorld) -> None:
    await world.submit(roster(), [ZHANG], at=world.clock.now())
    async with world.parts.http.state.publicity.projections.transaction() as conn:
        (row,) = (await conn.execute(select(notice_rows))).mappings().all()
    stored = " ".join(str(value) for value in row.values())
    assert ZHANG.citizen_id not in stored
    assert ZHANG.account_no not in stored
    assert ZHANG.name not in stored


async def test_a_redelivered_submission_starts_no_second_notice(world: NoticeWorld) -> None:
    await world.submit(roster(), [ZHANG], at=world.clock.now())
    world.delivered, world.offsets = 0, {}
    spec = world.consumer.spec
    records = await world.store.read_stream("roster-r-1")
    envelopes = [world.codec.decode(record) for record in records]
    async with world.parts.http.state.publicity.projections.transaction() as conn:
        await spec.handler(conn, envelopes[1:])  # the RosterSubmitted again, past the inbox
    assert len(await notice_events(world)) == 1


async def test_a_confidential_programme_is_never_public_but_officials_see_it(
    world: NoticeWorld,
) -> None:
    await world.submit(roster(confidential=True), [ZHANG], at=world.clock.now())
    assert "张*丰" not in (await world.page(PAGE)).text
    assert (await world.page(f"{PAGE}.json")).json()["notices"] == []
    listed = await world.client.get(f"/divisions/{TOWNSHIP}/notices", headers=OFFICIAL)
    (notice,) = listed.json()["notices"]
    assert (notice["public"], notice["status"]) == (False, "open")
    refused = await form_objection(world)
    assert (refused.status_code, "未找到该公示" in refused.text) == (404, True)


async def test_the_clock_completes_a_notice_after_the_midnight_ending_its_last_day(
    world: NoticeWorld,
) -> None:
    await world.submit(roster(), [ZHANG], at=world.clock.now())
    world.advance_to(china(2025, 6, 16, 23))
    await world.tick()
    assert not any(isinstance(e, PublicNoticeCompleted) for e in await notice_events(world))
    world.advance_to(china(2025, 6, 17, 0) + timedelta(minutes=1))
    await world.tick()
    await world.tick()
    completed = [e for e in await notice_events(world) if isinstance(e, PublicNoticeCompleted)]
    assert len(completed) == 1
    assert (await world.page(f"{PAGE}.json")).json()["notices"] == []


async def test_an_open_objection_blocks_completion_until_it_is_dismissed(
    world: NoticeWorld,
) -> None:
    await world.submit(roster(rows=2), [ZHANG, WANG], at=world.clock.now())
    answer = await form_objection(world, row_no=2, contact_phone="13800138000")
    assert answer.status_code == 201
    assert "王*" in answer.text
    assert "*******8000" in answer.text
    assert "13800138000" not in answer.text
    world.advance_to(china(2025, 6, 18))
    await world.tick()
    assert not any(isinstance(e, PublicNoticeCompleted) for e in await notice_events(world))
    assert "公示期已满" in (await world.page(PAGE)).text

    detail = (await world.client.get("/notices/r-1", headers=OFFICIAL)).json()
    (objection,) = detail["objections"]
    assert (objection["row_no"], objection["status"]) == (2, "open")
    assert objection["contact_phone"] == "*******8000"
    path = f"/notices/r-1/objections/{objection['objection_id']}/finding"
    found = await world.post(
        path, json={"upheld": False, "finding": "经核实不属实"}, headers=OFFICIAL
    )
    assert found.status_code == 200, found.text
    *_, resolved, completed = await notice_events(world)
    assert isinstance(resolved, ObjectionResolved)
    assert not resolved.upheld
    assert isinstance(completed, PublicNoticeCompleted)


async def test_an_upheld_objection_halts_the_notice_and_takes_it_down(
    world: NoticeWorld,
) -> None:
    await world.submit(roster(rows=2), [ZHANG, WANG], at=world.clock.now())
    filed = await world.post(
        "/notices/r-1/objections", json={"submission_no": 1, "row_no": 1, "reason": "已去世"}
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["row"]["masked_name"] == "张*丰"
    path = f"/notices/r-1/objections/{filed.json()['objection_id']}/finding"
    found = await world.post(
        path, json={"upheld": True, "finding": "经核实已去世"}, headers=OFFICIAL
    )
    assert found.status_code == 200, found.text
    records = await world.store.read_stream("notice-r-1")
    assert records[-1].stream_version == records[-2].stream_version + 1
    *_, resolved, halted = await notice_events(world)
    assert isinstance(resolved, ObjectionResolved)
    assert resolved.upheld
    assert halted == PublicNoticeHalted(
        roster_id="r-1", submission_no=1, row_nos=(1,), findings=("经核实已去世",)
    )
    await world.deliver()
    assert (await world.page(f"{PAGE}.json")).json()["notices"] == []
    again = await world.post(
        "/notices/r-1/objections", json={"submission_no": 1, "reason": "另一条异议"}
    )
    assert again.json()["code"] == "notice_closed"


async def test_a_resubmission_replaces_the_rows_on_the_page(world: NoticeWorld) -> None:
    await world.submit(roster(rows=2), [ZHANG, WANG], at=world.clock.now())
    await world.submit(roster(submission_no=2), [AYGUL], at=world.clock.now())
    (notice,) = (await world.page(f"{PAGE}.json")).json()["notices"]
    assert notice["submission_no"] == 2
    assert [row["masked_name"] for row in notice["rows"]] == ["阿**丽·买*提"]


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({**OFFICIAL, "X-Onecard-Jurisdiction": "650102002"}, 403, "outside_jurisdiction"),
        ({**OFFICIAL, "X-Onecard-Role": "township_operator"}, 403, "role_not_permitted"),
    ],
)
async def test_only_an_official_of_the_township_may_record_a_finding(
    world: NoticeWorld, headers: dict[str, str], status: int, code: str
) -> None:
    await world.submit(roster(), [ZHANG], at=world.clock.now())
    filed = await world.post("/notices/r-1/objections", json={"submission_no": 1, "reason": "不符"})
    path = f"/notices/r-1/objections/{filed.json()['objection_id']}/finding"
    refused = await world.post(path, json={"upheld": True, "finding": "属实"}, headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (status, code)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"submission_no": 1, "row_no": 9, "reason": "没有这一行"}, 404, "row_not_in_notice"),
        ({"submission_no": 1, "reason": "电话", "contact_phone": "call me"}, 422, "invalid_phone"),
        ({"submission_no": 1, "reason": ""}, 422, "invalid_request"),
        ({"submission_no": 2, "reason": "下一次"}, 404, "notice_not_found"),
    ],
    ids=["unknown row", "bad phone", "empty reason", "unknown submission"],
)
async def test_a_bad_objection_gets_a_stable_code_and_records_nothing(
    world: NoticeWorld, body: dict[str, object], status: int, code: str
) -> None:
    await world.submit(roster(), [ZHANG], at=world.clock.now())
    refused = await world.post("/notices/r-1/objections", json=body)
    assert (refused.status_code, refused.json()["code"]) == (status, code)
    assert len(await notice_events(world)) == 1


async def test_objections_are_limited_per_client_address(world: NoticeWorld) -> None:
    await world.submit(roster(), [ZHANG], at=world.clock.now())
    for n in range(5):
        assert (await form_objection(world, reason=f"第{n}条异议")).status_code == 201
    refused = await form_objection(world, reason="第六条异议")
    assert refused.status_code == 429
    assert 'data-code="too_many_objections"' in refused.text
    world.clock.advance(timedelta(minutes=2, seconds=1))
    assert (await form_objection(world, reason="稍后再提")).status_code == 201


async def test_a_notice_in_an_unknown_year_waits_until_the_schedule_is_entered(
    tmp_path: Path,
) -> None:
    async with notice_world(tmp_path, now=china(2099, 1, 30)) as world:
        await world.submit(roster(), [ZHANG], at=world.clock.now())
        (waiting,) = await notice_events(world)
        assert isinstance(waiting, NoticeAwaitingSchedule)
        assert waiting.year == 2099
        listed = await world.client.get(f"/divisions/{TOWNSHIP}/notices", headers=OFFICIAL)
        (notice,) = listed.json()["notices"]
        assert notice["status"] == "awaiting_schedule"
        assert notice["waiting"]["code"] == "working_day_schedule_unknown"
        assert (await world.page(f"{PAGE}.json")).json()["notices"] == []
        await world.tick()
        assert len(await notice_events(world)) == 1

        schedule = {
            "holidays": ["2099-02-02", "2099-02-03", "2099-02-04", "2099-02-05", "2099-02-06"],
            "workdays": ["2099-02-07"],
            "source": "国办发明电〔2098〕9号",
        }
        refused = await world.post("/calendar/2099", json=schedule, headers=OFFICIAL)
        assert refused.status_code == 403
        entered = await world.post("/calendar/2099", json=schedule, headers=ADMIN)
        assert entered.status_code == 201, entered.text
        assert entered.json() == {"year": 2099, "entered": True, "notices_started": 1}
        await world.deliver()
        (notice,) = (await world.page(f"{PAGE}.json")).json()["notices"]
        assert (notice["starts_on"], notice["ends_on"]) == ("2099-01-30", "2099-02-12")
        calendar = (await world.client.get("/calendar/2099")).json()
        assert calendar["source"] == "entered"
        assert calendar["workdays"] == ["2099-02-07"]


async def test_an_unknown_notice_is_not_found_only_for_a_role_that_may_read_notices(
    world: NoticeWorld,
) -> None:
    found = await world.client.get("/notices/r-404", headers=OFFICIAL)
    assert (found.status_code, found.json()["code"]) == (404, "notice_not_found")
    bank = {"X-Onecard-User": "u-bank", "X-Onecard-Role": "bank_connector"}
    refused = await world.client.get(
        "/notices/r-404", headers={**bank, "X-Onecard-Jurisdiction": "650102"}
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "role_not_permitted")
