"""The final report: counts per stage, totals in yuan, the invariant of every round as the
payout shows it (``GET /rounds/{roster}``), SMS, disclosure, reconciliation, time taken —
printed, and written as JSON beside the county's files for whoever checks the run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infra.mainjob.desk import Desk
from infra.mainjob.rosters import yuan
from infra.settings import SERVICES

RULE = "═" * 78


def invariant_holds(ledger: dict[str, Any]) -> bool:
    """succeeded + returned + outstanding = approved, to the fen — recomputed here, and the
    payout's own ``balanced`` with it."""
    parts = ledger["succeeded_fen"] + ledger["returned_fen"] + ledger["outstanding_fen"]
    return bool(parts == ledger["approved_fen"] and ledger["balanced"])


def facts_of(desk: Desk) -> dict[str, Any]:
    """Everything the report says, as JSON."""
    shape = desk.county.files.county
    return {
        "county": {"code": shape.code, "name": shape.name},
        **desk.facts,
        "auth": desk.ledger.lines(),
        "timings": {title.split(":")[0]: round(s, 1) for title, s in desk.timings.items()},
        "pages": pages(desk),
    }


def write(facts: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(facts, ensure_ascii=False, indent=1, default=str), "utf-8")


def pages(desk: Desk) -> dict[str, str]:
    """Where a person looks at what the round did."""
    publicity = desk.system.url("publicity")
    shown = {f"{service} API": f"{desk.system.url(service)}/docs" for service in SERVICES}
    for township in desk.county.townships:
        shown[f"notices {township}"] = f"{publicity}/notices/townships/{township}"
        shown[f"disclosure {township}"] = f"{publicity}/disclosures/townships/{township}"
    return shown


def render(facts: dict[str, Any]) -> str:
    register = facts["register"]
    lines = ["", RULE, f"report — {facts['county']['name']}（{facts['county']['code']}）, "
             f"seed {facts['seed']}, {register['people']:,} people registered", RULE]  # fmt: skip
    lines += _rosters(facts["rosters"])
    notice = facts["notice"]
    lines.append(f"notice      {notice['notices']} notices, ended {notice['ends_on']}; "
                 f"{notice['objection']}")  # fmt: skip
    people = {name for names in facts["approvals"].values() for name in names}
    lines.append(f"approval    {len(facts['approvals'])} rosters × 3 levels by "
                 f"{len(people)} distinct people: {'、'.join(sorted(people))}")  # fmt: skip
    lines += _payment(facts["payment"])
    for bank, books in facts["banks"].items():
        lines.append(
            f"            bank {bank} (simulated): "
            + ", ".join(f"{k} {n:,}" for k, n in books.items())
        )
    lines += _closing(facts)
    lines.append("auth        " + "; ".join(facts["auth"]))
    lines.append(f"event store {facts['chain']}")
    lines.append("timings     " + "; ".join(f"{t} {s:.0f} s" for t, s in facts["timings"].items()))
    lines.append(f"time taken  {facts['took']:.0f} s")
    lines.append(
        "pages       " + "\n            ".join(f"{k}: {v}" for k, v in facts["pages"].items())
    )
    return "\n".join(lines)


def _rosters(rosters: list[dict[str, Any]]) -> list[str]:
    def total(key: str) -> int:
        return sum(int(roster[key]) for roster in rosters)

    return [
        f"rosters     {len(rosters)} rosters, {total('rows'):,} rows: accepted "
        f"{total('accepted'):,}, warned {total('warned'):,}, rejected {total('rejected'):,} "
        f"(the synthetic manifest planted {total('planted'):,}); {total('removed'):,} rows "
        f"removed by the clerks; payable {yuan(total('payable_fen'))}"
    ]


def _payment(payment: dict[str, Any]) -> list[str]:
    lines = [f"payment     {'roster':<30} {'approved':>17} {'succeeded':>17} "
             f"{'returned':>9} {'outstanding':>11}  invariant"]  # fmt: skip
    for roster_id, shown in sorted(payment["rounds"].items()):
        ledger = shown["ledger"]
        lines.append(
            f"            {roster_id[:30]:<30} {ledger['approved_rows']:>5} "
            f"{ledger['approved_fen'] / 100:>11,.2f} {ledger['succeeded_rows']:>5} "
            f"{ledger['succeeded_fen'] / 100:>11,.2f} {ledger['returned_fen'] / 100:>9,.2f} "
            f"{ledger['outstanding_fen'] / 100:>11,.2f}  "
            f"{'holds' if invariant_holds(ledger) else 'BROKEN'}"
        )
    lines.append(f"            the banks first failed {payment['first_failures'] or 'none'}; "
                 f"corrected and re-issued: {payment['corrected'] or 'none'}")  # fmt: skip
    return lines


def _closing(facts: dict[str, Any]) -> list[str]:
    statuses = ", ".join(f"{status} {n:,}" for status, n in sorted(facts["sms"].items()))
    lines = [f"sms         for {facts['paid']:,} payments: {statuses or 'none'}"]
    shown = facts["disclosure"]
    if shown["available"]:
        lines.append(f"disclosure  {shown['rows']:,} paid rows, {yuan(shown['fen'])}, "
                     f"on {len(shown['urls'])} township pages")  # fmt: skip
    else:
        lines.append("disclosure  not served by this publicity service (stage skipped)")
    for done in facts["reconciliation"]:
        bank = done["bank"]
        lines.append(
            f"reconcile   bank {done['bank_code']} {done['period']}: "
            f"{'balanced' if done['balanced'] else 'NOT balanced'} — the bank's statement "
            f"{bank['succeeded_rows']} paid {yuan(bank['succeeded_fen'])}, "
            f"{bank['rejected_rows']} rejected; mismatches {done['mismatch_kinds'] or 'none'}"
        )
    return lines
