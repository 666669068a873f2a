"""Shared test plumbing: where the real servers are, and what happens when one is missing.

Outside CI a missing server skips its tests with the reason; under ``CI=true`` it fails them,
because CI must never pass green on tests that did not run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

POSTGRES_URL = os.environ.get(
    "ONECARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def server_missing(what: str, reason: str, *, required_in_ci: bool = True) -> None:
    """Skip (or, in CI, fail) the current test because ``what`` cannot be reached."""
    message = f"{what} is not reachable: {reason}"
    if required_in_ci and in_ci():
        pytest.fail(f"{message} (CI=true: this test must run)", pytrace=False)
    pytest.skip(message)


async def postgres_admin() -> asyncpg.Connection:
    """A plain connection to the test server (skips, or in CI fails, when it is missing)."""
    try:
        return await asyncpg.connect(POSTGRES_URL, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        server_missing("PostgreSQL", f"{POSTGRES_URL}: {error!r}")
        raise


@pytest.fixture
async def schema() -> AsyncIterator[str]:
    """A fresh PostgreSQL schema name for one test, dropped afterwards."""
    admin = await postgres_admin()
    name = f"t_{uuid.uuid4().hex}"
    try:
        yield name
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        await admin.close()


def pytest_configure(config: pytest.Config) -> None:
    """Debug lines (one per skipped duplicate, …) drown failures: tests log from INFO up."""
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))


pytest_plugins = ["tests.consumer_fixtures"]
