"""Registering a beneficiary: the decider's rules, and the application's guard that one
citizen ID is registered once (on the memory store)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from contracts.envelope import Actor
from contracts.events import BeneficiaryRegistered
from contracts.pii import CitizenId, PhoneNo
from contracts.refusals import Refused
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from services.registry.application.register_beneficiary import register_beneficiary
from services.registry.domain.beneficiary import (
    Beneficiary,
    RegisterBeneficiary,
    decide_registration,
)
from services.registry.domain.events import REGISTRY_EVENTS
from tests.unit.contract_samples import memory_cipher

TODAY = date(2026, 11, 23)
REGISTER = RegisterBeneficiary(
    beneficiary_id="b-1",
    citizen_id=CitizenId("11010519491231002X"),
    name="王建国",
    village_code="650102001001",
    household_id="h-1",
    phone=PhoneNo("13800138000"),
    today=TODAY,
)


def test_given_no_beneficiary_when_registering_then_it_is_registered() -> None:
    (event,) = decide_registration(REGISTER, None)
    assert isinstance(event, BeneficiaryRegistered)
    assert (event.beneficiary_id, event.village_code) == ("b-1", "650102001001")


def test_given_the_same_registration_when_registering_again_then_nothing_happens() -> None:
    state = Beneficiary("b-1", REGISTER.citizen_id, REGISTER.village_code)
    assert decide_registration(REGISTER, state) == []


def test_given_the_id_taken_by_another_person_when_registering_then_refused() -> None:
    state = Beneficiary("b-1", CitizenId("650102196803141007"), REGISTER.village_code)
    with pytest.raises(Refused, match="beneficiary_id_in_use"):
        decide_registration(REGISTER, state)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"citizen_id": CitizenId("110105194912310021")}, "invalid_citizen_id"),
        ({"citizen_id": CitizenId("110105202712310022")}, "invalid_citizen_id"),
        ({"village_code": "6501"}, "invalid_village_code"),
    ],
)
def test_invalid_registrations_are_refused_with_a_stable_code(change: dict, code: str) -> None:
    with pytest.raises(Refused) as refused:
        decide_registration(replace(REGISTER, **change), None)
    assert refused.value.code == code
    assert refused.value.message  # a Chinese sentence a clerk can act on


def _context(key: str) -> CommandContext:
    return CommandContext(
        actor=Actor(user_id="u-1", role="township_operator", jurisdiction_code="650102001"),
        at=datetime(2026, 11, 23, 9, tzinfo=UTC),
        correlation_id=uuid.uuid4(),
        idempotency_key=key,
    )


async def test_a_retried_request_appends_nothing_new() -> None:
    store, cipher = MemoryEventStore(), memory_cipher()
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
    kwargs = {"store": store, "codec": codec, "index": cipher, "command": REGISTER}
    first = await register_beneficiary(**kwargs, context=_context("req-1"))
    again = await register_beneficiary(**kwargs, context=_context("req-1"))
    assert first is not None
    assert again is None
    assert await store.head_position() == 2  # the reservation and the registration


async def test_one_citizen_id_cannot_be_registered_for_two_beneficiaries() -> None:
    store, cipher = MemoryEventStore(), memory_cipher()
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
    await register_beneficiary(
        store=store, codec=codec, index=cipher, command=REGISTER, context=_context("a")
    )
    twin = replace(REGISTER, beneficiary_id="b-2", citizen_id=CitizenId("11010519491231002x"))
    with pytest.raises(Refused, match="citizen_id_already_registered"):
        await register_beneficiary(
            store=store, codec=codec, index=cipher, command=twin, context=_context("b")
        )
    assert await store.read_stream("beneficiary-b-2") == []
