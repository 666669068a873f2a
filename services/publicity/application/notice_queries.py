"""What the notice pages and officials' views read from the notice board projection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.publicity.adapters.tables import notice_rows, notices


@dataclass(frozen=True, slots=True)
class BoardRow:
    row_no: int
    masked_name: str
    masked_citizen_id: str
    masked_account: str
    village: str
    quantity: str | None
    standard_fen: int | None
    amount_fen: int


@dataclass(frozen=True, slots=True)
class BoardNotice:
    roster_id: str
    submission_no: int
    township_code: str
    township_name: str
    programme_name: str
    round_id: str
    starts_on: date
    ends_on: date
    working_days: int
    total_fen: int
    rows: list[BoardRow]


_newer = notices.alias("newer")
_RUNNING = and_(
    notices.c.starts_on.is_not(None),
    notices.c.halted_at.is_(None),
    notices.c.completed_at.is_(None),
    ~exists().where(
        _newer.c.roster_id == notices.c.roster_id,
        _newer.c.submission_no > notices.c.submission_no,
    ),
)
"""Started, neither halted nor completed, and not superseded by a later submission."""


async def notice_board(conn: AsyncConnection, township_code: str) -> list[BoardNotice]:
    """The township's public notices up now (started, neither halted nor completed), with
    their rows; confidential programmes never appear."""
    headers = await conn.execute(
        select(notices)
        .where(_RUNNING, notices.c.public.is_(True), notices.c.township_code == township_code)
        .order_by(notices.c.starts_on, notices.c.roster_id)
    )
    board = []
    for header in headers.mappings().all():
        rows = await _rows(conn, header["roster_id"], header["submission_no"])
        board.append(
            BoardNotice(
                roster_id=header["roster_id"],
                submission_no=header["submission_no"],
                township_code=header["township_code"],
                township_name=header["township_name"] or header["township_code"],
                programme_name=header["programme_name"] or header["programme_code"],
                round_id=header["round_id"],
                starts_on=header["starts_on"],
                ends_on=header["ends_on"],
                working_days=header["working_days"],
                total_fen=header["total_fen"] or sum(row.amount_fen for row in rows),
                rows=rows,
            )
        )
    return board


async def _rows(conn: AsyncConnection, roster_id: str, submission_no: int) -> list[BoardRow]:
    result = await conn.execute(
        select(notice_rows)
        .where(notice_rows.c.roster_id == roster_id, notice_rows.c.submission_no == submission_no)
        .order_by(notice_rows.c.row_no)
    )
    return [_board_row(row) for row in result.mappings().all()]


def _board_row(row: Any) -> BoardRow:
    return BoardRow(
        row_no=row["row_no"],
        masked_name=row["masked_name"],
        masked_citizen_id=row["masked_citizen_id"],
        masked_account=row["masked_account"],
        village=row["village"],
        quantity=row["quantity"],
        standard_fen=row["standard_fen"],
        amount_fen=row["amount_fen"],
    )


async def listed_row(
    conn: AsyncConnection, roster_id: str, submission_no: int, row_no: int
) -> BoardRow | None:
    """The row of a submission's notice, as shown (None: no such row)."""
    result = await conn.execute(
        select(notice_rows).where(
            notice_rows.c.roster_id == roster_id,
            notice_rows.c.submission_no == submission_no,
            notice_rows.c.row_no == row_no,
        )
    )
    row = result.mappings().first()
    return None if row is None else _board_row(row)


async def township_notices(conn: AsyncConnection, division_prefix: str) -> list[dict[str, Any]]:
    """Every notice of the townships under ``division_prefix``, confidential and waiting ones
    included (the officials' view), newest submission first."""
    result = await conn.execute(
        select(notices)
        .where(notices.c.township_code.startswith(division_prefix, autoescape=True))
        .order_by(notices.c.township_code, notices.c.roster_id, notices.c.submission_no.desc())
    )
    return [dict(row) for row in result.mappings().all()]


async def waiting_notices(conn: AsyncConnection) -> list[tuple[str, int]]:
    """(roster id, submission) of the notices waiting for a year's schedule."""
    result = await conn.execute(
        select(notices.c.roster_id, notices.c.submission_no).where(
            notices.c.waiting_code.is_not(None), notices.c.starts_on.is_(None)
        )
    )
    return [(row.roster_id, row.submission_no) for row in result]


async def elapsed_notices(conn: AsyncConnection, today: date) -> list[tuple[str, int]]:
    """(roster id, submission) of the running notices whose period ended before ``today``."""
    result = await conn.execute(
        select(notices.c.roster_id, notices.c.submission_no).where(
            _RUNNING, notices.c.ends_on < today
        )
    )
    return [(row.roster_id, row.submission_no) for row in result]


async def township_name(conn: AsyncConnection, township_code: str) -> str | None:
    """The township's name as its latest submitted roster gave it (None: none seen yet)."""
    result = await conn.execute(
        select(notices.c.township_name)
        .where(notices.c.township_code == township_code, notices.c.township_name.is_not(None))
        .order_by(notices.c.submitted_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def overdue_notices(
    conn: AsyncConnection, division_prefix: str, today: date
) -> list[dict[str, Any]]:
    """Running notices under ``division_prefix`` whose period ended before ``today``: held by
    an objection still open (confidential ones included: officials' view)."""
    result = await conn.execute(
        select(notices)
        .where(
            _RUNNING,
            notices.c.ends_on < today,
            notices.c.township_code.startswith(division_prefix, autoescape=True),
        )
        .order_by(notices.c.ends_on, notices.c.roster_id)
    )
    return [dict(row) for row in result.mappings().all()]


async def completed_notices(conn: AsyncConnection, division_prefix: str) -> list[dict[str, Any]]:
    """Completed notices under ``division_prefix``, not superseded by a later submission:
    those rosters are in (or through) approval."""
    newest = ~exists().where(
        _newer.c.roster_id == notices.c.roster_id,
        _newer.c.submission_no > notices.c.submission_no,
    )
    result = await conn.execute(
        select(notices).where(
            notices.c.completed_at.is_not(None),
            newest,
            notices.c.township_code.startswith(division_prefix, autoescape=True),
        )
    )
    return [dict(row) for row in result.mappings().all()]
