"""The publicity HTTP API: public pages and queries over its projections (read only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from infra.projections.database import ProjectionDatabase
from services.publicity.application.village_register import village_register_of

router = APIRouter(tags=["publicity"])


def projections(request: Request) -> ProjectionDatabase:
    database: ProjectionDatabase = request.app.state.projections
    return database


Projections = Annotated[ProjectionDatabase, Depends(projections)]


@router.get("/villages/{village_code}/register")
async def get_village_register(
    database: Projections,
    village_code: Annotated[str, Path(pattern=r"^[0-9]{12}$")],
) -> dict[str, object]:
    """Who is registered in a village, names masked as public notices show them."""
    async with database.transaction() as conn:
        people = await village_register_of(conn, village_code)
    return {"village_code": village_code, "beneficiaries": people}
