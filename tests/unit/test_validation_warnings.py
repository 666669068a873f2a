"""Warning rules (预警规则): they flag a row for a look and never stop it being paid."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from services.registry.domain.roster_rows import Column, RosterLine
from services.registry.domain.validation_programme import ProgrammeRules, WarningRules
from tests.unit.test_validation_rows import PROGRAMME, TODAY, Bench, codes, line


def with_warnings(**changes: Any) -> ProgrammeRules:
    return replace(PROGRAMME, warnings=replace(WarningRules(), **changes))


PER_PERSON = replace(PROGRAMME, unit_standard=None)
"""Amounts set per person: any amount is a consistent row, and the median has work to do."""


def township(
    bench: Bench, amounts: list[str], *, first: int = 1, village: str = "650102001001"
) -> list[RosterLine]:
    """Rows of people ``first``, ``first + 1``, … registered in ``village``, one per amount."""
    rows = []
    for n, amount in enumerate(amounts, start=first):
        bench.enrol(n, village_code=village)
        rows.append(line(n, quantity=None, standard=None, amount=amount))
    return rows


def statuses(bench: Bench, rows: list[RosterLine], programme: ProgrammeRules) -> set[str]:
    verdicts, _ = bench.run(*rows, programme=programme)
    return {verdict.status for verdict in verdicts}


def test_an_amount_over_three_times_the_township_median_is_warned_at_the_end() -> None:
    bench = Bench()
    rows = township(bench, ["1000"] * 10 + ["3000.01"])
    validator = bench.validator(PER_PERSON)
    fed = [validator.feed(row) for row in rows]
    assert all(verdict.status == "accepted" for verdict in fed)
    outcome = validator.finish()
    assert list(outcome.late) == [rows[-1].line_no]
    (warning,) = outcome.late[rows[-1].line_no]
    assert warning.rule == "amount_above_median"
    assert warning.severity == "warn"
    assert "1000.00" in warning.message
    assert outcome.summary.warned == 1


def test_an_amount_of_exactly_three_times_the_median_is_not_warned() -> None:
    bench = Bench()
    assert statuses(bench, township(bench, ["1000"] * 10 + ["3000"]), PER_PERSON) == {"accepted"}


def test_a_small_township_has_no_median_to_compare_with() -> None:
    bench = Bench()
    assert statuses(bench, township(bench, ["1000"] * 5 + ["9000"]), PER_PERSON) == {"accepted"}


def test_each_township_is_compared_with_its_own_median() -> None:
    bench = Bench()
    rows = township(bench, ["1000"] * 10, village="650102001001")
    rows += township(bench, ["4000"] * 10, first=11, village="650102002001")
    assert statuses(bench, rows, PER_PERSON) == {"accepted"}


def test_rejected_rows_do_not_count_in_the_median() -> None:
    bench = Bench()
    rows = township(bench, ["1000"] * 10 + ["3500"])
    rows += [
        row._replace(cells={**row.cells, Column.NAME: "李四"})
        for row in township(bench, ["10000"] * 30, first=12)
    ]
    verdicts, _ = bench.run(*rows, programme=PER_PERSON)
    assert verdicts[10].status == "warned"


def test_the_median_warning_can_be_turned_off() -> None:
    bench = Bench()
    rows = township(bench, ["1000"] * 10 + ["9000"])
    programme = replace(PER_PERSON, warnings=replace(WarningRules(), median_factor=None))
    assert statuses(bench, rows, programme) == {"accepted"}


def test_an_account_declared_or_changed_recently_is_warned() -> None:
    bench = Bench()
    bench.enrol(1, account_since=TODAY - timedelta(days=10))
    bench.enrol(2, account_since=TODAY - timedelta(days=90))
    recent, settled = bench.run(line(1), line(2))[0]
    assert codes(recent) == {"card_account_recently_changed"}
    assert recent.status == "warned"
    assert (TODAY - timedelta(days=10)).isoformat() in recent.findings[0].message
    assert settled.status == "accepted"


def test_the_recent_account_window_is_configurable() -> None:
    bench = Bench()
    bench.enrol(1, account_since=TODAY - timedelta(days=10))
    assert bench.one(line(1), with_warnings(account_changed_within_days=7)).status == "accepted"
    assert bench.one(line(1), with_warnings(account_changed_within_days=None)).status == (
        "accepted"
    )


def test_a_beneficiary_older_than_100_is_warned() -> None:
    over = date(TODAY.year - 101, TODAY.month, TODAY.day)
    exactly = over + timedelta(days=1)  # 100 years old until tomorrow
    bench = Bench()
    bench.enrol(1, born=over)
    bench.enrol(2, born=exactly)
    old, hundred = bench.run(line(1, born=over), line(2, born=exactly))[0]
    assert codes(old) == {"aged_over"}
    assert old.status == "warned"
    assert "101" in old.findings[0].message
    assert hundred.status == "accepted"


def test_the_age_limit_is_configurable() -> None:
    born = date(1930, 1, 1)
    bench = Bench()
    bench.enrol(1, born=born)
    assert codes(bench.one(line(1, born=born), with_warnings(age_above=90))) == {"aged_over"}
    assert bench.one(line(1, born=born), with_warnings(age_above=None)).status == "accepted"


def test_a_quantity_above_the_warning_value_is_warned() -> None:
    bench = Bench()
    bench.enrol(1)
    programme = with_warnings(max_quantity=Decimal(8))
    assert codes(bench.one(line(1), programme)) == {"quantity_above_max"}
    assert bench.one(line(1), with_warnings(max_quantity=Decimal(10))).status == "accepted"


def test_warned_rows_are_still_paid() -> None:
    bench = Bench()
    bench.enrol(1, account_status="unverified")
    _, summary = bench.run(line(1))
    assert (summary.warned, summary.payable_fen) == (1, 105_500)
