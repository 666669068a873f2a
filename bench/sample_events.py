"""Realistic events for the store benchmarks: beneficiary registrations with sealed personal
data, encoded once into a pool, then stamped with fresh UUIDv7 ids per append."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import uuid_utils

from contracts.envelope import Actor, new_envelope, new_event_id
from contracts.events import EVENTS, BeneficiaryRegistered
from infra.eventcodec import EventCodec
from infra.eventstore.port import NewEvent
from infra.pii import FieldCipher, LocalKeyFile
from services.registry.domain import citizen_id

CLERK = Actor(user_id="u-bench", role="township_operator", jurisdiction_code="650102001")
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = ("建国", "秀英", "玉兰", "志强", "古丽", "买买提", "桂芳", "海燕")


class SampleEvents:
    def __init__(self, key_file: Path, *, pool: int = 2_000) -> None:
        cipher = FieldCipher(keys=LocalKeyFile(key_file))
        self.codec = EventCodec(registry=EVENTS, cipher=cipher)
        self._pool = [self._encode(n) for n in range(pool)]
        self._next = itertools.cycle(self._pool)

    def batch(self, size: int) -> list[NewEvent]:
        return [
            NewEvent(uuid.UUID(bytes=uuid_utils.uuid7().bytes), e.event_type, 1, e.data, e.metadata)
            for e in itertools.islice(self._next, size)
        ]

    def _encode(self, n: int) -> NewEvent:
        at = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(seconds=n)
        born = date(1940, 1, 1) + timedelta(days=(n * 37) % 25_000)
        event = BeneficiaryRegistered(
            beneficiary_id=f"b-{n:07d}",
            citizen_id=citizen_id.make("650102", born, n % 1000),
            name=SURNAMES[n % 10] + GIVEN[n % 8],
            village_code=f"650102001{n % 20:03d}",
            household_id=f"h-{n // 3:07d}",
            phone=f"139{n:08d}",
        )
        envelope = new_envelope(
            event,
            event_id=new_event_id(at),
            stream_id=f"beneficiary-{event.beneficiary_id}",
            occurred_at=at,
            actor=CLERK,
            correlation_id=uuid.uuid4(),
        )
        return self.codec.encode(envelope)
