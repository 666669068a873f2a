"""The beneficiary's own lookup end to end in one process: a code by SMS to the phone on file,
the same answers whether or not the ID and name belong to anyone, the lock of a target after
five failures from any number of addresses, the limits on codes per target and per phone,
single-use expiring codes, and every lookup logged in the store (so it survives a restart)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.identity.query_log import reads_of
from services.publicity.domain.lookup_events import (
    LookupCodeIssued,
    LookupFailed,
    LookupRefused,
    LookupSucceeded,
)
from tests.unit.disclosure_harness import DisclosureWorld, disclosure_world
from tests.unit.notice_harness import WANG, ZHANG, Person, china, with_check_digit

NOBODY = Person("李四", with_check_digit("65010219900202003"), "6217000099998888777")
SHARED_PHONE = "13712340000"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[DisclosureWorld]:
    async with disclosure_world(tmp_path, now=china(2025, 7, 2)) as running:
        await running.register(1, ZHANG)
        await running.register(2, WANG)
        await running.submit([ZHANG, WANG])
        await running.pay("r-1", 1, ZHANG)
        await running.deliver()
        yield running


async def ask(client: httpx.AsyncClient, person: Person, name: str | None = None) -> httpx.Response:
    body = {"citizen_id": person.citizen_id, "name": name or person.name}
    return await client.post("/lookup/code", json=body)


async def verify(client: httpx.AsyncClient, challenge: str, code: str) -> httpx.Response:
    return await client.post("/lookup/verify", json={"challenge": challenge, "code": code})


def last_code(world: DisclosureWorld) -> str:
    match = re.search(r"验证码为([0-9]{6})", world.sms()[-1]["text"])
    assert match is not None
    return match.group(1)


def without_challenge(answer: httpx.Response) -> dict[str, Any]:
    body = dict(answer.json())
    body.pop("challenge", None)
    return body


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def target_events(world: DisclosureWorld) -> list[object]:
    records = [
        r for r in await world.store.read_all(limit=10_000) if r.stream_id.startswith("lookup-")
    ]
    codec = world.parts.http.state.publicity.codec
    return [codec.decode(record).event for record in records]


async def test_the_owner_gets_a_code_by_sms_and_sees_their_payments_masked(
    world: DisclosureWorld,
) -> None:
    asked = await ask(world.client, ZHANG)
    assert asked.status_code == 202
    (sms,) = world.sms()
    assert sms["to"] == ZHANG.phone
    assert ZHANG.name not in sms["text"]
    assert ZHANG.citizen_id not in sms["text"]
    shown = await verify(world.client, asked.json()["challenge"], last_code(world))
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["beneficiary"] == {
        "masked_name": "张*丰",
        "masked_citizen_id": "**************1234",
    }
    (payment,) = body["payments"]
    assert payment["amount_fen"] == 61_725
    assert (payment["status"], payment["paid_on"]) == ("paid", "2025-07-01")
    assert payment["masked_account"] == "***************8901"
    assert ZHANG.citizen_id not in shown.text
    assert ZHANG.account_no not in shown.text


async def test_no_person_a_wrong_name_and_the_owner_get_the_same_answer_to_a_code_request(
    world: DisclosureWorld,
) -> None:
    answers = [
        await ask(world.client, ZHANG),
        await ask(world.client, ZHANG, name="张三"),
        await ask(world.client, NOBODY),
    ]
    assert {a.status_code for a in answers} == {202}
    assert len({str(without_challenge(a)) for a in answers}) == 1
    assert len({a.json()["challenge"] for a in answers}) == 3
    assert len({len(a.json()["challenge"]) for a in answers}) == 1
    assert [sms["to"] for sms in world.sms()] == [ZHANG.phone]


async def test_a_wrong_code_a_wrong_name_and_no_such_person_are_refused_identically(
    world: DisclosureWorld,
) -> None:
    owner = (await ask(world.client, ZHANG)).json()["challenge"]
    code = last_code(world)
    wrong_name = (await ask(world.client, WANG, name="王六")).json()["challenge"]
    nobody = (await ask(world.client, NOBODY)).json()["challenge"]
    refusals = [
        await verify(world.client, owner, wrong(code)),
        await verify(world.client, wrong_name, code),
        await verify(world.client, nobody, code),
        await verify(world.client, "not-a-challenge", code),
    ]
    assert {r.status_code for r in refusals} == {400}
    assert len({r.text for r in refusals}) == 1
    assert refusals[0].json()["code"] == "lookup_not_verified"


async def test_a_code_verifies_once_and_expires_after_five_minutes(world: DisclosureWorld) -> None:
    first = (await ask(world.client, ZHANG)).json()["challenge"]
    code = last_code(world)
    assert (await verify(world.client, first, code)).status_code == 200
    again = await verify(world.client, first, code)
    assert (again.status_code, again.json()["code"]) == (400, "lookup_not_verified")

    second = (await ask(world.client, ZHANG)).json()["challenge"]
    code = last_code(world)
    world.clock.advance(timedelta(minutes=5, seconds=1))
    late = await verify(world.client, second, code)
    assert (late.status_code, late.json()["code"]) == (400, "lookup_not_verified")


async def test_five_failures_from_five_addresses_lock_the_target_even_for_the_right_code(
    world: DisclosureWorld,
) -> None:
    challenge = (await ask(world.client, ZHANG)).json()["challenge"]
    code = last_code(world)
    for n in range(5):
        async with world.from_address(f"198.51.100.{n}") as client:
            assert (await verify(client, challenge, wrong(code))).status_code == 400
    async with world.from_address("192.0.2.99") as client:
        locked = await verify(client, challenge, code)
        assert (locked.status_code, locked.json()["code"]) == (429, "lookup_locked")
        refused = await ask(client, ZHANG)
        assert (refused.status_code, refused.json()["code"]) == (429, "lookup_locked")
    world.clock.advance(timedelta(days=1, seconds=1))
    assert (await ask(world.client, ZHANG)).status_code == 202


async def test_an_id_nobody_holds_locks_and_limits_exactly_like_a_real_one(
    world: DisclosureWorld,
) -> None:
    answers: dict[str, list[tuple[int, str]]] = {}
    for person in (ZHANG, NOBODY):
        seen = []
        for n in range(6):
            async with world.from_address(f"198.51.100.{n}") as client:
                challenge = (await ask(client, person)).json().get("challenge", "")
                answer = await verify(client, challenge, "000000")
                seen.append((answer.status_code, answer.json()["code"]))
        answers[person.name] = seen
    assert answers[ZHANG.name] == answers[NOBODY.name]


async def test_a_target_gets_three_codes_an_hour_whatever_the_address(
    world: DisclosureWorld,
) -> None:
    for person in (ZHANG, NOBODY):
        statuses = []
        for n in range(4):
            async with world.from_address(f"198.51.100.{n}") as client:
                statuses.append((await ask(client, person)).status_code)
        assert statuses == [202, 202, 202, 429]
    world.clock.advance(timedelta(hours=1, seconds=1))
    assert (await ask(world.client, ZHANG)).status_code == 202


async def test_a_phone_shared_by_a_household_gets_three_codes_an_hour_and_the_answer_hides_it(
    world: DisclosureWorld,
) -> None:
    await world.register(3, NOBODY, phone=SHARED_PHONE)
    mother = Person("王芳", with_check_digit("65010219700303004"), "6217000011112222333")
    await world.register(4, mother, phone=SHARED_PHONE)
    await world.deliver()
    answers = [await ask(world.client, NOBODY) for _ in range(3)]
    answers.append(await ask(world.client, mother))
    assert {a.status_code for a in answers} == {202}
    assert len({str(without_challenge(a)) for a in answers}) == 1
    assert [sms["to"] for sms in world.sms()] == [SHARED_PHONE] * 3
    issued = [e for e in await target_events(world) if isinstance(e, LookupCodeIssued)]
    assert issued[-1].delivery == "phone_limit"


async def test_one_address_is_braked_after_thirty_requests_an_hour(world: DisclosureWorld) -> None:
    statuses = []
    for _ in range(31):
        answer = await verify(world.client, "not-a-challenge", "123456")
        statuses.append(answer.status_code)
    assert statuses[:30] == [400] * 30
    assert statuses[30] == 429


async def test_a_malformed_id_is_refused_as_such(world: DisclosureWorld) -> None:
    answer = await world.client.post("/lookup/code", json={"citizen_id": "1234", "name": "张三"})
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid_citizen_id")


async def test_every_lookup_is_logged_and_codes_are_kept_only_as_digests(
    world: DisclosureWorld,
) -> None:
    challenge = (await ask(world.client, ZHANG)).json()["challenge"]
    code = last_code(world)
    await verify(world.client, challenge, wrong(code))
    await verify(world.client, challenge, code)
    for _n in range(4):
        await verify(world.client, challenge, wrong(code))
    await ask(world.client, ZHANG)  # locked: refused, logged
    kinds = [type(e).__name__ for e in await target_events(world)]
    assert kinds[:3] == ["LookupCodeIssued", "LookupFailed", "LookupSucceeded"]
    assert kinds.count("LookupFailed") == 5
    assert isinstance((await target_events(world))[-1], LookupRefused)
    (read,) = await reads_of(store=world.store, user_id="public", day=world.clock.now())
    assert read.event.subject_ids == ("b-1",)  # type: ignore[attr-defined]
    for record in await world.store.read_all(limit=10_000):
        assert code.encode() not in record.data
        assert ZHANG.citizen_id.encode() not in record.data
    failed = [e for e in await target_events(world) if isinstance(e, LookupFailed)]
    assert [f.reason for f in failed] == ["wrong_code", "used", "used", "used", "used"]
    assert any(isinstance(e, LookupSucceeded) for e in await target_events(world))


async def test_the_lock_survives_a_restart(tmp_path: Path) -> None:
    async with disclosure_world(tmp_path, now=china(2025, 7, 2)) as first:
        await first.register(1, ZHANG)
        await first.deliver()
        challenge = (await ask(first.client, ZHANG)).json()["challenge"]
        for _ in range(5):
            await verify(first.client, challenge, "000000")
        store, now = first.store, first.clock.now()
    async with disclosure_world(tmp_path, now=now, store=store) as restarted:
        refused = await ask(restarted.client, ZHANG)
        assert (refused.status_code, refused.json()["code"]) == (429, "lookup_locked")
