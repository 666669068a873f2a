"""Wiring of publicity's disclosure, lookup, clear card and dashboards (part of bootstrap,
kept apart to keep each file to one concept): their adapters, routes, consumers and upkeep.
Nothing here does I/O until the runtime starts it (the key file is read, as by the codec)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.topics import topic_of
from infra.eventcodec import EventCodec
from infra.pii import FieldCipher, LocalKeyFile
from infra.service import ConsumerSpec, Handler, ServiceDeps, Ticker
from services.publicity.adapters.code_sender import SpoolCodeSender
from services.publicity.adapters.disclosure_tables import payment_rows  # noqa: F401 (tables)
from services.publicity.adapters.lookup_secrets import KeyedLookupSecrets
from services.publicity.adapters.lookup_tables import lookup_people  # noqa: F401 (tables)
from services.publicity.adapters.qr import SegnoQrEncoder
from services.publicity.adapters.tables import TABLES
from services.publicity.application.approval_rounds import APPROVAL_EVENTS, on_approval_events
from services.publicity.application.lookup_deps import LookupDeps
from services.publicity.application.lookup_people import lookup_people_handler
from services.publicity.application.lookup_upkeep import LedgerPruner
from services.publicity.application.payment_rows import PAYMENT_EVENTS, on_payment_events
from services.publicity.entrypoints.http_clear_card import router as clear_card_router
from services.publicity.entrypoints.http_dashboard import router as dashboard_router
from services.publicity.entrypoints.http_disclosure import router as disclosure_router
from services.publicity.entrypoints.http_lookup import router as lookup_router
from services.publicity.entrypoints.http_lookup_common import LookupApp
from services.publicity.entrypoints.http_lookup_tokens import router as tokens_router

PRUNE_EVERY: Final = timedelta(hours=1)


@dataclass(frozen=True)
class DisclosureParts:
    consumers: list[ConsumerSpec]
    tickers: list[Ticker]
    people: Handler
    """The lookup's people, fed from the beneficiary topic: run by the consumer that already
    reads it (one consumer per topic: one inbox, one dead letter per poison message)."""


def chained(*handlers: Handler) -> Handler:
    """One handler applying each in turn, in the same transaction."""

    async def handle(conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]) -> None:
        for handler in handlers:
            await handler(conn, envelopes)

    return handle


def disclosure_parts(
    deps: ServiceDeps, app: FastAPI, *, codec: EventCodec, cipher: FieldCipher
) -> DisclosureParts:
    """Add the routes to ``app`` and return the consumers and tickers to run."""
    settings = deps.settings
    for routes in (
        disclosure_router,
        lookup_router,
        tokens_router,
        clear_card_router,
        dashboard_router,
    ):
        app.include_router(routes)
    keys = LocalKeyFile(settings.resolved_key_file, algorithm=settings.pii_cipher)
    secrets = KeyedLookupSecrets(cipher=cipher, keys=keys)
    spool = settings.notify_spool_dir or settings.data_dir / "sms-spool"
    lookup = LookupDeps(
        store=deps.store,
        codec=codec,
        projections=deps.projections,
        cipher=cipher,
        secrets=secrets,
        sender=SpoolCodeSender(folder=spool, clock=deps.clock),
    )
    app.state.lookup = LookupApp(deps=lookup, qr=SegnoQrEncoder())
    consumers = [
        _consumer("publicity-payments", PAYMENT_EVENTS, on_payment_events),
        _consumer("publicity-approvals", APPROVAL_EVENTS, on_approval_events),
    ]
    pruner = LedgerPruner(deps.projections, deps.clock)
    tickers = [Ticker(name="publicity-lookup-upkeep", every=PRUNE_EVERY, run=pruner.tick)]
    people = lookup_people_handler(cipher=cipher, secrets=secrets)
    return DisclosureParts(consumers, tickers, people)


def _consumer(name: str, events: tuple[type[Event], ...], handler: Handler) -> ConsumerSpec:
    topics = tuple(dict.fromkeys(topic_of(event.event_type).name for event in events))
    return ConsumerSpec(name=name, topics=topics, handler=handler, tables=TABLES)
