"""Instants as the projection databases give them back: PostgreSQL aware, SQLite naive UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.zones import local_date


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def china_date(moment: datetime) -> date:
    """The day in China of a stored instant."""
    return local_date(as_utc(moment))
