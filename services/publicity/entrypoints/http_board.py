"""The public notice board of a township: an HTML page anyone can open (and print), and the
same as JSON. No login; only masked data and public programmes (002 §3(2))."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, JSONResponse

from infra.clock import today_in_china
from services.publicity.application.notice_queries import (
    BoardNotice,
    notice_board,
    township_name,
)
from services.publicity.entrypoints.http import Publicity, PublicityApp
from services.publicity.entrypoints.pages import page

router = APIRouter(tags=["publicity: public notice"])
TownshipCode = Annotated[str, Path(pattern=r"^[0-9]{9}$")]


async def _board(publicity: PublicityApp, code: str) -> tuple[str, list[BoardNotice]]:
    async with publicity.projections.transaction() as conn:
        notices = await notice_board(conn, code)
        name = await township_name(conn, code)
    return name or f"乡镇（{code}）", notices


@router.get("/notices/townships/{code}.json")
async def get_notice_board_json(publicity: Publicity, code: TownshipCode) -> JSONResponse:
    """The township's notices up now, with their rows, masked; and where to report."""
    name, notices = await _board(publicity, code)
    body: dict[str, Any] = {
        "township_code": code,
        "township_name": name,
        "reporting": asdict(publicity.reporting),
        "notices": [_notice_json(notice) for notice in notices],
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _notice_json(notice: BoardNotice) -> dict[str, Any]:
    shown = asdict(notice)
    shown["starts_on"] = notice.starts_on.isoformat()
    shown["ends_on"] = notice.ends_on.isoformat()
    return shown


@router.get("/notices/townships/{code}", response_class=HTMLResponse)
async def get_notice_board(publicity: Publicity, code: TownshipCode) -> HTMLResponse:
    """The township's public notice page (公示栏), printable."""
    name, notices = await _board(publicity, code)
    return page(
        "notice_board.html",
        township_name=name,
        notices=notices,
        today=today_in_china(publicity.clock),
        form_token=uuid.uuid4().hex,
        reporting=publicity.reporting,
    )
