"""``onecard run``: the main job. Until the services land it is a short, honest tour of the
event store on the configured (by default embedded) settings: register beneficiaries with
their personal data sealed, lose a race, retry an append, read back, and verify the chain."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime

import typer

from contracts.envelope import Actor, Envelope, new_envelope, new_event_id
from contracts.events import BeneficiaryRegistered
from infra.eventcodec import EventCodec
from infra.eventstore.port import NO_STREAM, EventStore, WrongExpectedVersion
from infra.eventstore.verify import verify_store
from infra.settings import get_settings
from infra.wiring import make_codec, open_store
from services.registry.domain import citizen_id

PEOPLE = (
    ("阿依古丽·买买提", date(1968, 3, 14)),
    ("王建国", date(1955, 9, 2)),
    ("李秀英", date(1979, 12, 30)),
)
VILLAGE = "650102001001"  # 乌鲁木齐市天山区 (a village under the county code 650102)
CLERK = Actor(user_id="u-clerk-01", role="township_operator", jurisdiction_code="650102001")


def run() -> None:
    """Run the main job on the configured store (default: embedded SQLite under var/)."""
    asyncio.run(_tour())


async def _tour() -> None:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    codec = make_codec(settings)
    store = await open_store(settings)
    try:
        typer.echo(f"event store: {settings.event_store_url} (hash {settings.hash_algorithm})")
        streams = await _register(store, codec)
        await _lose_a_race(store, codec, streams[0])
        await _show(store, codec, streams)
        report = await verify_store(store)
        state = "intact" if report.intact else f"BROKEN: {report.first_break}"
        typer.echo(f"audit verify: {report.events} events, {report.streams} streams: {state}")
    finally:
        await store.close()


def _registration(n: int, name: str, born: date, run_id: str) -> Envelope[BeneficiaryRegistered]:
    now = datetime.now(UTC)
    event = BeneficiaryRegistered(
        beneficiary_id=f"b-{run_id}-{n}",
        citizen_id=citizen_id.make("650102", born, 100 + 2 * n),
        name=name,
        village_code=VILLAGE,
        household_id=f"h-{run_id}-{n}",
        phone=f"1390991{n:04d}",
    )
    return new_envelope(
        event,
        event_id=new_event_id(now),
        stream_id=f"beneficiary-{event.beneficiary_id}",
        occurred_at=now,
        actor=CLERK,
        correlation_id=uuid.uuid4(),
    )


async def _register(store: EventStore, codec: EventCodec) -> list[str]:
    run_id = uuid.uuid4().hex[:8]
    streams = []
    for n, (name, born) in enumerate(PEOPLE):
        envelope = _registration(n, name, born, run_id)
        stored = codec.encode(envelope)
        result = await store.append(envelope.stream_id, [stored], expected_version=NO_STREAM)
        again = await store.append(envelope.stream_id, [stored], expected_version=NO_STREAM)
        assert again == result, "a retried append must be a no-op"
        typer.echo(f"append  {envelope.stream_id}: position {result.last_position} (retry: no-op)")
        streams.append(envelope.stream_id)
    return streams


async def _lose_a_race(store: EventStore, codec: EventCodec, stream_id: str) -> None:
    rival = _registration(9, "重复登记", date(1990, 1, 1), "rival")
    try:
        await store.append(stream_id, [codec.encode(rival)], expected_version=NO_STREAM)
    except WrongExpectedVersion as conflict:
        typer.echo(f"conflict: {conflict} (nothing stored)")


async def _show(store: EventStore, codec: EventCodec, streams: list[str]) -> None:
    for stream_id in streams:
        (record,) = await store.read_stream(stream_id)
        event = codec.decode(record).event
        assert isinstance(event, BeneficiaryRegistered)
        typer.echo(f"read    {event.name} ID {event.citizen_id} phone {event.phone}")
    sealed = (await store.read_stream(streams[0]))[0].data.decode()
    typer.echo(f"stored  {sealed[:150]}…  (ID, account and phone sealed)")
