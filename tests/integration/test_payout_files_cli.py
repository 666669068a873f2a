"""``onecard payout …`` on a fresh install (SQLite store and projections): a result file is
checked, applied and reported, and the same file again answers the first report; an unsound
file or a role without the right exits 1 with its code, nothing stored; a statement is
reconciled and recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli.main import app
from infra.eventstore.sqlite import SqliteEventStore
from infra.settings import get_settings
from services.payout.domain.bank_file_layouts import (
    StatementLine,
    write_result_file,
    write_statement_file,
)
from tests.unit.payout_samples import succeeded

runner = CliRunner()
BANK = ["--bank", "ABC", "--operator", "u-bank-abc", "--jurisdiction", "650102"]
FINANCE = ["--bank", "ABC", "--operator", "u-finance", "--jurisdiction", "650102"]


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ONECARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ONECARD_EVENT_STORE_URL", f"sqlite:///{tmp_path}/events.db")
    monkeypatch.setenv(
        "ONECARD_PROJECTION_DB_URL", f"sqlite+aiosqlite:///{tmp_path}/{{service}}.db"
    )
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _events(path: Path) -> int:
    async def count() -> int:
        store = await SqliteEventStore.open(path / "events.db")
        try:
            return await store.head_position()
        finally:
            await store.close()

    return asyncio.run(count())


def test_a_result_file_is_imported_once_and_reported(installed: Path) -> None:
    results = installed / "ABC-results.csv"
    results.write_bytes(write_result_file([succeeded("r-9:1:1", 100)], "gb18030"))
    args = ["payout", "import-results", str(results), "--encoding", "gb18030", *BANK]

    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "imported: 1 lines (unmatched 1)" in first.output
    report = (installed / "ABC-results.csv.report.csv").read_text(encoding="utf-8-sig")
    assert report.splitlines()[1].startswith("2,r-9:1:1,unmatched")
    stored = _events(installed)

    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "already imported" in again.output
    assert _events(installed) == stored


def test_an_unsound_file_exits_1_with_its_code_and_stores_nothing(installed: Path) -> None:
    results = installed / "ABC-results.csv"
    results.write_bytes(write_result_file([succeeded("r-9:1:1", 100)], "utf-8")[:-30])
    outcome = runner.invoke(app, ["payout", "import-results", str(results), *BANK])
    assert outcome.exit_code == 1
    assert "bank_file_truncated" in outcome.output
    assert _events(installed) == 0


def test_export_needs_the_bank_exchange_right(installed: Path) -> None:
    args = ["payout", "export-batch", "--out", str(installed / "out"), *FINANCE]
    refused = runner.invoke(app, [*args, "--role", "county_finance_officer"])
    assert refused.exit_code == 1
    assert "role_not_permitted" in refused.output
    done = runner.invoke(app, ["payout", "export-batch", "--out", str(installed / "out"), *BANK])
    assert done.exit_code == 0, done.output
    assert "0 batch file(s)" in done.output


def test_a_statement_is_reconciled_and_its_mismatches_listed(installed: Path) -> None:
    statement = installed / "ABC-2025-10.csv"
    line = StatementLine(2, "r-9:1:1", "succeeded", 100, "B-1", date(2025, 10, 10))
    statement.write_bytes(write_statement_file([line], "utf-8"))
    args = ["payout", "reconcile", str(statement), "--period", "2025-10", *FINANCE]
    outcome = runner.invoke(app, args)
    assert outcome.exit_code == 0, outcome.output
    assert "recorded" in outcome.output
    assert "not_recorded 1" in outcome.output
    listed = (installed / "ABC-2025-10.csv.mismatches.csv").read_text(encoding="utf-8-sig")
    assert listed.splitlines()[1].startswith("not_recorded,r-9:1:1")
