"""Faust's Kafka transport with a short fetch wait and a cheaper drain loop.

*Fetch wait.* Faust builds its aiokafka consumer with ``fetch_max_wait_ms=1500`` and no setting
for it. The local broker (Tansu) answers a waiting fetch late, not as a record arrives: with
that wait, 0.5-1.5 s passed between a message's acknowledgement and its consumption
(bench/bus.py, ADR 006). On real Kafka a fetch returns as soon as data arrives, so a short wait
only means more frequent polls while idle. 20 ms measured best at 1,000 events/s: 5 and 10 ms
polled so often that the CPU they took slowed every other hop more than they saved; 40 ms
left records waiting.

*Drain loop.* Faust's ``Consumer._drain_messages`` hands each fetched record to the streams
through ``Service.wait_first(callback(message), suspend_flow.wait())``: four tasks and an
``asyncio.wait`` per message, so that a rebalance (which sets ``suspend_flow``) can abandon a
delivery stuck on a full stream buffer. That alone held an idle agent to about 7,000 events/s
here (ADR 006). :class:`_Consumer` keeps the same guarantee per fetched batch instead of per
message: one ``wait_first`` races the delivery of the whole batch against ``suspend_flow``, and
inside it each message goes through the same callback, in the same order, with the same
flow, generation, read-offset, gap and commit checks as Faust's ``getmany`` and loop; the
high-water mark is read once per partition and batch rather than once per message.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Final

from faust.transport import drivers
from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as faust_kafka

FETCH_MAX_WAIT_MS: Final = 20
SCHEME: Final = "onecard-kafka"
PAUSED_FETCH_TIMEOUT: Final = 0.02
"""Seconds a fetch may wait for records while some partition is paused by back-pressure."""
_YIELD_EVERY: Final = 100
"""Messages delivered between two ``sleep(0)``, as in Faust's loop: the loop stays fair."""


class _ConsumerThread(faust_kafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read by aiokafka when it starts
        return consumer


class _Consumer(faust_kafka.Consumer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._buffer_drained = asyncio.Event()

    def _new_consumer_thread(self) -> _ConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    def on_buffer_drop(self, tp: Any) -> None:
        super().on_buffer_drop(tp)
        self._buffer_drained.set()

    async def _wait_next_records(self, timeout: float) -> Any:
        """Resume a partition paused by back-pressure as soon as its stream buffer drains.

        When every partition is paused because the streams' buffers are full, Faust sleeps a
        whole second before it fetches again: wait only until a buffer has drained. When only
        some are paused, Faust fetches the others with the full timeout (1 s), and a paused
        partition that drains meanwhile waits for it: fetch with a short timeout instead while
        any partition is paused (measured: three ~0.7 s stalls in a 30,000-event backlog)."""
        if self.flow_active and self._buffered_partitions:
            if not self._get_active_partitions():
                self._buffer_drained.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._buffer_drained.wait(), timeout)
            timeout = min(timeout, PAUSED_FETCH_TIMEOUT)
        return await super()._wait_next_records(timeout)

    async def _drain_messages(self, fetcher: Any) -> None:  # pragma: no cover - broker tests
        """Faust's fetch loop (``faust.transport.consumer.Consumer._drain_messages``), one
        ``wait_first`` per fetched batch instead of per message."""
        consumer_should_stop, fetcher_should_stop = self._stopped.is_set, fetcher._stopped.is_set
        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                self.diag.set_flag(CONSUMER_FETCHING)
                records, active_partitions = await self._wait_next_records(1.0)
                await self.sleep(0)
                if records is not None and not self.should_stop:
                    delivery = self._deliver(records, active_partitions)
                    await self.wait_first(delivery, self.suspend_flow.wait())
                self.diag.unset_flag(CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if not self.transport.app.should_stop:
                raise
            self.log.info("Broker stopped consumer, shutting down...")
        except asyncio.CancelledError:
            if not self.transport.app.should_stop:
                raise
            self.log.info("Consumer shutting down for user cancel.")
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            self.diag.unset_flag(CONSUMER_FETCHING)

    async def _deliver(self, records: Any, active_partitions: Any) -> None:  # pragma: no cover
        """Hand each fetched record to the streams, partition by partition in offset order:
        what Faust's ``getmany`` and its loop do per message (flow and generation checks,
        skipping offsets already read, recording gaps, committing every so often), with the
        partition's high-water mark read once per batch instead of once per message and
        without an async generator step per message."""
        if not self.flow_active:
            try:  # as Faust's getmany: a seek that fails is logged, the loop goes on
                await self.perform_seek()
            except Exception as error:
                self.log.warning("exception performing seek when flow not active %r", error)
            return
        app, generation = self.app, self.app.consumer_generation_id
        callback, read_offset, to_message = self.callback, self._read_offset, self._to_message
        commit_every, acks_enabled_for = self._commit_every, app.topics.acks_enabled_for
        delivered = 0
        for tp, tp_records in records.items():
            if not (
                active_partitions is None
                or tp in active_partitions
                or tp in self._buffered_partitions
            ):
                continue
            app.monitor.track_tp_end_offset(tp, self.highwater(tp))
            for record in tp_records:
                if not self.flow_active or app.consumer_generation_id != generation:
                    return  # a rebalance began: what was not delivered is fetched again
                delivered += 1
                if delivered % _YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                offset, last = record.offset, read_offset[tp]
                if last is not None and offset < last:
                    continue
                if last and offset - last > 1 and acks_enabled_for(record.topic):
                    await self._add_gap(tp, last + 1, offset)
                if commit_every is not None and self._n_acked >= commit_every:
                    self._n_acked = 0
                    await self.commit()
                await callback(to_message(tp, record))
                read_offset[tp] = offset


class Transport(faust_kafka.Transport):
    Consumer = _Consumer


drivers.TRANSPORTS.aliases[SCHEME] = f"{__name__}:Transport"
