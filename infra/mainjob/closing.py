"""After payment: the SMS the notify service sent (one per payment), the public disclosure of
the results, and the month's reconciliation with each bank."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from infra.clock import CHINA
from infra.mainjob.bank import BankLink
from infra.mainjob.desk import Desk
from infra.mainjob.rosters import Roster
from infra.mainjob.statement import bank_statement

SMS_WAIT = 180.0
UNSENT = ("pending", "awaiting_phone", "failed", "not_sendable")


async def count_sms(desk: Desk, rosters: list[Roster], paid: int) -> Counter[str]:
    """The payment SMS of this round: ``delivered`` as the demo's phone (the notify service's
    spool) received them, the others by status as the notify API lists them. Waits until
    every payment has its SMS or ``SMS_WAIT`` has passed (a phone's hourly limit may hold
    some back)."""
    spool = desk.system.settings.notify_spool_dir or desk.system.settings.data_dir / "sms-spool"
    ours = {roster.roster_id for roster in rosters}
    deadline = time.monotonic() + SMS_WAIT
    while True:
        total = Counter(await asyncio.to_thread(_delivered, spool, ours))
        total.update(await _not_delivered(desk))
        if sum(total.values()) >= paid and not total.get("pending"):
            return total
        if time.monotonic() > deadline:
            return total
        await asyncio.sleep(2.0)


def _delivered(spool: Path, rosters: set[str]) -> dict[str, int]:
    """Distinct SMS of ``rosters`` in the spool (ids ``sms-<roster>:<row>:<attempt>``), and
    how many lines repeated one; only ids are read, never the numbers."""
    seen: Counter[str] = Counter()
    for path in sorted(spool.glob("sms-*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                notification = str(json.loads(line)["id"])
                if notification.removeprefix("sms-").split(":")[0] in rosters:
                    seen[notification] += 1
    repeated = sum(n - 1 for n in seen.values())
    return {"delivered": len(seen), **({"delivered twice": repeated} if repeated else {})}


async def _not_delivered(desk: Desk) -> Counter[str]:
    """SMS not (yet) sent, per status, over the county's townships (at most ``PAGE_LIMIT`` a
    township and status: the API pages no further)."""
    operator = desk.as_(desk.staff.operator)
    total: Counter[str] = Counter()
    for township in desk.county.townships:
        for status in UNSENT:
            params = {"township": township, "status": status}
            items = (await operator.call("GET", "notify", "/notifications", params=params)).json()
            total[status] += len(items["items"])
    return +total


async def disclosure(desk: Desk, paid: int) -> dict[str, Any]:
    """The public disclosure pages per township, once they show every paid row; where the
    publicity service serves none (``available`` false), the round goes on without."""
    base = desk.system.url("publicity")
    urls = [f"{base}/disclosures/townships/{t}" for t in desk.county.townships]
    deadline = time.monotonic() + SMS_WAIT
    while True:
        rows, fen = 0, 0
        for url in urls:
            answer = await desk.http.get(f"{url}.json")
            if answer.status_code == 404:
                return {"available": False}
            for programme in answer.json()["programmes"]:
                rows, fen = rows + int(programme["rows_paid"]), fen + int(programme["paid_fen"])
        if rows >= paid or time.monotonic() > deadline:
            return {"available": True, "rows": rows, "fen": fen, "urls": urls}
        await asyncio.sleep(2.0)


async def reconcile(desk: Desk, links: list[BankLink]) -> list[dict[str, Any]]:
    """Each bank's month statement, written from the simulated bank's own books, reconciled by
    county finance once the month is over (the shared clock is moved to the next month)."""
    finance = desk.as_(desk.staff.finance)
    done = []
    for link in links:
        statement, month = bank_statement(link.ledger)
        if month is None:
            continue
        _after(desk, month)
        period = f"{month:%Y-%m}"
        answer = await finance.call(
            "POST", "payout", f"/banks/{link.bank_code}/statements/{period}",
            content=statement, headers={"Content-Type": "text/csv"},
            key=desk.key("reconcile", link.bank_code, period),
        )  # fmt: skip
        shown = answer.json()
        done.append({k: v for k, v in shown.items() if k != "mismatches"})
    return done


def _after(desk: Desk, month: date) -> None:
    """Move the shared clock into the month after ``month`` (09:00 on its first day)."""
    first = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    desk.clock.advance_to(datetime.combine(first, clock_time(9), CHINA))
