"""A person's or a household's own payments, for the lookup and the clear card: every row of
a public programme paid (or being paid) to them, masked like every output."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection

from services.publicity.adapters.disclosure_tables import payment_rows
from services.publicity.application.disclosure_queries import public_roster, shown_rows
from services.publicity.application.stored_time import china_date

STATUS_NAMES: Final = {
    "instructed": "发放中",
    "paid": "已发放",
    "failed": "发放未成功，正在核实更正后补发",
    "returned": "未能发放，资金已退回国库",
}


@dataclass(frozen=True, slots=True)
class OwnPayment:
    beneficiary_id: str
    masked_name: str
    programme_name: str
    round_id: str
    quantity: str | None
    standard_fen: int | None
    amount_fen: int
    status: str
    status_name: str
    paid_on: date | None
    masked_account: str


async def payments_of(
    conn: AsyncConnection, beneficiary_ids: Iterable[str], *, year: int | None = None
) -> list[OwnPayment]:
    """The rows paying these beneficiaries, newest round first; ``year`` keeps those paid (or,
    unpaid, instructed) that year in China."""
    result = await conn.execute(
        shown_rows()
        .add_columns(payment_rows.c.beneficiary_id, payment_rows.c.instructed_at)
        .where(
            payment_rows.c.beneficiary_id.in_(list(beneficiary_ids)),
            public_roster(payment_rows.c.roster_id),
        )
        .order_by(payment_rows.c.round_id.desc(), payment_rows.c.roster_id, payment_rows.c.row_no)
    )
    shown = []
    for row in result.mappings().all():
        instructed = row["instructed_at"]
        when = row["paid_on"] or (china_date(instructed) if instructed is not None else None)
        if year is not None and (when is None or when.year != year):
            continue
        status = row["status"] or "instructed"
        shown.append(
            OwnPayment(
                beneficiary_id=row["beneficiary_id"],
                masked_name=row["masked_name"] or "",
                programme_name=row["programme_name"] or row["programme_code"] or "",
                round_id=row["round_id"] or "",
                quantity=row["quantity"],
                standard_fen=row["standard_fen"],
                amount_fen=row["amount_fen"] or 0,
                status=status,
                status_name=STATUS_NAMES.get(status, status),
                paid_on=row["paid_on"] if status == "paid" else None,
                masked_account=row["masked_account"] or "",
            )
        )
    return shown
