"""Re-issue after a correction, through the payout's HTTP API and its consumer: the payout
learns the payee the registry now holds from the registry's events, pays a closed account's
row again only into the newly declared account, and follows the programme's re-issue rule
(the owning office asks, county finance approves, never the same person)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from contracts.events import CardAccountClosed, CardAccountDeclared
from services.payout.application.payees import current_payee
from tests.unit.contract_samples import CARD, PERSON
from tests.unit.payout_harness import PayoutWorld, payout_world
from tests.unit.payout_samples import APPROVED_AT, rejected

NEW_ACCOUNT = "6228480000000000017"
NOTE = {"note": "本人已重新申报社保卡账户，经审核"}


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[PayoutWorld]:
    async with payout_world(tmp_path, now=APPROVED_AT) as world:
        await world.publish("beneficiary-b-1", PERSON, CARD)
        await world.submit_and_approve()
        await world.answer(rejected("r-1:1:1", 61_725, "account_closed"))
        yield world


async def declare_new_account(world: PayoutWorld) -> None:
    await world.publish(
        "beneficiary-b-1",
        CardAccountClosed(beneficiary_id="b-1", reason="bank_closed"),
        CardAccountDeclared(
            beneficiary_id="b-1", bank_code="RCC", account_no=NEW_ACCOUNT, holder_name="阿依古丽"
        ),
    )
    await world.deliver()


async def test_the_payout_learns_the_payee_from_the_registrys_events(world: PayoutWorld) -> None:
    payee = await current_payee(world.payout.projections, world.payout.cipher, "b-1")
    assert payee is not None
    assert (payee.bank_code, payee.account_status, payee.name) == ("ABC", "unverified", "阿依古丽")
    await declare_new_account(world)
    await world.deliver()  # a redelivery changes nothing
    payee = await current_payee(world.payout.projections, world.payout.cipher, "b-1")
    assert payee is not None
    assert payee.account_no is not None
    assert (payee.bank_code, payee.account_no.reveal()) == ("RCC", NEW_ACCOUNT)


async def test_a_closed_accounts_row_is_reissued_only_into_the_newly_declared_account(
    world: PayoutWorld,
) -> None:
    refused = await world.post("/rows/r-1/1/reissue", "finance", NOTE)
    assert (refused.status_code, refused.json()["code"]) == (409, "payout_correction_required")
    await declare_new_account(world)
    answer = await world.post("/rows/r-1/1/reissue", "finance", NOTE)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["instruction_id"], body["payee"]["bank_code"]) == ("r-1:1:2", "RCC")
    assert body["payee"]["account_no"].endswith(NEW_ACCOUNT[-4:])
    (rcc,) = await world.pending("RCC")
    (instruction,) = [i for i in rcc.instructions if i.row_no == 1]
    assert instruction.account_no.reveal() == NEW_ACCOUNT
    assert "r-1:1:2" not in {
        i.instruction_id for b in await world.pending("ABC") for i in b.instructions
    }


async def test_under_the_office_request_rule_the_department_asks_and_finance_approves(
    world: PayoutWorld,
) -> None:
    rule = await world.put("/reissue-rules/GDLS", "department", {"rule": "office_request"})
    assert rule.status_code == 200, rule.text
    assert (rule.json()["rule"], rule.json()["version"]) == ("office_request", 1)
    await declare_new_account(world)
    unasked = await world.post("/rows/r-1/1/reissue", "finance", NOTE)
    assert unasked.json()["code"] == "payout_reissue_request_required"
    asked = await world.post("/rows/r-1/1/reissue-request", "department", NOTE)
    assert asked.status_code == 200, asked.text
    assert (asked.json()["payee"]["bank_code"], asked.json()["requested_by"]) == ("RCC", "u-dept")
    approved = await world.post("/rows/r-1/1/reissue", "finance", NOTE)
    assert approved.status_code == 200, approved.text
    assert approved.json()["instruction_id"] == "r-1:1:2"
    assert (await world.types("payment-r-1-1"))[-2:] == ["ReissueRequested", "PaymentInstructed"]


@pytest.mark.parametrize(
    ("path", "who", "body", "status", "code"),
    [
        ("/rows/r-1/1/reissue-request", "finance", NOTE, 403, "role_not_permitted"),
        ("/rows/r-1/1/reissue-request", "far_operator", NOTE, 403, "outside_jurisdiction"),
        ("/rows/r-1/1/reissue-request", "operator", NOTE, 409, "payout_correction_required"),
        ("/reissue-rules/GDLS", "finance", {"rule": "office_request"}, 403, "role_not_permitted"),
    ],
    ids=["finance-cannot-ask", "far-office", "not-corrected", "finance-cannot-set-rule"],
)
async def test_requests_and_rules_are_refused_with_a_code_and_change_nothing(
    world: PayoutWorld, path: str, who: str, body: dict[str, str], status: int, code: str
) -> None:
    before = await world.types("payment-r-1-1")
    if path.startswith("/reissue-rules"):
        answer = await world.put(path, who, body)
    else:
        answer = await world.post(path, who, body)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert await world.types("payment-r-1-1") == before
    assert await world.types("reissuerule-GDLS") == []
