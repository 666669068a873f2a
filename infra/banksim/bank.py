"""The simulated bank at work: each round it fetches what the payout hands it, settles every
instruction in its ledger (paying it at most once, whatever it is asked), answers — or
misbehaves as configured — and notes which answers the payout took.

Answers follow the ledger, never a new decision: an instruction handed again (its answer was
lost, or came back ``unknown``, or the simulator crashed before answering) gets the same
outcome under the same id. Returns are sent once the payout took the success. A crash
(``crash_probability``) ends the process at once with ``CRASH_EXIT`` at a risky point: after
deciding and before answering, between pushes, or before noting what the payout took.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal

import structlog

from infra.banksim.client import BankApiClient, Handed
from infra.banksim.config import RETURN_REASON, SimulatorConfig
from infra.banksim.decisions import Decision, decide
from infra.banksim.ledger import Ledger

CRASH_EXIT: Final = 86
HELD_BACK: Final = 0.1
"""Share of answers a reordering bank keeps for its next round."""
log = structlog.get_logger("onecard.banksim")


@dataclass(frozen=True, slots=True)
class Answer:
    kind: Literal["timeout", "definite", "return"]
    decision: Decision

    def result(self) -> dict[str, Any]:
        d = self.decision
        base: dict[str, Any] = {"instruction_id": d.instruction_id, "amount_fen": d.amount_fen}
        if self.kind == "timeout":
            return {**base, "status": "unknown", "detail": "应答超时"}
        if self.kind == "return":
            return {**base, "status": "failed", "reason_code": RETURN_REASON, "detail": "退票"}
        if not d.paid:
            return {**base, "status": "failed", "reason_code": d.reason_code}
        value_date = d.value_date.isoformat() if d.value_date else None
        reference = d.bank_reference
        return {
            **base,
            "status": "succeeded",
            "bank_reference": reference,
            "value_date": value_date,
        }


class SimulatedBank:
    def __init__(
        self,
        config: SimulatorConfig,
        ledger: Ledger,
        api: BankApiClient,
        *,
        today: Callable[[], date],
    ) -> None:
        self.config = config
        self.ledger = ledger
        self.api = api
        self.today = today
        self.run_no = ledger.start_run()
        self._rng = random.Random(f"{config.seed}:{self.run_no}")  # noqa: S311 - a simulation
        self._held: list[Answer] = []

    async def run(self) -> None:
        """Round after round; returns after ``until_idle`` idle rounds in a row (if set)."""
        idle = 0
        while True:
            idle = 0 if await self.round() else idle + 1
            if self.config.until_idle is not None and idle >= self.config.until_idle:
                return
            await asyncio.sleep(self.config.poll_interval)

    async def round(self) -> bool:
        """One round, ``push_size`` instructions at a time (decided, then answered); then the
        answers held back and the returns due. Whether there was anything to do."""
        handed = await self.api.pending()
        size = self.config.push_size
        taken: Counter[str] = Counter()
        for start in range(0, len(handed), size):
            answers = [
                answer for one in handed[start : start + size] for answer in self._answers(one)
            ]
            await self._push(answers, taken)
        rest = [Answer("return", decision) for decision in self.ledger.returns_due()]
        rest, self._held = self._held + rest, []
        await self._push(rest, taken)
        log.info("banksim.round", handed=len(handed), **taken)
        return bool(handed or rest or self._held)

    async def _push(self, answers: list[Answer], taken: Counter[str]) -> None:
        if self.config.reorder:
            answers = self._reordered(answers)
        if not answers:
            return
        await self._delay()
        self._hazard("before a push")
        replies = await self.api.push([answer.result() for answer in answers])
        self._hazard("before noting the answers taken")
        for answer, reply in zip(answers, replies, strict=True):
            taken[reply["disposition"]] += 1
            self._note(answer, reply)

    def _answers(self, handed: Handed) -> list[Answer]:
        fresh = decide(handed.instruction_id, handed.amount_fen, self.config, self.today())
        entry = self.ledger.settle(fresh)
        self._hazard("after deciding")
        if entry.decision.answer_lost and not entry.timeout_sent:
            return [Answer("timeout", entry.decision)]
        definite = Answer("definite", entry.decision)
        return [definite, definite] if entry.decision.duplicated else [definite]

    def _note(self, answer: Answer, reply: dict[str, Any]) -> None:
        d = answer.decision
        if reply["disposition"] in ("refused", "unmatched"):
            code = reply.get("code")
            log.warning("banksim.answer_not_taken", instruction_id=d.instruction_id, code=code)
        elif answer.kind == "timeout":
            self.ledger.note_timeout_sent(d.instruction_id)
        elif answer.kind == "definite":
            self.ledger.note_taken(d.instruction_id)
        else:
            self.ledger.note_return_taken(d.instruction_id, d.amount_fen)

    def _reordered(self, answers: list[Answer]) -> list[Answer]:
        kept: list[Answer] = []
        for answer in self._rng.sample(answers, len(answers)):
            (self._held if self._rng.random() < HELD_BACK else kept).append(answer)
        return kept

    async def _delay(self) -> None:
        if self.config.answer_delay:
            await asyncio.sleep(self._rng.uniform(0, self.config.answer_delay))

    def _hazard(self, where: str) -> None:
        if self.config.crash_probability and self._rng.random() < self.config.crash_probability:
            log.warning("banksim.crash", where=where, run=self.run_no)
            os._exit(CRASH_EXIT)
