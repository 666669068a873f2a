"""Wiring of the notify service: SMS to beneficiaries and failure notices, through an outbox.

The one place its adapters are chosen; nothing here does I/O until the runtime starts it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

import services.notify as package
from contracts.base import Event
from contracts.topics import topic_of
from infra.eventcodec import EventCodec
from infra.http.app import service_app
from infra.service import ConsumerSpec, ServiceDeps, ServiceParts, Ticker
from infra.settings import Settings
from infra.wiring import make_cipher
from services.notify.adapters.file_provider import SpoolFileProvider
from services.notify.adapters.http_gateway import HttpSmsGateway
from services.notify.adapters.tables import TABLES
from services.notify.application.dispatcher import Dispatcher
from services.notify.application.payments import CONSUMED, payments_handler
from services.notify.application.phone_directory import phone_directory_handler
from services.notify.application.ports import SmsProvider
from services.notify.domain.contacts import CONTACT_EVENTS
from services.notify.domain.delivery import RetryPolicy
from services.notify.domain.events import NOTIFY_EVENTS
from services.notify.domain.message import SmsTemplates
from services.notify.domain.rate_limit import PhoneRateLimits
from services.notify.entrypoints.http import NotifyApp, router

NAME: Final = "notify"
DISPATCH_EVERY: Final = timedelta(seconds=5)
"""How often the dispatcher looks for SMS that are due."""


def build(deps: ServiceDeps) -> ServiceParts:
    """The notify HTTP app, its two consumers (the phone directory from the register; the
    payout's events into the outbox and the work queue) and the outbox's dispatcher."""
    settings = deps.settings
    app = service_app(NAME, deps, description=package.__doc__ or "")
    app.include_router(router)
    app.state.notify = NotifyApp(store=deps.store, projections=deps.projections)
    cipher = make_cipher(settings)
    codec = EventCodec(registry=NOTIFY_EVENTS, cipher=cipher)
    templates = SmsTemplates.of(settings.notify_sms_templates)
    phones = ConsumerSpec(
        name="notify-phone-directory",
        topics=_topics(CONTACT_EVENTS),
        handler=phone_directory_handler(cipher),
        tables=TABLES,
    )
    payments = ConsumerSpec(
        name="notify-payments",
        topics=_topics(CONSUMED),
        handler=payments_handler(templates),
        tables=TABLES,
    )
    provider = sms_provider(settings, deps)
    dispatcher = Dispatcher(
        store=deps.store,
        codec=codec,
        cipher=cipher,
        projections=deps.projections,
        clock=deps.clock,
        provider=provider,
        policy=RetryPolicy(max_attempts=settings.notify_max_attempts),
        limits=PhoneRateLimits(settings.notify_per_phone_hour, settings.notify_per_phone_day),
    )
    ticker = Ticker(name="notify-dispatcher", every=DISPATCH_EVERY, run=dispatcher.tick)
    closers = [provider.aclose] if isinstance(provider, HttpSmsGateway) else []
    return ServiceParts(
        name=NAME,
        http=app,
        consumers=[phones, payments],
        tickers=[ticker],
        closers=list(closers),
    )


def sms_provider(settings: Settings, deps: ServiceDeps) -> SmsProvider:
    """The configured provider: the spool file (default) or the HTTP gateway."""
    if settings.notify_sms_provider == "http":
        url, key = settings.notify_gateway_url, settings.notify_gateway_key
        if url is None or key is None:  # refused by the settings already
            raise ValueError("the http SMS provider needs a gateway URL and key")
        return HttpSmsGateway(url=url, api_key=key.get_secret_value())
    folder = settings.notify_spool_dir or settings.data_dir / "sms-spool"
    return SpoolFileProvider(folder=folder, clock=deps.clock)


def _topics(events: tuple[type[Event], ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(topic_of(event.event_type).name for event in events))
