"""The event spool: events wait on disk for one large append, never in memory."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from infra.eventstore.port import NewEvent
from infra.eventstore.spool import EventSpool


def _events(count: int) -> list[NewEvent]:
    return [
        NewEvent(uuid.uuid4(), f"类型{n}", n + 1, ("清册" * n).encode(), b'{"n":%d}' % n)
        for n in range(count)
    ]


def test_events_come_back_in_order_with_every_field(tmp_path: Path) -> None:
    sent = _events(5)
    with EventSpool(tmp_path) as spool:
        for event in sent:
            spool.add(event)
        assert list(spool) == sent
        assert spool.event_ids == tuple(event.event_id for event in sent)
        assert len(spool) == 5


def test_a_spool_can_be_read_again_for_a_retried_transaction(tmp_path: Path) -> None:
    with EventSpool(tmp_path) as spool:
        for event in _events(3):
            spool.add(event)
        first = list(spool)
        spool.add(_events(1)[0])
        assert list(spool)[:3] == first
        assert len(list(spool)) == 4


def test_the_spool_leaves_no_file_behind_even_while_open(tmp_path: Path) -> None:
    with EventSpool(tmp_path) as spool:
        spool.add(_events(2)[1])
        assert spool.size > 0
        assert os.listdir(tmp_path) == [], "a crash must leave no spooled events on disk"
    assert os.listdir(tmp_path) == []


def test_an_empty_spool_reads_as_no_events(tmp_path: Path) -> None:
    with EventSpool(tmp_path) as spool:
        assert list(spool) == []
        assert spool.event_ids == ()
