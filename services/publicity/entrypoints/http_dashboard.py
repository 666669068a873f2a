"""The supervisors' dashboards (统计监管): per programme, area and month, as JSON and as a
page with bar charts drawn on the server. ``payment.read`` over the division: supervisors and
auditors over their region or prefecture, county roles over their county, township roles
over their township."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, JSONResponse

from infra.clock import today_in_china
from infra.http.actor import CurrentActor
from infra.identity.permissions import Action, authorize, division_prefix
from services.publicity.application.dashboard import dashboard
from services.publicity.application.dashboard_figures import Scope
from services.publicity.entrypoints.charts import bar_chart
from services.publicity.entrypoints.http import Publicity, PublicityApp
from services.publicity.entrypoints.pages import HEADERS, page, yuan

router = APIRouter(tags=["publicity: dashboards"])
DivisionCode = Annotated[str, Path(pattern=r"^[0-9]{6}([0-9]{3})?$")]
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
First = Annotated[str | None, Query(alias="from", pattern=MONTH)]
Last = Annotated[str | None, Query(alias="to", pattern=MONTH)]
Level = Annotated[Literal["township", "county"], Query()]
Programme = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.\-]{1,32}$")]


async def _shown(
    publicity: PublicityApp,
    code: str,
    level: Literal["township", "county"],
    programme: str | None,
    first: str | None,
    last: str | None,
) -> dict[str, Any]:
    months = (first or "0000-01", last or "9999-12") if first or last else None
    scope = Scope(division_prefix(code), level, programme, months)
    shown = await dashboard(
        store=publicity.store,
        codec=publicity.codec,
        projections=publicity.projections,
        scope=scope,
        today=today_in_china(publicity.clock),
    )
    filters = {"level": level, "programme": programme, "from": first, "to": last}
    return {"division_code": code, "filters": filters, **shown}


@router.get("/dashboards/{code}.json")
async def get_dashboard_json(
    publicity: Publicity,
    actor: CurrentActor,
    code: DivisionCode,
    level: Level = "township",
    programme: Programme = None,
    first: First = None,
    last: Last = None,
) -> JSONResponse:
    """Figures per programme, area and month; failure reasons; rounds overdue."""
    authorize(actor, Action.PAYMENT_READ, code)
    shown = await _shown(publicity, code, level, programme, first, last)
    return JSONResponse(shown, headers=HEADERS)


@router.get("/dashboards/{code}", response_class=HTMLResponse)
async def get_dashboard(
    publicity: Publicity,
    actor: CurrentActor,
    code: DivisionCode,
    level: Level = "township",
    programme: Programme = None,
    first: First = None,
    last: Last = None,
) -> HTMLResponse:
    """The same as a page: totals per area and programme as bars, the tables, the overdue."""
    authorize(actor, Action.PAYMENT_READ, code)
    shown = await _shown(publicity, code, level, programme, first, last)
    return page("dashboard.html", reporting=publicity.reporting, charts=_charts(shown), **shown)


def _charts(shown: dict[str, Any]) -> list[Any]:
    areas = shown["areas"]
    programmes = shown["totals"]
    reasons: dict[str, int] = {}
    for row in shown["failure_reasons"]:
        label = f"{row['reason_text']}（{row['reason_code']}）"
        reasons[label] = reasons.get(label, 0) + row["failures"]
    money = [
        bar_chart(
            f"{title}（元）",
            [(str(row[key]), row[figure]) for row in rows],
            value_text=[yuan(row[figure]) for row in rows],
        )
        for title, rows, key, figure in (
            ("各地区已发放金额", areas, "area", "paid_fen"),
            ("各补贴项目已审批金额", programmes, "programme_name", "approved_fen"),
            ("各补贴项目已发放金额", programmes, "programme_name", "paid_fen"),
            ("各补贴项目发放失败待补发金额", programmes, "programme_name", "failed_fen"),
            ("各补贴项目退回国库金额", programmes, "programme_name", "returned_fen"),
        )
    ]
    return [*money, bar_chart("发放失败原因（笔数）", sorted(reasons.items()))]
