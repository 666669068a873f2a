"""Who may call which registry route where: every role, acting on objects in its own
division, a division below it, a sibling (or a division above it) and another county, on
representative routes of each kind. Allowed calls succeed; refused ones answer 403 with a
stable code and change nothing in the store, not even the query log.

The expectations are written out here, from the brief and the regulations (001 art.11,
003 §3(1)), not read from the policy module: a policy change that breaks them should fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings
from services.registry.bootstrap import build
from services.registry.domain.events import REGISTRY_EVENTS
from tests.unit import registry_world as world
from tests.unit.asgi import request
from tests.unit.contract_samples import memory_cipher

JURISDICTION = {
    "village_officer": "650102001001",
    "township_operator": "650102001",
    "township_finance_auditor": "650102001",
    "county_department_operator": "650102",
    "county_department_reviewer": "650102",
    "county_finance_officer": "650102",
    "supervisor": "6501",
    "auditor": "65",
    "bank_connector": "650102",
    "system_administrator": "650102",
}
READ = {"beneficiary.read", "roster.read"}
MAY = {
    "village_officer": READ,
    "township_operator": READ | {"beneficiary.write", "roster.write"},
    "township_finance_auditor": READ,
    "county_department_operator": READ | {"beneficiary.write", "roster.write", "catalogue.write"},
    "county_department_reviewer": READ,
    "county_finance_officer": READ,  # approves or sends back, never edits (003 §3(1))
    "supervisor": READ | {"catalogue.write"},  # the region keeps the catalogue (000 art.8-9)
    "auditor": READ,
    "bank_connector": set(),
    "system_administrator": set(),
}
"""What each role may do at all in the registry."""

PEOPLE = {1: "650102001001", 2: "650102001002", 3: "650102002001", 4: "650103001001"}
ROSTERS = {"r-1": "650102001", "r-2": "650102002", "r-3": "650103001"}


def place(jurisdiction: str, division: str) -> str:
    """Where ``division`` lies seen from ``jurisdiction``."""
    if division == jurisdiction:
        return "own"
    if division.startswith(jurisdiction):
        return "child"
    if jurisdiction.startswith(division):
        return "above"
    if len(jurisdiction) >= 6 and division[:6] != jurisdiction[:6]:
        return "another county"
    return "sibling"


@dataclass(frozen=True)
class Route:
    """A representative route: the action it needs and, per object, the call to make."""

    name: str
    action: str | None
    """None: any logged-in user."""
    objects: tuple[str, ...]
    """The division of each object the route is called on."""

    def call(self, n: int, division: str) -> tuple[str, str, Any]:
        return CALLS[self.name](n, division)


CALLS = {
    "read beneficiary": lambda n, d: ("GET", f"/beneficiaries/b-{_person(d)}", None),
    "freeze card account": lambda n, d: (
        "POST",
        f"/beneficiaries/b-{_person(d)}/card-account/freeze",
        {"reason": "银行通知冻结"},
    ),
    "register beneficiary": lambda n, d: (
        "POST",
        "/beneficiaries",
        {
            "beneficiary_id": f"b-new-{n}",
            "citizen_id": world.person_id(100 + n),
            "name": "新登记",
            "village_code": d,
            "household_id": f"h-new-{n}",
        },
    ),
    "read roster": lambda n, d: ("GET", f"/rosters/{_roster(d)}", None),
    "download rejected rows": lambda n, d: ("GET", f"/rosters/{_roster(d)}/rejected.xlsx", None),
    "withdraw roster": lambda n, d: (
        "POST",
        f"/rosters/{_roster(d)}/withdrawal",
        {"reason": "重新编制"},
    ),
    "draft roster": lambda n, d: (
        "POST",
        "/rosters",
        {"roster_id": f"r-new-{n}", "programme_code": "GDDL", "township_code": d, "round_id": "2"},
    ),
    "define programme": lambda n, d: (
        "POST",
        "/programmes",
        {
            "code": f"P{n}",
            "standard_name": "农机购置补贴",
            "department": "县农业农村局",
            "funding_source": "中央财政",
            "unit": "台",
            "max_amount_fen": 1_000_000,
            "jurisdiction": d,
            "valid_from": "2026-01-01",
        },
    ),
    "register divisions": lambda n, d: (
        "POST",
        "/divisions",
        {"county_code": d, "divisions": [{"code": f"{d}009", "name": "新设镇"}]},
    ),
    "read programme": lambda n, d: ("GET", "/programmes/GDDL", None),
}
ROUTES = (
    Route("read beneficiary", "beneficiary.read", tuple(PEOPLE.values())),
    Route("freeze card account", "beneficiary.write", tuple(PEOPLE.values())),
    Route("register beneficiary", "beneficiary.write", tuple(PEOPLE.values())),
    Route("read roster", "roster.read", tuple(ROSTERS.values())),
    Route("download rejected rows", "roster.read", tuple(ROSTERS.values())),
    Route("withdraw roster", "roster.write", tuple(ROSTERS.values())),
    Route("draft roster", "roster.write", tuple(ROSTERS.values())),
    Route("define programme", "catalogue.write", ("650102", "650103")),
    Route("register divisions", "catalogue.write", ("650102", "650103")),
    Route("read programme", None, ("650102",)),
)


def _person(village: str) -> int:
    return next(n for n, v in PEOPLE.items() if v == village)


def _roster(township: str) -> str:
    return next(r for r, t in ROSTERS.items() if t == township)


@pytest.fixture
async def county(tmp_path: Path) -> tuple[FastAPI, MemoryEventStore]:
    store = MemoryEventStore()
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=memory_cipher())
    projections = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{tmp_path}/p.db")
    app = build(ServiceDeps(Settings(data_dir=tmp_path), store, codec, projections)).http
    registry = app.state.registry
    await world.catalogue(store, registry.codec)
    for n, village in PEOPLE.items():
        await world.person(store, registry.codec, registry.index, n, village)
    for roster_id, township in ROSTERS.items():
        n = _person(next(v for v in PEOPLE.values() if v.startswith(township)))
        bad = world.row(1, n, verdict="rejected", rules=("amount_mismatch",), messages=("不符",))
        await world.roster(store, registry.codec, roster_id, township, bad)
    yield app, store
    await projections.close()


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("role", list(JURISDICTION))
async def test_each_role_may_act_only_where_its_jurisdiction_reaches(
    county, role: str, route: Route
) -> None:
    app, store = county
    jurisdiction = JURISDICTION[role]
    headers = {
        "X-Onecard-User": f"u-{role}",
        "X-Onecard-Role": role,
        "X-Onecard-Jurisdiction": jurisdiction,
    }
    for n, division in enumerate(route.objects):
        where = place(jurisdiction, division)
        allowed = route.action is None or (route.action in MAY[role] and where in ("own", "child"))
        method, path, body = route.call(n, division)
        before = await store.head_position()
        answer = await request(app, method, path, headers=headers, json_body=body)
        case = f"{role} {route.name} in {division} ({where})"
        if allowed:
            assert answer.status in (200, 201), f"{case}: {answer.status} {answer.body!r}"
        else:
            assert answer.status == 403, f"{case}: {answer.status} {answer.body!r}"
            assert answer.json()["code"] in ("role_not_permitted", "outside_jurisdiction")
            assert await store.head_position() == before, f"{case}: the store changed"


async def test_an_upload_refused_starts_no_import_job(county) -> None:
    app, store = county
    before = await store.head_position()
    elsewhere = {
        "X-Onecard-User": "u-far",
        "X-Onecard-Role": "township_operator",
        "X-Onecard-Jurisdiction": "650103001",
    }
    upload = await _upload(app, "r-1", elsewhere)
    assert (upload.status_code, upload.json()["code"]) == (403, "outside_jurisdiction")
    assert app.state.roster_jobs == {}
    assert await store.head_position() == before


async def test_an_upload_by_the_townships_operator_starts_its_job(county) -> None:
    app, _ = county
    clerk = {
        "X-Onecard-User": "u-clerk",
        "X-Onecard-Role": "township_operator",
        "X-Onecard-Jurisdiction": "650102001",
    }
    upload = await _upload(app, "r-1", clerk)
    assert upload.status_code == 202
    (job,) = app.state.roster_jobs.values()
    await job.task


async def test_an_unknown_role_or_a_jurisdiction_of_the_wrong_level_is_refused(county) -> None:
    app, _ = county
    for role, jurisdiction in (("township_auditor", "650102001"), ("township_operator", "650102")):
        headers = {
            "X-Onecard-User": "u-x",
            "X-Onecard-Role": role,
            "X-Onecard-Jurisdiction": jurisdiction,
        }
        answer = await request(app, "GET", "/rosters/r-1", headers=headers)
        assert answer.status == 403


async def _upload(app: FastAPI, roster_id: str, headers: dict[str, str]) -> httpx.Response:
    content = (
        "姓名,身份证号码,社保卡号,补贴金额\n"
        f"村民1,{world.person_id(1)},{world.account_no(1)},955.00\n"
    ).encode()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        return await client.post(
            f"/rosters/{roster_id}/imports", files={"file": ("a.csv", content)}, headers=headers
        )
