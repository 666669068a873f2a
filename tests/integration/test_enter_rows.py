"""Rows typed one by one (逐行录入、更正) meet the rules across rows as a file's rows do: one
account or one phone for two people is found against the rows already in the roster, with
the same severity, and the earlier row is flagged as an import flags it."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.registry.application.enter_rows import correct_row, enter_row
from services.registry.application.import_roster import Checks
from services.registry.application.roster_commands import draft_roster, load_roster
from services.registry.domain.events import RosterRow, RosterRowsFlagged, RosterRowsImported
from services.registry.domain.roster import DraftRoster
from services.registry.domain.roster_rows import Column
from tests.integration.test_import_roster import PEOPLE, PROGRAMME, context, run_import, world

__all__ = ["world"]  # the fixture, shared with the file imports' tests


def typed(n: int, **changes: str) -> dict[Column, str]:
    """Person ``n`` of the register as a clerk types them: 10 mu at ¥95.50."""
    citizen_id, name, account = PEOPLE[n]
    cells = {
        Column.NAME: name,
        Column.CITIZEN_ID: citizen_id,
        Column.CARD_ACCOUNT: account,
        Column.PROGRAMME: "耕地地力保护补贴",
        Column.QUANTITY: "10.00",
        Column.STANDARD: "95.50",
        Column.AMOUNT: "955.00",
    }
    return {**cells, **{Column(key): value for key, value in changes.items()}}


HEADER = "姓名,身份证号码,社保卡号,补贴项目,数量(面积),补贴标准,补贴金额,联系电话\n"
_ORDER: tuple[Column, ...] = (Column.NAME, Column.CITIZEN_ID, Column.CARD_ACCOUNT)
_ORDER += (Column.PROGRAMME, Column.QUANTITY, Column.STANDARD, Column.AMOUNT, Column.PHONE)


def as_file_line(cells: dict[Column, str]) -> str:
    return ",".join(cells.get(column, "") for column in _ORDER) + "\n"


async def enter(
    world: Any, cells: dict[Column, str], key: str, roster_id: str = "r-1"
) -> RosterRow:
    store, codec, projections, cipher, _ = world
    return await enter_row(
        store=store,
        codec=codec,
        projections=projections,
        cipher=cipher,
        roster_id=roster_id,
        cells=cells,
        checks=Checks(PROGRAMME, date(2026, 12, 1)),
        context=context(key),
    )


async def flags(world: Any, roster_id: str = "r-1") -> dict[int, tuple[str, ...]]:
    store, codec, *_ = world
    found: dict[int, tuple[str, ...]] = {}
    for record in await store.read_stream(f"roster-{roster_id}"):
        event = codec.decode(record).event
        if isinstance(event, RosterRowsFlagged):
            for row_no, rules in event.flags.items():
                found[row_no] = (*found.get(row_no, ()), *rules)
    return found


async def verdict_of(world: Any, row_no: int) -> str:
    store, codec, *_ = world
    state, _ = await load_roster(store, codec, "r-1")
    assert state is not None
    return state.rows[row_no].verdict


async def test_a_typed_row_on_another_persons_account_is_rejected_and_the_first_warned(
    world: Any,
) -> None:
    first = await enter(world, typed(0), "first")
    second = await enter(world, typed(1, card_account=PEOPLE[0][2]), "second")
    assert first.verdict == "accepted"
    assert second.verdict == "rejected"
    assert second.rules == ("card_account_mismatch", "card_account_shared")
    assert "与第 1 行" in second.messages[1]
    assert await flags(world) == {1: ("card_account_shared",)}
    assert await verdict_of(world, 1) == "warned"


async def test_a_typed_row_on_another_households_phone_is_warned_and_the_first_too(
    world: Any,
) -> None:
    await enter(world, typed(0), "first")  # the register's phone, 13800138000
    second = await enter(world, typed(2, phone="138 0013 8000"), "second")
    assert (second.verdict, second.rules) == ("warned", ("phone_shared",))
    assert await flags(world) == {1: ("phone_shared",)}


async def test_a_typed_row_with_its_own_account_and_phone_is_accepted(world: Any) -> None:
    await enter(world, typed(0), "first")
    second = await enter(world, typed(1, phone="13800138001"), "second")
    assert (second.verdict, second.rules) == ("accepted", ())
    assert await flags(world) == {}


async def test_typed_rows_get_the_rules_a_file_of_the_same_rows_gets(world: Any) -> None:
    rows = [typed(0), typed(1, card_account=PEOPLE[0][2]), typed(2, phone="13800138000")]
    store, codec, *_ = world
    await run_import(world, HEADER + "".join(map(as_file_line, rows)), roster_id="r-1")
    imported = [
        row
        for record in await store.read_stream("roster-r-1")
        if isinstance(event := codec.decode(record).event, RosterRowsImported)
        for row in event.rows
    ]
    command = DraftRoster("r-2", "GDDL", 1, "650102001", "2026-1")
    await draft_roster(store=store, codec=codec, command=command, context=context("r-2"))
    by_hand = [await enter(world, row, f"typed-{n}", "r-2") for n, row in enumerate(rows)]
    assert [(row.verdict, row.rules) for row in by_hand] == [
        (row.verdict, row.rules) for row in imported
    ]
    assert [row.rules for row in by_hand] == [
        (),
        ("card_account_mismatch", "card_account_shared"),
        ("phone_shared",),
    ]
    assert await flags(world, "r-2") == await flags(world, "r-1")


async def test_a_correction_onto_another_persons_account_is_rejected_and_flags_the_first(
    world: Any,
) -> None:
    store, codec, projections, cipher, _ = world
    await enter(world, typed(0), "first")
    await enter(world, typed(1), "second")
    corrected = await correct_row(
        store=store,
        codec=codec,
        projections=projections,
        cipher=cipher,
        roster_id="r-1",
        row_no=2,
        cells=typed(1, card_account=PEOPLE[0][2]),
        reason="账号更正",
        checks=Checks(PROGRAMME, date(2026, 12, 1)),
        context=context("fix"),
    )
    assert corrected.verdict == "rejected"
    assert corrected.rules == ("card_account_mismatch", "card_account_shared")
    assert await flags(world) == {1: ("card_account_shared",)}
    assert (await verdict_of(world, 1), await verdict_of(world, 2)) == ("warned", "rejected")
