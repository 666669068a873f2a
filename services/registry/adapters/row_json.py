"""Roster rows straight to the log's JSON: the bytes the codec writes for a
``RosterRowsImported``, without a pydantic model per row.

A million-row import spent a quarter of its time building a ``RosterRow`` per row and
serialising it again (docs/adr/007-roster-imports.md). The importer's rows are its own,
built from ``stored_values``, so they need no validation: each row is encoded here once,
its personal values sealed by the cipher as the codec seals them, and a part is the codec's
encoding of the part without rows with the rows' JSON put in. The contract is byte
equality with the codec (``tests/unit/test_row_json.py``): the same fields in the same
order, through the same JSON encoder; sealed values differ only by their random nonce.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import orjson

from contracts.pii import PiiKind
from infra.eventstore.port import NewEvent
from infra.pii.cipher import FieldCipher
from services.registry.domain.roster_rows import Finding

PERSONAL: Final[dict[str, PiiKind]] = {
    "citizen_id": "citizen_id",
    "card_account": "card_account_no",
    "phone": "phone_no",
}
"""The ``RosterRow`` fields that hold personal data (sealed in the log), by their kind."""

_NO_FINDINGS: Final = b',"verdict":"accepted","rules":[],"messages":[]}'
_EMPTY_ROWS: Final = b'"rows":[]}'


def row_head(values: Mapping[str, Any], cipher: FieldCipher) -> bytes:
    """The row's JSON up to its verdict (``stored_values``, personal values sealed), open:
    ``row_tail`` closes it."""
    if values["citizen_id"] is None and values["card_account"] is None and values["phone"] is None:
        return orjson.dumps(values)[:-1]  # a row matched to the register, as most are
    sealed = dict(values)
    for field, kind in PERSONAL.items():
        if sealed[field] is not None:
            sealed[field] = cipher.seal(kind, sealed[field])
    return orjson.dumps(sealed)[:-1]


def row_tail(verdict: str, findings: Sequence[Finding]) -> bytes:
    """The rest of a row: its verdict and its findings' codes and messages."""
    if not findings:
        return _NO_FINDINGS if verdict == "accepted" else _tail(verdict, [], [])
    return _tail(verdict, [f.rule for f in findings], [f.message for f in findings])


def _tail(verdict: str, rules: list[str], messages: list[str]) -> bytes:
    members = {"verdict": verdict, "rules": rules, "messages": messages}
    return b"," + orjson.dumps(members)[1:]


def with_rows(part: NewEvent, rows: Sequence[bytes]) -> NewEvent:
    """The codec's encoding of a ``RosterRowsImported`` without rows, with these rows' JSON
    (``row_head`` + ``row_tail`` each) put in."""
    if not part.data.endswith(_EMPTY_ROWS):
        raise ValueError("a part to fill must end with its empty rows")
    data = b"".join((part.data[: -len(_EMPTY_ROWS)], b'"rows":[', b",".join(rows), b"]}"))
    return NewEvent(part.event_id, part.event_type, part.schema_version, data, part.metadata)
