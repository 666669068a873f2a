"""The beneficiary lifecycle routes through the registry app on the memory store: what
clerks get back (codes, Chinese messages, masked personal data) and what is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from contracts.events import EVENTS
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings
from services.registry.bootstrap import build
from tests.unit.asgi import Response, request
from tests.unit.contract_samples import memory_cipher

CLERK = {
    "X-Onecard-User": "u-clerk",
    "X-Onecard-Role": "township_operator",
    "X-Onecard-Jurisdiction": "650102001",
}
REVIEWER = {
    "X-Onecard-User": "u-reviewer",
    "X-Onecard-Role": "county_department_operator",
    "X-Onecard-Jurisdiction": "650102",
}
AUDITOR = {
    "X-Onecard-User": "u-auditor",
    "X-Onecard-Role": "township_finance_auditor",
    "X-Onecard-Jurisdiction": "650102001",
}
PERSON = {
    "beneficiary_id": "b-1",
    "citizen_id": "11010519491231002X",
    "name": "王秀兰",
    "village_code": "650102001001",
    "household_id": "h-1",
    "phone": "13800138000",
}
CARD = {"bank_code": "ABC", "account_no": "6217000012345678907", "holder_name": "王秀兰"}
NEW_CARD = {"bank_code": "CCB", "account_no": "6228480012345678903", "holder_name": "王秀兰"}
B = "/beneficiaries/b-1"


@pytest.fixture
async def registry(tmp_path: Path) -> tuple[FastAPI, MemoryEventStore]:
    store = MemoryEventStore()
    codec = EventCodec(registry=EVENTS, cipher=memory_cipher())
    projections = ProjectionDatabase(create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/p.db"))
    parts = build(ServiceDeps(Settings(data_dir=tmp_path), store, codec, projections))
    app = parts.http
    registered = await request(app, "POST", "/beneficiaries", headers=CLERK, json_body=PERSON)
    assert registered.status == 201
    return app, store


async def call(
    app: FastAPI, method: str, path: str, body: Any = None, headers: dict[str, str] = CLERK
) -> Response:
    return await request(app, method, path, headers=headers, json_body=body)


def refusal(answer: Response) -> tuple[int, str]:
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.json()["message"])
    return answer.status, answer.json()["code"]


async def test_a_declared_and_verified_account_reads_back_masked(registry) -> None:
    app, store = registry
    declared = await call(app, "POST", f"{B}/card-account", CARD)
    assert (declared.status, declared.json()["declared"]) == (201, True)
    assert (await call(app, "GET", B)).json()["card_account"]["status"] == "unverified"
    verified = await call(app, "POST", f"{B}/card-account/verification")
    assert verified.json() == {"beneficiary_id": "b-1", "verified": True}
    shown = (await call(app, "GET", B)).json()
    assert shown["citizen_id"] == "**************002X"
    assert shown["phone"] == "*******8000"
    assert (shown["gender"], shown["birth_year"], shown["status"]) == ("female", 1949, "active")
    assert "1949-12-31" not in str(shown), "the birth date and the last 4 would spell the ID"
    account = shown["card_account"]
    assert (account["account_no"], account["status"]) == ("***************8907", "open")
    assert account["verified_at"] is not None
    for record in await store.read_stream("beneficiary-b-1"):
        assert b"6217000012345678907" not in record.data


async def test_details_are_corrected_only_with_a_reason(registry) -> None:
    app, _ = registry
    missing = await call(app, "PATCH", B, {"name": "王秀蘭"})
    assert refusal(missing) == (422, "invalid_request")
    headers = {**CLERK, "Idempotency-Key": "fix-1"}
    body = {"name": "王秀蘭", "phone": None, "reason": "按身份证更正"}
    first = await call(app, "PATCH", B, body, headers)
    again = await call(app, "PATCH", B, body, headers)
    assert (first.json()["corrected"], again.json()["corrected"]) == (True, False)
    shown = (await call(app, "GET", B)).json()
    assert (shown["name"], shown["phone"]) == ("王秀蘭", None)


async def test_a_card_account_changes_only_by_a_reapplication_reviewed_by_another(
    registry,
) -> None:
    app, _ = registry
    await call(app, "POST", f"{B}/card-account", CARD)
    again = await call(app, "POST", f"{B}/card-account", NEW_CARD)
    assert refusal(again) == (409, "card_account_already_declared")
    applied = await call(
        app, "POST", f"{B}/card-account-applications", {**NEW_CARD, "reason": "原卡丢失"}
    )
    assert applied.status == 201
    application_id = applied.json()["application_id"]
    second = await call(
        app,
        "POST",
        f"{B}/card-account-applications",
        {**CARD, "reason": "再换", "application_id": "x-2"},
    )
    assert refusal(second) == (409, "card_account_change_pending")
    review = f"{B}/card-account-applications/{application_id}/review"
    clerk = await call(app, "POST", review, {"decision": "approve"})
    assert refusal(clerk) == (403, "role_not_permitted")
    approved = await call(app, "POST", review, {"decision": "approve"}, AUDITOR)
    assert approved.json()["reviewed"] is True
    shown = (await call(app, "GET", B)).json()
    assert shown["card_account"]["account_no"].endswith("8903")
    assert (shown["card_account"]["bank_code"], shown["pending_application"]) == ("CCB", None)
    back = {**CARD, "reason": "换回原卡", "application_id": "x-3"}
    applied_by_reviewer = await call(app, "POST", f"{B}/card-account-applications", back, REVIEWER)
    assert applied_by_reviewer.status == 201
    own = await call(
        app, "POST", f"{B}/card-account-applications/x-3/review", {"decision": "approve"}, REVIEWER
    )
    assert refusal(own) == (403, "reviewer_is_applicant")


async def test_a_rejection_needs_a_reason(registry) -> None:
    app, _ = registry
    await call(app, "POST", f"{B}/card-account", CARD)
    body = {**NEW_CARD, "reason": "原卡丢失", "application_id": "a-1"}
    await call(app, "POST", f"{B}/card-account-applications", body)
    review = f"{B}/card-account-applications/a-1/review"
    silent = await call(app, "POST", review, {"decision": "reject"}, REVIEWER)
    assert refusal(silent) == (422, "reason_required")
    rejected = await call(
        app, "POST", review, {"decision": "reject", "reason": "材料不全"}, REVIEWER
    )
    assert rejected.json()["reviewed"] is True
    assert (await call(app, "GET", B)).json()["card_account"]["account_no"].endswith("8907")


async def test_freeze_unfreeze_and_close(registry) -> None:
    app, _ = registry
    await call(app, "POST", f"{B}/card-account", CARD)
    await call(app, "POST", f"{B}/card-account/verification")
    frozen = await call(app, "POST", f"{B}/card-account/freeze", {"reason": "银行反馈冻结"})
    assert frozen.json()["frozen"] is True
    assert (await call(app, "GET", B)).json()["card_account"]["status"] == "frozen"
    await call(app, "POST", f"{B}/card-account/unfreeze", {"reason": "银行已解冻"})
    assert (await call(app, "GET", B)).json()["card_account"]["status"] == "open"
    bad = await call(app, "POST", f"{B}/card-account/closure", {"reason": "deceased"})
    assert refusal(bad) == (422, "invalid_close_reason")
    closed = await call(app, "POST", f"{B}/card-account/closure", {"reason": "duplicate_card"})
    assert closed.json()["closed"] is True
    assert (await call(app, "GET", B)).json()["card_account"]["status"] == "closed"


async def test_reverification_is_recorded_once_for_the_year(registry) -> None:
    app, _ = registry
    first = await call(app, "POST", f"{B}/reverification")
    again = await call(app, "POST", f"{B}/reverification")
    assert (first.json()["reverified"], again.json()["reverified"]) == (True, False)
    assert (await call(app, "GET", B)).json()["reverified_years"] == [first.json()["year"]]
    future = await call(app, "POST", f"{B}/reverification", {"year": 2199})
    assert refusal(future) == (422, "invalid_reverification_year")


async def test_after_death_the_account_is_closed_and_only_reads_remain(registry) -> None:
    app, _ = registry
    await call(app, "POST", f"{B}/card-account", CARD)
    died = await call(app, "POST", f"{B}/death", {"died_on": "2025-10-02", "source": "民政部门"})
    assert died.json() == {"beneficiary_id": "b-1", "recorded": True}
    shown = (await call(app, "GET", B)).json()
    assert (shown["status"], shown["died_on"], shown["card_account"]["status"]) == (
        "deceased",
        "2025-10-02",
        "closed",
    )
    fix = await call(app, "PATCH", B, {"name": "王", "reason": "更正"})
    assert refusal(fix) == (409, "beneficiary_deceased")


async def test_a_move_out_closes_the_account(registry) -> None:
    app, _ = registry
    await call(app, "POST", f"{B}/card-account", CARD)
    body = {"moved_on": "2025-10-02", "destination_code": "650103"}
    moved = await call(app, "POST", f"{B}/move-out", body)
    assert moved.json()["recorded"] is True
    shown = (await call(app, "GET", B)).json()
    assert (shown["status"], shown["destination_code"]) == ("moved_out", "650103")
    assert shown["card_account"]["status"] == "closed"
    verify = await call(app, "POST", f"{B}/card-account/verification")
    assert refusal(verify) == (409, "beneficiary_moved_out")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/beneficiaries/b-9", None, 404, "beneficiary_not_found"),
        ("POST", "/beneficiaries/b-9/card-account", CARD, 404, "beneficiary_not_found"),
        (
            "POST",
            f"{B}/card-account",
            {**CARD, "account_no": "6217000012345678901"},
            422,
            "invalid_card_account",
        ),
        (
            "POST",
            f"{B}/card-account",
            {**CARD, "account_no": "6.2E+18"},
            422,
            "invalid_card_account",
        ),
        ("POST", f"{B}/card-account/verification", None, 409, "card_account_not_declared"),
        ("PATCH", B, {"phone": "call me", "reason": "更正"}, 422, "invalid_phone"),
        ("POST", f"{B}/death", {"died_on": "2999-01-01", "source": "民政"}, 422, "invalid_date"),
        (
            "POST",
            f"{B}/move-out",
            {"moved_on": "2025-01-01", "destination_code": "65"},
            422,
            "invalid_destination_code",
        ),
    ],
)
async def test_bad_requests_get_a_stable_code(
    registry, method: str, path: str, body: Any, status: int, code: str
) -> None:
    app, store = registry
    before = await store.head_position()
    assert refusal(await call(app, method, path, body)) == (status, code)
    assert await store.head_position() == before


async def test_a_read_without_an_actor_is_refused_401(registry) -> None:
    app, _ = registry
    answer = await request(app, "GET", B)
    assert (answer.status, answer.json()["code"]) == (401, "unauthenticated")
