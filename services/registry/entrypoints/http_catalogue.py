"""The catalogue HTTP API: programmes (补贴政策清单) and administrative divisions.

Any logged-in user reads the catalogue; changing it needs ``catalogue.write`` where the
programme applies or over the county whose divisions are registered.

Money comes as text or integers, never floats: unit standards as decimal strings
(``"95.50"`` yuan), limits and fixed amounts as integer fen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, ValidationError

from contracts.envelope import Actor
from contracts.fields import Fen
from contracts.refusals import Refused
from contracts.zones import SHANGHAI
from infra.command_context import CommandContext
from infra.eventstore.port import WrongExpectedVersion
from infra.http.actor import CurrentActor
from infra.http.context import request_context, request_now
from infra.http.errors import HTTP_MESSAGES, ApiError, answering
from infra.identity.permissions import Action, authorize
from services.registry.application import catalogue
from services.registry.domain import divisions, programme
from services.registry.domain import programme_refusals as refusals
from services.registry.entrypoints.http import Registry, RegistryApp
from services.registry.entrypoints.http_access import authorize_role

router = APIRouter(tags=["catalogue"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]
ProgrammeCode = Annotated[str, Path(min_length=1, max_length=32)]
DivisionCode = Annotated[str, Path(min_length=1, max_length=12)]


def _iso_date(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("dates are ISO text such as 2025-01-01")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class TermsBody(BaseModel):
    """A programme version's terms. ``notice_working_days`` defaults to the jurisdiction's
    minimum; ``list_policy`` to the catalogue default for the kinds it leaves out."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    standard_name: str = Field(min_length=1, max_length=60)
    department: str = Field(min_length=1, max_length=60)
    funding_source: str = Field(min_length=1, max_length=200)
    unit: str = Field(min_length=1, max_length=8)
    unit_standard: str | None = Field(default=None, pattern=r"^\d{1,8}(\.\d{1,4})?$")
    fixed_amount_fen: Fen | None = None
    min_amount_fen: Fen = 1
    max_amount_fen: Fen | None = None
    notice_working_days: Annotated[int, Field(strict=True, ge=1, le=60)] | None = None
    confidential: StrictBool = False
    jurisdiction: str = Field(min_length=2, max_length=6)
    valid_from: IsoDate
    valid_to: IsoDate | None = None
    aliases: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=50
    )
    list_policy: dict[programme.ListKind, programme.ListAction] = Field(default_factory=dict)

    def terms(self) -> programme.ProgrammeTerms:
        notice = self.notice_working_days or programme.notice_minimum(self.jurisdiction)
        data = self.model_dump(exclude={"code", "reason", "unit_standard", "notice_working_days"})
        standard = Decimal(self.unit_standard) if self.unit_standard is not None else None
        try:
            return programme.ProgrammeTerms(
                **data, unit_standard=standard, notice_working_days=notice
            )
        except ValidationError as error:
            fields = "、".join(".".join(map(str, e["loc"])) for e in error.errors())
            raise refusals.invalid_programme_terms(f"字段不符合要求：{fields}") from None


class DefineProgrammeBody(TermsBody):
    code: str = Field(min_length=1, max_length=32)


class ReviseProgrammeBody(TermsBody):
    reason: str = Field(min_length=1, max_length=200)


class RetireProgrammeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=200)


class DivisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=9, max_length=12)
    name: str = Field(min_length=1, max_length=60)


class RegisterDivisionsBody(BaseModel):
    """Townships and villages of one county; a village may follow its township in the list."""

    model_config = ConfigDict(extra="forbid")

    county_code: str = Field(min_length=6, max_length=6)
    county_name: str | None = Field(default=None, max_length=60)
    divisions: list[DivisionBody] = Field(min_length=1, max_length=5000)


@router.post("/programmes", status_code=201)
async def post_programme(
    body: DefineProgrammeBody, registry: Registry, actor: CurrentActor, key: IdempotencyKey = None
) -> dict[str, object]:
    """Define a programme (设立补贴项目) as version 1, within the caller's jurisdiction.
    Retrying with the same key is safe."""
    context = request_context(actor, key)
    with _answering():
        command = programme.DefineProgramme(body.code, _valid(body, context), _today(context))
        authorize(actor, Action.CATALOGUE_WRITE, command.terms.jurisdiction)
        done = await catalogue.define_programme(
            store=registry.store, codec=registry.codec, command=command, context=context
        )
    return {"code": body.code, "version": 1, "defined": done.appended is not None}


@router.put("/programmes/{code}")
async def put_programme(
    code: ProgrammeCode,
    body: ReviseProgrammeBody,
    registry: Registry,
    actor: CurrentActor,
    key: IdempotencyKey = None,
) -> dict[str, object]:
    """Revise a programme (修订): the full new terms and the reason; they become the next
    version, and rounds drafted under earlier versions keep theirs."""
    context = request_context(actor, key)
    with _answering():
        terms = _valid(body, context)
        await _authorize_programme(registry, actor, code)
        command = programme.ReviseProgramme(code, terms, body.reason, _today(context))
        done = await catalogue.revise_programme(
            store=registry.store, codec=registry.codec, command=command, context=context
        )
    return {"code": code, "version": done.state.version, "revised": done.appended is not None}


@router.post("/programmes/{code}/retire")
async def retire_programme(
    code: ProgrammeCode,
    body: RetireProgrammeBody,
    registry: Registry,
    actor: CurrentActor,
    key: IdempotencyKey = None,
) -> dict[str, object]:
    """Retire a programme (停止执行): it takes no new rosters."""
    context = request_context(actor, key)
    with _answering():
        await _authorize_programme(registry, actor, code)
        command = programme.RetireProgramme(code, body.reason, _today(context))
        done = await catalogue.retire_programme(
            store=registry.store, codec=registry.codec, command=command, context=context
        )
    return {
        "code": code,
        "retired_on": str(done.state.retired_on),
        "retired": done.appended is not None,
    }


@router.get("/programmes/{code}")
async def get_programme(
    code: ProgrammeCode, registry: Registry, actor: CurrentActor
) -> dict[str, Any]:
    """A programme's current terms and every version with who made it, when and why."""
    record = await catalogue.load_programme(store=registry.store, codec=registry.codec, code=code)
    if record is None:
        raise _api_error(refusals.programme_unknown(code))
    state = record.programme
    return {
        "code": state.code,
        "version": state.version,
        "status": "retired" if state.retired_on else "active",
        "retired_on": state.retired_on.isoformat() if state.retired_on else None,
        "terms": state.terms.model_dump(mode="json"),
        "history": [_history_entry(state, change) for change in record.changes],
    }


@router.post("/divisions", status_code=201)
async def post_divisions(
    body: RegisterDivisionsBody,
    registry: Registry,
    actor: CurrentActor,
    key: IdempotencyKey = None,
) -> dict[str, object]:
    """Register townships and villages of a county (登记乡镇、村) of the caller's
    jurisdiction; all or none."""
    context = request_context(actor, key)
    entries = tuple(divisions.DivisionEntry(d.code, d.name) for d in body.divisions)
    command = divisions.RegisterDivisions(
        body.county_code, entries, _today(context), body.county_name
    )
    with _answering():
        divisions.check_county(body.county_code, year=command.today.year)
        authorize(actor, Action.CATALOGUE_WRITE, body.county_code)
        done = await catalogue.register_division(
            store=registry.store, codec=registry.codec, command=command, context=context
        )
    return {"county_code": body.county_code, "registered": len(done.events)}


@router.get("/divisions/{code}")
async def get_division(
    code: DivisionCode, registry: Registry, actor: CurrentActor
) -> dict[str, Any]:
    """A division: its level, name, parent and the registered divisions below it."""
    if not divisions.is_division_code(code):
        raise _api_error(refusals.invalid_division_code(code, "应为2、4、6、9或12位数字"))
    level = divisions.level_of(code)
    county = divisions.county_of(code)
    registered = None
    if county is not None:
        registered = await catalogue.load_divisions(
            store=registry.store, codec=registry.codec, county_code=county
        )
    name, in_use = _division_name(code, registered)
    if name is None:
        raise _api_error(refusals.division_unknown(code))
    children = registered.children(code) if registered else []
    return {
        "code": code,
        "level": level,
        "name": name,
        "in_use": in_use,
        "parent": divisions.parent(code),
        "children": [{"code": c, "name": n} for c, n in children],
    }


def _valid(body: TermsBody, context: CommandContext) -> programme.ProgrammeTerms:
    """The body's terms, refused (422) when no one could enter them, before anyone's right
    to is asked."""
    terms = body.terms()
    programme.check_terms(terms, today=_today(context))
    return terms


async def _authorize_programme(registry: RegistryApp, actor: Actor, code: str) -> None:
    """Refuse unless the actor may change the catalogue where the programme applies (an
    unknown programme: wherever the actor may, and the command then says it is unknown)."""
    record = await catalogue.load_programme(store=registry.store, codec=registry.codec, code=code)
    if record is None:
        authorize_role(actor, Action.CATALOGUE_WRITE)
        return
    authorize(actor, Action.CATALOGUE_WRITE, record.programme.terms.jurisdiction)


def _today(context: CommandContext) -> date:
    return context.at.astimezone(SHANGHAI).date()


@contextmanager
def _answering() -> Iterator[None]:
    """Refusals and lost races as the service's error shape; nothing was stored."""
    try:
        with answering():
            yield
    except WrongExpectedVersion:
        raise ApiError(409, *HTTP_MESSAGES[409]) from None


def _api_error(refused: Refused) -> ApiError:
    return ApiError(refused.status, refused.code, refused.message)


def _history_entry(
    state: programme.Programme, change: catalogue.ProgrammeChange
) -> dict[str, object]:
    retired = change.event_type == programme.ProgrammeRetired.event_type
    terms = None if retired else state.terms_at_version(change.version).model_dump(mode="json")
    return {
        "version": change.version,
        "event_type": change.event_type,
        "reason": change.reason,
        "occurred_at": change.occurred_at.isoformat(),
        "user_id": change.user_id,
        "terms": terms,
    }


def _division_name(
    code: str, registered: divisions.CountyDivisions | None
) -> tuple[str | None, bool]:
    """The name and whether it is in use: GB/T 2260 down to counties, the county's register
    below."""
    if len(code) <= 6:
        names = divisions.official_names(code)
        current = divisions.official_name(code, year=request_now().astimezone(SHANGHAI).year)
        if current is not None:
            return current, True
        return (names[-1].name, False) if names else (None, False)
    name = registered.names.get(code) if registered else None
    return name, name is not None
