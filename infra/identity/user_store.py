"""The user store over the event store: load a user, append what a decider decided (again
from a fresh load when another writer got there first), claim a username or a certificate
for one user, and keep the directory that lists every user."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from contracts.base import Event
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import NO_STREAM, EventStore, WrongExpectedVersion
from infra.identity.events import (
    DIRECTORY_STREAM,
    CertificateClaimed,
    UserListed,
    UsernameClaimed,
    user_stream,
)
from infra.identity.refusals import IdentityRefused
from infra.identity.user import User, evolve

ATTEMPTS = 3
"""Loads and decisions per command before a run of concurrent writers wins (409)."""

Claim = UsernameClaimed | CertificateClaimed


class Contended(IdentityRefused):
    def __init__(self) -> None:
        super().__init__("conflict", "数据已被他人修改，请稍后重试", status=409)


@dataclass(frozen=True)
class UserStore:
    store: EventStore
    codec: EventCodec

    async def load(self, user_id: str) -> tuple[User | None, int]:
        """The user (None when never enrolled) and their stream's version."""
        records = await self.store.read_stream(user_stream(user_id))
        state: User | None = None
        for record in records:
            state = evolve(state, self.codec.decode(record).event)
        return state, len(records)

    async def change(
        self,
        context: CommandContext,
        user_id: str,
        decide: Callable[[User | None], Sequence[Event]],
    ) -> list[Event]:
        """Append ``decide(user)`` at the version it was decided on; the events appended
        (``[]``: already done). A concurrent append makes it load and decide again."""
        stream_id = user_stream(user_id)
        for _ in range(ATTEMPTS):
            state, version = await self.load(user_id)
            events = list(decide(state))
            if not events:
                return []
            stored = [
                self.codec.encode(context.envelope(event, stream_id=stream_id, index=i))
                for i, event in enumerate(events)
            ]
            try:
                await self.store.append(stream_id, stored, expected_version=version)
            except WrongExpectedVersion:
                continue
            return events
        raise Contended()

    async def holder(self, stream_id: str) -> str | None:
        """The user a username or certificate claim stream names, if claimed."""
        records = await self.store.read_stream(stream_id, limit=1)
        if not records:
            return None
        claim = self.codec.decode(records[0]).event
        if not isinstance(claim, UsernameClaimed | CertificateClaimed):
            raise TypeError(f"unexpected event in {stream_id}")
        return claim.user_id

    async def claim(
        self,
        context: CommandContext,
        stream_id: str,
        claim: Claim,
        taken: Callable[[], IdentityRefused],
    ) -> None:
        """Make ``claim`` the first event of ``stream_id``; done already when it names the
        same user, ``taken()`` when it names another. The expected version is the lock."""
        for _ in range(ATTEMPTS):
            holder = await self.holder(stream_id)
            if holder is not None:
                if holder != claim.user_id:
                    raise taken()
                return
            stored = self.codec.encode(context.envelope(claim, stream_id=stream_id))
            try:
                await self.store.append(stream_id, [stored], expected_version=NO_STREAM)
            except WrongExpectedVersion:
                continue
            return
        raise Contended()

    async def directory(self) -> list[UserListed]:
        """Every user ever enrolled, in enrolment order."""
        records = await self.store.read_stream(DIRECTORY_STREAM)
        entries = [self.codec.decode(record).event for record in records]
        return [entry for entry in entries if isinstance(entry, UserListed)]

    async def list_user(self, context: CommandContext, user_id: str, username: str) -> None:
        """Add the user to the directory unless listed already."""
        for _ in range(ATTEMPTS):
            records = await self.store.read_stream(DIRECTORY_STREAM)
            for record in records:
                entry = self.codec.decode(record).event
                if isinstance(entry, UserListed) and entry.user_id == user_id:
                    return
            listed = UserListed(user_id=user_id, username=username)
            stored = self.codec.encode(context.envelope(listed, stream_id=DIRECTORY_STREAM))
            try:
                await self.store.append(DIRECTORY_STREAM, [stored], expected_version=len(records))
            except WrongExpectedVersion:
                continue
            return
        raise Contended()
