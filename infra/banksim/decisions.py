"""What the simulated bank does with one instruction: pure, and the same every time for the
same seed and instruction id — so a restarted simulator decides nothing differently, and a
test can say in advance what each instruction will meet."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from infra.banksim.config import SimulatorConfig


@dataclass(frozen=True, slots=True)
class Decision:
    instruction_id: str
    amount_fen: int
    paid: bool
    reason_code: str | None
    """Why it was rejected (None when paid)."""
    bank_reference: str | None
    value_date: date | None
    answer_lost: bool
    """Executed, but the first answer is a timeout (``unknown``)."""
    duplicated: bool
    """The definite answer is sent twice."""
    returned: bool
    """Credited, then returned once the success was taken."""


def draw(seed: int, instruction_id: str, purpose: str) -> float:
    """A uniform number in [0, 1) fixed by the seed, the instruction and what it decides."""
    digest = hashlib.sha256(f"{seed}\n{purpose}\n{instruction_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def decide(instruction_id: str, amount_fen: int, config: SimulatorConfig, today: date) -> Decision:
    """Pay or reject ``instruction_id``, and how its answer will go."""
    seed = config.seed
    paid = draw(seed, instruction_id, "fail") >= config.failure_share
    reference = "SIM" + hashlib.sha256(f"{seed}:{instruction_id}".encode()).hexdigest()[:16]
    return Decision(
        instruction_id=instruction_id,
        amount_fen=amount_fen,
        paid=paid,
        reason_code=None if paid else _reason(config, draw(seed, instruction_id, "kind")),
        bank_reference=reference if paid else None,
        value_date=today if paid else None,
        answer_lost=draw(seed, instruction_id, "lost") < config.timeout_share,
        duplicated=draw(seed, instruction_id, "duplicate") < config.duplicate_share,
        returned=paid and draw(seed, instruction_id, "return") < config.return_share,
    )


def _reason(config: SimulatorConfig, point: float) -> str:
    kinds = sorted((code, weight) for code, weight in config.failure_kinds.items() if weight > 0)
    total = sum(weight for _, weight in kinds)
    reached = 0.0
    for code, weight in kinds:
        reached += weight / total
        if point < reached:
            return code
    return kinds[-1][0]
