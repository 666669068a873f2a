"""The official working-day schedules administrators entered (``WorkingDayScheduleEntered``,
for years the calendar package lacks), as a projection a service keeps for itself, and the
working calendar they make. One table shape for every service that counts working days from
its own projection database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Final

from sqlalchemy import JSON, Column, Integer, MetaData, Table, Text, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.events import WorkingDayScheduleEntered
from contracts.working_days import WorkingCalendar, YearSchedule, calendar_with

_INSERTS: Final[dict[str, Callable[[Table], Any]]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def schedules_table(metadata: MetaData) -> Table:
    """The ``working_day_schedules`` table in ``metadata`` (a service's own tables)."""
    return Table(
        "working_day_schedules",
        metadata,
        Column("year", Integer, primary_key=True),
        Column("holidays", JSON, nullable=False),
        Column("workdays", JSON, nullable=False),
        Column("source", Text, nullable=False),
    )


async def record_schedule(
    conn: AsyncConnection, table: Table, event: WorkingDayScheduleEntered
) -> None:
    """A year's schedule as entered; a later entry for the year replaces it."""
    row = {
        "year": event.year,
        "holidays": sorted(day.isoformat() for day in event.holidays),
        "workdays": sorted(day.isoformat() for day in event.workdays),
        "source": event.source,
    }
    statement = _INSERTS[conn.dialect.name](table).values(row)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=["year"],
            set_={name: statement.excluded[name] for name in row if name != "year"},
        )
    )


async def load_calendar(conn: AsyncConnection, table: Table) -> WorkingCalendar:
    """The calendar of the package's years and every schedule recorded in ``table``."""
    rows = await conn.execute(select(table))
    return calendar_with(
        YearSchedule(
            row.year,
            frozenset(date.fromisoformat(day) for day in row.holidays),
            frozenset(date.fromisoformat(day) for day in row.workdays),
        )
        for row in rows
    )
