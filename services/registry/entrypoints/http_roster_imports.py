"""Roster file uploads as import jobs: the upload answers at once (202) with a job to poll.

A large file takes a while, and the import is atomic, so a job lost with a restart stored
nothing and the same upload again is safe (the file's content hash makes it one import).
The caller's right to change the roster is checked before the file is even read.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any, Literal

from fastapi import APIRouter, Request, UploadFile

from contracts.refusals import Refused
from contracts.zones import local_date
from infra.command_context import CommandContext
from infra.http.actor import CurrentActor
from infra.http.context import request_context
from infra.http.errors import ApiError
from infra.identity.permissions import Action
from services.registry.adapters.roster_files import ImportLimits, RosterFileError, open_roster
from services.registry.adapters.tables import TABLES
from services.registry.application.catalogue import load_programme
from services.registry.application.cross_checks import load_cross_checks, load_round
from services.registry.application.import_roster import Checks, ImportReport, import_roster_file
from services.registry.application.roster_commands import load_roster
from services.registry.domain.programme_rules import validation_rules
from services.registry.domain.roster import Roster
from services.registry.entrypoints.http import Registry, RosterId
from services.registry.entrypoints.http_access import authorize_role, authorized_roster

router = APIRouter(tags=["rosters"])
_UPLOAD_CHUNK = 1 << 20


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


@router.post("/rosters/{roster_id}/imports", status_code=202)
async def post_import(
    roster_id: RosterId,
    file: UploadFile,
    request: Request,
    registry: Registry,
    actor: CurrentActor,
) -> dict[str, object]:
    """Upload a roster file (.xlsx or .csv); it is checked whole, then imported as a job."""
    await authorized_roster(registry, actor, roster_id, Action.ROSTER_WRITE)
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


@router.get("/rosters/{roster_id}/imports/{job_id}")
async def get_import(
    roster_id: RosterId, job_id: str, request: Request, registry: Registry, actor: CurrentActor
) -> dict[str, object]:
    """An import job's progress and, once done, its summary (no personal data)."""
    job = _jobs(request).get(job_id)
    if job is None or job.roster_id != roster_id:
        authorize_role(actor, Action.ROSTER_READ)
        raise ApiError(
            404, "import_job_not_found", "导入任务不存在（服务重启后任务记录会清空，可重新上传）"
        )
    await authorized_roster(registry, actor, roster_id, Action.ROSTER_READ)
    return job.view()


def _discard(path: FilePath) -> None:
    """Remove the spooled upload (a local unlink: quick enough for the event loop)."""
    path.unlink(missing_ok=True)


async def checks_for(registry: Any, state: Roster, context: CommandContext) -> Checks:
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
    checks = await checks_for(registry, state, context)

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
        workers=registry.import_workers,
    )
