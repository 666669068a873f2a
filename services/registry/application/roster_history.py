"""A roster's stream read once for what its state does not keep: every live row as stored
(the latest correction wins, returned rows flagged) and the users who prepared it."""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts.envelope import Actor
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from services.registry.domain.events import (
    RosterDrafted,
    RosterReturned,
    RosterRow,
    RosterRowCorrected,
    RosterRowRemoved,
    RosterRowsImported,
)
from services.registry.domain.roster import Roster, evolve
from services.registry.domain.roster_returns import returned_finding

PREPARING = (RosterDrafted, RosterRowsImported, RosterRowCorrected, RosterRowRemoved)
"""Events whose actor prepared the roster: drafted it, imported or typed rows (a typed row is
a one-row import), corrected or removed one."""


@dataclass(slots=True)
class RosterHistory:
    state: Roster | None = None
    version: int = 0
    rows: dict[int, RosterRow] = field(default_factory=dict)
    """Every live row by number, as last stored, with its return flags."""
    prepared_by: set[str] = field(default_factory=set)
    """User ids of the people who prepared it (system actors excluded)."""


async def read_roster_history(
    store: EventStore, codec: EventCodec, roster_id: str
) -> RosterHistory:
    history = RosterHistory()
    records = await store.read_stream(f"roster-{roster_id}")
    for record in records:
        envelope = codec.decode(record)
        event = envelope.event
        history.state = evolve(history.state, event)
        if isinstance(event, PREPARING) and not is_system(envelope.actor):
            history.prepared_by.add(envelope.actor.user_id)
        _fold_row(history.rows, event)
    history.version = len(records)
    return history


def is_system(actor: Actor) -> bool:
    return actor.role == "system" or actor.user_id.startswith("system:")


def _fold_row(rows: dict[int, RosterRow], event: object) -> None:
    if isinstance(event, RosterRowsImported):
        rows.update((row.row_no, row) for row in event.rows)
    elif isinstance(event, RosterRowCorrected):
        rows[event.row.row_no] = event.row
    elif isinstance(event, RosterRowRemoved):
        rows.pop(event.row_no, None)
    elif isinstance(event, RosterReturned):
        finding = returned_finding(event)
        for row_no in event.row_nos:
            row = rows.get(row_no)
            if row is None:
                continue
            said = row.messages if len(row.messages) == len(row.rules) else row.rules
            rows[row_no] = row.model_copy(
                update={
                    "verdict": "rejected",
                    "rules": (*row.rules, finding.rule),
                    "messages": (*said, finding.message),
                }
            )
