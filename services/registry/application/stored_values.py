"""What the roster stores of a judged line: ``stored_values``, the fields of its
``RosterRow`` up to the verdict, for imports and rows entered one at a time alike.

A row matched to the register points to its beneficiary, and keeps the card account and
phone only where they differ from the register's. An import encodes these values straight to
the log's JSON (``adapters.row_json``); a row typed one at a time becomes a ``RosterRow``
(``stored_rows``). No pydantic models here: import workers load this module.
"""

from __future__ import annotations

from typing import Any

from contracts.pii import PiiError, PiiKind, normalise
from services.registry.adapters.fetched_register import FetchedRegister, lookup_key
from services.registry.domain.roster_rows import Column, RosterLine

# Enum attribute access costs 0.1 µs; bound once here, for a million rows.
_AMOUNT = Column.AMOUNT
_BANK = Column.BANK
_CARD_ACCOUNT = Column.CARD_ACCOUNT
_NAME = Column.NAME
_PHONE = Column.PHONE
_QUANTITY = Column.QUANTITY
_REMARK = Column.REMARK
_STANDARD = Column.STANDARD
_VILLAGE = Column.VILLAGE


def stored_values(
    row_no: int, line: RosterLine, amount_fen: int | None, register: FetchedRegister
) -> dict[str, Any]:
    """The stored row's fields up to ``remark``, in ``RosterRow``'s order (its verdict is the
    roster's to add). Personal values are in their normal form, or None: kept only when the
    register does not hold them for the row's person. The line's cells are stripped already
    (``RosterLine``); ``amount_fen`` is the amount as read, when the whole row could be."""
    cell = line.cells.get
    citizen_text = lookup_key(line)
    beneficiary_id = register.beneficiary_id(citizen_text)
    person = None if beneficiary_id is None else register.person(citizen_text)
    account = cell(_CARD_ACCOUNT, "")
    phone = cell(_PHONE, "")
    return {
        "row_no": row_no,
        "line_no": line.line_no,
        "beneficiary_id": beneficiary_id,
        "citizen_id": _normal("citizen_id", citizen_text) if beneficiary_id is None else None,
        "citizen_id_text": _masked(citizen_text) if beneficiary_id is None else None,
        "name": cell(_NAME, "")[:64],
        "card_account": (
            _normal("card_account_no", account)
            if person is None or person.card_account != account
            else None
        ),
        "bank": cell(_BANK, "")[:64],
        "quantity": cell(_QUANTITY, "")[:32],
        "standard": cell(_STANDARD, "")[:32],
        "amount": cell(_AMOUNT, "")[:32],
        "amount_fen": amount_fen,
        "village": cell(_VILLAGE, "")[:64],
        "phone": (_normal("phone_no", phone) if person is None or person.phone != phone else None),
        "remark": cell(_REMARK, "")[:200],
    }


def _normal(kind: PiiKind, text: str) -> str | None:
    if not text:
        return None
    try:
        return normalise(kind, text)
    except PiiError:
        return None


def _masked(text: str) -> str | None:
    """What an unreadable ID cell held, every digit masked but the last four: enough for
    the clerk to find the row, never an ID number in the log."""
    if not text:
        return None
    text = text[:32]
    digits = sum(c.isdigit() for c in text)
    out, seen = [], 0
    for c in text:
        if c.isdigit():
            seen += 1
            c = c if seen > digits - 4 else "*"
        out.append(c)
    return "".join(out)
