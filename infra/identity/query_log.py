"""The query log (查询日志化管理, 000 art.20): every read of personal data is recorded, by
whom, of what, through which route, from where, before it is answered.

One stream per user and day in China (``querylog-<user id>-<yyyymmdd>``), append-only: an
entry is appended at any version, so two reads at once never refuse each other. An entry
names what was read by ids only (beneficiary ids, a roster id and its row numbers, payment
ids): the log itself holds no citizen ID, account or phone, and needs no key to be read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any, Final

from pydantic import StringConstraints

from contracts.base import Event
from contracts.envelope import Actor, Envelope, new_envelope, new_event_id
from contracts.fields import Code, Count, Id, Text
from contracts.pii import PiiError, PiiKind
from contracts.versioning import EventRegistry
from infra.clock import CHINA
from infra.eventcodec import EventCodec
from infra.eventstore.port import ANY_VERSION, EventStore

BENEFICIARY: Final = "beneficiary"
"""One beneficiary's details (masked or not)."""
ROSTER_ROWS: Final = "roster_rows"
"""Rows of a roster, with the people they pay."""
REJECTED_ROWS_EXPORT: Final = "rejected_rows_export"
"""The rejected rows of a roster downloaded to fix, personal data in full."""
ROWS_TO_FIX: Final = "rows_to_fix"
"""Rows sent back for correction (failed payments, returned rows)."""
PAYMENT: Final = "payment"
"""Payment instructions or results of people."""


class PersonalDataRead(Event):
    """A user read personal data: the envelope's actor read ``kind`` of ``subject_ids`` (and,
    for a roster, its rows ``row_nos``) through ``route``, from ``client_address``."""

    event_type = "PersonalDataRead"
    schema_version = 1

    kind: Code
    subject_ids: tuple[Id, ...]
    row_nos: tuple[Count, ...] = ()
    route: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    purpose: Text | None = None
    client_address: Annotated[str, StringConstraints(max_length=64)] | None = None


QUERY_LOG_EVENTS: Final = EventRegistry([PersonalDataRead])


class _NoPersonalData:
    """The query log's cipher: it has no key, and refuses to seal or open anything, so that
    personal data can never enter the log through a later field."""

    def seal(self, purpose: PiiKind, value: str) -> dict[str, str]:
        raise PiiError(f"the query log holds no personal data ({purpose})")

    def open(self, purpose: PiiKind, sealed: Mapping[str, Any]) -> str:
        raise PiiError(f"the query log holds no personal data ({purpose})")

    def check(self, purpose: PiiKind, sealed: Mapping[str, Any]) -> None:
        raise PiiError(f"the query log holds no personal data ({purpose})")


_CODEC: Final = EventCodec(registry=QUERY_LOG_EVENTS, cipher=_NoPersonalData())


def query_log_stream(user_id: str, at: datetime) -> str:
    """The stream of ``user_id``'s reads on the day ``at`` falls on in China."""
    return f"querylog-{user_id}-{at.astimezone(CHINA):%Y%m%d}"


async def record_read(
    *,
    store: EventStore,
    actor: Actor,
    kind: str,
    subject_ids: Iterable[str],
    route: str,
    at: datetime,
    correlation_id: uuid.UUID,
    row_nos: Iterable[int] = (),
    purpose: str | None = None,
    client_address: str | None = None,
) -> PersonalDataRead:
    """Store the read in the actor's log of the day, and return the entry; call it before
    answering (a read that could not be logged is not answered)."""
    entry = PersonalDataRead(
        kind=kind,
        subject_ids=tuple(subject_ids),
        row_nos=tuple(row_nos),
        route=route,
        purpose=purpose,
        client_address=client_address,
    )
    stream_id = query_log_stream(actor.user_id, at)
    envelope = new_envelope(
        entry,
        event_id=new_event_id(at),
        stream_id=stream_id,
        occurred_at=at,
        actor=actor,
        correlation_id=correlation_id,
    )
    await store.append(stream_id, [_CODEC.encode(envelope)], expected_version=ANY_VERSION)
    return entry


async def reads_of(*, store: EventStore, user_id: str, day: datetime) -> list[Envelope[Event]]:
    """The reads ``user_id`` made on the day ``day`` falls on in China, oldest first."""
    records = await store.read_stream(query_log_stream(user_id, day))
    return [_CODEC.decode(record) for record in records]
