"""Who may call a registry route on what, decided before any work: the one policy
(``infra.identity.permissions``) applied to the place of the object (a beneficiary's
village, a roster's township); and the query log of every answer holding personal data.

An object that does not exist is answered 404 only to a role that may do the action at all,
so that a refusal of the role comes first.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import Request

from contracts.envelope import Actor
from infra.http.context import current_correlation_uuid, request_now
from infra.http.errors import ApiError
from infra.identity.permissions import Action, authorize
from infra.identity.query_log import record_read
from services.registry.application.beneficiary_commands import load_beneficiary
from services.registry.domain.beneficiary import Beneficiary
from services.registry.domain.events import RosterDrafted
from services.registry.entrypoints.http import RegistryApp


def authorize_role(actor: Actor, action: Action) -> None:
    """Refuse unless the actor's role may do ``action`` somewhere (in its own jurisdiction)."""
    authorize(actor, action, actor.jurisdiction_code)


async def authorized_beneficiary(
    registry: RegistryApp, actor: Actor, beneficiary_id: str, action: Action
) -> Beneficiary:
    """The beneficiary, once the actor may do ``action`` in their village; 404 when unknown."""
    state, _ = await load_beneficiary(registry.store, registry.codec, beneficiary_id)
    if state is None:
        authorize_role(actor, action)
        raise ApiError(404, "beneficiary_not_found", "补贴对象不存在")
    authorize(actor, action, state.village_code)
    return state


async def authorized_roster(
    registry: RegistryApp, actor: Actor, roster_id: str, action: Action
) -> str:
    """The roster's township, once the actor may do ``action`` there; 404 when unknown. Reads
    the roster's first event only: a large roster is not loaded to be refused."""
    records = await registry.store.read_stream(f"roster-{roster_id}", limit=1)
    drafted = registry.codec.decode(records[0]).event if records else None
    if not isinstance(drafted, RosterDrafted):
        authorize_role(actor, action)
        raise ApiError(404, "roster_not_found", "清册不存在，请先新建清册")
    authorize(actor, action, drafted.township_code)
    return drafted.township_code


async def log_read(
    registry: RegistryApp,
    request: Request,
    actor: Actor,
    *,
    kind: str,
    subject_ids: Iterable[str],
    row_nos: Iterable[int] = (),
) -> None:
    """Record in the query log that ``actor`` read this personal data (000 art.20); the
    answer goes out only after the entry is stored."""
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    await record_read(
        store=registry.store,
        actor=actor,
        kind=kind,
        subject_ids=subject_ids,
        row_nos=row_nos,
        route=f"{request.method} {template}",
        at=request_now(),
        correlation_id=current_correlation_uuid(),
        client_address=request.client.host if request.client else None,
    )
