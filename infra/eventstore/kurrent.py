"""EventStoreDB / KurrentDB adapter: the port on a server that owns storage and commit order.

How our streams, positions, hash chain, idempotency and checkpoints map onto the server, and
where this adapter differs from the SQL ones, is in docs/adr/003-kurrentdb-client.md. The pure
mapping functions come first; :class:`KurrentEventStore` only loads, decides and writes.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import sys
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from kurrentdbclient import AsyncKurrentDBClient, StreamState
from kurrentdbclient import NewEvent as ServerEvent
from kurrentdbclient import RecordedEvent as ServerRecord
from kurrentdbclient.exceptions import (
    KurrentDBClientError,
    NotFoundError,
    WrongCurrentVersionError,
)

from infra.eventstore.hashchain import ALGORITHMS, utc_timestamp
from infra.eventstore.planning import (
    AppendRequest,
    StoredId,
    StreamHead,
    check_request,
    plan_batch,
    read_spool,
)
from infra.eventstore.port import (
    ANY_VERSION,
    NO_STREAM,
    AppendResult,
    EventIdConflict,
    EventStoreError,
    NewEvent,
    RecordedEvent,
    SpooledEvents,
)
from infra.eventstore.subscription import catch_up

CONTENT_TYPE: Final = "application/json"
POLL_INTERVAL: Final = 0.05
"""Seconds between head reads while :meth:`KurrentEventStore.wait_for_append` waits."""
MAX_ATTEMPTS: Final = 50
"""Read-plan-append rounds before an append that keeps losing races gives up."""
_NAMESPACE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True, slots=True)
class StreamNames:
    """Server stream names of one namespace: ``<ns>:<stream id>`` for events (the only
    streams ``read_all`` sees), ``<ns>-checkpoint-<subscriber>`` and ``<ns>-eventid-<uuid>``."""

    namespace: str

    def __post_init__(self) -> None:
        if not _NAMESPACE.fullmatch(self.namespace):
            raise ValueError(f"namespace {self.namespace!r} must match {_NAMESPACE.pattern}")

    @property
    def prefix(self) -> str:
        return f"{self.namespace}:"

    def stream(self, stream_id: str) -> str:
        return self.prefix + stream_id

    def stream_id(self, stream_name: str) -> str:
        if not stream_name.startswith(self.prefix):
            raise EventStoreError(f"stream {stream_name!r} is outside namespace {self.namespace}")
        return stream_name[len(self.prefix) :]

    def checkpoint(self, subscriber: str) -> str:
        return f"{self.namespace}-checkpoint-{subscriber}"

    def claim(self, event_id: uuid.UUID) -> str:
        return f"{self.namespace}-eventid-{event_id}"


def server_expected(version: int) -> int | StreamState:
    """The server's expected revision for a stream our port says is at ``version``
    (our versions count from 1, server revisions from 0)."""
    return StreamState.NO_STREAM if version == NO_STREAM else version - 1


def encode_metadata(row: RecordedEvent) -> bytes:
    """Our fields the server lacks, as the server event's metadata: a JSON object of strings."""
    envelope = {
        "schema_version": str(row.schema_version),
        "recorded_at": utc_timestamp(row.recorded_at),
        "hash": row.hash,
    }
    try:
        envelope["metadata"] = row.metadata.decode()
    except UnicodeDecodeError:
        envelope["metadata_base64"] = base64.b64encode(row.metadata).decode()
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def decode_record(record: ServerRecord, names: StreamNames) -> RecordedEvent:
    """A server event as the port's recorded event; refuses events this adapter did not write."""
    try:
        envelope = json.loads(record.metadata)
        text, packed = envelope.get("metadata"), envelope.get("metadata_base64")
        metadata = text.encode() if text is not None else base64.b64decode(packed)
        schema_version, hash_ = int(envelope["schema_version"]), envelope["hash"]
        recorded_at = datetime.fromisoformat(envelope["recorded_at"])
    except (ValueError, TypeError, KeyError) as error:
        raise EventStoreError(f"event {record.id} has no onecard envelope: {error}") from error
    return RecordedEvent(
        position=record.commit_position,
        stream_id=names.stream_id(record.stream_name),
        stream_version=record.stream_position + 1,
        event_id=record.id,
        event_type=record.type,
        schema_version=schema_version,
        data=record.data,
        metadata=metadata,
        recorded_at=recorded_at,
        hash=hash_,
    )


def to_server(row: RecordedEvent) -> ServerEvent:
    return ServerEvent(
        type=row.event_type,
        data=row.data,
        metadata=encode_metadata(row),
        content_type=CONTENT_TYPE,
        id=row.event_id,
    )


@dataclass(frozen=True, slots=True)
class Claim:
    """Which stream an append whose first event has this id was sent to, and at which version
    its events would start. ``revision`` is the claim's own place in its claim stream."""

    stream_id: str
    version: int
    revision: int | None = None

    def encode(self) -> bytes:
        return json.dumps({"stream_id": self.stream_id, "version": self.version}).encode()

    @classmethod
    def decode(cls, data: bytes, revision: int) -> Claim:
        fields = json.loads(data)
        return cls(str(fields["stream_id"]), int(fields["version"]), revision)

    def same_place(self, other: Claim | None) -> bool:
        return other is not None and (self.stream_id, self.version) == (
            other.stream_id,
            other.version,
        )


def encode_checkpoint(position: int) -> bytes:
    return json.dumps({"position": position}).encode()


def decode_checkpoint(data: bytes) -> int:
    return int(json.loads(data)["position"])


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """Every client failure leaves the adapter as the port's error, with its cause attached."""
    try:
        yield
    except KurrentDBClientError as error:
        raise EventStoreError(f"KurrentDB: {error!r}") from error


class KurrentEventStore:
    """The port on EventStoreDB/KurrentDB. Positions are the server's commit positions:
    commit-ordered and monotonic, with gaps."""

    gap_free_positions = False

    def __init__(
        self,
        client: AsyncKurrentDBClient,
        *,
        namespace: str = "onecard",
        hash_algorithm: str = "sha256",
    ) -> None:
        if hash_algorithm not in ALGORITHMS:
            raise ValueError(f"unknown hash algorithm {hash_algorithm!r}")
        self._client = client
        self._names = StreamNames(namespace)
        self._algorithm = hash_algorithm
        self._capped: set[str] = set()

    @classmethod
    async def open(
        cls, uri: str, *, namespace: str = "onecard", hash_algorithm: str = "sha256"
    ) -> KurrentEventStore:
        """Connect to ``uri`` (``esdb://``, ``kurrentdb://`` or their ``+discover`` forms)."""
        store = cls(
            AsyncKurrentDBClient(uri=uri), namespace=namespace, hash_algorithm=hash_algorithm
        )
        with _translated():
            await store._client.connect()
        return store

    @property
    def namespace(self) -> str:
        return self._names.namespace

    # -- appending ----------------------------------------------------------------------

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], *, expected_version: int
    ) -> AppendResult:
        request = AppendRequest(stream_id, tuple(events), expected_version)
        check_request(request)
        with _translated():
            for _ in range(MAX_ATTEMPTS):
                try:
                    return await self._attempt(request)
                except WrongCurrentVersionError:
                    continue  # another writer moved the stream or the claim: decide again
        raise EventStoreError(f"stream {stream_id!r}: {MAX_ATTEMPTS} appends lost their race")

    async def append_spooled(
        self, stream_id: str, events: SpooledEvents, *, expected_version: int
    ) -> AppendResult:
        """An ordinary append of the spool read whole: the client sends an append as one
        message, so it is held in memory, and the server refuses one larger than its
        ``--max-append-size`` (nothing stored; docs/adr/007-roster-imports.md)."""
        return await self.append(stream_id, read_spool(events), expected_version=expected_version)

    async def _attempt(self, request: AppendRequest) -> AppendResult:
        """Read the head, decide with the shared planner, write at the head the plan saw."""
        claim = await self._claim_of(request)
        tail = await self._read(request.stream_id, backwards=True, limit=len(request.events))
        version = tail[0].stream_version if tail else NO_STREAM
        plan = plan_batch(
            [request],
            heads={request.stream_id: StreamHead(version, tail[0].hash)} if tail else {},
            stored=await self._stored_ids(request, tail, claim),
            head_position=0,
            recorded_at=datetime.now(UTC),
            algorithm=self._algorithm,
        )
        outcome = plan.outcomes[0]
        if isinstance(outcome, EventStoreError):
            raise outcome
        if not plan.rows:
            return outcome  # an earlier identical append, answered as it was then
        await self._claim(request, Claim(request.stream_id, version + 1), previous=claim)
        last = await self._client.append_to_stream(
            self._names.stream(request.stream_id),
            events=[to_server(row) for row in plan.rows],
            current_version=server_expected(version),
        )
        if len(plan.rows) == 1:
            return AppendResult(outcome.stream_version, last, last)
        return await self._read_back(request.stream_id, version + 1, outcome.stream_version)

    async def _read_back(self, stream_id: str, first: int, last: int) -> AppendResult:
        """A multi-event append's positions, read from the stream, so that a later replay of
        the same append (answered from the stored events) gives exactly the same answer."""
        head, tail = await asyncio.gather(
            self._read(stream_id, from_version=first, limit=1),
            self._read(stream_id, from_version=last, limit=1),
        )
        return AppendResult(last, head[0].position, tail[0].position)

    async def _claim_of(self, request: AppendRequest) -> Claim | None:
        """The claim on this append's first event id; refused if it names another stream."""
        records = await self._get(self._names.claim(request.events[0].event_id), backwards=True)
        if not records:
            return None
        claim = Claim.decode(records[0].data, records[0].stream_position)
        if claim.stream_id != request.stream_id:
            raise EventIdConflict(request.stream_id, [e.event_id for e in request.events])
        return claim

    async def _claim(self, request: AppendRequest, claim: Claim, *, previous: Claim | None) -> None:
        """Record where this append is about to land, before it lands (see the ADR)."""
        if claim.same_place(previous):
            return
        expected = previous.revision if previous and previous.revision is not None else None
        await self._client.append_to_stream(
            self._names.claim(request.events[0].event_id),
            events=[ServerEvent(type="EventIdClaimed", data=claim.encode())],
            current_version=StreamState.NO_STREAM if expected is None else expected,
        )

    async def _stored_ids(
        self, request: AppendRequest, tail: list[RecordedEvent], claim: Claim | None
    ) -> dict[uuid.UUID, StoredId]:
        """Where this append's ids already are in its stream: among its last events, where an
        earlier attempt of it was claimed to land, or where its expected version puts it."""
        head = tail[0].stream_version if tail else NO_STREAM
        starts = {claim.version} if claim is not None else set()
        if request.expected_version != ANY_VERSION and request.expected_version < head:
            starts.add(request.expected_version + 1)
        oldest_read = tail[-1].stream_version if tail else head + 1
        seen = list(tail)
        for start in sorted(v for v in starts if v < oldest_read and v <= head):
            seen += await self._read(
                request.stream_id, from_version=start, limit=len(request.events)
            )
        wanted = {event.event_id for event in request.events}
        return {
            e.event_id: StoredId(e.stream_id, e.stream_version, e.position)
            for e in seen
            if e.event_id in wanted
        }

    # -- reading ------------------------------------------------------------------------

    async def read_stream(
        self,
        stream_id: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        with _translated():
            return await self._read(
                stream_id, from_version=from_version, backwards=backwards, limit=limit
            )

    async def _read(
        self,
        stream_id: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        if (limit is not None and limit <= 0) or (
            backwards and from_version is not None and from_version < 1
        ):
            return []
        name = self._names.stream(stream_id)
        revision = None if from_version is None else max(0, from_version - 1)
        records = await self._get(name, revision=revision, backwards=backwards, limit=limit)
        if (
            backwards
            and revision is not None
            and (not records or records[0].stream_position < revision)
        ):
            records = await self._get(name, backwards=True, limit=limit)  # started past the end
        return [decode_record(record, self._names) for record in records]

    async def _get(
        self,
        stream_name: str,
        *,
        revision: int | None = None,
        backwards: bool = False,
        limit: int | None = 1,
    ) -> tuple[ServerRecord, ...]:
        try:
            return await self._client.get_stream(
                stream_name,
                stream_position=revision,
                backwards=backwards,
                limit=sys.maxsize if limit is None else limit,
            )
        except NotFoundError:
            return ()

    async def read_all(self, *, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        if limit <= 0:
            return []
        with _translated():
            records = await self._scan(after=after, limit=limit + 1)
        # the server starts *at* ``after``: one more event is asked for and that one dropped
        fresh = [decode_record(r, self._names) for r in records if r.commit_position > after]
        return fresh[:limit]

    async def head_position(self) -> int:
        with _translated():
            records = await self._scan(after=0, limit=1, backwards=True)
        return records[0].commit_position if records else 0

    async def _scan(self, *, after: int, limit: int, backwards: bool = False) -> list[ServerRecord]:
        """$all filtered server-side to this namespace's event streams (so no system events,
        checkpoints or claims)."""
        response = await self._client.read_all(
            commit_position=after or None,
            backwards=backwards,
            filter_include=(self._names.prefix,),
            filter_by_stream_name=True,
            filter_by_prefix=True,
            limit=limit,
        )
        async with response:
            return [record async for record in response]

    async def wait_for_append(self, *, after: int, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while await self.head_position() <= after:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await asyncio.sleep(min(POLL_INTERVAL, remaining))

    def subscribe(self, *, after: int = 0, batch_size: int = 500) -> AsyncIterator[RecordedEvent]:
        return catch_up(self, after=after, batch_size=batch_size)

    # -- checkpoints --------------------------------------------------------------------

    async def load_checkpoint(self, subscriber: str) -> int:
        with _translated():
            records = await self._get(self._names.checkpoint(subscriber), backwards=True)
        return decode_checkpoint(records[0].data) if records else 0

    async def save_checkpoint(self, subscriber: str, position: int) -> None:
        name = self._names.checkpoint(subscriber)
        with _translated():
            await self._cap(name)
            await self._client.append_to_stream(
                name,
                events=[ServerEvent(type="CheckpointSaved", data=encode_checkpoint(position))],
                current_version=StreamState.ANY,
            )

    async def _cap(self, stream_name: str) -> None:
        """Keep only the latest checkpoint: ``$maxCount`` 1, set once per stream."""
        if stream_name in self._capped:
            return
        metadata, _ = await self._client.get_stream_metadata(stream_name)
        if metadata.get("$maxCount") != 1:
            await self._client.set_stream_metadata(stream_name, metadata={"$maxCount": 1})
        self._capped.add(stream_name)

    async def close(self) -> None:
        with _translated():
            await self._client.close()
