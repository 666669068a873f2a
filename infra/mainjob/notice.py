"""The public notice (公示): every roster on its township's board for its working days, one
objection filed through the public page's API and found groundless by the township's finance
auditor, then the shared clock moved past the last notice's end so that the publicity
service's clock completes them all."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from infra.clock import CHINA
from infra.mainjob.answers import Refusal
from infra.mainjob.desk import Desk
from infra.mainjob.rosters import Roster
from infra.mainjob.workers import RoundFailed, until

NOTICE_WAIT = 600.0
OBJECTION = {
    "reason": "此户耕地已流转给他人耕种，补贴应发给实际种粮者",
    "contact_name": "匿名群众",
}
FINDING = "经村委会和乡镇农经站实地核实：土地仍由本户耕种，未发生流转，异议不成立"


async def run_notice(desk: Desk, rosters: list[Roster]) -> dict[str, Any]:
    """The notices from start to completion; what the report says of them."""
    reviewer = desk.as_(desk.staff.reviewer)
    wanted = {roster.roster_id for roster in rosters}

    async def listed(status: str) -> list[dict[str, Any]] | None:
        answer = await reviewer.call("GET", "publicity", f"/divisions/{desk.county.code}/notices")
        shown = [n for n in answer.json()["notices"] if n["roster_id"] in wanted]
        waiting = [n["waiting"] for n in shown if n["status"] == "awaiting_schedule"]
        if waiting:
            raise RoundFailed(f"公示无法开始：{waiting[0]['message']}")
        done = [n for n in shown if n["status"] == status]
        return done if len(done) == len(wanted) else None

    opened = await until(lambda: listed("open"), what="the notices", timeout=NOTICE_WAIT)
    ends = max(date.fromisoformat(n["ends_on"]) for n in opened)
    desk.screen.say(
        f"  {len(opened)} notices up from {min(n['starts_on'] for n in opened)} "
        f"to {ends} ({desk.system.url('publicity')}/notices/townships/<code>)"
    )
    objection = await _object_and_resolve(desk, rosters[0])
    moved_to = desk.clock.advance_to(datetime.combine(ends + timedelta(days=1), time(9), CHINA))
    desk.screen.say(f"  shared clock moved to {moved_to.astimezone(CHINA):%Y-%m-%d %H:%M} 中国时间")
    await until(lambda: listed("completed"), what="the notices to complete", timeout=NOTICE_WAIT)
    desk.screen.say(f"  all {len(opened)} notices completed with no objection open")
    return {"notices": len(opened), "ends_on": ends.isoformat(), "objection": objection}


async def _object_and_resolve(desk: Desk, roster: Roster) -> str:
    """A member of the public objects to a row of the board; the township auditor finds it
    groundless. Returns a line for the report."""
    public = desk.system.url("publicity")
    board = await desk.http.get(f"{public}/notices/townships/{roster.township}.json")
    notice = next(n for n in board.json()["notices"] if n["roster_id"] == roster.roster_id)
    row = notice["rows"][0]
    body = {"submission_no": notice["submission_no"], "row_no": row["row_no"], **OBJECTION}
    filed = await desk.http.post(
        f"{public}/notices/{roster.roster_id}/objections",
        json=body,
        headers={"Idempotency-Key": desk.key("objection", roster.roster_id)},
    )
    if filed.status_code != 201:
        raise Refusal(filed)
    objection_id = filed.json()["objection_id"]
    auditor = desk.as_(desk.staff.auditors[roster.township])
    await auditor.call(
        "POST",
        "publicity",
        f"/notices/{roster.roster_id}/objections/{objection_id}/finding",
        json={"upheld": False, "finding": FINDING},
        key=desk.key("finding", objection_id),
    )
    return (
        f"objection to row {row['row_no']} ({row['masked_name']}, {row['village']}) of "
        f"{roster.roster_id}: dismissed by {desk.staff.auditors[roster.township].name}"
    )
