"""Importing a roster file end to end on the embedded defaults: the register read model
(SQLite), the file reader, validation, and the roster stream (memory store)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from contracts.envelope import Actor, new_envelope, new_event_id
from contracts.events import BeneficiaryRegistered, CardAccountDeclared, CardAccountVerified
from contracts.pii import CardAccountNo, CitizenId, PhoneNo
from contracts.refusals import Refused
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.projections.database import ProjectionDatabase
from services.registry.adapters.roster_files import open_roster
from services.registry.adapters.tables import TABLES
from services.registry.application.catalogue import define_programme, register_division
from services.registry.application.cross_checks import (
    import_cross_check_list,
    load_cross_checks,
    load_round,
)
from services.registry.application.import_roster import Checks, import_roster_file
from services.registry.application.register_projection import register_handler
from services.registry.application.roster_commands import draft_roster, load_roster
from services.registry.application.roster_submission import submit_roster
from services.registry.domain import divisions, programme
from services.registry.domain.events import REGISTRY_EVENTS, RosterRowsImported
from services.registry.domain.roster import DraftRoster
from services.registry.domain.validation_programme import ProgrammeRules
from tests.unit.contract_samples import memory_cipher

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
CLERK = Actor(user_id="u-clerk", role="township_operator", jurisdiction_code="650102001")
PEOPLE = [  # citizen ID, name, account
    ("650102198001011234", "王建国", "6217000012345678907"),
    ("650102197512120024", "李秀英", "6217000012345678915"),
    ("650102196007070025", "阿依古丽", "6217000012345678923"),
]
PROGRAMME = ProgrammeRules(
    code="GDDL", standard_name="耕地地力保护补贴", unit_standard=Decimal("95.50")
)
HEADER = "姓名,身份证号码,社保卡号,补贴项目,数量(面积),补贴标准,补贴金额,村组\n"


def context(key: str) -> CommandContext:
    return CommandContext(actor=CLERK, at=AT, correlation_id=uuid.uuid4(), idempotency_key=key)


@pytest.fixture
async def world(tmp_path: Path):
    cipher = memory_cipher()
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
    store = MemoryEventStore()
    projections = await ProjectionDatabase.open(f"sqlite:///{tmp_path / 'registry.db'}")
    await projections.create_tables(TABLES)
    handler = register_handler(cipher)
    envelopes = []
    for n, (citizen_id, name, account) in enumerate(PEOPLE):
        for event in (
            BeneficiaryRegistered(
                beneficiary_id=f"b-{n}",
                citizen_id=CitizenId(citizen_id),
                name=name,
                village_code="650102001001",
                household_id=f"h-{n}",
                phone=PhoneNo(f"1380013800{n}"),
            ),
            CardAccountDeclared(
                beneficiary_id=f"b-{n}",
                bank_code="ABC",
                account_no=CardAccountNo(account),
                holder_name=name,
            ),
            CardAccountVerified(beneficiary_id=f"b-{n}", verified_at=AT),
        ):
            envelopes.append(
                new_envelope(
                    event,
                    event_id=new_event_id(AT),
                    stream_id=f"beneficiary-b-{n}",
                    occurred_at=datetime(2025, 1, 1, tzinfo=UTC),
                    actor=CLERK,
                    correlation_id=uuid.uuid4(),
                )
            )
    async with projections.transaction() as conn:
        await handler(conn, envelopes)
    for n in range(len(PEOPLE)):  # the register's streams, which the read model is made from
        stream = [e for e in envelopes if e.stream_id == f"beneficiary-b-{n}"]
        stored = [codec.encode(e) for e in stream]
        await store.append(f"beneficiary-b-{n}", stored, expected_version=0)
    await catalogue(store, codec)
    await draft_roster(
        store=store,
        codec=codec,
        command=DraftRoster("r-1", "GDDL", 1, "650102001", "2026-1"),
        context=context("draft"),
    )
    yield store, codec, projections, cipher, tmp_path
    await projections.close()


async def catalogue(store: MemoryEventStore, codec: EventCodec) -> None:
    """The programme the roster is paid under, and the township's name (for submission)."""
    terms = programme.ProgrammeTerms(
        standard_name="耕地地力保护补贴",
        department="县农业农村局",
        funding_source="中央财政",
        unit="亩",
        unit_standard=Decimal("95.50"),
        fixed_amount_fen=None,
        min_amount_fen=1,
        max_amount_fen=None,
        notice_working_days=5,
        confidential=False,
        jurisdiction="650102",
        valid_from=date(2026, 1, 1),
        valid_to=None,
    )
    today = date(2026, 12, 1)
    await define_programme(
        store=store,
        codec=codec,
        command=programme.DefineProgramme("GDDL", terms, today),
        context=context("programme"),
    )
    entries = (
        divisions.DivisionEntry("650102001", "燕儿窝街道"),
        divisions.DivisionEntry("650102001001", "燕儿窝村"),
    )
    await register_division(
        store=store,
        codec=codec,
        command=divisions.RegisterDivisions("650102", entries, today),
        context=context("divisions"),
    )


async def run_import(world, content: str, name: str = "清册.csv", roster_id: str = "r-1"):
    store, codec, projections, cipher, folder = world
    path = folder / name
    path.write_bytes(content.encode("gb18030"))
    return await import_roster_file(
        store=store,
        codec=codec,
        projections=projections,
        cipher=cipher,
        roster_id=roster_id,
        source=open_roster(path),
        file_name=name,
        checks=Checks(
            PROGRAMME,
            date(2026, 12, 1),
            await load_cross_checks(store, codec),
            await load_round(
                store, codec, programme_code="GDDL", round_id="2026-1", except_roster=roster_id
            ),
        ),
        context=context(f"import-{name}"),
    )


GOOD = (
    HEADER
    + "王建国,650102198001011234,6217000012345678907,耕地地力保护补贴,10.00,95.50,955.00,一组\n"
    + "李秀英,650102197512120024,6217000012345678915,耕地地力保护补贴,3.37,95.50,321.84,一组\n"
    + "合计,,,,13.37,,1276.84,\n"
)


async def test_a_clean_gbk_file_is_imported_whole_and_can_be_submitted(world) -> None:
    report = await run_import(world, GOOD)
    assert report.rejected_lines == []
    assert (report.summary.rows, report.summary.rejected) == (2, 0)
    assert report.summary.payable_fen == 95_500 + 32_184
    store, codec, *_ = world
    records = await store.read_stream("roster-r-1")
    parts = [codec.decode(r).event for r in records]
    (imported,) = [p for p in parts if isinstance(p, RosterRowsImported)]
    assert [row.beneficiary_id for row in imported.rows] == ["b-0", "b-1"]
    assert all(row.citizen_id is None and row.card_account is None for row in imported.rows)
    await submit_roster(store=store, codec=codec, roster_id="r-1", context=context("s"))
    state, _ = await load_roster(store, codec, "r-1")
    assert state is not None
    assert state.status == "submitted"


async def test_rejected_rows_carry_their_rules_and_block_submission(world) -> None:
    bad = (
        HEADER
        + "王建国,650102198001011234,6217000012345678907,耕地地力保护补贴,10.00,95.50,955.01,一组\n"
        + "张三,650102198001011242,6217000012345678907,耕地地力保护补贴,1,95.50,95.50,一组\n"
        + "李四,6.50102E+17,6217000012345678931,耕地地力保护补贴,1,95.50,95.50,二组\n"
    )
    report = await run_import(world, bad)
    assert report.summary.rejected == 3
    assert [line for line, _ in report.rejected_lines] == [2, 3, 4]
    store, codec, *_ = world
    with pytest.raises(Refused, match="roster_has_rejected_rows"):
        await submit_roster(store=store, codec=codec, roster_id="r-1", context=context("s"))
    stored = b"".join(r.data for r in await store.read_stream("roster-r-1"))
    assert b"650102198001011242" not in stored  # unmatched IDs are sealed, never in clear
    assert b"6.50102E+17" not in stored


async def test_the_same_file_twice_is_one_import(world) -> None:
    first = await run_import(world, GOOD)
    again = await run_import(world, GOOD)
    assert not first.already_imported
    assert again.already_imported
    store, codec, *_ = world
    state, _ = await load_roster(store, codec, "r-1")
    assert state is not None
    assert len(state.rows) == 2


async def test_the_same_file_cannot_go_into_a_second_roster(world) -> None:
    store, codec, *_ = world
    await draft_roster(
        store=store,
        codec=codec,
        command=DraftRoster("r-2", "GDDL", 1, "650102001", "2026-1"),
        context=context("draft-2"),
    )
    await run_import(world, GOOD)
    with pytest.raises(Refused, match="roster_file_already_imported"):
        await run_import(world, GOOD, roster_id="r-2")
    state, _ = await load_roster(store, codec, "r-2")
    assert state is not None
    assert state.rows == {}


async def test_a_person_on_the_deceased_list_is_rejected(world) -> None:
    store, codec, _, cipher, folder = world
    deceased = folder / "死亡人员名单.csv"
    deceased.write_text("姓名,身份证号码\n李秀英,650102197512120024\n", encoding="gb18030")
    count, imported = await import_cross_check_list(
        store=store,
        codec=codec,
        cipher=cipher,
        kind="deceased",
        path=deceased,
        context=context("l"),
    )
    assert (count, imported) == (1, True)
    report = await run_import(world, GOOD)
    assert report.rejected_lines == [(3, ("list_deceased",))]


async def test_the_same_list_again_is_not_imported_twice(world) -> None:
    store, codec, _, cipher, folder = world
    path = folder / "名单.csv"
    path.write_text("650102197512120024\n", encoding="utf-8")
    first = await import_cross_check_list(
        store=store, codec=codec, cipher=cipher, kind="deceased", path=path, context=context("a")
    )
    again = await import_cross_check_list(
        store=store, codec=codec, cipher=cipher, kind="deceased", path=path, context=context("b")
    )
    assert (first, again) == ((1, True), (1, False))
    assert len(await store.read_stream("crosscheck-deceased")) == 1


async def test_a_list_with_a_bad_id_stores_nothing_and_names_the_line(world) -> None:
    store, codec, _, cipher, folder = world
    path = folder / "名单.csv"
    path.write_text("身份证号码\n650102197512120024\n12345\n", encoding="utf-8")
    with pytest.raises(Refused, match="list_invalid_ids") as refused:
        await import_cross_check_list(
            store=store,
            codec=codec,
            cipher=cipher,
            kind="deceased",
            path=path,
            context=context("c"),
        )
    assert "3" in refused.value.message
    assert await store.read_stream("crosscheck-deceased") == []


async def test_a_person_paid_by_another_roster_of_the_round_is_a_duplicate_benefit(world) -> None:
    store, codec, *_ = world
    await draft_roster(
        store=store,
        codec=codec,
        command=DraftRoster("r-2", "GDDL", 1, "650102001", "2026-1"),
        context=context("draft-2"),
    )
    await run_import(world, GOOD)
    other = HEADER + GOOD.splitlines()[1] + "\n"
    report = await run_import(world, other, name="另一份.csv", roster_id="r-2")
    assert [rules for _, rules in report.rejected_lines] == [("duplicate_benefit",)]
