"""Adapters chosen by the settings: the one place that turns configuration into objects."""

from __future__ import annotations

from contracts.events import EVENTS
from infra.clock import Clock, SharedClock, SystemClock
from infra.eventcodec import EventCodec
from infra.eventstore.factory import open_event_store
from infra.eventstore.port import EventStore
from infra.eventstore.traced import TracedEventStore
from infra.pii import FieldCipher, LocalKeyFile
from infra.settings import Settings


async def open_store(settings: Settings) -> EventStore:
    """The configured store, traced (a span per append and stream read)."""
    store = await open_event_store(settings.event_store_url, hash_algorithm=settings.hash_algorithm)
    return TracedEventStore(store)


def make_cipher(settings: Settings) -> FieldCipher:
    keys = LocalKeyFile(settings.resolved_key_file, algorithm=settings.pii_cipher)
    return FieldCipher(keys=keys, algorithm=settings.pii_cipher)


def make_codec(settings: Settings) -> EventCodec:
    return EventCodec(registry=EVENTS, cipher=make_cipher(settings))


def make_clock(settings: Settings) -> Clock:
    """The system's clock, or the demo's shared one (``shared_clock``)."""
    return SharedClock(settings.clock_file) if settings.shared_clock else SystemClock()
