"""The main job's staff sessions against the real registry and approval apps: enrolled with a
temporary password as an administrator enrols them, a member changes it at the first login
and works on a token; an expired token is renewed by logging in again; where a service refuses
even a fresh token, the session uses the development headers there alone, and says so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.types import Receive, Scope, Send

from infra.mainjob.sessions import Ledger, Session
from infra.mainjob.staff import Staff, enrol, make_staff
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings
from services.approval.bootstrap import build as build_approval
from tests.unit.identity_fixtures import World, make_world

COUNTY, TOWNSHIPS = "653126", ["653126101", "653126201", "653126202"]
Office = tuple[World, Staff, httpx.AsyncClient]


@pytest.fixture
async def office(tmp_path: Path) -> AsyncIterator[Office]:
    """The registry (users, tokens) and an approval service, as hosts ``registry`` and
    ``approval`` of one client; the county's staff enrolled. The approval service verifies
    tokens with the process's configured key, never this registry's: it refuses them all."""
    world = make_world(tmp_path / "registry", start=None)
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/approval.db")
    deps = ServiceDeps(
        Settings(data_dir=tmp_path / "approval"),
        world.store, world.identity.users.codec, ProjectionDatabase(engine), world.clock,
    )  # fmt: skip
    apps = {"registry": world.app, "approval": build_approval(deps).http}

    async def by_host(scope: Scope, receive: Receive, send: Send) -> None:
        host = dict(scope["headers"])[b"host"].decode()
        await apps[host](scope, receive, send)

    staff = make_staff(COUNTY, TOWNSHIPS, seed=7)
    await enrol(world.identity, staff)
    transport = httpx.ASGITransport(app=by_host)
    async with httpx.AsyncClient(transport=transport) as http:
        yield world, staff, http
    await engine.dispose()


def session(staff: Staff, http: httpx.AsyncClient, ledger: Ledger) -> Session:
    urls = {"registry": "http://registry", "approval": "http://approval"}
    return Session(staff.finance, http, urls, ledger)


async def test_the_temporary_password_is_changed_at_the_first_login(office: Office) -> None:
    world, staff, http = office
    temporary = staff.finance.password
    ledger = Ledger()

    me = await session(staff, http, ledger).call("GET", "registry", "/users/me")

    assert me.json()["acting_as"] == {"role": "county_finance_officer", "jurisdiction_code": COUNTY}
    assert staff.finance.password != temporary
    refused = await world.login(staff.finance.username, temporary)
    assert refused.status == 401
    assert ledger.lines() == ["registry: token ×1"]


async def test_an_expired_token_is_renewed_by_logging_in_again_each_time(office: Office) -> None:
    world, staff, http = office
    ledger = Ledger()
    finance = session(staff, http, ledger)
    await finance.call("GET", "registry", "/users/me")

    world.clock.advance(timedelta(minutes=16))
    me = await finance.call("GET", "registry", "/users/me")
    world.clock.advance(timedelta(minutes=16))
    again = await finance.call("GET", "registry", "/users/me")

    assert (me.status_code, again.status_code) == (200, 200)
    assert ledger.lines() == ["registry: token ×3"]


async def test_a_service_refusing_fresh_tokens_gets_the_headers_and_the_ledger_says_so(
    office: Office,
) -> None:
    _, staff, http = office
    ledger = Ledger()
    finance = session(staff, http, ledger)

    work = await finance.call("GET", "approval", "/work")
    again = await finance.call("GET", "approval", "/work")
    me = await finance.call("GET", "registry", "/users/me")

    assert (work.json()["items"], again.status_code, me.status_code) == ([], 200, 200)
    (approval, registry) = ledger.lines()
    assert approval.startswith("approval: headers (")
    assert approval.endswith(") ×2")
    assert registry == "registry: token ×1"
