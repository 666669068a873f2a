"""The public disclosure after payment: per township and programme, the paid rows masked with
amounts and dates, the unpaid and returned ones counted, never a confidential programme, and
never a roster whose notice has not said it is public; and the QR lookup tokens."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.publicity.adapters.qr import SegnoQrEncoder
from tests.unit.disclosure_harness import (
    FAR_OPERATOR,
    OPERATOR,
    DisclosureWorld,
    disclosure_world,
)
from tests.unit.notice_harness import AYGUL, TOWNSHIP, WANG, ZHANG, china

INDEX = f"/disclosures/townships/{TOWNSHIP}"
PAGE = f"{INDEX}/programmes/GDLS"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[DisclosureWorld]:
    async with disclosure_world(tmp_path, now=china(2025, 7, 2)) as running:
        for number, person in enumerate((ZHANG, WANG, AYGUL), start=1):
            await running.register(number, person)
        yield running


async def test_paid_rows_are_disclosed_masked_with_amounts_and_dates(
    world: DisclosureWorld,
) -> None:
    await world.submit([ZHANG, WANG, AYGUL])
    await world.pay("r-1", 1, ZHANG)
    await world.pay("r-1", 2, WANG, outcome="failed")
    await world.pay("r-1", 3, AYGUL, outcome="returned")
    await world.deliver()

    page = await world.client.get(PAGE)
    assert page.status_code == 200, page.text
    for shown in ("张*丰", "**************1234", "红星村一组", "617.25", "2025年7月1日", "12345"):
        assert shown in page.text
    assert "王*" not in page.text
    assert "阿**丽·买*提" not in page.text
    assert "另有 1 人次正在发放或核实更正后补发" in page.text
    assert "1 人次未能发放，资金已退回国库" in page.text
    for person in (ZHANG, WANG, AYGUL):
        assert person.citizen_id not in page.text
        assert person.account_no not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]

    (shown_round,) = (await world.client.get(f"{PAGE}.json")).json()["rounds"]
    assert (shown_round["rows_paid"], shown_round["paid_fen"]) == (1, 61_725)
    assert (shown_round["rows_unpaid"], shown_round["rows_returned"]) == (1, 1)
    (row,) = shown_round["rows"]
    assert row == {
        "row_no": 1,
        "masked_name": "张*丰",
        "masked_citizen_id": "**************1234",
        "village": "红星村一组",
        "amount_fen": 61_725,
        "paid_on": "2025-07-01",
    }
    (programme,) = (await world.client.get(f"{INDEX}.json")).json()["programmes"]
    assert (programme["programme_name"], programme["rows_paid"]) == ("耕地地力保护补贴", 1)
    assert "耕地地力保护补贴" in (await world.client.get(INDEX)).text


async def test_a_confidential_programme_is_never_disclosed(world: DisclosureWorld) -> None:
    await world.submit([ZHANG], roster_id="r-secret", confidential=True)
    await world.pay("r-secret", 1, ZHANG)
    await world.deliver()
    assert (await world.client.get(PAGE)).status_code == 404
    assert (await world.client.get(f"{PAGE}.json")).json()["code"] == "nothing_disclosed"
    assert (await world.client.get(f"{INDEX}.json")).json()["programmes"] == []
    assert "张*丰" not in (await world.client.get(INDEX)).text


async def test_a_payment_whose_notice_has_not_arrived_is_not_disclosed(
    world: DisclosureWorld,
) -> None:
    await world.pay("r-1", 1, ZHANG)
    await world.deliver()
    assert (await world.client.get(PAGE)).status_code == 404
    await world.submit([ZHANG])
    await world.deliver()
    assert (await world.client.get(PAGE)).status_code == 200


async def test_a_qr_token_is_random_never_the_id_and_still_needs_the_code(
    world: DisclosureWorld,
) -> None:
    await world.submit([ZHANG])
    await world.pay("r-1", 1, ZHANG)
    await world.deliver()
    issued = await world.client.post("/beneficiaries/b-1/lookup-token", headers=OPERATOR)
    assert issued.status_code == 201, issued.text
    address = issued.json()["address"]
    token = address.rsplit("/", 1)[1]
    assert ZHANG.citizen_id not in address
    assert ZHANG.citizen_id[-4:] not in token
    assert "b-1" not in token
    assert len(token) >= 24
    assert issued.json()["qr_svg"] == SegnoQrEncoder().svg(address)  # the address, nothing else
    assert issued.json()["qr_svg"].startswith("<svg")

    landing = await world.client.get(f"/lookup/qr/{token}")
    assert landing.status_code == 200
    assert "获取验证码" in landing.text
    assert "张" not in landing.text
    asked = await world.client.post(f"/lookup/qr/{token}/code", json={})
    assert asked.status_code == 202
    code = re.search(r"验证码为([0-9]{6})", world.sms()[-1]["text"])
    assert code is not None
    body = {"challenge": asked.json()["challenge"], "code": code.group(1), "via": "qr"}
    shown = await world.client.post("/lookup/verify", json=body)
    assert shown.status_code == 200
    assert shown.json()["payments"][0]["amount_fen"] == 61_725


async def test_a_revoked_or_replaced_token_stops_working(world: DisclosureWorld) -> None:
    await world.deliver()
    first = (await world.client.post("/beneficiaries/b-1/lookup-token", headers=OPERATOR)).json()
    second = (await world.client.post("/beneficiaries/b-1/lookup-token", headers=OPERATOR)).json()
    old, new = (answer["address"].rsplit("/", 1)[1] for answer in (first, second))
    replaced = await world.client.post(f"/lookup/qr/{old}/code", json={})
    assert (replaced.status_code, replaced.json()["code"]) == (404, "qr_token_invalid")
    assert (await world.client.post(f"/lookup/qr/{new}/code", json={})).status_code == 202
    revoked = await world.client.delete("/beneficiaries/b-1/lookup-token", headers=OPERATOR)
    assert revoked.json()["revoked"] is True
    assert (await world.client.post(f"/lookup/qr/{new}/code", json={})).status_code == 404


async def test_only_a_clerk_of_the_village_issues_tokens(world: DisclosureWorld) -> None:
    await world.deliver()
    far = await world.client.post("/beneficiaries/b-1/lookup-token", headers=FAR_OPERATOR)
    assert (far.status_code, far.json()["code"]) == (403, "outside_jurisdiction")
    anonymous = await world.client.post("/beneficiaries/b-1/lookup-token")
    assert anonymous.status_code == 401
    unknown = await world.client.post("/beneficiaries/b-404/lookup-token", headers=OPERATOR)
    assert unknown.status_code == 404
