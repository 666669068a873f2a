"""Payment (发放): the approved rounds instructed to the agent banks, the banks' answers
awaited, and every failed row corrected and re-issued (补发) until paid or definitely stuck.

Corrections follow the bank's reason, as the rules of the payout say (ADR 012): a frozen
account is re-issued into the same account on county finance's order once the bank has
unfrozen it; a closed or invalid account, or a name the bank does not match, needs a new
account — declared through the registry's re-application by the township's clerk, reviewed
by the township's finance auditor (never the applicant) and confirmed — before county
finance re-issues the row to the payee the registry now holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from infra.mainjob.corrections import correct_and_reissue
from infra.mainjob.desk import Desk
from infra.mainjob.rosters import Roster
from infra.mainjob.workers import RoundFailed, until

ANSWER_WAIT = 900.0
CORRECTION_ROUNDS = 4
SETTLED = frozenset({"paid", "failed", "returned", "review"})


async def rounds(desk: Desk, rosters: list[Roster]) -> dict[str, dict[str, Any]]:
    """Each roster's round as county finance reads it (``GET /rounds/{roster}``)."""
    finance = desk.as_(desk.staff.finance)
    shown = {}
    for roster in rosters:
        answer = await finance.call("GET", "payout", f"/rounds/{roster.roster_id}", ok=(200, 404))
        if answer.status_code == 200:
            shown[roster.roster_id] = answer.json()
    return shown


async def until_instructed(desk: Desk, rosters: list[Roster]) -> dict[str, dict[str, Any]]:
    """Every approved round opened and its rows instructed to the banks."""

    async def instructed() -> dict[str, dict[str, Any]] | None:
        shown = await rounds(desk, rosters)
        blocked = [r for r in shown.values() if r["blocked"]]
        if blocked:
            raise RoundFailed(f"round {blocked[0]['roster_id']} blocked: {blocked[0]['blocked']}")
        complete = len(shown) == len(rosters) and all(r["instructed"] for r in shown.values())
        return shown if complete else None

    return await until(instructed, what="the payment instructions", timeout=ANSWER_WAIT)


async def until_answered(
    desk: Desk, rosters: list[Roster], banks_up: Callable[[], None]
) -> dict[str, dict[str, Any]]:
    """Every row paid, failed, returned or under review: none waiting on the bank (whose
    processes ``banks_up`` checks, raising when one stopped)."""

    async def answered() -> dict[str, dict[str, Any]] | None:
        banks_up()
        shown = await rounds(desk, rosters)
        waiting = sum(
            n for r in shown.values() for status, n in r["rows_by_status"].items()
            if status not in SETTLED
        )  # fmt: skip
        return shown if not waiting else None

    return await until(answered, what="the banks' answers", timeout=ANSWER_WAIT, every=1.0)


async def pay(desk: Desk, rosters: list[Roster], banks_up: Callable[[], None]) -> dict[str, Any]:
    """The banks' answers, then corrections and re-issues round after round; what the report
    says of it."""
    first = await until_answered(desk, rosters, banks_up)
    failures: Counter[str] = Counter()
    for shown in first.values():
        failures.update(shown["failures_by_reason"])
    desk.screen.say(
        f"  first answers: {_statuses(first)}; failed by reason: {dict(failures) or 'none'}"
    )
    corrected: Counter[str] = Counter()
    for attempt in range(1, CORRECTION_ROUNDS + 1):
        failed = sum(r["rows_by_status"].get("failed", 0) for r in first.values())
        if not failed:
            break
        done = await correct_and_reissue(desk, failed=failed, attempt=attempt)
        corrected.update(done)
        first = await until_answered(desk, rosters, banks_up)
        desk.screen.say(f"  after corrections ({attempt}): {_statuses(first)}")
    return {"first_failures": dict(failures), "corrected": dict(corrected), "rounds": first}


def _statuses(shown: dict[str, dict[str, Any]]) -> str:
    total: Counter[str] = Counter()
    for r in shown.values():
        total.update(r["rows_by_status"])
    return ", ".join(f"{status} {n}" for status, n in sorted(total.items()))
