"""The beneficiary's life in the register, Given (events) / When (command) / Then (events or
a refusal) on the decider; and the application's load - decide - append on the memory store."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from contracts.base import Event
from contracts.envelope import Actor
from contracts.events import (
    BeneficiaryDeceased,
    BeneficiaryDetailsCorrected,
    BeneficiaryMovedOut,
    BeneficiaryRegistered,
    CardAccountClosed,
    CardAccountDeclared,
    CardAccountFrozen,
    CardAccountUnfrozen,
    CardAccountVerified,
)
from contracts.pii import CardAccountNo, CitizenId, PhoneNo
from contracts.refusals import Refused
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from services.registry.application import beneficiary_commands as app
from services.registry.domain.beneficiary import Beneficiary, evolve
from services.registry.domain.beneficiary_commands import (
    ApplyCardAccountChange,
    BeneficiaryCommand,
    CloseCardAccount,
    CorrectDetails,
    DeclareCardAccount,
    FreezeCardAccount,
    RecordDeath,
    RecordMoveOut,
    ReverifyBeneficiary,
    ReviewCardAccountChange,
    UnfreezeCardAccount,
    VerifyCardAccount,
)
from services.registry.domain.beneficiary_events import (
    BENEFICIARY_EVENTS,
    BeneficiaryReverified,
    CardAccountChangeApplied,
    CardAccountChangeApproved,
    CardAccountChangeRejected,
)
from services.registry.domain.beneficiary_lifecycle import decide
from services.registry.domain.events import REGISTRY_EVENTS
from tests.unit.contract_samples import memory_cipher

TODAY = date(2026, 11, 23)
AT = datetime(2026, 11, 23, 9, tzinfo=UTC)
OLD_CARD, NEW_CARD = "6217000012345678907", "6228480012345678903"
B = "b-1"

REGISTERED = BeneficiaryRegistered(
    beneficiary_id=B,
    citizen_id=CitizenId("11010519491231002X"),
    name="王秀兰",
    village_code="650102001001",
    household_id="h-1",
    phone=PhoneNo("13800138000"),
)
DECLARED = CardAccountDeclared(
    beneficiary_id=B, bank_code="ABC", account_no=CardAccountNo(OLD_CARD), holder_name="王秀兰"
)
VERIFIED = CardAccountVerified(beneficiary_id=B, verified_at=AT)
APPLY = ApplyCardAccountChange(
    B, "a-1", "CCB", CardAccountNo(NEW_CARD), "王秀兰", "原卡丢失，补办新卡", applied_by="clerk-1"
)
APPLIED = CardAccountChangeApplied(
    beneficiary_id=B,
    application_id="a-1",
    bank_code="CCB",
    account_no=CardAccountNo(NEW_CARD),
    holder_name="王秀兰",
    reason="原卡丢失，补办新卡",
    applied_by="clerk-1",
)
DIED = BeneficiaryDeceased(beneficiary_id=B, died_on=date(2026, 10, 2), source="民政部门")
DEATH = RecordDeath(B, date(2026, 10, 2), "民政部门", TODAY)


def given(*events: Event) -> Beneficiary | None:
    state: Beneficiary | None = None
    for event in events:
        state = evolve(state, event)
    return state


def refused(command: BeneficiaryCommand, state: Beneficiary | None) -> str:
    with pytest.raises(Refused) as refusal:
        decide(command, state)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refusal.value.message)
    return refusal.value.code


# -- registered ------------------------------------------------------------------------------


def test_given_registered_then_gender_and_birth_date_come_from_the_id() -> None:
    state = given(REGISTERED)
    assert state is not None
    assert (state.gender, state.birth_date) == ("female", date(1949, 12, 31))
    assert (state.status, state.account, state.pending) == ("active", None, None)


def test_given_nobody_when_anything_then_refused_as_not_found() -> None:
    assert refused(DeclareCardAccount(B, "ABC", CardAccountNo(OLD_CARD), "王"), None) == (
        "beneficiary_not_found"
    )


# -- correct details -------------------------------------------------------------------------


def test_when_correcting_name_and_phone_then_the_event_names_what_changed() -> None:
    command = CorrectDetails(B, "身份证姓名为王秀兰", name="王秀蘭", phone=PhoneNo("13900139000"))
    (event,) = decide(command, given(REGISTERED))
    assert isinstance(event, BeneficiaryDetailsCorrected)
    assert event.corrected == ("name", "phone")
    assert (event.name, event.village_code, event.household_id) == ("王秀蘭", "650102001001", "h-1")
    assert event.phone == PhoneNo("13900139000")
    state = given(REGISTERED, event)
    assert state is not None
    assert state.name == "王秀蘭"


def test_when_removing_the_phone_then_it_is_gone() -> None:
    (event,) = decide(CorrectDetails(B, "号码已停用", remove_phone=True), given(REGISTERED))
    assert isinstance(event, BeneficiaryDetailsCorrected)
    assert (event.corrected, event.phone) == (("phone",), None)


def test_when_correcting_to_what_is_held_then_nothing_happens() -> None:
    assert decide(CorrectDetails(B, "核对", name="王秀兰"), given(REGISTERED)) == []


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (CorrectDetails(B, "  ", name="王秀蘭"), "reason_required"),
        (CorrectDetails(B, "更正", name=" "), "invalid_name"),
        (CorrectDetails(B, "更正", village_code="6501"), "invalid_village_code"),
    ],
)
def test_bad_corrections_are_refused(command: CorrectDetails, code: str) -> None:
    assert refused(command, given(REGISTERED)) == code


# -- declare ---------------------------------------------------------------------------------


def test_when_declaring_the_first_account_then_it_is_declared_unverified() -> None:
    command = DeclareCardAccount(B, "ABC", CardAccountNo(OLD_CARD), "王秀兰")
    events = decide(command, given(REGISTERED))
    assert events == [DECLARED]
    state = given(REGISTERED, *events)
    assert state is not None
    assert state.account is not None
    assert (state.account.status, state.account.verified_at) == ("unverified", None)


def test_when_declaring_the_same_account_again_then_nothing_happens() -> None:
    command = DeclareCardAccount(B, "ABC", CardAccountNo(OLD_CARD), "王秀兰")
    assert decide(command, given(REGISTERED, DECLARED)) == []


def test_when_declaring_another_account_then_refused_it_takes_a_reapplication() -> None:
    command = DeclareCardAccount(B, "CCB", CardAccountNo(NEW_CARD), "王秀兰")
    assert refused(command, given(REGISTERED, DECLARED)) == "card_account_already_declared"


@pytest.mark.parametrize("number", ["6217000012345678901", "1234567", "1" * 26])
def test_when_declaring_a_mistyped_number_then_refused(number: str) -> None:
    command = DeclareCardAccount(B, "ABC", CardAccountNo(number), "王秀兰")
    assert refused(command, given(REGISTERED)) == "invalid_card_account"


# -- re-apply and review ---------------------------------------------------------------------


def test_when_applying_for_a_change_then_it_waits_for_review() -> None:
    events = decide(APPLY, given(REGISTERED, DECLARED))
    assert events == [APPLIED]
    state = given(REGISTERED, DECLARED, *events)
    assert state is not None
    assert state.pending is not None
    assert state.account is not None
    assert state.account.account_no == CardAccountNo(OLD_CARD)


def test_when_applying_without_an_account_then_refused() -> None:
    assert refused(APPLY, given(REGISTERED)) == "card_account_not_declared"


def test_when_a_second_application_while_one_is_pending_then_refused() -> None:
    second = ApplyCardAccountChange(
        B, "a-2", "ICBC", CardAccountNo(NEW_CARD), "王秀兰", "又换卡", applied_by="clerk-1"
    )
    assert refused(second, given(REGISTERED, DECLARED, APPLIED)) == "card_account_change_pending"


def test_when_the_same_application_again_then_nothing_happens() -> None:
    assert decide(APPLY, given(REGISTERED, DECLARED, APPLIED)) == []


def test_when_applying_for_the_account_already_held_then_refused() -> None:
    same = ApplyCardAccountChange(
        B, "a-1", "ABC", CardAccountNo(OLD_CARD), "王秀兰", "重新申报", applied_by="clerk-1"
    )
    assert refused(same, given(REGISTERED, DECLARED)) == "card_account_unchanged"


def test_when_the_applicant_reviews_their_own_application_then_refused() -> None:
    review = ReviewCardAccountChange(B, "a-1", approve=True, reviewed_by="clerk-1")
    assert refused(review, given(REGISTERED, DECLARED, APPLIED)) == "reviewer_is_applicant"


def test_when_another_user_approves_then_the_new_account_replaces_the_old() -> None:
    review = ReviewCardAccountChange(B, "a-1", approve=True, reviewed_by="auditor-2")
    events = decide(review, given(REGISTERED, DECLARED, VERIFIED, APPLIED))
    assert [type(e) for e in events] == [CardAccountChangeApproved, CardAccountDeclared]
    state = given(REGISTERED, DECLARED, VERIFIED, APPLIED, *events)
    assert state is not None
    assert state.account is not None
    assert state.account.account_no == CardAccountNo(NEW_CARD)
    assert (state.account.bank_code, state.account.status) == ("CCB", "unverified")
    assert state.pending is None
    assert decide(review, state) == []  # the same approval again: done


def test_when_rejecting_then_a_reason_is_needed_and_the_old_account_stays() -> None:
    state = given(REGISTERED, DECLARED, APPLIED)
    silent = ReviewCardAccountChange(B, "a-1", approve=False, reviewed_by="auditor-2")
    assert refused(silent, state) == "reason_required"
    reject = ReviewCardAccountChange(
        B, "a-1", approve=False, reviewed_by="auditor-2", reason="申报材料不全"
    )
    (event,) = decide(reject, state)
    assert isinstance(event, CardAccountChangeRejected)
    after = given(REGISTERED, DECLARED, APPLIED, event)
    assert after is not None
    assert after.pending is None
    assert after.account is not None
    assert after.account.account_no == CardAccountNo(OLD_CARD)
    approve = ReviewCardAccountChange(B, "a-1", approve=True, reviewed_by="auditor-2")
    assert refused(approve, after) == "application_already_reviewed"


def test_when_reviewing_an_unknown_application_then_refused() -> None:
    review = ReviewCardAccountChange(B, "a-9", approve=True, reviewed_by="auditor-2")
    assert refused(review, given(REGISTERED, DECLARED, APPLIED)) == "application_not_found"


# -- verify, freeze, unfreeze, close ---------------------------------------------------------


def test_when_verifying_then_the_account_is_open_and_again_is_done() -> None:
    events = decide(VerifyCardAccount(B, AT), given(REGISTERED, DECLARED))
    assert events == [VERIFIED]
    state = given(REGISTERED, DECLARED, VERIFIED)
    assert state is not None
    assert state.account is not None
    assert (state.account.status, state.account.verified_at) == ("open", AT)
    assert decide(VerifyCardAccount(B, AT), state) == []


def test_when_verifying_without_an_account_then_refused() -> None:
    assert refused(VerifyCardAccount(B, AT), given(REGISTERED)) == "card_account_not_declared"


@pytest.mark.parametrize(("verified", "back_to"), [(True, "open"), (False, "unverified")])
def test_freeze_then_unfreeze_returns_to_what_it_was(verified: bool, back_to: str) -> None:
    history = (REGISTERED, DECLARED, VERIFIED) if verified else (REGISTERED, DECLARED)
    (frozen,) = decide(FreezeCardAccount(B, "银行反馈冻结"), given(*history))
    assert isinstance(frozen, CardAccountFrozen)
    state = given(*history, frozen)
    assert refused(VerifyCardAccount(B, AT), state) == "card_account_frozen"
    assert decide(FreezeCardAccount(B, "银行反馈冻结"), state) == []
    (unfrozen,) = decide(UnfreezeCardAccount(B, "银行已解冻"), state)
    assert isinstance(unfrozen, CardAccountUnfrozen)
    assert unfrozen.status == back_to
    assert decide(UnfreezeCardAccount(B, "银行已解冻"), given(*history, frozen, unfrozen)) == []


def test_when_closing_then_closed_for_good() -> None:
    (closed,) = decide(
        CloseCardAccount(B, "duplicate_card", "夫妻分别持卡"), given(REGISTERED, DECLARED)
    )
    assert closed == CardAccountClosed(
        beneficiary_id=B, reason="duplicate_card", note="夫妻分别持卡"
    )
    state = given(REGISTERED, DECLARED, closed)
    assert decide(CloseCardAccount(B, "duplicate_card"), state) == []
    assert refused(VerifyCardAccount(B, AT), state) == "card_account_closed"
    assert refused(FreezeCardAccount(B, "冻结"), state) == "card_account_closed"
    assert decide(APPLY, state) == [APPLIED]  # a new account: only by re-application


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (CloseCardAccount(B, "deceased"), "invalid_close_reason"),
        (CloseCardAccount(B, "other"), "reason_required"),
        (FreezeCardAccount(B, " "), "reason_required"),
    ],
)
def test_bad_account_commands_are_refused(command: BeneficiaryCommand, code: str) -> None:
    assert refused(command, given(REGISTERED, DECLARED)) == code


# -- annual re-verification ------------------------------------------------------------------


def test_reverification_once_a_year() -> None:
    (event,) = decide(ReverifyBeneficiary(B, 2026, TODAY), given(REGISTERED))
    assert event == BeneficiaryReverified(beneficiary_id=B, year=2026, verified_on=TODAY)
    state = given(REGISTERED, event)
    assert decide(ReverifyBeneficiary(B, 2026, TODAY), state) == []  # the same check, retried
    later = ReverifyBeneficiary(B, 2026, date(2026, 12, 5))
    assert refused(later, state) == "already_reverified"
    assert len(decide(ReverifyBeneficiary(B, 2027, date(2027, 1, 5)), state)) == 1


def test_reverification_of_a_future_year_is_refused() -> None:
    command = ReverifyBeneficiary(B, 2027, TODAY)
    assert refused(command, given(REGISTERED)) == "invalid_reverification_year"


# -- death and moving out --------------------------------------------------------------------


def test_death_closes_the_card_account_in_the_same_decision() -> None:
    events = decide(DEATH, given(REGISTERED, DECLARED, VERIFIED, APPLIED))
    assert events == [DIED, CardAccountClosed(beneficiary_id=B, reason="deceased")]
    state = given(REGISTERED, DECLARED, VERIFIED, APPLIED, *events)
    assert state is not None
    assert state.status == "deceased"
    assert state.pending is None
    assert state.account is not None
    assert state.account.status == "closed"
    assert decide(DEATH, state) == []  # the same death recorded again


def test_death_without_an_account_closes_nothing() -> None:
    assert decide(DEATH, given(REGISTERED)) == [DIED]


@pytest.mark.parametrize("died_on", [date(2026, 11, 24), date(1949, 12, 30)])
def test_a_death_date_in_the_future_or_before_birth_is_refused(died_on: date) -> None:
    command = RecordDeath(B, died_on, "民政部门", TODAY)
    assert refused(command, given(REGISTERED)) == "invalid_date"


def test_moving_out_closes_the_card_account_in_the_same_decision() -> None:
    command = RecordMoveOut(B, date(2026, 11, 1), "650103", TODAY)
    events = decide(command, given(REGISTERED, DECLARED))
    assert events == [
        BeneficiaryMovedOut(
            beneficiary_id=B, moved_on=date(2026, 11, 1), destination_code="650103"
        ),
        CardAccountClosed(beneficiary_id=B, reason="moved_out"),
    ]
    state = given(REGISTERED, DECLARED, *events)
    assert decide(command, state) == []
    assert refused(DEATH, state) == "beneficiary_moved_out"


@pytest.mark.parametrize("destination", ["65", "650102001001", "6501030x1"])
def test_a_bad_destination_is_refused(destination: str) -> None:
    command = RecordMoveOut(B, date(2026, 11, 1), destination, TODAY)
    assert refused(command, given(REGISTERED)) == "invalid_destination_code"


AFTER_DEATH: list[BeneficiaryCommand] = [
    CorrectDetails(B, "更正", name="王秀蘭"),
    DeclareCardAccount(B, "CCB", CardAccountNo(NEW_CARD), "王秀兰"),
    APPLY,
    ReviewCardAccountChange(B, "a-1", approve=True, reviewed_by="auditor-2"),
    VerifyCardAccount(B, AT),
    FreezeCardAccount(B, "冻结"),
    UnfreezeCardAccount(B, "解冻"),
    CloseCardAccount(B, "bank_closed"),
    ReverifyBeneficiary(B, 2026, TODAY),
    RecordDeath(B, date(2026, 10, 3), "公安", TODAY),
    RecordMoveOut(B, date(2026, 11, 1), "650103", TODAY),
]


@pytest.mark.parametrize("command", AFTER_DEATH, ids=lambda c: type(c).__name__)
def test_after_death_nothing_but_reads(command: BeneficiaryCommand) -> None:
    history = (REGISTERED, DECLARED, APPLIED)
    state = given(*history, *decide(DEATH, given(*history)))
    assert refused(command, state) == "beneficiary_deceased"


# -- the application on the memory store -----------------------------------------------------


def _context(key: str, user: str) -> CommandContext:
    return CommandContext(
        actor=Actor(user_id=user, role="township_operator", jurisdiction_code="650102001"),
        at=AT,
        correlation_id=uuid.uuid4(),
        idempotency_key=key,
    )


@pytest.fixture
def world() -> tuple[MemoryEventStore, EventCodec]:
    registry = REGISTRY_EVENTS.including(BENEFICIARY_EVENTS)
    return MemoryEventStore(), EventCodec(registry=registry, cipher=memory_cipher())


async def test_an_approved_reapplication_is_one_append_and_a_retry_appends_nothing(
    world: tuple[MemoryEventStore, EventCodec],
) -> None:
    store, codec = world
    stream = f"beneficiary-{B}"
    seed = _context("seed", "clerk-1")
    records = [
        codec.encode(seed.envelope(e, stream_id=stream, index=i))
        for i, e in enumerate((REGISTERED, DECLARED))
    ]
    await store.append(stream, records, expected_version=0)
    await app.apply_card_account_change(
        store=store, codec=codec, command=APPLY, context=_context("r-1", "clerk-1")
    )
    review = ReviewCardAccountChange(B, "a-1", approve=True, reviewed_by="auditor-2")
    for attempt in ("first", "retry"):
        result = await app.review_card_account_change(
            store=store, codec=codec, command=review, context=_context("r-2", "auditor-2")
        )
        assert (result is None) == (attempt == "retry")
    assert [r.event_type for r in await store.read_stream(stream)] == [
        "BeneficiaryRegistered",
        "CardAccountDeclared",
        "CardAccountChangeApplied",
        "CardAccountChangeApproved",
        "CardAccountDeclared",
    ]
    state, version = await app.load_beneficiary(store, codec, B)
    assert version == 5
    assert state is not None
    assert state.account is not None
    assert state.account.account_no == CardAccountNo(NEW_CARD)


async def test_a_refused_command_stores_nothing(world: tuple[MemoryEventStore, EventCodec]) -> None:
    store, codec = world
    with pytest.raises(Refused, match="beneficiary_not_found"):
        await app.record_death(
            store=store, codec=codec, command=DEATH, context=_context("r-1", "clerk-1")
        )
    assert await store.head_position() == 0
