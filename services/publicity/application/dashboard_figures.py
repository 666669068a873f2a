"""The supervisors' figures (统计, 004 art.29; 001 art.11(2)8) per programme, area and month
(China's): rows and amounts approved, paid, failed (awaiting correction) and returned to the
treasury, beneficiaries paid, and the bank's failure reasons. Confidential programmes are
included: this is an officials' view, behind ``payment.read``.

A row counts in the month of its own fact: approval by the approval's day, payment by the
bank's value date, a failure by its latest rejection, a return by its day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from services.publicity.adapters.disclosure_tables import (
    approval_rounds,
    payment_failures,
    payment_rows,
)
from services.publicity.adapters.tables import notices

Level = Literal["township", "county"]
FIGURES = (
    "rows_approved",
    "approved_fen",
    "rows_paid",
    "paid_fen",
    "beneficiaries_paid",
    "rows_failed",
    "failed_fen",
    "rows_returned",
    "returned_fen",
)


@dataclass(frozen=True, slots=True)
class Scope:
    division_prefix: str
    level: Level = "township"
    programme_code: str | None = None
    months: tuple[str, str] | None = None
    """First and last month (``YYYY-MM``), both included; None: every month."""


def month_of(conn: AsyncConnection, column: Any, *, instant: bool) -> ColumnElement[str]:
    """``YYYY-MM`` of a date column, or of a stored UTC instant in China, in SQL."""
    if conn.dialect.name == "postgresql":
        shifted = func.timezone("Asia/Shanghai", column) if instant else column
        return func.to_char(shifted, "YYYY-MM")
    return func.strftime("%Y-%m", column, "+8 hours") if instant else func.strftime("%Y-%m", column)


def _area(column: Any, level: Level) -> Any:
    return func.substr(column, 1, 6) if level == "county" else column


async def figures(conn: AsyncConnection, scope: Scope) -> list[dict[str, Any]]:
    """One cell per (programme, area, month) with every figure (0 where none)."""
    cells: dict[tuple[str, str, str], dict[str, Any]] = {}
    for statement in _statements(conn, scope):
        for row in (await conn.execute(statement)).mappings().all():
            key = (row["programme_code"], row["area"], row["month"])
            cell = cells.setdefault(key, _empty(*key))
            cell.update({k: int(v or 0) for k, v in row.items() if k in FIGURES})
    names = await programme_names(conn)
    shown = [
        {**cell, "programme_name": names.get(cell["programme_code"], cell["programme_code"])}
        for key, cell in sorted(cells.items())
        if _in_months(key[2], scope)
    ]
    return shown


def _empty(programme_code: str, area: str, month: str) -> dict[str, Any]:
    return {"programme_code": programme_code, "area": area, "month": month} | dict.fromkeys(
        FIGURES, 0
    )


def _in_months(month: str | None, scope: Scope) -> bool:
    return month is not None and (
        scope.months is None or scope.months[0] <= month <= scope.months[1]
    )


def _statements(conn: AsyncConnection, scope: Scope) -> list[Any]:
    rows = payment_rows.c
    paid = _grouped(
        conn,
        scope,
        rows,
        rows.paid_on,
        instant=False,
        status="paid",
        measures=(
            func.count().label("rows_paid"),
            func.sum(rows.amount_fen).label("paid_fen"),
            func.count(func.distinct(rows.beneficiary_id)).label("beneficiaries_paid"),
        ),
    )
    failed = _grouped(
        conn,
        scope,
        rows,
        rows.failed_at,
        instant=True,
        status="failed",
        measures=(func.count().label("rows_failed"), func.sum(rows.amount_fen).label("failed_fen")),
    )
    returned = _grouped(
        conn,
        scope,
        rows,
        rows.returned_at,
        instant=True,
        status="returned",
        measures=(
            func.count().label("rows_returned"),
            func.sum(rows.amount_fen).label("returned_fen"),
        ),
    )
    rounds = approval_rounds.c
    approved = _grouped(
        conn,
        scope,
        rounds,
        rounds.approved_at,
        instant=True,
        status=None,
        measures=(
            func.sum(rounds.approved_rows).label("rows_approved"),
            func.sum(rounds.approved_fen).label("approved_fen"),
        ),
    )
    return [paid, failed, returned, approved]


def _grouped(
    conn: AsyncConnection,
    scope: Scope,
    columns: Any,
    moment: Any,
    *,
    instant: bool,
    status: str | None,
    measures: Sequence[Any],
) -> Any:
    month = month_of(conn, moment, instant=instant).label("month")
    area = _area(columns.township_code, scope.level).label("area")
    conditions = [
        moment.is_not(None),
        columns.township_code.startswith(scope.division_prefix, autoescape=True),
    ]
    if status is not None:
        conditions.append(columns.status == status)
    if scope.programme_code is not None:
        conditions.append(columns.programme_code == scope.programme_code)
    return (
        select(columns.programme_code, area, month, *measures)
        .where(*conditions)
        .group_by(columns.programme_code, area, month)
    )


async def failure_reasons(conn: AsyncConnection, scope: Scope) -> list[dict[str, Any]]:
    """Every rejection by the bank per programme, month and reason: how many, how much."""
    failures = payment_failures.c
    month = month_of(conn, failures.failed_at, instant=True).label("month")
    conditions = [failures.township_code.startswith(scope.division_prefix, autoescape=True)]
    if scope.programme_code is not None:
        conditions.append(failures.programme_code == scope.programme_code)
    result = await conn.execute(
        select(
            failures.programme_code,
            month,
            failures.reason_code,
            func.max(failures.reason_text).label("reason_text"),
            func.count().label("failures"),
            func.sum(failures.amount_fen).label("amount_fen"),
        )
        .where(*conditions)
        .group_by(failures.programme_code, month, failures.reason_code)
        .order_by(month, failures.programme_code, func.count().desc())
    )
    rows = [dict(row) for row in result.mappings().all()]
    return [
        {**row, "failures": int(row["failures"]), "amount_fen": int(row["amount_fen"] or 0)}
        for row in rows
        if _in_months(row["month"], scope)
    ]


async def programme_names(conn: AsyncConnection) -> dict[str, str]:
    """Each programme's standard name, as its notices gave it."""
    result = await conn.execute(
        select(notices.c.programme_code, func.max(notices.c.programme_name))
        .where(notices.c.programme_code.is_not(None))
        .group_by(notices.c.programme_code)
    )
    return {code: name for code, name in result.all() if name}
