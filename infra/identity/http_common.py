"""What the identity routers share: the identity of the app, the command context of a
request, and refusals answered with their status, code and Chinese message."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Header, Request

from contracts.envelope import Actor
from infra.command_context import CommandContext
from infra.http.context import current_correlation_uuid
from infra.http.errors import ApiError
from infra.identity.refusals import IdentityRefused
from infra.identity.service import Identity
from infra.telemetry import inject


def identity_of(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


IdentityApp = Annotated[Identity, Depends(identity_of)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]


@contextmanager
def answering() -> Iterator[None]:
    """A refusal as the service's error shape; nothing was stored (but a failed login)."""
    try:
        yield
    except IdentityRefused as refused:
        raise api_error(refused) from None


def api_error(refused: IdentityRefused) -> ApiError:
    return ApiError(refused.status, refused.code, refused.message)


def command_context(
    identity: Identity, actor: Actor, idempotency_key: str | None = None
) -> CommandContext:
    """The context of a command from a request: the caller, the identity clock's now, the
    request's correlation id and trace, its Idempotency-Key (else a fresh one)."""
    trace = inject()
    return CommandContext(
        actor=actor,
        at=identity.clock.now(),
        correlation_id=current_correlation_uuid(),
        idempotency_key=idempotency_key or str(uuid.uuid4()),
        traceparent=trace.get("traceparent"),
        tracestate=trace.get("tracestate"),
    )


def client_address(request: Request) -> str | None:
    return request.client.host[:64] if request.client else None
