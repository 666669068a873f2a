"""The shared service app: probes, correlation ids, the error shape and the server span."""

from __future__ import annotations

import uuid

import pytest
import structlog
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pydantic import BaseModel

from infra.http.app import make_service_app
from infra.http.readiness import Probe
from tests.unit.asgi import request

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


async def _ok() -> int:
    return 7


async def _refused() -> None:
    raise ConnectionError("connection refused")


class Payment(BaseModel):
    amount: int
    account: str


def _app(exporter: InMemorySpanExporter | None = None, **checks: Probe) -> FastAPI:
    provider = TracerProvider()
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = make_service_app(
        "registry", ready_checks=checks or {"event_store": _ok}, tracer_provider=provider
    )

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, object]:
        return {"thing": thing_id, "bound": structlog.contextvars.get_contextvars()}

    @app.post("/payments")
    async def pay(payment: Payment) -> Payment:
        return payment

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret detail")

    return app


async def test_health_answers_while_the_process_lives() -> None:
    response = await request(_app(), "GET", "/health")
    assert (response.status, response.json()) == (200, {"status": "ok"})


async def test_ready_reports_each_check() -> None:
    response = await request(_app(event_store=_ok, broker=_ok), "GET", "/ready")
    assert response.status == 200
    assert response.json() == {"status": "ready", "checks": {"event_store": "ok", "broker": "ok"}}


async def test_ready_is_503_naming_the_failing_check() -> None:
    response = await request(_app(event_store=_ok, broker=_refused), "GET", "/ready")
    body = response.json()
    assert response.status == 503
    assert body["code"] == "not_ready"
    assert body["failing"] == ["broker"]
    assert "broker" in body["message"]
    assert body["checks"]["broker"] == "ConnectionError: connection refused"


async def test_the_callers_correlation_id_is_echoed_and_bound_to_the_logs() -> None:
    response = await request(_app(), "GET", "/things/t1", headers={"X-Correlation-ID": "req-42"})
    assert response.headers["x-correlation-id"] == "req-42"
    bound = response.json()["bound"]
    assert bound == {"correlation_id": "req-42", "service": "registry", "path": "/things/t1"}


@pytest.mark.parametrize("given", [None, "bad id\twith junk", "x" * 200])
async def test_a_missing_or_unusable_correlation_id_is_replaced_by_a_new_one(
    given: str | None,
) -> None:
    headers = {} if given is None else {"X-Correlation-ID": given}
    response = await request(_app(), "GET", "/health", headers=headers)
    assert uuid.UUID(response.headers["x-correlation-id"])


async def test_invalid_input_is_422_with_a_stable_code_and_the_fields() -> None:
    response = await request(_app(), "POST", "/payments", json_body={"amount": "lots"})
    body = response.json()
    assert response.status == 422
    assert body["code"] == "invalid_request"
    assert body["message"].startswith("请求内容不符合要求")
    assert body["fields"] == ["body.amount", "body.account"]


async def test_unknown_paths_and_unhandled_errors_keep_the_error_shape() -> None:
    app = _app()
    missing = await request(app, "GET", "/nowhere")
    assert (missing.status, missing.json()["code"]) == (404, "not_found")
    failed = await request(app, "GET", "/boom", headers={"X-Correlation-ID": "c-9"})
    assert failed.status == 500
    assert failed.json() == {"code": "internal_error", "message": "系统内部错误，请稍后再试"}
    assert failed.headers["x-correlation-id"] == "c-9"


async def test_the_server_span_continues_the_incoming_trace() -> None:
    exporter = InMemorySpanExporter()
    traceparent = f"00-{TRACE_ID}-{PARENT_ID}-01"
    await request(_app(exporter), "GET", "/things/t1", headers={"traceparent": traceparent})
    (span,) = exporter.get_finished_spans()
    assert span.kind is SpanKind.SERVER
    assert span.name == "GET /things/{thing_id}"
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.parent is not None
    assert format(span.parent.span_id, "016x") == PARENT_ID
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 200


async def test_probes_are_not_traced() -> None:
    exporter = InMemorySpanExporter()
    app = _app(exporter)
    await request(app, "GET", "/health")
    await request(app, "GET", "/ready")
    assert exporter.get_finished_spans() == ()
