"""Appends in one round trip: planned on the stream heads the writer expects, checked by the
database under the log-head lock.

The locked path (:mod:`infra.eventstore.postgres_writer`) spends four round trips or more:
take the lock, load the heads and stored ids, copy the rows, commit. Yet a writer usually
knows the heads already: a stream that must not exist yet is at version 0, a stream this
writer appended to is where that append left it, and a command that appends to a stream has
just read it whole (load, decide, append). Planned on those predictions, a batch goes to
the database as one call of ``append_if_heads_match`` (see ``postgres_sql``), which takes the
lock, checks every predicted head and writes; if another writer moved a stream on, or an event
id is stored already, it writes nothing and the batch takes the locked path, which decides
replays and refusals on the stored state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from infra.eventstore import postgres_sql as sql
from infra.eventstore.hashchain import GENESIS
from infra.eventstore.planning import AppendRequest, BatchPlan, Outcome, StreamHead, plan_batch
from infra.eventstore.port import NO_STREAM, AppendResult


class KnownHeads:
    """The heads of the streams a writer appended to, loaded or read whole last, the most
    recent ``capacity`` of them. Only ever a prediction: the database checks it under the
    lock."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._heads: dict[str, StreamHead] = {}
        self._capacity = capacity

    def predict(self, requests: Sequence[AppendRequest]) -> dict[str, StreamHead] | None:
        """The head each stream of the batch should be at, or None when one is unknown."""
        predicted: dict[str, StreamHead] = {}
        for request in requests:
            stream_id = request.stream_id
            if stream_id in predicted:
                continue
            head = self._heads.get(stream_id)
            if head is None:
                if request.expected_version != NO_STREAM:
                    return None
                head = StreamHead(0, GENESIS)
            predicted[stream_id] = head
        return predicted

    def remember(self, heads: Mapping[str, StreamHead]) -> None:
        known = self._heads
        for stream_id, head in heads.items():
            known.pop(stream_id, None)  # re-inserted last: the least recent go first
            known[stream_id] = head
        while len(known) > self._capacity:
            del known[next(iter(known))]

    def learn(self, stream_id: str, head: StreamHead) -> None:
        """A head read from the store: kept unless a later one is known already (a read may
        have started before this writer's last append committed)."""
        known = self._heads.get(stream_id)
        if known is None or known.version < head.version:
            self.remember({stream_id: head})

    def forget(self, stream_ids: Iterable[str]) -> None:
        for stream_id in stream_ids:
            self._heads.pop(stream_id, None)


async def append_predicted(
    conn: Any,
    requests: Sequence[AppendRequest],
    known: KnownHeads,
    *,
    algorithm: str,
    channel: str,
) -> list[Outcome] | None:
    """Every request's result, appended in one call; or None, having written nothing, when
    the batch must take the locked path: a head is unknown, the plan refuses or replays a
    request (only the stored state can confirm that), a prediction was stale, or an event id
    is stored already. Call it outside a transaction."""
    predicted = known.predict(requests)
    if predicted is None:
        return None
    plan = plan_batch(
        requests,
        heads=predicted,
        stored={},
        head_position=0,  # positions relative to the head, which only the database knows
        recorded_at=datetime.now(UTC),
        algorithm=algorithm,
    )
    relative = [outcome for outcome in plan.outcomes if isinstance(outcome, AppendResult)]
    if len(relative) != len(requests):
        return None
    try:
        head = await conn.fetchval(sql.APPEND_IF_HEADS_MATCH, *_arguments(plan, predicted, channel))
    except asyncpg.UniqueViolationError:
        return None
    if head is None:
        return None
    known.remember(plan.heads)
    return [
        AppendResult(
            result.stream_version, head + result.first_position, head + result.last_position
        )
        for result in relative
    ]


def _arguments(
    plan: BatchPlan, predicted: Mapping[str, StreamHead], channel: str
) -> tuple[Any, ...]:
    """The function's arguments: heads as parallel arrays, events as one array per column."""
    _, streams, versions, ids, types, schemas, data, metadata, moments, hashes = zip(
        *plan.rows, strict=True
    )
    return (
        list(predicted),
        [head.version for head in predicted.values()],
        [head.last_hash for head in predicted.values()],
        list(plan.heads),
        [head.version for head in plan.heads.values()],
        [head.last_hash for head in plan.heads.values()],
        streams,
        versions,
        ids,
        types,
        schemas,
        data,
        metadata,
        hashes,
        moments[0],  # one moment per batch
        channel,
    )
