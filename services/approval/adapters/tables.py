"""The approval's projection tables (SQLAlchemy Core): rebuilt from events, never edited by
hand, and written with one upsert that never lets an older state overwrite a newer one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.projections.working_day_schedules import schedules_table

TABLES = MetaData()

approvals = Table(
    "approvals",
    TABLES,
    Column("roster_id", String(64), primary_key=True),
    Column("stream_version", Integer, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("submission_no", Integer, nullable=False),
    Column("programme_code", String(32), nullable=False),
    Column("programme_name", String(200), nullable=False),
    Column("township_code", String(32), nullable=False, index=True),
    Column("township_name", String(200), nullable=False),
    Column("round_id", String(64), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("total_fen", Integer, nullable=False),
    Column("level", Integer, nullable=False),
    Column("level_count", Integer, nullable=False),
    Column("role", String(64), nullable=False, index=True),
    Column("prepared_by", JSON, nullable=False),
    Column("deciders", JSON, nullable=False),
    Column("overdue_working_days", Integer, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("level_entered_at", DateTime(timezone=True), nullable=False),
)
"""The latest approval of each roster: its status, the level waiting and its role, who may
not decide it (makers, deciders so far), and when the approval and the level began. The
pending work (待办) of a user is the ``open`` rows they may decide."""

working_day_schedules = schedules_table(TABLES)
"""Official schedules an administrator entered, for years the calendar package lacks."""

_INSERTS: Final[dict[str, Callable[[Table], Any]]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


async def upsert(
    conn: AsyncConnection, table: Table, row: dict[str, Any], *, newer: str | None = None
) -> None:
    """Insert ``row`` or replace the row with its primary key; with ``newer`` (a column), only
    a row whose value there is greater replaces the stored one."""
    statement = _INSERTS[conn.dialect.name](table).values(row)
    keys = [column.name for column in table.primary_key.columns]
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: statement.excluded[name] for name in row if name not in keys},
        where=None if newer is None else table.c[newer] < statement.excluded[newer],
    )
    await conn.execute(statement)
