"""A round's status as people read it: its batches per bank, its rows by status, failures by
reason, and its invariant — succeeded + returned + outstanding = approved, to the fen."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from contracts.envelope import Actor
from infra.identity.permissions import Action, authorize
from infra.projections.database import ProjectionDatabase
from services.payout.adapters.tables import payment_rounds, payment_rows
from services.payout.domain import refusals as refuse
from services.payout.domain.ledger import Ledger, ledger_of


async def round_status(
    *, projections: ProjectionDatabase, actor: Actor, roster_id: str
) -> dict[str, Any]:
    """The round's header, batches, rows by status and failures by reason, and its ledger.
    Aggregates only (no personal data). ``Forbidden`` outside the reader's jurisdiction;
    ``Refused`` (404) for a roster whose approval has not reached the payout."""
    async with projections.transaction() as conn:
        header = (
            (
                await conn.execute(
                    select(payment_rounds).where(payment_rounds.c.roster_id == roster_id)
                )
            )
            .mappings()
            .first()
        )
        if header is None:
            authorize(actor, Action.PAYMENT_READ, actor.jurisdiction_code)
            raise refuse.round_not_found()
        authorize(actor, Action.PAYMENT_READ, header["township_code"])
        found = payment_rows.c
        grouped = await conn.execute(
            select(found.status, found.reason_code, func.count(), func.sum(found.amount_fen))
            .where(found.roster_id == roster_id)
            .group_by(found.status, found.reason_code)
        )
        groups = [(status, reason, count, int(fen or 0)) for status, reason, count, fen in grouped]
    by_status: Counter[str] = Counter()
    rows = []
    failures: Counter[str] = Counter()
    for status, reason, count, fen in groups:
        by_status[status] += count
        rows.append((status, count, fen))
        if status == "failed" and reason:
            failures[reason] += count
    ledger = ledger_of(header["row_count"], header["total_fen"], rows)
    return {
        "roster_id": roster_id,
        "status": header["status"],
        "round_id": header["round_id"],
        "submission_no": header["submission_no"],
        "programme_code": header["programme_code"],
        "programme_name": header["programme_name"],
        "township_code": header["township_code"],
        "opened_at": _utc(header["opened_at"]),
        "instructed": header["instructed"],
        "batches": header["batches"],
        "blocked": header["blocked"],
        "rows_by_status": dict(sorted(by_status.items())),
        "failures_by_reason": dict(sorted(failures.items())),
        "ledger": _ledger(ledger),
    }


def _ledger(ledger: Ledger) -> dict[str, Any]:
    return {
        "approved_rows": ledger.approved_rows,
        "approved_fen": ledger.approved_fen,
        "succeeded_rows": ledger.succeeded_rows,
        "succeeded_fen": ledger.succeeded_fen,
        "returned_rows": ledger.returned_rows,
        "returned_fen": ledger.returned_fen,
        "outstanding_rows": ledger.outstanding_rows,
        "outstanding_fen": ledger.outstanding_fen,
        "difference_fen": ledger.difference_fen,
        "balanced": ledger.balanced,
    }


def _utc(moment: datetime | None) -> str | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is None:
        return None
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).isoformat()
