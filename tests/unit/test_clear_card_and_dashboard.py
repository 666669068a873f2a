"""The clear card of a household (for its village's clerks, masked, confidential programmes
left out, each print in the query log) and the supervisors' dashboards (figures per
programme, area and month; failure reasons; rounds overdue in notice or approval), each
authorised over its area."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from infra.identity.query_log import reads_of
from tests.unit.disclosure_harness import (
    FAR_OPERATOR,
    OPERATOR,
    SUPERVISOR,
    DisclosureWorld,
    disclosure_world,
    headers,
)
from tests.unit.notice_harness import AYGUL, TOWNSHIP, WANG, ZHANG, china

CARD = "/households/h-1/clear-card"
COUNTY_AUDITOR = headers("u-aud", "auditor", TOWNSHIP[:6])


async def paid_household(world: DisclosureWorld) -> None:
    await world.register(1, ZHANG, household="h-1")
    await world.register(2, WANG, household="h-1")
    await world.register(3, AYGUL, household="h-2")
    await world.submit([ZHANG, WANG, AYGUL])
    await world.submit([ZHANG], roster_id="r-secret", confidential=True)
    for row, person in enumerate((ZHANG, WANG, AYGUL), start=1):
        await world.pay("r-1", row, person, outcome="paid" if row != 2 else "failed")
    await world.pay("r-secret", 1, ZHANG)
    await world.deliver()


async def test_a_clerk_prints_the_household_card_masked_without_confidential_programmes(
    tmp_path: Path,
) -> None:
    async with disclosure_world(tmp_path, now=china(2025, 7, 2)) as world:
        await paid_household(world)
        card = await world.client.get(CARD, headers=OPERATOR)
        assert card.status_code == 200, card.text
        for shown in ("张*丰", "王*", "**************1234", "49.38", "617.25", "12.5"):
            assert shown in card.text
        assert "2025年7月1日" in card.text
        assert "发放未成功" in card.text
        assert "12345" in card.text
        assert "举报电话" in card.text
        assert "阿**丽" not in card.text
        for person in (ZHANG, WANG):
            assert person.citizen_id not in card.text
            assert person.account_no not in card.text
        as_json = (await world.client.get(f"{CARD}.json", headers=OPERATOR)).json()
        assert len(as_json["payments"]) == 2  # r-secret left out
        assert as_json["paid_fen"] == 61_725
        reads = await reads_of(store=world.store, user_id="u-op", day=world.clock.now())
        assert [r.event.subject_ids for r in reads] == [("b-1", "b-2")] * 2  # type: ignore[attr-defined]


async def test_the_card_is_for_the_households_own_clerks(tmp_path: Path) -> None:
    async with disclosure_world(tmp_path, now=china(2025, 7, 2)) as world:
        await paid_household(world)
        far = await world.client.get(CARD, headers=FAR_OPERATOR)
        assert (far.status_code, far.json()["code"]) == (403, "outside_jurisdiction")
        assert (await world.client.get(CARD)).status_code == 401
        unknown = await world.client.get("/households/h-404/clear-card", headers=OPERATOR)
        assert (unknown.status_code, unknown.json()["code"]) == (404, "household_not_found")
        last_year = await world.client.get(f"{CARD}.json?year=2024", headers=OPERATOR)
        assert last_year.json()["payments"] == []


async def test_the_dashboard_counts_each_fact_in_its_month_per_programme_and_area(
    tmp_path: Path,
) -> None:
    async with disclosure_world(tmp_path, now=china(2025, 7, 2)) as world:
        await paid_household(world)
        await world.approve("r-1", 3, total_fen=3 * 61_725)
        await world.pay("r-2", 1, ZHANG, outcome="returned")
        await world.deliver()
        shown = await world.client.get(f"/dashboards/{TOWNSHIP[:6]}.json", headers=SUPERVISOR)
        assert shown.status_code == 200, shown.text
        cells = shown.json()["cells"]
        (july,) = [c for c in cells if c["month"] == "2025-07"]
        assert july["area"] == TOWNSHIP
        assert july["programme_name"] == "耕地地力保护补贴"
        assert (july["rows_approved"], july["approved_fen"]) == (3, 185_175)
        assert (july["rows_paid"], july["paid_fen"], july["beneficiaries_paid"]) == (3, 185_175, 2)
        assert (july["rows_failed"], july["failed_fen"]) == (1, 61_725)
        assert (july["rows_returned"], july["returned_fen"]) == (1, 61_725)
        (reason,) = shown.json()["failure_reasons"]
        assert (reason["reason_code"], reason["failures"]) == ("account_closed", 2)
        by_county = await world.client.get(
            f"/dashboards/{TOWNSHIP[:6]}.json?level=county&from=2025-07&to=2025-07",
            headers=COUNTY_AUDITOR,
        )
        assert [c["area"] for c in by_county.json()["cells"]] == [TOWNSHIP[:6]]
        empty = await world.client.get(
            f"/dashboards/{TOWNSHIP}.json?from=2025-08", headers=OPERATOR
        )
        assert empty.json()["cells"] == []


async def test_the_dashboard_page_draws_its_charts_inline(tmp_path: Path) -> None:
    async with disclosure_world(tmp_path, now=china(2025, 7, 2)) as world:
        await paid_household(world)
        page = await world.client.get(f"/dashboards/{TOWNSHIP[:6]}", headers=SUPERVISOR)
        assert page.status_code == 200
        assert page.text.count("<svg") == 6
        assert "账户已销户" in page.text
        assert "http://www.w3.org/2000/svg" in page.text
        assert "src=" not in page.text
        assert "<script" not in page.text


async def test_the_dashboard_is_read_within_the_readers_area(tmp_path: Path) -> None:
    async with disclosure_world(tmp_path, now=china(2025, 7, 2)) as world:
        far = await world.client.get(f"/dashboards/{TOWNSHIP}.json", headers=FAR_OPERATOR)
        assert (far.status_code, far.json()["code"]) == (403, "outside_jurisdiction")
        other_region = headers("u-sup2", "supervisor", "110000")
        refused = await world.client.get(f"/dashboards/{TOWNSHIP[:6]}", headers=other_region)
        assert refused.status_code == 403
        admin = headers("u-admin", "system_administrator", "650000")
        assert (await world.client.get("/dashboards/650000.json", headers=admin)).status_code == 403


async def test_rounds_overdue_in_notice_or_approval_are_listed(tmp_path: Path) -> None:
    async with disclosure_world(tmp_path, now=china(2025, 6, 9)) as world:  # a Monday
        await world.register(1, ZHANG)
        await world.submit([ZHANG], roster_id="r-1")
        await world.submit([ZHANG], roster_id="r-2")
        await world.deliver()
        objection = {"submission_no": 1, "reason": "此人已迁出"}
        assert (
            await world.client.post("/notices/r-2/objections", json=objection)
        ).status_code == 201
        world.clock.advance(china(2025, 6, 17) - world.clock.now())
        ticker = next(t for t in world.parts.tickers if t.name == "publicity-notice-clock")
        await ticker.run()  # r-1 completes; r-2 is held by its objection
        await world.deliver()
        world.clock.advance(china(2025, 6, 20) - world.clock.now())  # three working days on
        shown = (await world.client.get(f"/dashboards/{TOWNSHIP}.json", headers=OPERATOR)).json()
        (notice,) = shown["overdue"]["notices"]
        assert (notice["roster_id"], notice["ends_on"], notice["days_past"]) == (
            "r-2",
            "2025-06-16",
            4,
        )
        (approval,) = shown["overdue"]["approvals"]
        assert (approval["roster_id"], approval["working_days"]) == ("r-1", 3)
        assert approval["waiting_since"] == date(2025, 6, 17).isoformat()
        await world.approve("r-1", 1, total_fen=61_725)
        await world.deliver()
        shown = (await world.client.get(f"/dashboards/{TOWNSHIP}.json", headers=OPERATOR)).json()
        assert shown["overdue"]["approvals"] == []


async def test_a_fact_counts_in_its_month_in_china_not_in_utc(tmp_path: Path) -> None:
    async with disclosure_world(tmp_path, now=china(2025, 7, 1, 7)) as world:  # 30 June, UTC
        await world.approve("r-1", 1, total_fen=61_725)
        await world.pay("r-1", 1, ZHANG, outcome="failed")
        await world.deliver()
        shown = await world.client.get(f"/dashboards/{TOWNSHIP}.json", headers=OPERATOR)
        assert [cell["month"] for cell in shown.json()["cells"]] == ["2025-07"]
        assert [r["month"] for r in shown.json()["failure_reasons"]] == ["2025-07"]
