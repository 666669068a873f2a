"""The beneficiary lifecycle over HTTP: correct details, the card account (declare, re-apply
and review, verify, freeze, unfreeze, close), annual re-verification, death, moving out, and
the beneficiary as the register holds it now (personal data masked).

Routers parse the request, build a command and call the application; a refusal answers with
its stable code and Chinese message. Retrying with the same Idempotency-Key is safe.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request

from contracts.pii import CardAccountNo, PhoneNo, PiiError
from contracts.zones import local_date
from infra.command_context import CommandContext
from infra.eventstore.port import AppendResult
from infra.http.actor import CurrentActor
from infra.http.context import request_context, request_now
from infra.http.errors import ApiError, answering
from infra.identity.permissions import Action, authorize
from infra.identity.query_log import BENEFICIARY
from services.registry.application import beneficiary_commands as app
from services.registry.domain import beneficiary_commands as cmd
from services.registry.domain.beneficiary import is_village_code
from services.registry.entrypoints.beneficiary_bodies import (
    AccountBody,
    ApplicationBody,
    ClosureBody,
    CorrectBody,
    DeathBody,
    MoveOutBody,
    ReasonBody,
    ReverifyBody,
    ReviewBody,
    VerifyBody,
)
from services.registry.entrypoints.beneficiary_view import view
from services.registry.entrypoints.http import Registry
from services.registry.entrypoints.http_access import authorized_beneficiary, log_read

router = APIRouter(tags=["beneficiaries"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]
BeneficiaryId = Annotated[str, Path(pattern=r"^[A-Za-z0-9\-]{1,64}$")]
ApplicationId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_\-]{1,64}$")]
Handler = Callable[..., Awaitable[AppendResult | None]]


async def _run(
    registry: Registry,
    handler: Handler,
    command: cmd.BeneficiaryCommand,
    context: CommandContext,
    action: Action = Action.BENEFICIARY_WRITE,
) -> bool:
    """Whether the command appended anything (False: it was already done), once the caller
    may do ``action`` on beneficiaries of the person's village (403 before anything is done)."""
    await authorized_beneficiary(registry, context.actor, command.beneficiary_id, action)
    with answering():
        result = await handler(
            store=registry.store, codec=registry.codec, command=command, context=context
        )
    return result is not None


def _account_no(raw: str) -> CardAccountNo:
    try:
        return CardAccountNo(raw)
    except PiiError:
        raise ApiError(
            422, "invalid_card_account", "一卡通账号应为数字，请核对后重新填写"
        ) from None


def _phone(raw: str) -> PhoneNo:
    try:
        return PhoneNo(raw)
    except PiiError:
        raise ApiError(422, "invalid_phone", "联系电话格式不正确") from None


@router.get("/beneficiaries/{beneficiary_id}")
async def get_beneficiary(
    beneficiary_id: BeneficiaryId, request: Request, registry: Registry, actor: CurrentActor
) -> dict[str, Any]:
    """The beneficiary now: details, status, card account, pending re-application; ID,
    account and phone masked. Every read is in the query log before it is answered."""
    state = await authorized_beneficiary(registry, actor, beneficiary_id, Action.BENEFICIARY_READ)
    await log_read(registry, request, actor, kind=BENEFICIARY, subject_ids=[beneficiary_id])
    return view(state)


@router.patch("/beneficiaries/{beneficiary_id}")
async def patch_beneficiary(
    beneficiary_id: BeneficiaryId,
    body: CorrectBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Correct name, phone (null removes it), village or household; the reason is required.
    Moving a person to another village needs the right to change beneficiaries there too."""
    phone = None if body.phone is None else _phone(body.phone)
    if body.village_code is not None and is_village_code(body.village_code):
        authorize(actor, Action.BENEFICIARY_WRITE, body.village_code)
    command = cmd.CorrectDetails(
        beneficiary_id,
        body.reason,
        name=body.name,
        village_code=body.village_code,
        household_id=body.household_id,
        phone=phone,
        remove_phone="phone" in body.model_fields_set and body.phone is None,
    )
    context = request_context(actor, idempotency_key)
    corrected = await _run(registry, app.correct_details, command, context)
    return {"beneficiary_id": beneficiary_id, "corrected": corrected}


@router.post("/beneficiaries/{beneficiary_id}/card-account", status_code=201)
async def post_card_account(
    beneficiary_id: BeneficiaryId,
    body: AccountBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Declare the first card account (申报); it is unverified until verified."""
    command = cmd.DeclareCardAccount(
        beneficiary_id, body.bank_code, _account_no(body.account_no), body.holder_name
    )
    context = request_context(actor, idempotency_key)
    declared = await _run(registry, app.declare_card_account, command, context)
    return {"beneficiary_id": beneficiary_id, "declared": declared}


@router.post("/beneficiaries/{beneficiary_id}/card-account-applications", status_code=201)
async def post_application(
    beneficiary_id: BeneficiaryId,
    body: ApplicationBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Re-apply (重新申报) for a new card account; another user reviews it."""
    application_id = body.application_id or _application_id(idempotency_key)
    command = cmd.ApplyCardAccountChange(
        beneficiary_id,
        application_id,
        body.bank_code,
        _account_no(body.account_no),
        body.holder_name,
        body.reason,
        applied_by=actor.user_id,
    )
    context = request_context(actor, idempotency_key)
    applied = await _run(registry, app.apply_card_account_change, command, context)
    return {"beneficiary_id": beneficiary_id, "application_id": application_id, "applied": applied}


def _application_id(idempotency_key: str | None) -> str:
    """Derived from the Idempotency-Key, so that a retried request names the same one."""
    if idempotency_key is None:
        return f"app-{uuid.uuid4().hex[:16]}"
    return f"app-{hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]}"


@router.post("/beneficiaries/{beneficiary_id}/card-account-applications/{application_id}/review")
async def post_review(
    beneficiary_id: BeneficiaryId,
    application_id: ApplicationId,
    body: ReviewBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Approve (the new account replaces the old) or reject with a reason; not by the
    applicant."""
    command = cmd.ReviewCardAccountChange(
        beneficiary_id,
        application_id,
        approve=body.decision == "approve",
        reviewed_by=actor.user_id,
        reason=body.reason,
    )
    context = request_context(actor, idempotency_key)
    reviewed = await _run(
        registry, app.review_card_account_change, command, context, Action.BENEFICIARY_REVIEW
    )
    return {
        "beneficiary_id": beneficiary_id,
        "application_id": application_id,
        "decision": body.decision,
        "reviewed": reviewed,
    }


@router.post("/beneficiaries/{beneficiary_id}/card-account/verification")
async def post_verification(
    beneficiary_id: BeneficiaryId,
    registry: Registry,
    actor: CurrentActor,
    body: VerifyBody | None = None,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """The bank confirmed the account (default: now); it is open from here."""
    now = request_now()
    verified_at = body.verified_at if body is not None and body.verified_at else now
    if verified_at > now:
        raise ApiError(422, "invalid_date", "核验时间不能晚于现在")
    command = cmd.VerifyCardAccount(beneficiary_id, verified_at)
    verified = await _run(
        registry, app.verify_card_account, command, request_context(actor, idempotency_key, at=now)
    )
    return {"beneficiary_id": beneficiary_id, "verified": verified}


@router.post("/beneficiaries/{beneficiary_id}/card-account/freeze")
async def post_freeze(
    beneficiary_id: BeneficiaryId,
    body: ReasonBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    command = cmd.FreezeCardAccount(beneficiary_id, body.reason)
    context = request_context(actor, idempotency_key)
    frozen = await _run(registry, app.freeze_card_account, command, context)
    return {"beneficiary_id": beneficiary_id, "frozen": frozen}


@router.post("/beneficiaries/{beneficiary_id}/card-account/unfreeze")
async def post_unfreeze(
    beneficiary_id: BeneficiaryId,
    body: ReasonBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    command = cmd.UnfreezeCardAccount(beneficiary_id, body.reason)
    context = request_context(actor, idempotency_key)
    unfrozen = await _run(registry, app.unfreeze_card_account, command, context)
    return {"beneficiary_id": beneficiary_id, "unfrozen": unfrozen}


@router.post("/beneficiaries/{beneficiary_id}/card-account/closure")
async def post_closure(
    beneficiary_id: BeneficiaryId,
    body: ClosureBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Close the account (duplicate_card, bank_closed, holder_request, other + note)."""
    command = cmd.CloseCardAccount(beneficiary_id, body.reason, body.note)
    context = request_context(actor, idempotency_key)
    closed = await _run(registry, app.close_card_account, command, context)
    return {"beneficiary_id": beneficiary_id, "closed": closed}


@router.post("/beneficiaries/{beneficiary_id}/reverification")
async def post_reverification(
    beneficiary_id: BeneficiaryId,
    registry: Registry,
    actor: CurrentActor,
    body: ReverifyBody | None = None,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """The annual check (一年一核对) of the given year (default: this year)."""
    now = request_now()
    today = local_date(now)
    year = body.year if body is not None and body.year is not None else today.year
    command = cmd.ReverifyBeneficiary(beneficiary_id, year, today)
    reverified = await _run(
        registry, app.reverify_beneficiary, command, request_context(actor, idempotency_key, at=now)
    )
    return {"beneficiary_id": beneficiary_id, "year": year, "reverified": reverified}


@router.post("/beneficiaries/{beneficiary_id}/death")
async def post_death(
    beneficiary_id: BeneficiaryId,
    body: DeathBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Record the death; the card account is closed with it."""
    now = request_now()
    command = cmd.RecordDeath(beneficiary_id, body.died_on, body.source, local_date(now))
    recorded = await _run(
        registry, app.record_death, command, request_context(actor, idempotency_key, at=now)
    )
    return {"beneficiary_id": beneficiary_id, "recorded": recorded}


@router.post("/beneficiaries/{beneficiary_id}/move-out")
async def post_move_out(
    beneficiary_id: BeneficiaryId,
    body: MoveOutBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Record the move out of the register; the card account is closed with it."""
    now = request_now()
    command = cmd.RecordMoveOut(
        beneficiary_id, body.moved_on, body.destination_code, local_date(now)
    )
    recorded = await _run(
        registry, app.record_move_out, command, request_context(actor, idempotency_key, at=now)
    )
    return {"beneficiary_id": beneficiary_id, "recorded": recorded}
