"""What the disclosure pages read (发放情况公示, 002 §3(2)): the paid rows of each township's
rounds per programme, masked, and how many rows are not paid yet or were returned. A roster
is shown only once its notice says it is public, and never when any of its notices says it
is confidential (fail closed: a roster whose notice has not arrived yet is not shown)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from services.publicity.adapters.disclosure_tables import payment_rows
from services.publicity.adapters.tables import notice_rows, notices


def public_roster(roster_id: Any) -> ColumnElement[bool]:
    """The roster of ``roster_id`` (a column) is of a public programme."""
    return and_(
        exists().where(notices.c.roster_id == roster_id, notices.c.public.is_(True)),
        ~exists().where(
            notices.c.roster_id == roster_id,
            or_(notices.c.public.is_(None), notices.c.public.is_(False)),
        ),
    )


_latest = notice_rows.alias("latest_rows")
_NOTICE_ROW = and_(
    notice_rows.c.roster_id == payment_rows.c.roster_id,
    notice_rows.c.row_no == payment_rows.c.row_no,
    notice_rows.c.submission_no
    == select(func.max(_latest.c.submission_no))
    .where(_latest.c.roster_id == payment_rows.c.roster_id)
    .scalar_subquery(),
)
"""The row of the roster's notice that the payment pays (its latest submission)."""

SHOWN = (
    payment_rows.c.roster_id,
    payment_rows.c.row_no,
    payment_rows.c.round_id,
    payment_rows.c.programme_code,
    payment_rows.c.programme_name,
    payment_rows.c.masked_name,
    payment_rows.c.masked_account,
    payment_rows.c.amount_fen,
    payment_rows.c.status,
    payment_rows.c.paid_on,
    payment_rows.c.village_code,
    notice_rows.c.masked_citizen_id,
    notice_rows.c.village,
    notice_rows.c.quantity,
    notice_rows.c.standard_fen,
)


@dataclass(frozen=True, slots=True)
class PaidRow:
    row_no: int
    masked_name: str
    masked_citizen_id: str
    village: str
    amount_fen: int
    paid_on: date


@dataclass
class DisclosedRound:
    roster_id: str
    round_id: str
    programme_name: str
    paid: list[PaidRow] = field(default_factory=list)
    unpaid: int = 0
    returned: int = 0

    @property
    def paid_fen(self) -> int:
        return sum(row.amount_fen for row in self.paid)


def shown_rows() -> Any:
    """Payment rows with their notice row (masked ID, village, quantity, standard)."""
    return select(*SHOWN).select_from(payment_rows.outerjoin(notice_rows, _NOTICE_ROW))


async def programme_disclosure(
    conn: AsyncConnection, township_code: str, programme_code: str
) -> list[DisclosedRound]:
    """The township's rounds of one public programme with at least one row paid."""
    result = await conn.execute(
        shown_rows()
        .where(
            payment_rows.c.township_code == township_code,
            payment_rows.c.programme_code == programme_code,
            public_roster(payment_rows.c.roster_id),
        )
        .order_by(payment_rows.c.round_id, payment_rows.c.roster_id, payment_rows.c.row_no)
    )
    rounds: dict[str, DisclosedRound] = {}
    for row in result.mappings().all():
        shown = rounds.setdefault(
            row["roster_id"],
            DisclosedRound(row["roster_id"], row["round_id"] or "", row["programme_name"] or ""),
        )
        _count(shown, row)
    return [shown for shown in rounds.values() if shown.paid]


def _count(shown: DisclosedRound, row: Any) -> None:
    if row["status"] == "paid" and row["paid_on"] is not None:
        shown.paid.append(
            PaidRow(
                row_no=row["row_no"],
                masked_name=row["masked_name"] or "",
                masked_citizen_id=row["masked_citizen_id"] or "",
                village=row["village"] or row["village_code"] or "",
                amount_fen=row["amount_fen"] or 0,
                paid_on=row["paid_on"],
            )
        )
    elif row["status"] == "returned":
        shown.returned += 1
    else:
        shown.unpaid += 1


async def township_disclosures(conn: AsyncConnection, township_code: str) -> list[dict[str, Any]]:
    """The public programmes of the township with paid rows: rows and amount paid, last day."""
    paid = payment_rows.c.status == "paid"
    result = await conn.execute(
        select(
            payment_rows.c.programme_code,
            func.max(payment_rows.c.programme_name).label("programme_name"),
            func.count().label("rows_paid"),
            func.sum(payment_rows.c.amount_fen).label("paid_fen"),
            func.max(payment_rows.c.paid_on).label("last_paid_on"),
        )
        .where(
            payment_rows.c.township_code == township_code,
            paid,
            public_roster(payment_rows.c.roster_id),
        )
        .group_by(payment_rows.c.programme_code)
        .order_by(payment_rows.c.programme_code)
    )
    return [dict(row) for row in result.mappings().all()]
