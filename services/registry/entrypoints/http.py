"""The registry HTTP API: routers parse the request, build a command, call the application."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from contracts.pii import CitizenId, PhoneNo, PiiError
from contracts.refusals import Refused
from contracts.zones import SHANGHAI
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.http.actor import CurrentActor
from infra.http.context import request_context, request_now
from infra.http.errors import answering
from infra.identity.permissions import Action, authorize
from infra.pii.cipher import FieldCipher
from infra.projections.database import ProjectionDatabase
from services.registry.application.import_roster import ImportWorkers
from services.registry.application.register_beneficiary import register_beneficiary
from services.registry.domain import refusals
from services.registry.domain.beneficiary import RegisterBeneficiary, is_village_code

router = APIRouter(tags=["registry"])


@dataclass(frozen=True)
class RegistryApp:
    store: EventStore
    codec: EventCodec
    index: FieldCipher
    projections: ProjectionDatabase
    import_workers: ImportWorkers | None = None
    """Processes that validate large uploads beside the service (None: in the service)."""


def registry_app(request: Request) -> RegistryApp:
    app: RegistryApp = request.app.state.registry
    return app


Registry = Annotated[RegistryApp, Depends(registry_app)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]
RosterId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_\-]{1,48}$")]


class RegisterBeneficiaryBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    beneficiary_id: str = Field(pattern=r"^[A-Za-z0-9\-]{1,64}$")
    citizen_id: str = Field(max_length=32)
    name: str = Field(min_length=1, max_length=64)
    village_code: str = Field(max_length=12)
    household_id: str = Field(pattern=r"^[A-Za-z0-9\-]{1,64}$")
    phone: str | None = Field(default=None, max_length=20)


@router.post("/beneficiaries", status_code=201)
async def post_beneficiary(
    body: RegisterBeneficiaryBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Register a beneficiary (登记补贴对象) in a village of the caller's jurisdiction.
    Retrying with the same Idempotency-Key is safe."""
    now = request_now()
    context = request_context(actor, idempotency_key, at=now)
    with answering():
        command = _command(body, today=now.astimezone(SHANGHAI).date())
        if not is_village_code(command.village_code):
            raise refusals.invalid_village()
        authorize(actor, Action.BENEFICIARY_WRITE, command.village_code)
        result = await register_beneficiary(
            store=registry.store,
            codec=registry.codec,
            index=registry.index,
            command=command,
            context=context,
        )
    return {"beneficiary_id": body.beneficiary_id, "registered": result is not None}


def _command(body: RegisterBeneficiaryBody, *, today: date) -> RegisterBeneficiary:
    try:
        citizen_id = CitizenId(body.citizen_id)
    except PiiError:
        raise Refused("invalid_citizen_id", "身份证号码格式不正确：应为18位") from None
    try:
        phone = PhoneNo(body.phone) if body.phone else None
    except PiiError:
        raise Refused("invalid_phone", "联系电话格式不正确") from None
    return RegisterBeneficiary(
        beneficiary_id=body.beneficiary_id,
        citizen_id=citizen_id,
        name=body.name,
        village_code=body.village_code,
        household_id=body.household_id,
        phone=phone,
        today=today,
    )
