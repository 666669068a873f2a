"""One supervisors' dashboard: the figures of a scope, its failure reasons, its overdue
rounds, and totals per area and per programme for the charts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.projections.database import ProjectionDatabase
from services.publicity.application.calendar import working_calendar
from services.publicity.application.dashboard_figures import (
    FIGURES,
    Scope,
    failure_reasons,
    figures,
)
from services.publicity.application.dashboard_overdue import approvals_overdue, notices_overdue

OVERDUE_LOOKBACK_DAYS = 400
"""How far back the approval calendar is read (a roster waiting longer is overdue anyway)."""


async def dashboard(
    *,
    store: EventStore,
    codec: EventCodec,
    projections: ProjectionDatabase,
    scope: Scope,
    today: date,
) -> dict[str, Any]:
    years = range((today - timedelta(days=OVERDUE_LOOKBACK_DAYS)).year, today.year + 1)
    calendar = await working_calendar(store, codec, years)
    async with projections.transaction() as conn:
        cells = await figures(conn, scope)
        reasons = await failure_reasons(conn, scope)
        late_notices = await notices_overdue(conn, scope.division_prefix, today)
        late_approvals = await approvals_overdue(conn, scope.division_prefix, today, calendar)
    return {
        "cells": cells,
        "totals": _totals(cells, "programme_code", "programme_name"),
        "areas": _totals(cells, "area"),
        "failure_reasons": reasons,
        "overdue": {"notices": late_notices, "approvals": late_approvals},
    }


def _totals(cells: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """The figures summed over the other dimensions (beneficiaries per month summed too)."""
    summed: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(dict)
    for cell in cells:
        key = tuple(cell[k] for k in keys)
        total = summed[key]
        total.update({k: cell[k] for k in keys})
        for figure in FIGURES:
            total[figure] = total.get(figure, 0) + cell[figure]
    return [summed[key] for key in sorted(summed)]
