"""The rosters (发放清册), as each township's clerk handles them: draft, upload the office's
file as an import job, read the validation summary, download the rejected rows, remove them
(a clerk may fix and re-import them instead; removing is what this round does), submit.

The synthetic manifest says which lines are defective; the report sets validation's verdicts
beside it, so a reader sees that validation caught what was planted.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook

from infra.mainjob.desk import Desk
from infra.mainjob.sessions import Session
from infra.mainjob.workers import RoundFailed, until
from infra.synthetic import RosterManifest

ROW_HEADER = "清册行号"
"""The column of the rejected-rows file naming the roster row each line is."""
WARNED_ONLY = frozenset({"shared_phone", "public_servant"})
"""Defects the programmes' rules flag as warnings (预警), not rejections."""
IMPORT_WAIT = 900.0


@dataclass
class Roster:
    roster_id: str
    manifest: RosterManifest
    programme_code: str
    summary: dict[str, Any] = field(default_factory=dict)
    removed: int = 0

    @property
    def township(self) -> str:
        return self.manifest.township

    @property
    def planted(self) -> int:
        """Rows the manifest says validation must reject."""
        return sum(1 for d in self.manifest.defects.values() if d.kind not in WARNED_ONLY)

    def facts(self) -> dict[str, Any]:
        return {
            "roster_id": self.roster_id,
            "file": self.manifest.path.name,
            "planted": self.planted,
            "removed": self.removed,
            **{k: self.summary[k] for k in ("rows", "accepted", "warned", "rejected")},
            "payable_fen": self.summary["payable_fen"],
            "by_rule": self.summary["by_rule"],
        }


async def prepare_rosters(desk: Desk) -> list[Roster]:
    """Draft, import, validate, clean and submit every roster of the county."""
    county = desk.county
    rosters = [
        Roster(
            roster_id=f"r-{m.township}-{m.programme}-{desk.run}",
            manifest=m,
            programme_code=county.programme_code(m.programme),
        )
        for m in county.files.rosters
    ]
    for roster in rosters:
        clerk = desk.as_(desk.staff.clerks[roster.township])
        await _import(desk, clerk, roster)
        _show(desk, roster)
        await _remove_rejected(desk, clerk, roster)
        await clerk.call(
            "POST", "registry", f"/rosters/{roster.roster_id}/submission",
            key=desk.key(roster.roster_id, "submit", 1),
        )  # fmt: skip
    return rosters


async def _import(desk: Desk, clerk: Session, roster: Roster) -> None:
    draft = {
        "roster_id": roster.roster_id,
        "programme_code": roster.programme_code,
        "township_code": roster.township,
        "round_id": roster.manifest.round,
    }
    await clerk.call("POST", "registry", "/rosters", json=draft, key=desk.key(roster.roster_id))
    path = roster.manifest.path
    with desk.screen.progress(f"导入 {path.name}", roster.manifest.data_rows) as advance:
        job = (
            await clerk.call(
                "POST",
                "registry",
                f"/rosters/{roster.roster_id}/imports",
                files={"file": (path.name, path.read_bytes())},
            )
        ).json()
        seen = 0

        async def finished() -> dict[str, Any] | None:
            nonlocal seen
            url = f"/rosters/{roster.roster_id}/imports/{job['job_id']}"
            shown: dict[str, Any] = (await clerk.call("GET", "registry", url)).json()
            advance(shown["rows_done"] - seen)
            seen = shown["rows_done"]
            return shown if shown["status"] != "running" else None

        done = await until(finished, what=f"the import of {path.name}", timeout=IMPORT_WAIT)
    if done["status"] != "done":
        raise RoundFailed(f"import of {path.name} failed: {done.get('error')}")
    roster.summary = done["summary"]


def _show(desk: Desk, roster: Roster) -> None:
    summary = roster.summary
    desk.screen.say(
        f"  {roster.roster_id}: {summary['rows']} rows — accepted {summary['accepted']}, "
        f"warned {summary['warned']}, rejected {summary['rejected']} "
        f"(the manifest planted {roster.planted} to reject); "
        f"payable {yuan(summary['payable_fen'])}"
    )
    rules = sorted(summary["by_rule"].items(), key=lambda item: -item[1])
    desk.screen.say("    " + ", ".join(f"{rule} {n}" for rule, n in rules))


async def _remove_rejected(desk: Desk, clerk: Session, roster: Roster) -> None:
    """Every rejected row, as the rejected-rows file names them, removed with its rules as
    the reason — one after another, as each is a change of the one roster."""
    url = f"/rosters/{roster.roster_id}/rejected.xlsx"
    workbook = (await clerk.call("GET", "registry", url)).content
    rejected = _rows_to_fix(workbook)
    for row_no, rules in rejected:
        await clerk.call(
            "POST",
            "registry",
            f"/rosters/{roster.roster_id}/rows/{row_no}/removal",
            json={"reason": f"未通过校验（{rules}），本批次不发放"[:200]},
            key=desk.key(roster.roster_id, "remove", row_no),
        )
    roster.removed = len(rejected)


def _rows_to_fix(workbook: bytes) -> list[tuple[int, str]]:
    """(roster row number, rule codes) of each line of the rejected-rows file."""
    sheet = load_workbook(io.BytesIO(workbook), read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        return []
    header = [str(cell) for cell in rows[0]]
    at, rules = header.index(ROW_HEADER), header.index(ROW_HEADER) + 1
    return [(int(str(row[at])), str(row[rules] or "")) for row in rows[1:] if row[at]]


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d} 元"
