"""The simulated bank's decisions: fixed by the seed and the instruction id, in the shares and
kinds configured, with the payout's agreed reason codes; and its ledger: an instruction id is
decided and credited once, whatever the bank is asked again and after a restart."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from infra.banksim.config import PERMANENT, TRANSIENT, SimulatorConfig, parse_kinds
from infra.banksim.decisions import decide
from infra.banksim.ledger import Ledger, read_ledger
from infra.cli.main import app
from services.payout.domain.reasons import REASONS
from tests.unit.bank_api_support import write_bank_keys

TODAY = date(2025, 10, 10)
IDS = [f"r-1:{n}:1" for n in range(1, 10_001)]


def config(tmp_path: Path = Path("/nonexistent"), **shares: object) -> SimulatorConfig:
    return SimulatorConfig(
        url="http://payout", key_id="k", secret="s" * 32, ledger=tmp_path / "l.db", **shares
    )


def test_the_same_seed_and_id_always_meet_the_same_fate() -> None:
    chosen = config(failure_share=0.3, timeout_share=0.2, duplicate_share=0.2, return_share=0.2)
    first = [decide(i, 100, chosen, TODAY) for i in IDS[:500]]
    assert [decide(i, 100, chosen, TODAY) for i in IDS[:500]] == first
    other = chosen.model_copy(update={"seed": 2})
    assert [decide(i, 100, other, TODAY) for i in IDS[:500]] != first


def test_failures_come_in_the_configured_share_and_kinds() -> None:
    chosen = config(failure_share=0.05, failure_kinds={"account_closed": 3, "channel_error": 1})
    decisions = [decide(i, 100, chosen, TODAY) for i in IDS]
    kinds = Counter(d.reason_code for d in decisions if not d.paid)
    assert 400 <= sum(kinds.values()) <= 600
    assert set(kinds) == {"account_closed", "channel_error"}
    assert kinds["account_closed"] > 2 * kinds["channel_error"]
    assert all(d.bank_reference and d.value_date == TODAY for d in decisions if d.paid)


def test_nothing_misbehaves_unless_configured_and_everything_does_at_one() -> None:
    calm = [decide(i, 100, config(failure_share=0.0), TODAY) for i in IDS[:300]]
    assert not any(d.answer_lost or d.duplicated or d.returned or not d.paid for d in calm)
    wild = config(timeout_share=1.0, duplicate_share=1.0, return_share=1.0, failure_share=0.5)
    decisions = [decide(i, 100, wild, TODAY) for i in IDS[:300]]
    assert all(d.answer_lost and d.duplicated for d in decisions)
    assert all(d.returned == d.paid for d in decisions)


def test_the_simulators_codes_are_the_payouts_agreed_codes_and_classes() -> None:
    assert {code for code in PERMANENT if REASONS[code].retryable} == set()
    assert {code for code in TRANSIENT if REASONS[code].retryable} == set(TRANSIENT)


def test_unknown_rejection_codes_are_refused() -> None:
    assert parse_kinds("account_closed=2, channel_error") == {
        "account_closed": 2.0,
        "channel_error": 1.0,
    }
    with pytest.raises(ValidationError, match="unknown rejection codes: stolen_card"):
        config(failure_kinds={"stolen_card": 1.0})
    with pytest.raises(ValidationError, match="positive weight"):
        config(failure_kinds={"account_closed": 0.0})


def test_an_instruction_is_decided_and_credited_once_even_after_a_restart(
    tmp_path: Path,
) -> None:
    paying = config(tmp_path, failure_share=0.0)
    refusing = config(tmp_path, failure_share=1.0)
    ledger = Ledger(tmp_path / "l.db")
    first = ledger.settle(decide("r-1:1:1", 100, paying, TODAY))
    again = ledger.settle(decide("r-1:1:1", 100, refusing, TODAY))
    ledger.close()
    reopened = Ledger(tmp_path / "l.db")
    after_restart = reopened.settle(decide("r-1:1:1", 100, refusing, TODAY))
    reopened.close()
    assert [e.decision.paid for e in (first, again, after_restart)] == [True, True, True]
    assert read_ledger(tmp_path / "l.db").credits == Counter({"r-1:1:1": 1})


def test_a_return_is_due_once_the_success_was_taken_and_is_recorded_once(
    tmp_path: Path,
) -> None:
    ledger = Ledger(tmp_path / "l.db")
    decision = decide("r-1:1:1", 100, config(tmp_path, return_share=1.0), TODAY)
    ledger.settle(decision)
    assert ledger.returns_due() == []
    ledger.note_taken("r-1:1:1")
    assert ledger.returns_due() == [decision]
    ledger.note_return_taken("r-1:1:1", 100)
    ledger.note_return_taken("r-1:1:1", 100)
    assert ledger.returns_due() == []
    view = ledger.view()
    ledger.close()
    assert (view.credits["r-1:1:1"], view.returns["r-1:1:1"]) == (1, 1)


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--failure-kinds", "stolen_card=1"], "unknown rejection codes: stolen_card"),
        (["--key-id", "nobody"], "no key 'nobody'"),
    ],
)
def test_the_command_refuses_bad_flags_before_it_starts(
    tmp_path: Path, flags: list[str], says: str
) -> None:
    keys = write_bank_keys(tmp_path / "keys.json")
    result = CliRunner().invoke(
        app,
        ["bank-simulator", "--keys-file", str(keys), "--key-id", "abc-1", *flags],
        env={"COLUMNS": "300", "ONECARD_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 2
    assert says in " ".join(result.output.split())
    assert not (tmp_path / "banksim").exists()
