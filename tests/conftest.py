"""Shared test plumbing: where the real servers are, and what happens when one is missing.

Outside CI a missing server skips its tests with the reason; under ``CI=true`` it fails them,
because CI must never pass green on tests that did not run.
"""

from __future__ import annotations

import os

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


def pytest_configure(config: pytest.Config) -> None:
    """Debug lines (one per skipped duplicate, …) drown failures: tests log from INFO up."""
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
