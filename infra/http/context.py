"""Per-request context: correlation id, structlog bindings and the server span.

The correlation id comes from ``X-Correlation-ID`` (or is created), is bound to every log line
of the request and returned in the response. The request's instant is read once from the
service's clock (``request_now``), so a command and everything it records share one time, and
tests and the demo that move the clock move the services with it. The span continues an
incoming ``traceparent`` (through :func:`infra.telemetry.extract`, the one place trace context
is read). Health probes
are not traced, as eShop's service defaults filter them: they would drown the real traffic.
An unhandled error becomes the shared 500 body here, so it still carries the correlation id.
"""

from __future__ import annotations

import re
import uuid
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from datetime import datetime

import orjson
import structlog
from opentelemetry.trace import INVALID_SPAN, Span, SpanKind, Status, StatusCode, Tracer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contracts.envelope import Actor
from infra.clock import Clock, SystemClock
from infra.command_context import CommandContext
from infra.http.errors import INTERNAL_ERROR, error_body
from infra.telemetry import extract, inject

HEADER = "x-correlation-id"
UNTRACED = frozenset({"/health", "/ready"})
_ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
log = structlog.get_logger()
_NOW: ContextVar[datetime] = ContextVar("onecard_request_now")


def request_now() -> datetime:
    """The current request's instant, from its service's clock (aware, UTC)."""
    try:
        return _NOW.get()
    except LookupError:
        raise RuntimeError("request_now() is only known inside a request") from None


class RequestContext:
    """Pure ASGI middleware (contextvars bound here reach the endpoint and its logs)."""

    def __init__(
        self, app: ASGIApp, *, service: str, tracer: Tracer, clock: Clock | None = None
    ) -> None:
        self.app = app
        self.service = service
        self.tracer = tracer
        self.clock = clock or SystemClock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        correlation_id = correlation_id_of(headers)
        now = _NOW.set(self.clock.now())
        with (
            structlog.contextvars.bound_contextvars(
                correlation_id=correlation_id, service=self.service, path=scope["path"]
            ),
            self._span(scope, headers) as span,
        ):
            try:
                await self._call(scope, receive, send, correlation_id, span)
            finally:
                _NOW.reset(now)

    async def _call(
        self, scope: Scope, receive: Receive, send: Send, correlation_id: str, span: Span
    ) -> None:
        started = False
        span.set_attributes({"http.request.method": scope["method"], "url.path": scope["path"]})

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [
                    *message["headers"],
                    (HEADER.encode(), correlation_id.encode()),
                ]
                _record_status(span, message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            span.record_exception(error)
            log.exception("http.unhandled_error")
            if started:
                raise
            await send_with_id(_internal_error_start())
            await send(
                {"type": "http.response.body", "body": orjson.dumps(error_body(*INTERNAL_ERROR))}
            )
        route = scope.get("route")
        if route is not None and span.is_recording():
            span.update_name(f"{scope['method']} {route.path}")
            span.set_attribute("http.route", route.path)

    def _span(self, scope: Scope, headers: dict[str, str]) -> AbstractContextManager[Span]:
        if scope["path"] in UNTRACED:
            return nullcontext(INVALID_SPAN)
        return self.tracer.start_as_current_span(
            scope["method"], context=extract(headers), kind=SpanKind.SERVER
        )


def correlation_id_of(headers: dict[str, str]) -> str:
    """The caller's id when it is a sane token, else a new one (never log raw header junk)."""
    given = headers.get(HEADER, "")
    return given if _ACCEPTABLE_ID.fullmatch(given) else str(uuid.uuid4())


def _record_status(span: Span, status: int) -> None:
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))


def _internal_error_start() -> Message:
    headers = [(b"content-type", b"application/json")]
    return {"type": "http.response.start", "status": 500, "headers": headers}


def current_correlation_uuid() -> uuid.UUID:
    """The request's correlation id as a UUID (a caller's non-UUID token maps to a uuid5)."""
    given = str(structlog.contextvars.get_contextvars().get("correlation_id", ""))
    try:
        return uuid.UUID(given)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"onecard:correlation:{given or uuid.uuid4()}")


def request_context(
    actor: Actor, idempotency_key: str | None, *, at: datetime | None = None
) -> CommandContext:
    """The context of a command from an HTTP request: the caller, the request's instant on the
    service clock (or ``at``), its correlation id and trace, and its Idempotency-Key (else a
    fresh one)."""
    trace = inject()
    return CommandContext(
        actor=actor,
        at=at or request_now(),
        correlation_id=current_correlation_uuid(),
        idempotency_key=idempotency_key or str(uuid.uuid4()),
        traceparent=trace.get("traceparent"),
        tracestate=trace.get("tracestate"),
    )
