"""What a service hands to the runtime: its HTTP app and the consumers it runs.

Each ``services/<name>/bootstrap.py`` builds a :class:`ServiceParts` from the
:class:`ServiceDeps` the runtime opened (settings, store, codec, projection database); the
runtime (``onecard serve NAME`` or ``onecard up``) serves the HTTP app with uvicorn and runs
the consumers as Faust agents in the same process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from infra.clock import Clock, SystemClock
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.projections.database import ProjectionDatabase
from infra.settings import Settings

Handler = Callable[[AsyncConnection, Sequence[Envelope[Event]]], Awaitable[None]]
"""Applies events, in log order per stream, to a projection inside the caller's transaction
(which also records them in the consumer's inbox): it must not commit, and it may assume it
never sees an event twice. Batches keep throughput: a batch is one transaction."""


@dataclass(frozen=True)
class ConsumerSpec:
    """A projection or reaction fed from Kafka; ``name`` keys its inbox (the Kafka consumer
    group is the service's Faust app)."""

    name: str
    topics: tuple[str, ...]
    handler: Handler
    tables: MetaData


@dataclass(frozen=True)
class Ticker:
    """Work a service does on the clock rather than on a message (a notice whose period
    elapsed, an approval gone overdue): ``run`` is called every ``every`` until the service
    stops. It must be idempotent (it may run twice for the same moment, or after a crash)."""

    name: str
    every: timedelta
    run: Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class ServiceDeps:
    """What the runtime opened for a service before building it."""

    settings: Settings
    store: EventStore
    codec: EventCodec
    projections: ProjectionDatabase
    clock: Clock = field(default_factory=SystemClock)


@dataclass
class ServiceParts:
    name: str
    http: FastAPI
    consumers: list[ConsumerSpec] = field(default_factory=list)
    tickers: list[Ticker] = field(default_factory=list)
    closers: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)
