"""Which failures are outages (waited out) and which are the message's own (dead-lettered)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from infra.bus.failures import exponential_backoff, is_outage


def _sqlite_error(sql: str, database: str = ":memory:") -> OperationalError:
    try:
        sqlite3.connect(database).execute(sql)
    except sqlite3.OperationalError as error:
        return OperationalError(sql, None, error)
    raise AssertionError("expected an error")


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (ConnectionRefusedError("refused"), True),
        (TimeoutError(), True),
        (_sqlite_error("SELECT 1", "/nonexistent/folder/x.db"), True),
        (_sqlite_error("SELECT * FROM no_such_table"), False),
        (RuntimeError("handler bug"), False),
        (ValueError("bad data"), False),
    ],
    ids=["refused", "timeout", "sqlite-cantopen", "sqlite-no-table", "runtime", "value"],
)
def test_outages_are_told_from_message_failures(error: BaseException, outage: bool) -> None:
    assert is_outage(error) is outage


def test_the_backoff_doubles_up_to_its_cap() -> None:
    backoff = exponential_backoff(first=0.1, cap=0.5)
    assert [backoff(n) for n in range(1, 6)] == [0.1, 0.2, 0.4, 0.5, 0.5]
