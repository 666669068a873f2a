"""No output reveals more than the masking policy: for generated people, every renderer
publicity has (the notice page, its JSON, the objection acknowledgement as a page and as JSON,
the officials' view of objections, the village register, the log processor) gives the same
output for two people whose values differ everywhere the policy hides; no output holds a full
value; and every masked value an output shows is the policy's mask."""

from __future__ import annotations

import asyncio
import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import structlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.base import Event
from contracts.envelope import Envelope, new_envelope, new_event_id
from contracts.events import BeneficiaryRegistered
from contracts.masking import mask_card_account, mask_citizen_id, mask_name, mask_phone
from infra.logging import mask_personal_data
from services.publicity.application.village_register import on_beneficiary_registered
from tests.unit.contract_samples import account_nos, citizen_ids, phone_nos
from tests.unit.notice_harness import (
    CLERK,
    OFFICIAL,
    TOWNSHIP,
    NoticeWorld,
    Person,
    china,
    notice_world,
)
from tests.unit.notice_harness import roster as submitted_roster

HAN = "".join(
    dict.fromkeys(
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    )
)
FORM_TOKEN = re.compile(r'name="form_token" value="[0-9a-f]{32}"')
FILED_AT = re.compile(r'"filed_at":"[^"]*"')
MASKED = re.compile(r"\*+[0-9X]{0,4}")


@dataclass(frozen=True)
class Pair:
    person: Person
    twin: Person
    """Another person the policy must not tell apart: equal wherever a mask shows."""


def _shift(value: str, keep_last: int, shifts: list[int], *, keep_first: int = 0) -> str:
    """``value`` with every character between the kept ones replaced by another digit."""
    end = len(value) - keep_last
    changed = [
        str((int(c) + shifts[i % len(shifts)]) % 10) if keep_first <= i < end else c
        for i, c in enumerate(value)
    ]
    return "".join(changed)


def _name_twin(name: str, others: str) -> str:
    parts = []
    for part in name.split("·"):
        if len(part) == 1:
            parts.append(part)
            continue
        inner = [others[(HAN.index(c) + 7) % len(HAN)] if c in HAN else "某" for c in part]
        parts.append(part[0] + "".join(inner[1:-1]) + (part[-1] if len(part) > 2 else inner[-1]))
    return "·".join(parts)


name_parts = st.text(alphabet=HAN, min_size=1, max_size=4)
names = st.one_of(
    st.text(alphabet=HAN, min_size=2, max_size=4),
    st.tuples(name_parts, name_parts).map("·".join),
)


@st.composite
def pairs(draw: st.DrawFn) -> Pair:
    person = Person(draw(names), draw(citizen_ids), draw(account_nos), draw(phone_nos))
    shifts = draw(st.lists(st.integers(1, 9), min_size=1, max_size=5))
    twin = Person(
        _name_twin(person.name, HAN),
        _shift(person.citizen_id, 4, shifts),
        _shift(person.account_no, 4, shifts),
        _shift(person.phone, 4, shifts, keep_first=2),
    )
    return Pair(person, twin)


async def _outputs(person: Person, folder: Path) -> dict[str, str]:
    """What every renderer shows about ``person`` (random tokens left out)."""
    async with notice_world(folder, now=china(2025, 6, 9)) as world:
        await world.submit(submitted_roster(), [person], at=world.clock.now())
        body = {
            "submission_no": 1,
            "row_no": 1,
            "reason": f"身份证{person.citizen_id}卡号{person.account_no}的这个人已迁出",
            "contact_name": person.name,
            "contact_phone": person.phone,
        }
        key = {"Idempotency-Key": "same-request"}
        acknowledged = await world.post("/notices/r-1/objections", json=body, headers=key)
        form = {k: str(v) for k, v in body.items()}
        page_ack = await world.post("/notices/r-1/objections", data=form, headers=key)
        registered = await _village_register(world, person)
        return {
            "page": FORM_TOKEN.sub("", (await world.page(f"/notices/townships/{TOWNSHIP}")).text),
            "json": (await world.page(f"/notices/townships/{TOWNSHIP}.json")).text,
            "acknowledgement": acknowledged.text,
            "acknowledgement page": page_ack.text,
            "officials": FILED_AT.sub(
                "", (await world.client.get("/notices/r-1", headers=OFFICIAL)).text
            ),
            "village register": registered,
            "log": _log_line(person),
        }


async def _village_register(world: NoticeWorld, person: Person) -> str:
    event = BeneficiaryRegistered(
        beneficiary_id="b-1",
        citizen_id=person.citizen_id,
        name=person.name,
        village_code=f"{TOWNSHIP}001",
        household_id="h-1",
        phone=person.phone,
    )
    at = world.clock.now()
    envelope: Envelope[Event] = new_envelope(
        event,
        event_id=new_event_id(at),
        stream_id="beneficiary-b-1",
        occurred_at=at,
        actor=CLERK,
        correlation_id=uuid.uuid4(),
    )
    async with world.parts.http.state.publicity.projections.transaction() as conn:
        await on_beneficiary_registered(conn, [envelope])
    return str((await world.page(f"/villages/{TOWNSHIP}001/register")).text)


def _log_line(person: Person) -> str:
    line = {
        "event": f"objection.filed, contact {person.phone}",
        "row": {"citizen_id": person.citizen_id, "accounts": [person.account_no]},
        "phone": int(person.phone),
    }
    renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
    return str(renderer(None, "info", mask_personal_data(None, "info", line)))


def _policy_masks(person: Person) -> set[str]:
    return {
        mask_citizen_id(person.citizen_id),
        mask_card_account(person.account_no),
        mask_phone(person.phone),
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=pairs())
def test_no_output_tells_apart_two_people_the_policy_masks_alike(pair: Pair) -> None:
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
    assert mask_name(pair.person.name) in shown["page"]
