"""``onecard roster …``: import a roster file from the command line, with a progress bar.

Parses the arguments, builds the command, calls the application; the summary is printed per
verdict and rule, with the first rejected lines and their Chinese reasons' codes.

The command line acts as a named operator (``--operator``, ``--role``, ``--jurisdiction``),
held to the same policy as the API: the operator's right is checked before anything is read
or stored, and every event it stores is attributed to them.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from contracts.envelope import Actor
from contracts.refusals import Refused
from contracts.zones import local_date
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.identity.permissions import Action, Forbidden, authorize
from infra.projections.database import ProjectionDatabase
from infra.settings import get_settings
from infra.wiring import make_cipher, open_store
from services.registry.adapters.import_workers import workers_for
from services.registry.adapters.roster_files import RosterFileError, open_roster
from services.registry.adapters.tables import TABLES
from services.registry.application.catalogue import load_programme
from services.registry.application.cross_checks import (
    import_cross_check_list,
    load_cross_checks,
    load_round,
)
from services.registry.application.import_roster import Checks, ImportReport, import_roster_file
from services.registry.application.roster_commands import draft_roster, load_roster
from services.registry.domain.events import REGISTRY_EVENTS
from services.registry.domain.programme_rules import validation_rules
from services.registry.domain.roster import DraftRoster

app = typer.Typer(no_args_is_help=True, help="Rosters (发放清册): import and validate.")
console = Console()


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=".xlsx or .csv roster"),
    roster: str = typer.Option(..., help="Roster id; drafted first when --programme is given."),
    programme: str | None = typer.Option(None, help="Programme code (to draft the roster)."),
    township: str | None = typer.Option(None, help="9-digit township code (to draft it)."),
    round_id: str | None = typer.Option(None, "--round", help="Round id (to draft it)."),
    operator: str = typer.Option(..., help="The operator's user id."),
    role: str = typer.Option("township_operator", help="The role the operator acts in."),
    jurisdiction: str = typer.Option(..., help="The division code the role is held for."),
) -> None:
    """Validate every row of FILE and store it in the roster (nothing stored on error)."""
    actor = Actor(user_id=operator, role=role, jurisdiction_code=jurisdiction)
    try:
        report = asyncio.run(_import(file, roster, programme, township, round_id, actor))
    except (Refused, RosterFileError, Forbidden) as error:
        console.print(f"[red]{error.code}[/red]: {error.message}")
        raise typer.Exit(1) from None
    _print(report)


async def _import(
    file: Path,
    roster_id: str,
    programme_code: str | None,
    township: str | None,
    round_id: str | None,
    actor: Actor,
) -> ImportReport:
    settings = get_settings()
    cipher = make_cipher(settings)
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
    store = await open_store(settings)
    projections = await ProjectionDatabase.open(settings.projection_url("registry"))
    now = datetime.now(UTC)
    try:
        state, _ = await load_roster(store, codec, roster_id)
        if state is None and programme_code and township and round_id:
            authorize(actor, Action.ROSTER_WRITE, township)
            record = await load_programme(store=store, codec=codec, code=programme_code)
            if record is None:
                raise Refused("programme_unknown", f"补贴项目 {programme_code} 不存在")
            command = DraftRoster(
                roster_id, programme_code, record.programme.version, township, round_id
            )
            await draft_roster(
                store=store, codec=codec, command=command, context=_context(actor, now)
            )
            state, _ = await load_roster(store, codec, roster_id)
        if state is None:
            raise Refused(
                "roster_not_found", "清册不存在：请用 --programme --township --round 新建"
            )
        authorize(actor, Action.ROSTER_WRITE, state.township_code)
        await projections.create_tables(TABLES)
        record = await load_programme(store=store, codec=codec, code=state.programme_code)
        if record is None:
            raise Refused("programme_unknown", f"补贴项目 {state.programme_code} 不存在")
        terms = record.programme.terms_at_version(state.programme_version)
        checks = Checks(
            validation_rules(state.programme_code, terms),
            local_date(now),
            await load_cross_checks(store, codec),
            await load_round(
                store,
                codec,
                programme_code=state.programme_code,
                round_id=state.round_id,
                except_roster=roster_id,
            ),
        )
        source = open_roster(file)
        with Progress(
            TextColumn("导入 {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task(file.name, total=None)
            return await import_roster_file(
                store=store,
                codec=codec,
                projections=projections,
                cipher=cipher,
                roster_id=roster_id,
                source=source,
                file_name=file.name,
                checks=checks,
                context=_context(actor, now, key=f"import/{roster_id}/{source.content_hash}"),
                progress=lambda done: bar.update(task, completed=done),
                workers=workers_for(
                    projections, key_file=settings.resolved_key_file, algorithm=settings.pii_cipher
                ),
            )
    finally:
        await projections.close()
        await store.close()


def _context(actor: Actor, now: datetime, *, key: str | None = None) -> CommandContext:
    return CommandContext(
        actor=actor,
        at=now,
        correlation_id=uuid.uuid4(),
        idempotency_key=key or str(uuid.uuid4()),
    )


def _print(report: ImportReport) -> None:
    if report.already_imported:
        console.print(f"该文件已导入清册 {report.roster_id}，未重复导入")
        return
    summary = report.summary
    console.print(
        f"清册 {report.roster_id}: {summary.rows} 行，通过 {summary.accepted}，"
        f"预警 {summary.warned}，未通过 {summary.rejected}；"
        f"应发金额 {summary.payable_fen // 100}.{summary.payable_fen % 100:02d} 元"
    )
    for rule, count in sorted(report.verdicts_by_rule.items(), key=lambda item: -item[1]):
        console.print(f"  {rule}: {count}")
    for line_no, rules in report.rejected_lines[:20]:
        console.print(f"  第{line_no}行: {', '.join(rules)}")


lists_app = typer.Typer(no_args_is_help=True, help="Cross-check lists (比对名单): import.")


@lists_app.command("import")
def import_list(
    kind: str = typer.Argument(..., help="deceased, public_servant, disabled, supported, …"),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=".csv or .xlsx of IDs"),
    operator: str = typer.Option(..., help="The operator's user id."),
    role: str = typer.Option("county_department_operator", help="The role the operator acts in."),
    jurisdiction: str = typer.Option(..., help="The division code the role is held for."),
) -> None:
    """Replace the list of KIND with the citizen IDs in FILE (kept as blind indexes only)."""
    actor = Actor(user_id=operator, role=role, jurisdiction_code=jurisdiction)
    try:
        authorize(actor, Action.LIST_IMPORT, jurisdiction)
        count, imported = asyncio.run(_import_list(kind, file, actor))
    except (Refused, RosterFileError, Forbidden) as error:
        console.print(f"[red]{error.code}[/red]: {error.message}")
        raise typer.Exit(1) from None
    verb = "已导入" if imported else "与上次导入的名单相同，未重复导入"
    console.print(f"{kind} 名单 {count} 人：{verb}")


async def _import_list(kind: str, file: Path, actor: Actor) -> tuple[int, bool]:
    settings = get_settings()
    cipher = make_cipher(settings)
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
    store = await open_store(settings)
    try:
        return await import_cross_check_list(
            store=store,
            codec=codec,
            cipher=cipher,
            kind=kind,
            path=file,
            context=_context(actor, datetime.now(UTC)),
        )
    finally:
        await store.close()
