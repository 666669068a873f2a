"""The programme catalogue (补贴政策清单): defining, revising and retiring programmes, every
version kept for the rounds paid under it, and money exact to the fen."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from contracts.envelope import Actor
from contracts.refusals import Refused
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from services.registry.application.catalogue import (
    define_programme,
    load_programme,
    retire_programme,
    revise_programme,
)
from services.registry.domain.events import REGISTRY_EVENTS
from services.registry.domain.programme import (
    PROGRAMME_EVENTS,
    DefineProgramme,
    Programme,
    ProgrammeDefined,
    ProgrammeRetired,
    ProgrammeRevised,
    ProgrammeTerms,
    RetireProgramme,
    ReviseProgramme,
    decide,
    evolve,
    notice_minimum,
)
from tests.unit.contract_samples import memory_cipher

TODAY = date(2026, 3, 2)
TERMS = ProgrammeTerms(
    standard_name="耕地地力保护补贴",
    department="县农业农村局",
    funding_source="中央财政",
    unit="亩",
    unit_standard=Decimal("108.47"),
    fixed_amount_fen=None,
    min_amount_fen=1,
    max_amount_fen=500_000,
    notice_working_days=5,
    confidential=False,
    jurisdiction="650102",
    valid_from=date(2026, 1, 1),
    valid_to=date(2026, 12, 31),
    aliases=("耕地补贴", "地力补贴"),
)
DEFINE = DefineProgramme("GDDLBH", TERMS, TODAY)
RAISED = TERMS.model_copy(update={"unit_standard": Decimal("112.30")})


def given(*commands: DefineProgramme | ReviseProgramme | RetireProgramme) -> Programme | None:
    state: Programme | None = None
    for command in commands:
        for event in decide(command, state):
            state = evolve(state, event)
    return state


def test_given_no_programme_when_defining_then_it_is_version_one() -> None:
    (event,) = decide(DEFINE, None)
    assert event == ProgrammeDefined(programme_code="GDDLBH", version=1, terms=TERMS)
    assert event.terms.list_policy["deceased"] == "reject"  # the default fills the policy


def test_given_a_programme_when_defining_it_again_then_nothing_happens() -> None:
    assert decide(DEFINE, given(DEFINE)) == []


def test_given_a_programme_when_defining_the_code_with_other_terms_then_refused() -> None:
    with pytest.raises(Refused) as refused:
        decide(DefineProgramme("GDDLBH", RAISED, TODAY), given(DEFINE))
    assert (refused.value.code, refused.value.status) == ("programme_exists", 409)


def test_given_a_programme_when_revising_then_the_old_version_is_kept() -> None:
    state = given(DEFINE, ReviseProgramme("GDDLBH", RAISED, "2026年标准调整", TODAY))
    assert state is not None
    assert state.version == 2
    assert state.terms.unit_standard == Decimal("112.30")
    assert state.terms_at_version(1).unit_standard == Decimal("108.47")
    assert state.versions[1].reason == "2026年标准调整"


def test_given_a_revision_when_revising_with_the_same_terms_then_nothing_happens() -> None:
    revise = ReviseProgramme("GDDLBH", RAISED, "调整", TODAY)
    assert decide(revise, given(DEFINE, revise)) == []


def test_the_revision_event_names_the_next_version_and_the_reason() -> None:
    (event,) = decide(ReviseProgramme("GDDLBH", RAISED, "调整", TODAY), given(DEFINE))
    assert isinstance(event, ProgrammeRevised)
    assert (event.version, event.reason, event.terms) == (2, "调整", RAISED)


def test_given_a_programme_when_retiring_then_it_is_retired_once() -> None:
    retire = RetireProgramme("GDDLBH", "政策到期", TODAY)
    (event,) = decide(retire, given(DEFINE))
    assert event == ProgrammeRetired(
        programme_code="GDDLBH", version=1, retired_on=TODAY, reason="政策到期"
    )
    assert decide(retire, given(DEFINE, retire)) == []


def test_given_a_retired_programme_when_revising_then_refused() -> None:
    state = given(DEFINE, RetireProgramme("GDDLBH", "政策到期", TODAY))
    with pytest.raises(Refused, match="programme_retired"):
        decide(ReviseProgramme("GDDLBH", RAISED, "调整", TODAY), state)


@pytest.mark.parametrize(
    "command",
    [
        ReviseProgramme("GDDLBH", RAISED, "调整", TODAY),
        RetireProgramme("GDDLBH", "到期", TODAY),
    ],
)
def test_given_no_programme_when_changing_it_then_refused_404(command: object) -> None:
    with pytest.raises(Refused) as refused:
        decide(command, None)  # type: ignore[arg-type]
    assert (refused.value.code, refused.value.status) == ("programme_unknown", 404)


def test_an_unknown_version_is_refused() -> None:
    state = given(DEFINE)
    assert state is not None
    with pytest.raises(Refused, match="programme_version_unknown"):
        state.terms_at_version(2)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"fixed_amount_fen": 10_000}, "只能填写一项"),
        ({"unit_standard": None, "max_amount_fen": None}, "须设每人最高金额"),
        ({"min_amount_fen": 600_000}, "最低金额高于最高金额"),
        ({"unit_standard": None, "fixed_amount_fen": 900_000}, "定额不在"),
        ({"notice_working_days": 4}, "不得少于5个工作日"),
        ({"jurisdiction": "430621", "notice_working_days": 5}, "不得少于7个工作日"),
        ({"valid_to": date(2025, 12, 31)}, "截止日期早于起始日期"),
        ({"aliases": ("耕地补贴", "耕地 补贴")}, "别名重复"),
        ({"jurisdiction": "650102001"}, "应为省"),
        ({"jurisdiction": "659999"}, "GB/T 2260"),
        ({"jurisdiction": "110103"}, "停用"),
        ({"jurisdiction": "99"}, "不是现行"),
    ],
)
def test_terms_that_cannot_be_paid_as_written_are_refused(change: dict, problem: str) -> None:
    terms = TERMS.model_copy(update=change)
    with pytest.raises(Refused) as refused:
        decide(DefineProgramme("GDDLBH", terms, TODAY), None)
    assert refused.value.code == "invalid_programme_terms"
    assert problem in refused.value.message


def test_the_jurisdiction_of_a_programme_does_not_change() -> None:
    moved = TERMS.model_copy(update={"jurisdiction": "6501"})
    with pytest.raises(Refused, match="invalid_programme_terms"):
        decide(ReviseProgramme("GDDLBH", moved, "迁移", TODAY), given(DEFINE))


@pytest.mark.parametrize("code", ["gddlbh", "GD DL", "", "A" * 33])
def test_a_malformed_programme_code_is_refused(code: str) -> None:
    with pytest.raises(Refused, match="invalid_programme_code"):
        decide(DefineProgramme(code, TERMS, TODAY), None)


def test_notice_length_is_the_longest_matching_jurisdiction_rule() -> None:
    assert notice_minimum("650102") == 5  # Xinjiang, 002
    assert notice_minimum("430621") == 7  # Yueyang County, 001
    assert notice_minimum("43", {"": 5, "43": 6, "430621": 7}) == 6


def test_a_fixed_amount_or_only_limits_are_valid_standards() -> None:
    fixed = TERMS.model_copy(update={"unit_standard": None, "fixed_amount_fen": 45_500})
    per_person = TERMS.model_copy(update={"unit_standard": None})
    assert decide(DefineProgramme("DBJ", fixed, TODAY), None)
    assert decide(DefineProgramme("GLJT", per_person, TODAY), None)


@pytest.mark.parametrize("standard", [95.5, "-1", "0", "NaN", "1.00001", Decimal("Infinity")])
def test_a_unit_standard_is_an_exact_positive_decimal_never_a_float(standard: object) -> None:
    with pytest.raises(ValidationError):
        TERMS.model_validate({**TERMS.model_dump(), "unit_standard": standard})


def test_money_fields_refuse_floats_and_text() -> None:
    for field, value in [("max_amount_fen", 500_000.0), ("min_amount_fen", "1")]:
        with pytest.raises(ValidationError):
            TERMS.model_validate({**TERMS.model_dump(), field: value})


def _context(key: str) -> CommandContext:
    return CommandContext(
        actor=Actor(user_id="u-county", role="county_department", jurisdiction_code="650102"),
        at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        correlation_id=uuid.uuid4(),
        idempotency_key=key,
    )


@pytest.fixture
def app() -> dict[str, object]:
    registry = REGISTRY_EVENTS.including(PROGRAMME_EVENTS)
    return {
        "store": MemoryEventStore(),
        "codec": EventCodec(registry=registry, cipher=memory_cipher()),
    }


async def test_standards_keep_every_digit_through_the_store(app: dict) -> None:
    standard = Decimal("108.4700")
    terms = TERMS.model_copy(update={"unit_standard": standard})
    await define_programme(
        **app, command=DefineProgramme("GDDLBH", terms, TODAY), context=_context("a")
    )
    (stored,) = await app["store"].read_stream("programme-GDDLBH")
    assert b'"unit_standard":"108.4700"' in stored.data
    record = await load_programme(**app, code="GDDLBH")
    assert record is not None
    kept = record.programme.terms.unit_standard
    assert kept is not None
    assert str(kept) == "108.4700"
    assert Decimal("12.35") * kept == Decimal("1339.604500")  # exact, no binary rounding


async def test_a_retried_request_appends_nothing_new(app: dict) -> None:
    first = await define_programme(**app, command=DEFINE, context=_context("req-1"))
    again = await define_programme(**app, command=DEFINE, context=_context("req-1"))
    assert first.appended is not None
    assert again.appended is None
    assert await app["store"].head_position() == 1


async def test_the_history_keeps_every_version_with_who_and_why(app: dict) -> None:
    await define_programme(**app, command=DEFINE, context=_context("1"))
    revise = ReviseProgramme("GDDLBH", RAISED, "2026年标准调整", TODAY)
    revised = await revise_programme(**app, command=revise, context=_context("2"))
    retire = RetireProgramme("GDDLBH", "政策到期", TODAY)
    await retire_programme(**app, command=retire, context=_context("3"))
    assert revised.state.version == 2
    record = await load_programme(**app, code="GDDLBH")
    assert record is not None
    assert record.programme.retired_on == TODAY
    assert record.programme.terms_at_version(1) == TERMS
    assert [(c.event_type, c.version, c.reason) for c in record.changes] == [
        ("ProgrammeDefined", 1, None),
        ("ProgrammeRevised", 2, "2026年标准调整"),
        ("ProgrammeRetired", 2, "政策到期"),
    ]
    assert {c.user_id for c in record.changes} == {"u-county"}


async def test_a_refused_command_stores_nothing(app: dict) -> None:
    revise = ReviseProgramme("GDDLBH", RAISED, "调整", TODAY)
    with pytest.raises(Refused):
        await revise_programme(**app, command=revise, context=_context("x"))
    assert await app["store"].head_position() == 0
