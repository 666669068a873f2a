"""What the lookup's routes share: the lookup's parts from the app, the client's address, and
a body read from a form (the pages) or JSON (programs) into one model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from contracts.refusals import Refused
from services.publicity.application.lookup_deps import LookupDeps
from services.publicity.application.lookup_ports import QrEncoder

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class LookupApp:
    deps: LookupDeps
    qr: QrEncoder


def lookup_app(request: Request) -> LookupApp:
    app: LookupApp = request.app.state.lookup
    return app


Lookup = Annotated[LookupApp, Depends(lookup_app)]


def client_of(request: Request) -> str:
    """The socket's address (a proxy's ``X-Forwarded-For`` is not trusted: ADR 009)."""
    return request.client.host if request.client else "unknown"


def wants_page(request: Request) -> bool:
    """A form posted from a page gets a page back; JSON gets JSON."""
    return not request.headers.get("content-type", "").startswith("application/json")


async def read_body(request: Request, model: type[M], *, as_form: bool) -> M:
    try:
        if as_form:
            form = await request.form()
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            return model.model_validate(fields)
        return model.model_validate_json(await request.body())
    except ValidationError:
        raise Refused("invalid_request", "请检查填写的内容") from None
