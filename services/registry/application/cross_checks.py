"""What a roster is checked against besides the register: the cross-check lists (imported as
data) and the other rosters of the same programme and round.

Both are kept by blind index or beneficiary id, never by plaintext ID: a list holds the
HMAC of each ID, and the round's other rosters are known by the beneficiaries they pay.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from contracts.pii import PiiError, normalise
from contracts.refusals import Refused
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.pii.cipher import FieldCipher
from services.registry.adapters.list_files import file_hash, list_ids
from services.registry.domain.events import (
    CrossCheckListImported,
    RosterJoinedRound,
    RosterRowCorrected,
    RosterRowRemoved,
    RosterRowsImported,
    RosterWithdrawn,
)
from services.registry.domain.validation_programme import LIST_KINDS

ENTRIES_PER_EVENT = 10_000


@dataclass(frozen=True, slots=True)
class CrossCheckIndex:
    """Each list kind's blind indexes, as last imported."""

    kinds_by_index: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def kinds(self, blind_index: str) -> frozenset[str]:
        return self.kinds_by_index.get(blind_index, frozenset())


@dataclass(frozen=True, slots=True)
class RoundIndex:
    """The payable beneficiaries of the round's other live rosters: beneficiary → roster."""

    roster_of: Mapping[str, str] = field(default_factory=dict)


def list_stream(kind: str) -> str:
    return f"crosscheck-{kind}"


def round_stream(programme_code: str, round_id: str) -> str:
    return f"round-{programme_code}-{round_id}"


async def import_cross_check_list(
    *,
    store: EventStore,
    codec: EventCodec,
    cipher: FieldCipher,
    kind: str,
    path: Path,
    context: CommandContext,
) -> tuple[int, bool]:
    """Replace the list of ``kind`` with the IDs in the file: (count, imported). The same
    file again is a no-op; a file with an invalid ID stores nothing and names its lines."""
    if kind not in LIST_KINDS:
        raise Refused("list_kind_unknown", f"名单类别 {kind} 不存在，可选：{'、'.join(LIST_KINDS)}")
    content_hash = file_hash(path)
    stream_id = list_stream(kind)
    records = await store.read_stream(stream_id, backwards=True, limit=1)
    if records:
        last = codec.decode(records[0]).event
        if isinstance(last, CrossCheckListImported) and last.content_hash == content_hash:
            return len(await _entries_of_latest(store, codec, kind)), False
    entries: dict[str, None] = {}
    bad: list[int] = []
    for line_no, text in list_ids(path):
        try:
            entries[cipher.blind_index("citizen_id", normalise("citizen_id", text))] = None
        except PiiError:
            bad.append(line_no)
    if bad:
        lines = "、".join(str(n) for n in bad[:10])
        raise Refused(
            "list_invalid_ids", f"名单第 {lines} 行的身份证号码格式不正确，未导入任何数据"
        )
    if not entries:
        raise Refused("list_empty", "名单中没有身份证号码")
    values = list(entries)
    parts = max(1, -(-len(values) // ENTRIES_PER_EVENT))
    list_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{kind}/{content_hash}").hex
    events = [
        CrossCheckListImported(
            kind=kind,
            list_id=list_id,
            source_name=path.name[:200],
            content_hash=content_hash,
            part=n,
            parts=parts,
            entries=tuple(values[n * ENTRIES_PER_EVENT : (n + 1) * ENTRIES_PER_EVENT]),
        )
        for n in range(parts)
    ]
    version = len(await store.read_stream(stream_id))
    stored = [
        codec.encode(context.envelope(event, stream_id=stream_id, index=i))
        for i, event in enumerate(events)
    ]
    await store.append(stream_id, stored, expected_version=version)
    return len(values), True


async def _entries_of_latest(store: EventStore, codec: EventCodec, kind: str) -> set[str]:
    latest: dict[str, set[str]] = {}
    list_id = ""
    for record in await store.read_stream(list_stream(kind)):
        event = codec.decode(record).event
        if isinstance(event, CrossCheckListImported):
            if event.list_id != list_id:
                list_id, latest = event.list_id, {}
            latest.setdefault(list_id, set()).update(event.entries)
    return latest.get(list_id, set())


async def load_cross_checks(store: EventStore, codec: EventCodec) -> CrossCheckIndex:
    """Every kind's current list, by blind index."""
    kinds: dict[str, set[str]] = {}
    for kind in LIST_KINDS:
        for entry in await _entries_of_latest(store, codec, kind):
            kinds.setdefault(entry, set()).add(kind)
    return CrossCheckIndex({entry: frozenset(found) for entry, found in kinds.items()})


async def load_round(
    store: EventStore, codec: EventCodec, *, programme_code: str, round_id: str, except_roster: str
) -> RoundIndex:
    """Who the round's other rosters pay: rejected rows, removed rows and withdrawn rosters
    pay nobody."""
    roster_of: dict[str, str] = {}
    for record in await store.read_stream(round_stream(programme_code, round_id)):
        joined = codec.decode(record).event
        if not isinstance(joined, RosterJoinedRound) or joined.roster_id == except_roster:
            continue
        paying: dict[int, str] = {}
        withdrawn = False
        for stored in await store.read_stream(f"roster-{joined.roster_id}"):
            event = codec.decode(stored).event
            if isinstance(event, RosterRowsImported):
                for row in event.rows:
                    if row.beneficiary_id is not None and row.verdict != "rejected":
                        paying[row.row_no] = row.beneficiary_id
            elif isinstance(event, RosterRowCorrected):
                row = event.row
                paying.pop(row.row_no, None)
                if row.beneficiary_id is not None and row.verdict != "rejected":
                    paying[row.row_no] = row.beneficiary_id
            elif isinstance(event, RosterRowRemoved):
                paying.pop(event.row_no, None)
            elif isinstance(event, RosterWithdrawn):
                withdrawn = True
        if not withdrawn:
            roster_of.update({beneficiary: joined.roster_id for beneficiary in paying.values()})
    return RoundIndex(roster_of)
