"""The officials' view of one roster's notice: its state and every objection, read from the
notice's stream (objections are private events: they never reach the bus or a projection).
The objector's contact is shown masked, like every output (``contracts.masking``)."""

from __future__ import annotations

from typing import Any

from contracts.masking import mask_name
from contracts.working_days import ScheduleUnknown
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from services.publicity.application.streams import notice_stream
from services.publicity.domain.events import ObjectionFiled
from services.publicity.domain.notice import Notice, Objection, evolve


async def notice_detail(
    store: EventStore, codec: EventCodec, roster_id: str
) -> tuple[Notice, dict[str, Any]] | None:
    """The notice's state and how an official sees it with its objections (None: the roster
    was never noticed)."""
    state: Notice | None = None
    filed: dict[str, tuple[ObjectionFiled, str]] = {}
    for record in await store.read_stream(notice_stream(roster_id)):
        event = codec.decode(record).event
        state = evolve(state, event)
        if isinstance(event, ObjectionFiled):
            filed[event.objection_id] = (event, record.recorded_at.isoformat())
    if state is None:
        return None
    objections = [
        _shown_objection(objection, *filed[objection.objection_id])
        for objection in state.objections.values()
    ]
    return state, _shown_notice(state, objections)


def _shown_objection(objection: Objection, event: ObjectionFiled, at: str) -> dict[str, Any]:
    return {
        "objection_id": objection.objection_id,
        "submission_no": objection.submission_no,
        "row_no": objection.row_no,
        "filed_at": at,
        "reason": event.reason,
        "contact_name": mask_name(event.contact_name) if event.contact_name else None,
        "contact_phone": event.contact_phone.masked() if event.contact_phone else None,
        "status": _objection_status(objection.upheld),
        "finding": objection.finding,
    }


def _shown_notice(notice: Notice, objections: list[dict[str, Any]]) -> dict[str, Any]:
    waiting = notice.status == "awaiting_schedule" and notice.awaiting_year is not None
    return {
        "roster_id": notice.roster_id,
        "submission_no": notice.submission_no,
        "township_code": notice.township_code,
        "programme_code": notice.programme_code,
        "round_id": notice.round_id,
        "public": notice.public,
        "status": notice.status,
        "starts_on": notice.starts_on.isoformat() if notice.starts_on else None,
        "ends_on": notice.ends_on.isoformat() if notice.ends_on else None,
        "working_days": notice.working_days,
        "waiting": _waiting(notice.awaiting_year) if waiting else None,
        "objections": objections,
    }


def _objection_status(upheld: bool | None) -> str:
    return "open" if upheld is None else ("upheld" if upheld else "dismissed")


def _waiting(year: int | None) -> dict[str, object]:
    unknown = ScheduleUnknown(year or 0)
    return {"code": unknown.code, "message": unknown.message, "year": year}
