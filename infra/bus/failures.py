"""How a consumer tells failures apart, and how long it waits between tries.

Three kinds: a message that cannot be read (dead-lettered at once: retrying cannot help), an
outage of the infrastructure (waited out, never dead-lettered), and everything else, which is
the message's own failure (retried a few times, then dead-lettered).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final

import structlog
from sqlalchemy.exc import DBAPIError

from contracts.versioning import MissingUpcaster, UnknownEventType
from infra.bus.messages import MalformedMessage
from infra.eventcodec import EventDecodeError

log = structlog.get_logger()

UNDECODABLE: Final = (MalformedMessage, EventDecodeError, UnknownEventType, MissingUpcaster)
"""Not a stored event of a type and version this code can read."""

_SQLITE_OUTAGES: Final = frozenset(
    {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_FULL", "SQLITE_IOERR"}
)

Backoff = Callable[[int], float]
"""Seconds to wait after the n-th failed try (n counts from 1)."""


def exponential_backoff(*, first: float = 0.1, cap: float = 10.0) -> Backoff:
    """first, 2 × first, 4 × first, … never more than cap."""
    return lambda tries: min(cap, first * 2 ** (tries - 1))


def is_outage(error: BaseException) -> bool:
    """A failure of the infrastructure rather than of the message (an unreachable server, a
    dropped connection, a SQLite file locked past the busy timeout, unopenable or full): a
    database restart must not turn a whole topic into dead letters."""
    if isinstance(error, OSError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    sqlite_code = getattr(error.orig, "sqlite_errorname", None)
    return error.connection_invalidated or sqlite_code in _SQLITE_OUTAGES


async def until_done(
    attempt: Callable[[], Awaitable[None]], *, backoff: Backoff, failed: str
) -> None:
    """Run ``attempt`` until it succeeds, logging ``failed`` and waiting between tries: for a
    step that must not be skipped, such as setting a message aside before acknowledging it."""
    tries = 0
    while True:
        try:
            return await attempt()
        except Exception as error:
            tries += 1
            log.error(failed, error=repr(error), tries=tries)
            await asyncio.sleep(backoff(tries))
