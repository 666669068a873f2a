"""An approved round, as the registry and approval publish it: the submitted rows (in parts),
the submission's terms and the approval — the inputs the payout opens a round from. For the
bank simulator's tests and the bank API's benchmark, which need thousands of instructions
without taking a roster through notice and approval first.

``deliver`` hands such events to a consumer's handler the way its consumer would (in one
projection transaction), for callers that run a service without a bus.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from contracts.base import Event
from contracts.envelope import Actor, new_envelope, new_event_id
from contracts.events import BatchApproved, RosterRowsSubmitted, RosterSubmitted, SubmittedRow
from contracts.events.registry import MAX_ROWS_PER_PART
from contracts.pii import CardAccountNo, CitizenId
from infra.projections.database import ProjectionDatabase
from infra.service import ConsumerSpec
from infra.synthetic.banks import AGRICULTURAL
from infra.synthetic.numbers import CardNumbers, id_check

TOWNSHIP = "650102001"
_BORN = date(1950, 1, 1)
_CLERK = Actor(user_id="u-synthetic", role="township_operator", jurisdiction_code=TOWNSHIP)


def approved_round(
    *,
    roster_id: str,
    rows: int,
    amounts: Sequence[int] = (61_725, 30_000, 12_345, 50_000),
    banks: Sequence[str] = (AGRICULTURAL.code,),
    township_code: str = TOWNSHIP,
) -> list[Event]:
    """``rows`` rows (amounts and banks taken in turn), their terms and their approval."""
    cards = CardNumbers(AGRICULTURAL.bin, township_code[2:6])
    submitted = [_row(n, amounts[(n - 1) % len(amounts)], banks[(n - 1) % len(banks)], cards)
                 for n in range(1, rows + 1)]  # fmt: skip
    parts = [
        RosterRowsSubmitted(
            roster_id=roster_id,
            submission_no=1,
            part=index + 1,
            rows=tuple(submitted[start : start + MAX_ROWS_PER_PART]),
        )
        for index, start in enumerate(range(0, rows, MAX_ROWS_PER_PART))
    ]
    total = sum(row.amount_fen for row in submitted)
    terms = RosterSubmitted(
        roster_id=roster_id,
        programme_code="GDLS",
        township_code=township_code,
        round_id="2025-1",
        row_count=rows,
        total_fen=total,
        submission_no=1,
        parts=len(parts),
        prepared_by=(_CLERK.user_id,),
        programme_version=1,
        programme_name="耕地地力保护补贴",
        notice_working_days=7,
        confidential=False,
        township_name="红星乡",
    )
    approval = BatchApproved(
        roster_id=roster_id,
        round_id="2025-1",
        submission_no=1,
        programme_code="GDLS",
        township_code=township_code,
        approved_row_count=rows,
        total_fen=total,
        levels=("u-auditor", "u-reviewer", "u-finance"),
    )
    return [*parts, terms, approval]


def _row(n: int, amount_fen: int, bank_code: str, cards: CardNumbers) -> SubmittedRow:
    born = (_BORN + timedelta(days=n // 900)).strftime("%Y%m%d")
    first17 = f"650102{born}{100 + n % 900:03d}"
    return SubmittedRow(
        row_no=n,
        beneficiary_id=f"b-{n}",
        citizen_id=CitizenId(first17 + id_check(first17)),
        name=f"受益人{n}",
        village_code=f"{TOWNSHIP}001",
        village="红星村一组",
        quantity=Decimal(1),
        standard_fen=amount_fen,
        amount_fen=amount_fen,
        bank_code=bank_code,
        account_no=CardAccountNo(cards.make(n)),
    )


async def deliver(
    spec: ConsumerSpec, projections: ProjectionDatabase, events: Sequence[Event], *, at: datetime
) -> None:
    """``events`` (of one stream each: rows and terms, then approval) through ``spec``'s
    handler in one transaction, as if they had just come over the bus."""
    await projections.create_tables(spec.tables)
    correlation = uuid.uuid4()
    envelopes = [
        new_envelope(
            event,
            event_id=new_event_id(at),
            stream_id=f"synthetic-{type(event).__name__}",
            occurred_at=at,
            actor=_CLERK,
            correlation_id=correlation,
        )
        for event in events
    ]
    async with projections.transaction() as conn:
        await spec.handler(conn, envelopes)
