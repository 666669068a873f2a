"""The registry's private events: facts only the registry reads, free to evolve (with
upcasters, since they are kept ten years like every event). What other services may rely on
is in ``contracts/events/registry.py``. The catalogue's events live beside their deciders
(``programme.py``, ``divisions.py``) and are registered here."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import Event
from contracts.events import EVENTS
from contracts.fields import Code, Count, Fen, Id, Text
from contracts.pii import CardAccountNo, CitizenId, PhoneNo
from services.registry.domain.beneficiary_events import BENEFICIARY_EVENTS
from services.registry.domain.divisions import DIVISION_EVENTS
from services.registry.domain.programme import PROGRAMME_EVENTS


class CitizenIdReserved(Event):
    """A citizen ID (stream ``citizen-id-<blind index>``) now belongs to this beneficiary:
    the register's guard that one person is registered once."""

    event_type = "CitizenIdReserved"
    schema_version = 1

    beneficiary_id: Id


# -- rosters (发放清册): stream ``roster-<roster_id>`` ------------------------------------


class RosterDrafted(Event):
    """A township started a roster of one programme (at the catalogue version it is paid
    under) for one round (批次)."""

    event_type = "RosterDrafted"
    schema_version = 1

    roster_id: Id
    programme_code: Code
    programme_version: Count
    township_code: Code
    round_id: Id


class RosterRow(BaseModel):
    """One roster row as stored: what the clerk submitted, the register's beneficiary it was
    matched to, and the row's verdict.

    Personal data is kept once, sealed: ``citizen_id`` always (the row's key for duplicate
    checks, by its blind index), the card account and phone only when they differ from the
    register's (a matched row points to the register for them). Quantities, standards and
    amounts are kept as the text submitted, and ``amount_fen`` as read when it could be.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    row_no: Count
    """The row's number in the roster, unique across its imports (what corrections name)."""
    line_no: Count
    """The row's line in the file it came from (what the clerk sees in the spreadsheet)."""
    beneficiary_id: Id | None = None
    citizen_id: CitizenId | None = None
    citizen_id_text: str | None = None
    """What the ID cell held when it was not an ID at all (empty, a number Excel mangled)."""
    name: str = ""
    card_account: CardAccountNo | None = None
    bank: str = ""
    quantity: str = ""
    standard: str = ""
    amount: str = ""
    amount_fen: Fen | None = None
    village: str = ""
    phone: PhoneNo | None = None
    remark: str = ""
    verdict: Literal["accepted", "warned", "rejected"]
    rules: tuple[str, ...] = ()
    """The rule codes of the findings, rejecting ones and warnings alike."""
    messages: tuple[str, ...] = ()
    """The findings' Chinese messages, in the order of ``rules`` (what the clerk's export of
    the rows to fix shows beside each row)."""


class RosterRowsImported(Event):
    """Rows of a file (or typed in) joined the roster, already validated. An import of many
    rows is several of these, all appended together with the ``RosterValidated`` that closes
    it: the import is stored whole or not at all."""

    event_type = "RosterRowsImported"
    schema_version = 1

    roster_id: Id
    import_id: Id
    part: Count
    rows: tuple[RosterRow, ...]


class RosterRowsFlagged(Event):
    """Warnings that needed the whole import (an amount far above the township median, the
    earlier row of a shared account or phone), added to rows already imported; a flagged
    accepted row becomes a warned one. Part of its import's append."""

    event_type = "RosterRowsFlagged"
    schema_version = 1

    roster_id: Id
    import_id: Id
    flags: dict[int, tuple[str, ...]]
    """Rule codes added, by row number."""


class RosterValidated(Event):
    """The roster's automatic validation after an import or a correction: counts per verdict
    and per rule, and the payable total (accepted and warned rows) in fen. ``source`` names
    the imported file by content hash, so the same file is never imported twice."""

    event_type = "RosterValidated"
    schema_version = 1

    roster_id: Id
    import_id: Id
    file_name: str | None = None
    content_hash: str | None = None
    rows: Count
    accepted: Count
    warned: Count
    rejected: Count
    by_rule: dict[str, Count]
    payable_fen: Fen


class RosterRowCorrected(Event):
    """A clerk corrected one row (the whole new row, re-validated), with the reason."""

    event_type = "RosterRowCorrected"
    schema_version = 1

    roster_id: Id
    row: RosterRow
    reason: Text


class RosterRowRemoved(Event):
    """A clerk took one row out of the roster (a person who should not be on it), with the
    reason; the row stays in the history."""

    event_type = "RosterRowRemoved"
    schema_version = 1

    roster_id: Id
    row_no: Count
    reason: Text


class RosterWithdrawn(Event):
    """The township withdrew the roster before submission; it is closed for good."""

    event_type = "RosterWithdrawn"
    schema_version = 1

    roster_id: Id
    reason: Text


class RosterReturned(Event):
    """The roster of submission ``submission_no`` came back to its makers (退回): sent back by
    a level of approval, or halted on its public notice by an upheld objection. It is open for
    corrections again; ``row_nos`` (empty: the roster as a whole) count as rejected until
    corrected or removed, and the next submission is ``submission_no`` + 1."""

    event_type = "RosterReturned"
    schema_version = 1

    roster_id: Id
    submission_no: Annotated[int, Field(strict=True, ge=1)]
    by: Literal["approval", "objection"]
    reasons: Annotated[tuple[Text, ...], Field(min_length=1)]
    row_nos: tuple[Count, ...] = ()


class RosterJoinedRound(Event):
    """A roster (stream ``round-<programme>-<round>``) is one of the round's rosters: where
    validation finds the other rosters paying the same programme in the same round."""

    event_type = "RosterJoinedRound"
    schema_version = 1

    roster_id: Id
    township_code: Code


class CrossCheckListImported(Event):
    """A cross-check list (stream ``crosscheck-<kind>``) as imported: the blind indexes of its
    citizen IDs, in parts. A later import of the same kind replaces it as a whole."""

    event_type = "CrossCheckListImported"
    schema_version = 1

    kind: Code
    list_id: Id
    source_name: str
    content_hash: str
    part: Count
    parts: Count
    entries: tuple[str, ...]


class RosterFileClaimed(Event):
    """A file's content (stream ``roster-file-<sha256>``) now belongs to this roster: the
    guard that the same file is not imported twice."""

    event_type = "RosterFileClaimed"
    schema_version = 1

    roster_id: Id
    import_id: Id


REGISTRY_EVENTS: Final = EVENTS.including(
    [
        *PROGRAMME_EVENTS,
        *DIVISION_EVENTS,
        *BENEFICIARY_EVENTS,
        CitizenIdReserved,
        RosterDrafted,
        RosterRowsImported,
        RosterRowsFlagged,
        RosterValidated,
        RosterRowCorrected,
        RosterRowRemoved,
        RosterWithdrawn,
        RosterReturned,
        RosterFileClaimed,
        RosterJoinedRound,
        CrossCheckListImported,
    ]
)
"""Every event the registry reads: the integration events and its private ones."""
