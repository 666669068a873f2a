"""The public disclosure after payment (发放结果公开公示, 002 §3(2); 003 §4(5)): per township
and programme, the rows paid, masked, with amounts and dates; as a printable page and JSON.
No login; confidential programmes never appear (the same 404 as a programme with nothing
paid, so a page tells nothing of a confidential one)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, JSONResponse

from infra.http.errors import ApiError
from services.publicity.application.disclosure_queries import (
    DisclosedRound,
    programme_disclosure,
    township_disclosures,
)
from services.publicity.application.notice_queries import township_name
from services.publicity.entrypoints.http import Publicity, PublicityApp
from services.publicity.entrypoints.http_board import TownshipCode
from services.publicity.entrypoints.pages import HEADERS, page

router = APIRouter(tags=["publicity: disclosure"])
ProgrammeCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,32}$")]
NOTHING_DISCLOSED = ("nothing_disclosed", "该乡镇此补贴项目暂无发放结果公示")


async def _index(publicity: PublicityApp, code: str) -> dict[str, Any]:
    async with publicity.projections.transaction() as conn:
        programmes = await township_disclosures(conn, code)
        name = await township_name(conn, code)
    return {
        "township_code": code,
        "township_name": name or f"乡镇（{code}）",
        "programmes": [
            {
                **row,
                "last_paid_on": row["last_paid_on"].isoformat(),
                "paid_fen": int(row["paid_fen"]),
            }
            for row in programmes
        ],
    }


@router.get("/disclosures/townships/{code}.json")
async def get_disclosure_index_json(publicity: Publicity, code: TownshipCode) -> JSONResponse:
    """The township's public programmes with payments disclosed."""
    body = {**await _index(publicity, code), "reporting": asdict(publicity.reporting)}
    return JSONResponse(body, headers=HEADERS)


@router.get("/disclosures/townships/{code}", response_class=HTMLResponse)
async def get_disclosure_index(publicity: Publicity, code: TownshipCode) -> HTMLResponse:
    shown = await _index(publicity, code)
    return page("disclosure_index.html", reporting=publicity.reporting, **shown)


async def _programme(publicity: PublicityApp, code: str, programme: str) -> dict[str, Any]:
    async with publicity.projections.transaction() as conn:
        rounds = await programme_disclosure(conn, code, programme)
        name = await township_name(conn, code)
    if not rounds:
        raise ApiError(404, *NOTHING_DISCLOSED)
    return {
        "township_code": code,
        "township_name": name or f"乡镇（{code}）",
        "programme_code": programme,
        "programme_name": rounds[0].programme_name,
        "rounds": rounds,
    }


@router.get("/disclosures/townships/{code}/programmes/{programme}.json")
async def get_disclosure_json(
    publicity: Publicity, code: TownshipCode, programme: ProgrammeCode
) -> JSONResponse:
    """One programme's paid rows in the township, per round, masked."""
    shown = await _programme(publicity, code, programme)
    body = {
        **shown,
        "rounds": [_round_json(r) for r in shown["rounds"]],
        "reporting": asdict(publicity.reporting),
    }
    return JSONResponse(body, headers=HEADERS)


@router.get("/disclosures/townships/{code}/programmes/{programme}", response_class=HTMLResponse)
async def get_disclosure(
    publicity: Publicity, code: TownshipCode, programme: ProgrammeCode
) -> HTMLResponse:
    """The printable disclosure page (补贴资金发放情况公示)."""
    shown = await _programme(publicity, code, programme)
    return page("disclosure.html", reporting=publicity.reporting, **shown)


def _round_json(shown: DisclosedRound) -> dict[str, Any]:
    return {
        "roster_id": shown.roster_id,
        "round_id": shown.round_id,
        "rows_paid": len(shown.paid),
        "paid_fen": shown.paid_fen,
        "rows_unpaid": shown.unpaid,
        "rows_returned": shown.returned,
        "rows": [{**asdict(row), "paid_on": row.paid_on.isoformat()} for row in shown.paid],
    }
