"""A judged roster line as the roster stores it (``RosterRow``): its stored values
(``stored_values``) with its verdict, for rows entered one at a time; an import encodes the
same values straight to the log's JSON (``adapters.row_json``), the bytes the codec would
write for this ``RosterRow``.
"""

from __future__ import annotations

from typing import Final

from contracts.pii import CardAccountNo, CitizenId, PhoneNo
from services.registry.adapters.fetched_register import FetchedRegister
from services.registry.application.stored_values import stored_values
from services.registry.domain.events import RosterRow
from services.registry.domain.roster_rows import RosterLine
from services.registry.domain.validation import RowVerdict

_WRAPPERS: Final = {"citizen_id": CitizenId, "card_account": CardAccountNo, "phone": PhoneNo}


def row_of(
    row_no: int, line: RosterLine, verdict: RowVerdict, register: FetchedRegister
) -> RosterRow:
    """The row as stored, with its verdict."""
    parsed, findings = verdict.row, verdict.findings
    values = stored_values(row_no, line, None if parsed is None else parsed.amount_fen, register)
    for field, wrapper in _WRAPPERS.items():
        if values[field] is not None:
            values[field] = wrapper(values[field])
    return RosterRow(
        **values,
        verdict=verdict.status,
        rules=tuple([finding.rule for finding in findings]),
        messages=tuple([finding.message for finding in findings]),
    )
