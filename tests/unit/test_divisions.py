"""Administrative divisions: code structure, GB/T 2260 counties from stdnum's table, and the
townships and villages a county registers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from contracts.envelope import Actor
from contracts.refusals import Refused
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from services.registry.application.catalogue import load_divisions, register_division
from services.registry.domain.divisions import (
    DIVISION_EVENTS,
    CountyDivisions,
    DivisionEntry,
    DivisionRegistered,
    RegisterDivisions,
    ancestors,
    check_county,
    contains,
    county_of,
    decide,
    evolve,
    is_division_code,
    level_of,
    official_name,
    parent,
)
from services.registry.domain.events import REGISTRY_EVENTS
from tests.unit.contract_samples import memory_cipher

TODAY = date(2026, 3, 2)
TOWN = DivisionEntry("650102001", "燕儿窝街道")
VILLAGE = DivisionEntry("650102001201", "燕儿窝村")


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("65", "province"),
        ("6501", "prefecture"),
        ("650102", "county"),
        ("650102001", "township"),
        ("650102001001", "village"),
    ],
)
def test_the_length_of_a_code_is_its_level(code: str, level: str) -> None:
    assert level_of(code) == level


@pytest.mark.parametrize(
    "code", ["", "6", "650", "650100", "6500", "650102000", "650102001000", "65a102", "６５"]
)
def test_malformed_codes_are_no_division(code: str) -> None:
    assert not is_division_code(code)


def test_parents_and_ancestors() -> None:
    assert parent("650102001001") == "650102001"
    assert parent("650102") == "6501"
    assert parent("65") is None
    assert ancestors("650102001001") == ("65", "6501", "650102", "650102001")
    assert county_of("650102001001") == "650102"
    assert county_of("6501") is None


def test_a_township_contains_its_villages_and_itself_but_not_its_neighbours() -> None:
    assert contains("650102001", "650102001001")
    assert contains("650102001", "650102001")
    assert contains("65", "650102001001")
    assert not contains("650102002", "650102001001")
    assert not contains("650102001001", "650102001")
    assert not contains("65010", "650102001001")  # a prefix that is no division
    assert not contains("650102001", "650102001x01")


@pytest.mark.parametrize(
    ("code", "name"),
    [("650102", "天山区"), ("430621", "岳阳县"), ("110105", "朝阳区"), ("120110", "东丽区")],
)
def test_real_counties_are_accepted_with_their_current_name(code: str, name: str) -> None:
    assert check_county(code, year=2026) == name
    assert check_county(code, year=2026, name=f" {name} ") == name


def test_names_follow_the_years_they_were_in_use() -> None:
    assert official_name("120110", year=1990) == "东郊区"
    assert official_name("120110", year=1992) == "东丽区"
    assert official_name("65", year=2026) == "新疆维吾尔自治区"
    assert official_name("6501", year=2026) == "乌鲁木齐市"


@pytest.mark.parametrize(
    ("code", "year", "name", "refusal"),
    [
        ("659999", 2026, None, "county_unknown"),
        ("650101", 2026, None, "county_unknown"),  # 市辖区: a statistical placeholder
        ("110103", 2026, None, "county_retired"),  # 崇文区, merged in 2010
        ("500105", 2026, None, "county_retired"),  # 江北区 (重庆), into 两江新区 in 2025
        ("650102", 2026, "沙依巴克区", "county_name_mismatch"),
        ("6501", 2026, None, "invalid_division_code"),
    ],
)
def test_unknown_retired_or_misnamed_counties_are_refused(
    code: str, year: int, name: str | None, refusal: str
) -> None:
    with pytest.raises(Refused) as refused:
        check_county(code, year=year, name=name)
    assert refused.value.code == refusal
    assert refused.value.message


def given(*commands: RegisterDivisions) -> CountyDivisions | None:
    state: CountyDivisions | None = None
    for command in commands:
        for event in decide(command, state):
            state = evolve(state, event)
    return state


def register(*entries: DivisionEntry, county: str = "650102") -> RegisterDivisions:
    return RegisterDivisions(county, entries, TODAY)


def test_given_a_county_when_registering_a_township_and_its_village_then_both_exist() -> None:
    events = decide(register(TOWN, VILLAGE), None)
    assert events == [
        DivisionRegistered(county_code="650102", code="650102001", name="燕儿窝街道"),
        DivisionRegistered(county_code="650102", code="650102001201", name="燕儿窝村"),
    ]
    state = given(register(TOWN, VILLAGE))
    assert state is not None
    assert state.children("650102") == [("650102001", "燕儿窝街道")]
    assert state.children("650102001") == [("650102001201", "燕儿窝村")]


def test_given_registered_divisions_when_registering_them_again_then_nothing_happens() -> None:
    assert decide(register(TOWN, VILLAGE), given(register(TOWN, VILLAGE))) == []
    added = decide(register(TOWN, DivisionEntry("650102001202", "新村")), given(register(TOWN)))
    assert [e.code for e in added] == ["650102001202"]


@pytest.mark.parametrize(
    ("entries", "refusal"),
    [
        ((DivisionEntry("650103001", "外县镇"),), "division_outside_county"),
        ((VILLAGE,), "division_parent_unknown"),
        ((TOWN, TOWN), "invalid_division_code"),
        ((DivisionEntry("650102", "天山区"),), "invalid_division_code"),
        ((DivisionEntry("650102000", "零号"),), "invalid_division_code"),
        ((DivisionEntry("650102002", "  "),), "invalid_division_code"),
        ((), "invalid_division_code"),
    ],
)
def test_codes_outside_the_county_or_malformed_are_refused(
    entries: tuple[DivisionEntry, ...], refusal: str
) -> None:
    with pytest.raises(Refused) as refused:
        decide(register(*entries), None)
    assert refused.value.code == refusal


def test_a_code_registered_under_another_name_is_a_duplicate() -> None:
    with pytest.raises(Refused) as refused:
        decide(register(DivisionEntry("650102001", "别的街道")), given(register(TOWN)))
    assert (refused.value.code, refused.value.status) == ("division_exists", 409)


@pytest.mark.parametrize("county", ["110103", "659999"])
def test_divisions_of_a_retired_or_unknown_county_are_refused(county: str) -> None:
    with pytest.raises(Refused, match="county_"):
        decide(register(DivisionEntry(f"{county}001", "某镇"), county=county), None)


async def test_an_import_is_stored_whole_and_a_retry_adds_nothing() -> None:
    store = MemoryEventStore()
    registry = REGISTRY_EVENTS.including(DIVISION_EVENTS)
    codec = EventCodec(registry=registry, cipher=memory_cipher())
    context = CommandContext(
        actor=Actor(user_id="u-1", role="county_department", jurisdiction_code="650102"),
        at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        correlation_id=uuid.uuid4(),
        idempotency_key="import-1",
    )
    kwargs = {"store": store, "codec": codec, "command": register(TOWN, VILLAGE)}
    first = await register_division(**kwargs, context=context)
    again = await register_division(**kwargs, context=context)
    assert (len(first.events), again.appended) == (2, None)
    assert len(await store.read_stream("division-650102")) == 2
    loaded = await load_divisions(store=store, codec=codec, county_code="650102")
    assert loaded is not None
    assert loaded.names["650102001201"] == "燕儿窝村"
