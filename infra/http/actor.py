"""Who is calling: the actor every command is attributed to.

Until real-name login and tokens arrive (identity issue), development and test deployments take
the actor from the ``X-Onecard-User``, ``X-Onecard-Role`` and ``X-Onecard-Jurisdiction``
headers; a production deployment refuses every command rather than trust them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from contracts.envelope import Actor
from infra.http.errors import ApiError
from infra.settings import get_settings


def current_actor(
    user: Annotated[str | None, Header(alias="X-Onecard-User")] = None,
    role: Annotated[str | None, Header(alias="X-Onecard-Role")] = None,
    jurisdiction: Annotated[str | None, Header(alias="X-Onecard-Jurisdiction")] = None,
) -> Actor:
    if get_settings().environment == "prod":
        raise ApiError(401, "identity_not_configured", "身份认证尚未配置，拒绝操作")
    if not user or not role:
        raise ApiError(401, "unauthenticated", "未登录：请提供操作人员身份")
    return Actor(user_id=user, role=role, jurisdiction_code=jurisdiction or None)


CurrentActor = Annotated[Actor, Depends(current_actor)]
