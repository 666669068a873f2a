"""No disclosure, lookup or clear-card output reveals more than the masking policy: for
generated people and their twins (values that differ wherever the policy hides), the
disclosure page and JSON, the lookup's answer as a page and as JSON, the SMS, the clear card
as a page and as JSON, the QR slip and the dashboard come out identical; none holds a full
value; every masked value shown is the policy's mask."""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from contracts.masking import mask_card_account, mask_citizen_id, mask_name, mask_phone
from tests.unit.disclosure_harness import OPERATOR, SUPERVISOR, DisclosureWorld, disclosure_world
from tests.unit.notice_harness import TOWNSHIP, Person, china
from tests.unit.test_masking_outputs import MASKED, Pair, pairs

CHALLENGE = re.compile(r'name="challenge" value="[^"]*"')
CODE = re.compile(r"[0-9]{6}")
TOKEN = re.compile(r"/lookup/qr/[A-Za-z0-9_\-]+")
QR_CODE = re.compile(r"<svg.*?</svg>", re.DOTALL)
"""The slip's QR code draws the token (random per person): compared apart from the text."""


def _code(world: DisclosureWorld) -> str:
    match = re.search(r"验证码为([0-9]{6})", world.sms()[-1]["text"])
    assert match is not None
    return match.group(1)


async def _lookup(world: DisclosureWorld, person: Person) -> dict[str, str]:
    body = {"citizen_id": person.citizen_id, "name": person.name}
    asked = (await world.client.post("/lookup/code", json=body)).json()
    answer = {"challenge": asked["challenge"], "code": _code(world)}
    as_json = await world.client.post("/lookup/verify", json=answer)
    form = await world.client.post("/lookup/code", data=body)
    challenge = re.search(r'name="challenge" value="([^"]*)"', form.text)
    assert challenge is not None
    as_page = await world.client.post(
        "/lookup/verify", data={"challenge": challenge.group(1), "code": _code(world)}
    )
    return {
        "lookup": as_json.text,
        "lookup page": as_page.text,
        "code page": CHALLENGE.sub("", form.text),
        "sms": CODE.sub("", world.sms()[-1]["text"]),
    }


async def _outputs(person: Person, folder: Path) -> dict[str, str]:
    async with disclosure_world(folder, now=china(2025, 7, 2)) as world:
        await world.register(1, person)
        await world.submit([person])
        await world.pay("r-1", 1, person)
        await world.deliver()
        disclosure = f"/disclosures/townships/{TOWNSHIP}/programmes/GDLS"
        slip = await world.client.post(
            "/beneficiaries/b-1/lookup-token", headers={**OPERATOR, "Accept": "text/html"}
        )
        return {
            "disclosure": (await world.client.get(disclosure)).text,
            "disclosure json": (await world.client.get(f"{disclosure}.json")).text,
            "clear card": (
                await world.client.get("/households/h-1/clear-card", headers=OPERATOR)
            ).text,
            "clear card json": (
                await world.client.get("/households/h-1/clear-card.json", headers=OPERATOR)
            ).text,
            "qr slip": TOKEN.sub("", QR_CODE.sub("", slip.text)),
            "dashboard": (
                await world.client.get(f"/dashboards/{TOWNSHIP}.json", headers=SUPERVISOR)
            ).text,
            **await _lookup(world, person),
        }


def _policy_masks(person: Person) -> set[str]:
    return {
        mask_citizen_id(person.citizen_id),
        mask_card_account(person.account_no),
        mask_phone(person.phone),
    }


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=pairs())
def test_no_disclosure_output_tells_apart_two_people_the_policy_masks_alike(pair: Pair) -> None:
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        shown = asyncio.run(_outputs(pair.person, Path(first)))
        twin_shown = asyncio.run(_outputs(pair.twin, Path(second)))
    for renderer, output in shown.items():
        assert output == twin_shown[renderer], f"{renderer} reveals more than the policy"
        for value in (pair.person.citizen_id, pair.person.account_no, pair.person.phone):
            assert value not in output, f"{renderer} shows a full value"
        for masked in MASKED.findall(output):
            if len(masked) > 4:
                assert masked in _policy_masks(pair.person), f"{renderer} masks {masked}"
    for renderer in ("disclosure", "lookup page", "clear card", "qr slip"):
        assert mask_name(pair.person.name) in shown[renderer]
    assert mask_citizen_id(pair.person.citizen_id) in shown["disclosure"]
