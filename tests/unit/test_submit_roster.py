"""Submitting a roster through the application: what it gathers from the store (who prepared
the roster, the programme's terms, the township's name, the register's people and accounts)
and what it appends, in one append."""

from __future__ import annotations

import orjson
import pytest

from contracts.envelope import Actor
from contracts.events import RosterRowsSubmitted, RosterSubmitted
from contracts.refusals import Refused
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.stream_commands import append_decided
from services.registry.application.catalogue import define_programme, register_division
from services.registry.application.roster_commands import load_roster, remove_row
from services.registry.application.roster_submission import submit_roster
from services.registry.domain import divisions, programme
from services.registry.domain.events import REGISTRY_EVENTS
from services.registry.domain.roster import CorrectRow, RemoveRow, decide_correction
from tests.unit import registry_world as world
from tests.unit.contract_samples import memory_cipher

CIPHER = memory_cipher()
CODEC = EventCodec(registry=REGISTRY_EVENTS, cipher=CIPHER)
SUBMITTER = Actor(user_id="u-lead", role="township_operator", jurisdiction_code="650102001")


@pytest.fixture
async def store() -> MemoryEventStore:
    store = MemoryEventStore()
    await world.catalogue(store, CODEC)
    for n in (1, 2, 3):
        await world.person(store, CODEC, CIPHER, n, "650102001001")
    return store


async def submitted(store: MemoryEventStore, roster_id: str = "r-1") -> list[object]:
    records = await store.read_stream(f"roster-{roster_id}")
    return [
        CODEC.decode(r).event
        for r in records
        if r.event_type in ("RosterRowsSubmitted", "RosterSubmitted")
    ]


async def test_one_append_holds_the_rows_as_the_register_pays_them_then_the_submission(
    store,
) -> None:
    await world.roster(store, CODEC, "r-1", "650102001", world.row(1, 1), world.row(2, 2, 50_000))
    before = await store.head_position()
    result = await submit_roster(
        store=store, codec=CODEC, roster_id="r-1", context=world.context(SUBMITTER)
    )
    assert result is not None
    assert result.last_position - result.first_position == 1  # both events, one append
    assert await store.head_position() == before + 2
    part, done = await submitted(store)
    assert isinstance(part, RosterRowsSubmitted)
    assert isinstance(done, RosterSubmitted)
    paid = {r.row_no: r for r in part.rows}
    assert paid[2].citizen_id.reveal() == world.person_id(2)
    assert paid[2].account_no.reveal() == world.account_no(2)
    assert (paid[2].village_code, paid[2].village, paid[2].bank_code) == (
        "650102001001",
        "燕儿窝村",
        "ABC",
    )
    assert (done.row_count, done.total_fen) == (2, 95_500 + 50_000)
    assert (done.programme_name, done.notice_working_days, done.confidential) == (
        "耕地地力保护补贴",
        5,
        False,
    )
    assert done.township_name == "燕儿窝街道"


async def test_the_stored_rows_hold_personal_data_sealed(store) -> None:
    await world.roster(store, CODEC, "r-1", "650102001", world.row(1, 1))
    await submit_roster(store=store, codec=CODEC, roster_id="r-1", context=world.context(SUBMITTER))
    stored = b"".join(r.data for r in await store.read_stream("roster-r-1"))
    assert world.person_id(1).encode() not in stored
    assert world.account_no(1).encode() not in stored


async def test_prepared_by_names_every_clerk_who_drafted_typed_corrected_or_removed(
    store,
) -> None:
    drafter = await world.roster(store, CODEC, "r-1", "650102001", world.row(1, 1))
    typist = Actor(user_id="u-typist", role="township_operator", jurisdiction_code="650102001")
    await world.add_rows(store, CODEC, "r-1", typist, world.row(2, 2), world.row(3, 3))
    fixer = Actor(user_id="u-fixer", role="township_operator", jurisdiction_code="650102001")
    state, version = await load_roster(store, CODEC, "r-1")
    fixed = decide_correction(CorrectRow("r-1", world.row(2, 2, 40_000), "面积更正"), state)
    await append_decided(store, CODEC, world.context(fixer), "roster-r-1", fixed, version)
    remover = Actor(user_id="u-remover", role="township_operator", jurisdiction_code="650102001")
    await remove_row(
        store=store,
        codec=CODEC,
        command=RemoveRow("r-1", 3, "重复"),
        context=world.context(remover),
    )
    system = Actor.system("mainjob")
    await world.add_rows(store, CODEC, "r-1", system, world.row(4, 3))
    await submit_roster(store=store, codec=CODEC, roster_id="r-1", context=world.context(SUBMITTER))
    *parts, done = await submitted(store)
    assert done.prepared_by == tuple(sorted({drafter.user_id, "u-typist", "u-fixer", "u-remover"}))
    assert [(r.row_no, r.amount_fen) for p in parts for r in p.rows] == [
        (1, 95_500),
        (2, 40_000),
        (4, 95_500),
    ]


async def test_a_township_inside_a_longer_notice_jurisdiction_gets_the_longer_notice() -> None:
    store = MemoryEventStore()
    hunan = world.TERMS.model_copy(update={"jurisdiction": "43", "notice_working_days": 5})
    await define_programme(
        store=store,
        codec=CODEC,
        command=programme.DefineProgramme("GDDL", hunan, world.TODAY),
        context=world.context(world.COUNTY),
    )
    entries = (
        divisions.DivisionEntry("430621001", "荣家湾镇"),
        divisions.DivisionEntry("430621001001", "荣家湾村"),
    )
    await register_division(
        store=store,
        codec=CODEC,
        command=divisions.RegisterDivisions("430621", entries, world.TODAY),
        context=world.context(world.COUNTY),
    )
    await world.person(store, CODEC, CIPHER, 1, "430621001001")
    await world.roster(store, CODEC, "r-1", "430621001", world.row(1, 1))
    await submit_roster(store=store, codec=CODEC, roster_id="r-1", context=world.context(SUBMITTER))
    *_, done = await submitted(store)
    assert (done.notice_working_days, done.township_name) == (7, "荣家湾镇")  # 001 art.10(2)


async def test_an_unregistered_township_is_refused_and_nothing_is_stored(store) -> None:
    await world.roster(store, CODEC, "r-9", "650102009", world.row(1, 1))
    before = await store.head_position()
    with pytest.raises(Refused) as refused:
        await submit_roster(
            store=store, codec=CODEC, roster_id="r-9", context=world.context(SUBMITTER)
        )
    assert refused.value.code == "township_not_registered"
    assert await store.head_position() == before


async def test_a_person_without_a_card_account_is_refused(store) -> None:
    await world.roster(store, CODEC, "r-1", "650102001", world.row(1, 7))
    with pytest.raises(Refused) as refused:
        await submit_roster(
            store=store, codec=CODEC, roster_id="r-1", context=world.context(SUBMITTER)
        )
    assert refused.value.code == "roster_payee_unknown"


async def test_submitting_again_appends_nothing(store) -> None:
    await world.roster(store, CODEC, "r-1", "650102001", world.row(1, 1))
    await submit_roster(store=store, codec=CODEC, roster_id="r-1", context=world.context(SUBMITTER))
    before = await store.head_position()
    again = await submit_roster(
        store=store, codec=CODEC, roster_id="r-1", context=world.context(SUBMITTER)
    )
    assert again is None
    assert await store.head_position() == before
    submitted_metadata = orjson.loads((await store.read_stream("roster-r-1"))[-1].metadata)
    assert submitted_metadata["actor"]["user_id"] == "u-lead"
