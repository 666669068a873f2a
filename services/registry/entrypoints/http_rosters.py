"""The roster HTTP API (发放清册): draft, upload a file as an import job, read the summary,
download the template and the rejected rows, remove a row, submit, withdraw.

An upload answers at once (202) with a job to poll: a large file takes a while, and the
import is atomic, so a job lost with a restart stored nothing and the same upload again
is safe (the file's content hash makes it one import).
"""

from __future__ import annotations

import asyncio
import io
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from contracts.zones import local_date
from infra.http.actor import CurrentActor
from infra.http.errors import ApiError
from services.registry.adapters.roster_export import (
    template_csv,
    write_rejected_rows,
    write_template_xlsx,
)
from services.registry.adapters.roster_files import ImportLimits, RosterFileError, open_roster
from services.registry.adapters.tables import TABLES
from services.registry.application.catalogue import load_programme
from services.registry.application.context import CommandContext
from services.registry.application.cross_checks import load_cross_checks, load_round
from services.registry.application.enter_rows import correct_row, enter_row
from services.registry.application.import_roster import Checks, ImportReport, import_roster_file
from services.registry.application.roster_commands import (
    draft_roster,
    load_roster,
    remove_row,
    submit_roster,
    withdraw_roster,
)
from services.registry.application.rows_to_fix import rows_to_fix
from services.registry.domain.events import RosterRow
from services.registry.domain.programme_rules import validation_rules
from services.registry.domain.refusals import Refused
from services.registry.domain.roster import (
    DraftRoster,
    RemoveRow,
    Roster,
    SubmitRoster,
    WithdrawRoster,
)
from services.registry.domain.roster_rows import Column
from services.registry.entrypoints.http import Registry, answering, request_context

router = APIRouter(tags=["rosters"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]
RosterId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_\-]{1,48}$")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_UPLOAD_CHUNK = 1 << 20


class DraftBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    roster_id: str = Field(pattern=r"^[A-Za-z0-9_\-]{1,48}$")
    programme_code: str = Field(min_length=1, max_length=32)
    township_code: str = Field(pattern=r"^\d{9}$")
    round_id: str = Field(pattern=r"^[A-Za-z0-9_\-.]{1,32}$")


class ReasonBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    reason: str = Field(min_length=1, max_length=200)


@dataclass
class ImportJob:
    job_id: str
    roster_id: str
    file_name: str
    status: Literal["running", "done", "failed"] = "running"
    rows_done: int = 0
    report: ImportReport | None = None
    error: dict[str, str] | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    def view(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "job_id": self.job_id,
            "roster_id": self.roster_id,
            "file_name": self.file_name,
            "status": self.status,
            "rows_done": self.rows_done,
        }
        if self.report is not None:
            summary = self.report.summary
            answer["already_imported"] = self.report.already_imported
            answer["summary"] = {
                "rows": summary.rows,
                "accepted": summary.accepted,
                "warned": summary.warned,
                "rejected": summary.rejected,
                "by_rule": dict(summary.by_rule),
                "payable_fen": summary.payable_fen,
            }
            answer["rejected_lines"] = [
                {"line_no": line, "rules": list(rules)}
                for line, rules in self.report.rejected_lines
            ]
        if self.error is not None:
            answer["error"] = self.error
        return answer


ImportJobs = dict[str, ImportJob]
"""The import jobs this process runs, by id (``app.state.roster_jobs``, set by bootstrap)."""


def _jobs(request: Request) -> ImportJobs:
    jobs: ImportJobs = request.app.state.roster_jobs
    return jobs


@router.get("/rosters/template.xlsx", response_class=Response)
async def get_template_xlsx() -> Response:
    """The roster template (发放清册模板) with the standard Chinese headers."""
    buffer = io.BytesIO()
    write_template_xlsx(buffer)
    headers = {"Content-Disposition": "attachment; filename*=UTF-8''roster-template.xlsx"}
    return Response(buffer.getvalue(), media_type=XLSX, headers=headers)


@router.get("/rosters/template.csv", response_class=Response)
async def get_template_csv() -> Response:
    headers = {"Content-Disposition": "attachment; filename*=UTF-8''roster-template.csv"}
    return Response(template_csv(), media_type="text/csv; charset=utf-8", headers=headers)


@router.post("/rosters", status_code=201)
async def post_roster(
    body: DraftBody, registry: Registry, actor: CurrentActor, idempotency_key: IdempotencyKey = None
) -> dict[str, object]:
    """Draft a roster of one programme (at its current catalogue version), township, round."""
    with answering():
        record = await load_programme(
            store=registry.store, codec=registry.codec, code=body.programme_code
        )
        if record is None:
            raise Refused("programme_unknown", f"补贴项目 {body.programme_code} 不存在", status=404)
        command = DraftRoster(
            body.roster_id,
            body.programme_code,
            record.programme.version,
            body.township_code,
            body.round_id,
        )
        result = await draft_roster(
            store=registry.store,
            codec=registry.codec,
            command=command,
            context=request_context(actor, idempotency_key),
        )
    return {
        "roster_id": body.roster_id,
        "programme_version": record.programme.version,
        "drafted": result is not None,
    }


@router.get("/rosters/{roster_id}")
async def get_roster(
    roster_id: RosterId, registry: Registry, actor: CurrentActor
) -> dict[str, object]:
    """The roster's header, status and counts per verdict and rule."""
    state, _ = await load_roster(registry.store, registry.codec, roster_id)
    if state is None:
        raise ApiError(404, "roster_not_found", "清册不存在")
    verdicts = [row.verdict for row in state.rows.values()]
    by_rule: dict[str, int] = {}
    for row in state.rows.values():
        for rule in row.rules:
            by_rule[rule] = by_rule.get(rule, 0) + 1
    return {
        "roster_id": state.roster_id,
        "programme_code": state.programme_code,
        "programme_version": state.programme_version,
        "township_code": state.township_code,
        "round_id": state.round_id,
        "status": state.status,
        "rows": len(verdicts),
        "accepted": verdicts.count("accepted"),
        "warned": verdicts.count("warned"),
        "rejected": verdicts.count("rejected"),
        "by_rule": dict(sorted(by_rule.items())),
        "payable_fen": state.payable_fen,
    }


@router.get("/rosters/{roster_id}/rejected.xlsx", response_class=Response)
async def get_rejected_rows(
    roster_id: RosterId, registry: Registry, actor: CurrentActor
) -> Response:
    """The rejected rows as an .xlsx to fix and import again, each with its rule codes and
    Chinese reasons; its 行号 column is the roster row number the fixed row replaces."""
    state, _ = await load_roster(registry.store, registry.codec, roster_id)
    if state is None:
        raise ApiError(404, "roster_not_found", "清册不存在")
    rows = await rows_to_fix(registry.store, registry.codec, roster_id)
    buffer = io.BytesIO()
    write_rejected_rows(buffer, rows)
    name = f"roster-{roster_id}-rejected.xlsx"
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
    return Response(buffer.getvalue(), media_type=XLSX, headers=headers)


@router.post("/rosters/{roster_id}/imports", status_code=202)
async def post_import(
    roster_id: RosterId,
    file: UploadFile,
    request: Request,
    registry: Registry,
    actor: CurrentActor,
) -> dict[str, object]:
    """Upload a roster file (.xlsx or .csv); it is checked whole, then imported as a job."""
    limits = ImportLimits()
    spool = tempfile.NamedTemporaryFile(prefix="onecard-roster-", delete=False)  # noqa: SIM115
    path = FilePath(spool.name)
    try:
        with spool:
            size = 0
            while chunk := await file.read(_UPLOAD_CHUNK):
                size += len(chunk)
                if size > limits.max_file_bytes:
                    raise ApiError(
                        413,
                        "roster_too_large",
                        f"文件超过上限 {limits.max_file_bytes // (1 << 20)} MB，请拆分后分批导入",
                    )
                spool.write(chunk)
        source = await asyncio.to_thread(open_roster, path, limits=limits)
    except RosterFileError as error:
        _discard(path)
        raise ApiError(422, error.code, error.message) from None
    except BaseException:
        _discard(path)
        raise
    job = ImportJob(uuid.uuid4().hex, roster_id, file.filename or "roster")
    context = request_context(actor, f"import/{roster_id}/{source.content_hash}")

    async def run() -> None:
        try:
            job.report = await _run_import(registry, roster_id, source, job, context)
            job.status = "done"
        except (Refused, RosterFileError) as error:
            job.status, job.error = "failed", {"code": error.code, "message": error.message}
        except Exception:
            job.status = "failed"
            job.error = {"code": "import_failed", "message": "导入失败，未保存任何数据，请稍后重试"}
            raise
        finally:
            _discard(path)

    job.task = asyncio.create_task(run(), name=f"roster-import-{job.job_id}")
    _jobs(request)[job.job_id] = job
    return job.view()


def _discard(path: FilePath) -> None:
    """Remove the spooled upload (a local unlink: quick enough for the event loop)."""
    path.unlink(missing_ok=True)


async def _checks_for(registry: Any, state: Roster, context: CommandContext) -> Checks:
    """What the roster's rows are validated against: its programme version's rules, the
    cross-check lists and the round's other rosters."""
    record = await load_programme(
        store=registry.store, codec=registry.codec, code=state.programme_code
    )
    if record is None:
        raise Refused("programme_unknown", f"补贴项目 {state.programme_code} 不存在", status=404)
    terms = record.programme.terms_at_version(state.programme_version)
    return Checks(
        validation_rules(state.programme_code, terms),
        local_date(context.at),
        await load_cross_checks(registry.store, registry.codec),
        await load_round(
            registry.store,
            registry.codec,
            programme_code=state.programme_code,
            round_id=state.round_id,
            except_roster=state.roster_id,
        ),
    )


async def _run_import(
    registry: Any, roster_id: str, source: Any, job: ImportJob, context: CommandContext
) -> ImportReport:
    state, _ = await load_roster(registry.store, registry.codec, roster_id)
    if state is None:
        raise Refused("roster_not_found", "清册不存在，请先新建清册", status=404)
    await registry.projections.create_tables(TABLES)
    checks = await _checks_for(registry, state, context)

    def progress(done: int) -> None:
        job.rows_done = done

    return await import_roster_file(
        store=registry.store,
        codec=registry.codec,
        projections=registry.projections,
        cipher=registry.index,
        roster_id=roster_id,
        source=source,
        file_name=job.file_name,
        checks=checks,
        context=context,
        progress=progress,
    )


@router.get("/rosters/{roster_id}/imports/{job_id}")
async def get_import(
    roster_id: RosterId, job_id: str, request: Request, actor: CurrentActor
) -> dict[str, object]:
    job = _jobs(request).get(job_id)
    if job is None or job.roster_id != roster_id:
        raise ApiError(
            404, "import_job_not_found", "导入任务不存在（服务重启后任务记录会清空，可重新上传）"
        )
    return job.view()


@router.post("/rosters/{roster_id}/rows/{row_no}/removal")
async def post_removal(
    roster_id: RosterId,
    row_no: Annotated[int, Path(ge=1)],
    body: ReasonBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    command = RemoveRow(roster_id, row_no, body.reason)
    with answering():
        result = await remove_row(
            store=registry.store,
            codec=registry.codec,
            command=command,
            context=request_context(actor, idempotency_key),
        )
    return {"roster_id": roster_id, "row_no": row_no, "removed": result is not None}


@router.post("/rosters/{roster_id}/submission")
async def post_submission(
    roster_id: RosterId,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Submit the roster for public notice (提交公示): every row must have passed."""
    with answering():
        result = await submit_roster(
            store=registry.store,
            codec=registry.codec,
            command=SubmitRoster(roster_id),
            context=request_context(actor, idempotency_key),
        )
    return {"roster_id": roster_id, "submitted": result is not None}


@router.post("/rosters/{roster_id}/withdrawal")
async def post_withdrawal(
    roster_id: RosterId,
    body: ReasonBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    with answering():
        result = await withdraw_roster(
            store=registry.store,
            codec=registry.codec,
            command=WithdrawRoster(roster_id, body.reason),
            context=request_context(actor, idempotency_key),
        )
    return {"roster_id": roster_id, "withdrawn": result is not None}


class RowBody(BaseModel):
    """One roster row as a clerk types it: amounts as decimal text (yuan), never floats."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    name: str = Field(min_length=1, max_length=64)
    citizen_id: str = Field(min_length=1, max_length=32)
    card_account: str = Field(default="", max_length=32)
    bank: str = Field(default="", max_length=64)
    programme: str = Field(default="", max_length=64)
    quantity: str = Field(default="", max_length=32)
    standard: str = Field(default="", max_length=32)
    amount: str = Field(min_length=1, max_length=32)
    village: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=20)
    household: str = Field(default="", max_length=64)
    remark: str = Field(default="", max_length=200)

    def cells(self) -> dict[Column, str]:
        return {Column(name): value for name, value in self.model_dump().items()}


class CorrectionBody(RowBody):
    reason: str = Field(min_length=1, max_length=200)

    def cells(self) -> dict[Column, str]:
        values = self.model_dump(exclude={"reason"})
        return {Column(name): value for name, value in values.items()}


def _row_view(row: RosterRow) -> dict[str, object]:
    return {
        "row_no": row.row_no,
        "verdict": row.verdict,
        "findings": [
            {"rule": rule, "message": message}
            for rule, message in zip(row.rules, row.messages, strict=False)
        ],
        "amount_fen": row.amount_fen,
    }


async def _draft_state(registry: Any, roster_id: str) -> Roster:
    state, _ = await load_roster(registry.store, registry.codec, roster_id)
    if state is None:
        raise Refused("roster_not_found", "清册不存在，请先新建清册", status=404)
    return state


@router.post("/rosters/{roster_id}/rows", status_code=201)
async def post_row(
    roster_id: RosterId,
    body: RowBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Enter one row (逐行录入); it is validated at once and its findings answered."""
    context = request_context(actor, idempotency_key)
    with answering():
        state = await _draft_state(registry, roster_id)
        await registry.projections.create_tables(TABLES)
        row = await enter_row(
            store=registry.store,
            codec=registry.codec,
            projections=registry.projections,
            cipher=registry.index,
            roster_id=roster_id,
            cells=body.cells(),
            checks=await _checks_for(registry, state, context),
            context=context,
        )
    return _row_view(row)


@router.put("/rosters/{roster_id}/rows/{row_no}")
async def put_row(
    roster_id: RosterId,
    row_no: Annotated[int, Path(ge=1)],
    body: CorrectionBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Correct one row with a reason (更正); it is validated again."""
    context = request_context(actor, idempotency_key)
    with answering():
        state = await _draft_state(registry, roster_id)
        await registry.projections.create_tables(TABLES)
        row = await correct_row(
            store=registry.store,
            codec=registry.codec,
            projections=registry.projections,
            cipher=registry.index,
            roster_id=roster_id,
            row_no=row_no,
            cells=body.cells(),
            reason=body.reason,
            checks=await _checks_for(registry, state, context),
            context=context,
        )
    return _row_view(row)
