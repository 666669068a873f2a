"""Rules across rows and rosters: the same person twice, a duplicate benefit in another
roster of the round, several people on one account or phone, cross-check list hits, and
the roster summary."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import pytest

from services.registry.domain.roster_rows import RosterLine
from services.registry.domain.validation_programme import ProgrammeRules
from tests.unit.test_validation_rows import PROGRAMME, Bench, card, citizen, codes, line, phone


@pytest.fixture
def bench() -> Bench:
    bench = Bench()
    for n in range(1, 6):
        bench.enrol(n)
    return bench


def test_the_same_person_twice_in_a_roster_rejects_the_later_row_naming_the_first(
    bench: Bench,
) -> None:
    (first, other, again), _ = bench.run(line(1), line(2), line(1, line_no=9))
    assert first.status == "accepted"
    assert other.status == "accepted"
    assert codes(again) == {"citizen_id_duplicate"}
    assert "第 2 行" in again.findings[0].message


def test_a_person_already_in_another_roster_of_the_round_is_rejected(bench: Bench) -> None:
    bench.others.add(citizen(1), "R-2026-07")
    verdict = bench.one(line(1))
    assert codes(verdict) == {"duplicate_benefit"}
    assert "R-2026-07" in verdict.findings[0].message
    assert bench.one(line(2)).status == "accepted"


def test_two_people_on_one_account_reject_the_later_and_warn_the_earlier(bench: Bench) -> None:
    bench.enrol(2, card_account=card(1))
    (first, later), summary = bench.run(line(1), line(2, card_account=card(1)))
    assert codes(later) == {"card_account_shared"}
    assert later.status == "rejected"
    assert "第 2 行" in later.findings[0].message
    assert first.status == "warned"
    assert "第 3 行" in first.findings[0].message
    assert (summary.warned, summary.rejected) == (1, 1)


def test_a_programme_may_only_warn_about_a_shared_account(bench: Bench) -> None:
    bench.enrol(2, card_account=card(1))
    lenient = replace(PROGRAMME, shared_account="warn")
    (_, later), _ = bench.run(line(1), line(2, card_account=card(1)), programme=lenient)
    assert later.status == "warned"


def test_people_of_different_households_on_one_phone_are_warned_both(bench: Bench) -> None:
    (first, later), _ = bench.run(line(1), line(2, phone=phone(1)))
    assert codes(later) == {"phone_shared"}
    assert later.status == "warned"
    assert codes(first) == {"phone_shared"}


def test_people_of_one_household_may_share_a_phone() -> None:
    bench = Bench()
    bench.enrol(1, household_id="H1")
    bench.enrol(2, household_id="H1")
    (first, later), _ = bench.run(line(1), line(2, phone=phone(1)))
    assert (first.status, later.status) == ("accepted", "accepted")


@pytest.mark.parametrize("placeholder", ["0", "无", "/", "-"])
def test_placeholder_phones_are_not_compared(bench: Bench, placeholder: str) -> None:
    verdicts, _ = bench.run(line(1, phone=placeholder), line(2, phone=placeholder))
    assert [verdict.status for verdict in verdicts] == ["accepted", "accepted"]


def test_without_a_phone_column_the_registers_phone_is_compared() -> None:
    bench = Bench()
    bench.enrol(1)
    bench.enrol(2, phone=phone(1))
    (_, later), _ = bench.run(line(1, phone=None), line(2, phone=None))
    assert codes(later) == {"phone_shared"}


def test_a_programme_may_ignore_shared_phones(bench: Bench) -> None:
    quiet = replace(PROGRAMME, shared_phone="ignore")
    verdicts, _ = bench.run(line(1), line(2, phone=phone(1)), programme=quiet)
    assert [verdict.status for verdict in verdicts] == ["accepted", "accepted"]


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("deceased", "rejected"),
        ("public_servant", "warned"),
        ("supported", "warned"),
        ("disabled", "accepted"),
        ("registered_poor", "accepted"),
        ("unheard_of", "accepted"),
    ],
)
def test_list_hits_follow_the_default_policy(bench: Bench, kind: str, status: str) -> None:
    bench.lists.add(kind, citizen(1))
    assert bench.one(line(1)).status == status


def test_a_list_hit_names_the_list(bench: Bench) -> None:
    bench.lists.add("deceased", citizen(1))
    verdict = bench.one(line(1))
    assert codes(verdict) == {"list_deceased"}
    assert "死亡人员名单" in verdict.findings[0].message


def test_a_programme_sets_its_own_list_policy(bench: Bench) -> None:
    strict: ProgrammeRules = replace(
        PROGRAMME, list_policy=MappingProxyType({"public_servant": "reject"})
    )
    bench.lists.add("public_servant", citizen(1))
    bench.lists.add("deceased", citizen(2))
    assert bench.one(line(1), strict).status == "rejected"
    assert bench.one(line(2), strict).status == "accepted"


def test_the_summary_counts_rows_per_verdict_and_rule_and_the_payable_total() -> None:
    bench = Bench()
    for n in range(1, 5):
        bench.enrol(n)
    bench.enrol(5, account_status="unverified")
    bench.lists.add("public_servant", citizen(4))
    rows: list[RosterLine] = [
        line(1),
        line(2, amount="9.99"),
        line(3, name="李四"),
        line(4),
        line(5),
        line(1, line_no=20),
    ]
    _, summary = bench.run(*rows)
    assert summary.rows == 6
    assert (summary.accepted, summary.warned, summary.rejected) == (1, 2, 3)
    assert summary.by_rule == {
        "amount_mismatch": 1,
        "card_account_unverified": 1,
        "citizen_id_duplicate": 1,
        "list_public_servant": 1,
        "name_mismatch": 1,
    }
    assert summary.payable_fen == 3 * 105_500


def test_late_warnings_turn_an_accepted_row_warned_in_the_summary(bench: Bench) -> None:
    validator = bench.validator()
    first = validator.feed(line(1))
    later = validator.feed(line(2, phone=phone(1)))
    assert (first.status, later.status) == ("accepted", "warned")
    outcome = validator.finish()
    assert set(outcome.late) == {first.line_no}
    assert first.with_late(outcome.late[first.line_no]).status == "warned"
    assert (outcome.summary.accepted, outcome.summary.warned) == (0, 2)
    assert outcome.summary.by_rule == {"phone_shared": 2}


def test_no_row_is_fed_after_the_roster_is_finished(bench: Bench) -> None:
    validator = bench.validator()
    validator.finish()
    with pytest.raises(RuntimeError):
        validator.feed(line(1))


def test_finishing_twice_gives_the_same_outcome(bench: Bench) -> None:
    validator = bench.validator()
    validator.feed(line(1))
    validator.feed(line(2, phone=phone(1)))
    assert validator.finish() == validator.finish()
    assert validator.finish().summary.warned == 2
