"""``onecard programmes list|show|define|change|retire``: the programme catalogue (补贴政策清单)
from the server's shell.

Reading needs nobody's name. A change acts as a named operator (``--operator``, ``--role``,
``--operator-division``) held to the same policy as the API (``catalogue.write`` where the
programme applies), and is stored as the catalogue's events under their name: a definition
is version 1, a change the next version with its reason (rounds drafted earlier keep
theirs). Money is typed in yuan as decimal text (``95.50``) and kept exact, never as a float.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn, TypeVar

import typer

from contracts.envelope import Actor
from contracts.refusals import Refused
from contracts.zones import SHANGHAI
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.identity.permissions import Action, Forbidden, authorize
from infra.settings import get_settings
from infra.wiring import make_cipher, make_clock, open_store
from services.registry.application import catalogue
from services.registry.domain import programme, programme_refusals
from services.registry.domain.events import REGISTRY_EVENTS
from services.registry.domain.validation_fields import (
    exact_fen,
    has_fraction_of_fen,
    is_plain_number,
)

app = typer.Typer(no_args_is_help=True, help="The programme catalogue (补贴政策清单).")
T = TypeVar("T")
_PAGE = 1000

OPERATOR = typer.Option(..., help="The operator's user id.")
ROLE = typer.Option("county_department_operator", help="The role the operator acts in.")
DIVISION = typer.Option(..., "--operator-division", help="Division code the role is held for.")
NAME = typer.Option(None, "--name", help="Standard name (标准名称), as SMS and notices say it.")
DEPARTMENT = typer.Option(None, help="Owning department (主管部门).")
FUNDING = typer.Option(None, "--funding-source", help="Funding source (资金来源).")
UNIT = typer.Option(None, help="Unit (亩, 人, 户, 头, 月…).")
STANDARD = typer.Option(None, "--unit-standard", help="Yuan per unit, e.g. 95.50.")
FIXED = typer.Option(None, "--fixed-amount", help="The same yuan for everyone.")
LOWEST = typer.Option(None, "--min-amount", help="Least yuan per person.")
HIGHEST = typer.Option(None, "--max-amount", help="Most yuan per person.")
NOTICE = typer.Option(None, "--notice-days", help="Working days of public notice.")
CONFIDENTIAL = typer.Option(None, "--confidential/--public", help="Not shown in public notices.")
JURISDICTION = typer.Option(None, "--jurisdiction", help="Where it applies (2, 4 or 6 digits).")
VALID_FROM = typer.Option(None, "--valid-from", help="First day, YYYY-MM-DD.")
VALID_TO = typer.Option(None, "--valid-to", help="Last day, YYYY-MM-DD ('' for none).")
ALIASES = typer.Option(None, "--alias", help="Another name a roster may use (repeatable).")
POLICY = typer.Option(None, "--list-policy", help="KIND=reject|warn|ignore (repeatable).")


@app.command("list")
def list_programmes() -> None:
    """Every programme: code, version, status, name, money, notice days, where, when."""
    for record in _run(_all_programmes):
        state, terms = record.programme, record.programme.terms
        status = f"停用({state.retired_on})" if state.retired_on else "执行中"
        money = _money(terms)
        period = f"{terms.valid_from}~{terms.valid_to or ''}"
        notice = f"公示{terms.notice_working_days}个工作日"
        fields = (state.code, f"v{state.version}", status, terms.standard_name, money)
        typer.echo("\t".join((*fields, notice, terms.jurisdiction, period)))


@app.command("show")
def show(code: str = typer.Argument(...)) -> None:
    """One programme's current terms and every version: who, when, why."""
    record = _run(
        lambda store, codec: catalogue.load_programme(store=store, codec=codec, code=code)
    )
    if record is None:
        _fail(programme_refusals.programme_unknown(code))
    typer.echo(record.programme.terms.model_dump_json(indent=1))
    for change in record.changes:
        when = change.occurred_at.astimezone(SHANGHAI).isoformat(timespec="seconds")
        fields = (f"v{change.version}", change.event_type, when, change.user_id)
        typer.echo("\t".join((*fields, change.reason or "")))


@app.command("define")
def define(
    code: str = typer.Argument(..., help="Programme code, upper case (e.g. GDDLBH)."),
    operator: str = OPERATOR, role: str = ROLE, division: str = DIVISION,
    name: str | None = NAME, department: str | None = DEPARTMENT, funding: str | None = FUNDING,
    unit: str | None = UNIT, standard: str | None = STANDARD, fixed: str | None = FIXED,
    lowest: str | None = LOWEST, highest: str | None = HIGHEST, notice: int | None = NOTICE,
    confidential: bool | None = CONFIDENTIAL, jurisdiction: str | None = JURISDICTION,
    valid_from: str | None = VALID_FROM, valid_to: str | None = VALID_TO,
    alias: list[str] | None = ALIASES, policy: list[str] | None = POLICY,
) -> None:  # fmt: skip
    """Enter a programme in the catalogue as version 1."""
    given = _given(locals())
    actor = Actor(user_id=operator, role=role, jurisdiction_code=division)

    async def run(store: EventStore, codec: EventCodec) -> bool:
        context = _context(actor)
        terms = _terms(None, given)
        authorize(actor, Action.CATALOGUE_WRITE, terms.jurisdiction)
        command = programme.DefineProgramme(code, terms, _today(context))
        done = await catalogue.define_programme(
            store=store, codec=codec, command=command, context=context
        )
        return done.appended is not None

    typer.echo(f"{code} v1 {'defined' if _run(run) else 'already defined'}")


@app.command("change")
def change(
    code: str = typer.Argument(...),
    reason: str = typer.Option(..., help="Why the terms change (修订原因)."),
    operator: str = OPERATOR, role: str = ROLE, division: str = DIVISION,
    name: str | None = NAME, department: str | None = DEPARTMENT, funding: str | None = FUNDING,
    unit: str | None = UNIT, standard: str | None = STANDARD, fixed: str | None = FIXED,
    lowest: str | None = LOWEST, highest: str | None = HIGHEST, notice: int | None = NOTICE,
    confidential: bool | None = CONFIDENTIAL, jurisdiction: str | None = JURISDICTION,
    valid_from: str | None = VALID_FROM, valid_to: str | None = VALID_TO,
    alias: list[str] | None = ALIASES, policy: list[str] | None = POLICY,
) -> None:  # fmt: skip
    """Make the current terms, with the options given changed, the next version."""
    given = _given(locals())
    actor = Actor(user_id=operator, role=role, jurisdiction_code=division)

    async def run(store: EventStore, codec: EventCodec) -> tuple[int, bool]:
        context = _context(actor)
        current = await _current(store, codec, code, actor)
        command = programme.ReviseProgramme(
            code, _terms(current.terms, given), reason, _today(context)
        )
        done = await catalogue.revise_programme(
            store=store, codec=codec, command=command, context=context
        )
        return done.state.version, done.appended is not None

    version, changed = _run(run)
    typer.echo(f"{code} v{version} {'changed' if changed else 'unchanged'}")


@app.command("retire")
def retire(
    code: str = typer.Argument(...),
    reason: str = typer.Option(..., help="Why it stops (停止执行原因)."),
    operator: str = OPERATOR,
    role: str = ROLE,
    division: str = DIVISION,
) -> None:
    """Retire a programme from today: it takes no new rosters."""
    actor = Actor(user_id=operator, role=role, jurisdiction_code=division)

    async def run(store: EventStore, codec: EventCodec) -> date | None:
        context = _context(actor)
        await _current(store, codec, code, actor)
        command = programme.RetireProgramme(code, reason, _today(context))
        done = await catalogue.retire_programme(
            store=store, codec=codec, command=command, context=context
        )
        return done.state.retired_on

    typer.echo(f"{code} retired on {_run(run)}")


_TERM_OPTIONS = {
    "name": "standard_name", "department": "department", "funding": "funding_source",
    "unit": "unit", "notice": "notice_working_days", "confidential": "confidential",
    "jurisdiction": "jurisdiction", "valid_from": "valid_from", "valid_to": "valid_to",
    "standard": "unit_standard", "fixed": "fixed_amount_fen", "lowest": "min_amount_fen",
    "highest": "max_amount_fen", "alias": "aliases", "policy": "list_policy",
}  # fmt: skip
"""Command option → ``ProgrammeTerms`` field."""


def _given(options: dict[str, Any]) -> dict[str, Any]:
    """The terms the options set, converted (yuan to fen, text to dates); None: not given."""
    given = {_TERM_OPTIONS[k]: v for k, v in options.items() if k in _TERM_OPTIONS}
    given = {field: value for field, value in given.items() if value not in (None, [])}
    for field in ("fixed_amount_fen", "min_amount_fen", "max_amount_fen"):
        if field in given:
            given[field] = _fen(given[field])
    if "unit_standard" in given:
        given["unit_standard"] = _yuan(given["unit_standard"])
    for field in ("valid_from", "valid_to"):
        if field in given:
            given[field] = _date(given[field])
    if "list_policy" in given:
        given["list_policy"] = dict(_policy(entry) for entry in given["list_policy"])
    if "aliases" in given:
        given["aliases"] = tuple(given["aliases"])
    return given


def _terms(
    current: programme.ProgrammeTerms | None, given: dict[str, Any]
) -> programme.ProgrammeTerms:
    """The current terms with ``given`` changed (list kinds not named keep their action);
    for a new programme, ``given`` alone (the notice length defaults to the jurisdiction's
    minimum)."""
    base: dict[str, Any] = {"unit_standard": None, "fixed_amount_fen": None}
    base |= {"min_amount_fen": 1, "max_amount_fen": None, "confidential": False}
    base |= {"valid_to": None}
    values = {**(current.model_dump() if current else base), **given}
    if current is not None and "list_policy" in given:
        values["list_policy"] = {**current.list_policy, **given["list_policy"]}
    if "notice_working_days" not in values and "jurisdiction" in values:
        values["notice_working_days"] = programme.notice_minimum(values["jurisdiction"])
    try:
        return programme.ProgrammeTerms.model_validate(values)
    except ValueError as error:
        raise typer.BadParameter(f"补贴项目条款不完整或不符合要求：{error}") from None


async def _current(
    store: EventStore, codec: EventCodec, code: str, actor: Actor
) -> programme.Programme:
    record = await catalogue.load_programme(store=store, codec=codec, code=code)
    if record is None:
        raise programme_refusals.programme_unknown(code)
    authorize(actor, Action.CATALOGUE_WRITE, record.programme.terms.jurisdiction)
    return record.programme


async def _all_programmes(store: EventStore, codec: EventCodec) -> list[catalogue.ProgrammeRecord]:
    """Every programme ever defined, by code: found in the log by the type of its first
    event (the catalogue has no read model of its own; the log is read once)."""
    codes: set[str] = set()
    after = 0
    while page := await store.read_all(after=after, limit=_PAGE):
        for record in page:
            if record.event_type == programme.ProgrammeDefined.event_type:
                codes.add(record.stream_id.removeprefix(catalogue.programme_stream("")))
        after = page[-1].position
    found = [await catalogue.load_programme(store=store, codec=codec, code=c) for c in codes]
    return sorted((r for r in found if r is not None), key=lambda r: r.programme.code)


def _money(terms: programme.ProgrammeTerms) -> str:
    if terms.unit_standard is not None:
        money = f"{terms.unit_standard}元/{terms.unit}"
    elif terms.fixed_amount_fen is not None:
        money = f"定额{_yuan_text(terms.fixed_amount_fen)}元"
    else:
        money = "按人核定"
    if terms.max_amount_fen is not None:
        money += f"，每人最高{_yuan_text(terms.max_amount_fen)}元"
    return money


def _yuan_text(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _fen(text: str) -> int:
    if not is_plain_number(text) or has_fraction_of_fen(text):
        raise typer.BadParameter(f"金额应为元，最多两位小数，如 500.00（收到 {text!r}）")
    return exact_fen(text)


def _yuan(text: str) -> Decimal:
    if not is_plain_number(text):
        raise typer.BadParameter(f"单位标准应为元，如 95.50（收到 {text!r}）")
    return Decimal(text)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise typer.BadParameter(f"日期应为 YYYY-MM-DD（收到 {text!r}）") from None


def _policy(entry: str) -> tuple[str, str]:
    kind, _, action = entry.partition("=")
    if action not in ("reject", "warn", "ignore"):
        raise typer.BadParameter(f"名单规则应为 类别=reject|warn|ignore（收到 {entry!r}）")
    return kind, action


def _context(actor: Actor) -> CommandContext:
    return CommandContext(
        actor=actor,
        at=make_clock(get_settings()).now(),
        correlation_id=uuid.uuid4(),
        idempotency_key=str(uuid.uuid4()),
    )


def _today(context: CommandContext) -> date:
    return context.at.astimezone(SHANGHAI).date()


def _run(work: Callable[[EventStore, EventCodec], Awaitable[T]]) -> T:
    try:
        return asyncio.run(_with_store(work))
    except (Refused, Forbidden) as refused:
        _fail(refused)


async def _with_store(work: Callable[[EventStore, EventCodec], Awaitable[T]]) -> T:
    settings = get_settings()
    store = await open_store(settings)
    try:
        return await work(store, EventCodec(registry=REGISTRY_EVENTS, cipher=make_cipher(settings)))
    finally:
        await store.close()


def _fail(refused: Refused | Forbidden) -> NoReturn:
    typer.echo(f"{refused.code}: {refused.message}", err=True)
    raise typer.Exit(1)
