"""One JSON error shape for every service: ``{"code": "...", "message": "..."}``.

``code`` is stable and meant for programs; ``message`` is Chinese, for the clerks and
citizens who may read it. Internal details never reach the body; they go to the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from contracts.refusals import Refused
from infra.eventstore.port import WrongExpectedVersion
from infra.identity.permissions import Forbidden

HTTP_MESSAGES = {
    400: ("bad_request", "请求有误"),
    401: ("unauthenticated", "请先登录"),
    403: ("forbidden", "无权进行此操作"),
    404: ("not_found", "请求的资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "数据已被他人修改，请刷新后重试"),
}
INTERNAL_ERROR = ("internal_error", "系统内部错误，请稍后再试")


class ApiError(Exception):
    """Raised by an entrypoint to answer with ``status`` and a stable ``code``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


@contextmanager
def answering() -> Iterator[None]:
    """A refused command (its status, stable code and Chinese message) or a lost race (409) as
    the error shape every service answers with; nothing was stored."""
    try:
        yield
    except Refused as refused:
        raise ApiError(refused.status, refused.code, refused.message) from None
    except WrongExpectedVersion:
        raise ApiError(409, *HTTP_MESSAGES[409]) from None


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Forbidden, _forbidden)


async def _api_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return JSONResponse(error_body(error.code, error.message), status_code=error.status)


async def _forbidden(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Forbidden)
    return JSONResponse(error_body(error.code, error.message), status_code=403)


async def _invalid_request(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    fields = [".".join(str(part) for part in e["loc"]) for e in error.errors()]
    message = f"请求内容不符合要求：{'、'.join(fields)}"
    return JSONResponse(error_body("invalid_request", message, fields=fields), status_code=422)


async def _http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    code, message = HTTP_MESSAGES.get(error.status_code, (f"http_{error.status_code}", "请求失败"))
    return JSONResponse(
        error_body(code, message), status_code=error.status_code, headers=error.headers
    )
