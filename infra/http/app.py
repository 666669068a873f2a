"""The FastAPI app every service starts from: liveness, readiness, request context, errors."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from opentelemetry import trace
from opentelemetry.trace import TracerProvider

from infra.clock import Clock
from infra.http.context import RequestContext
from infra.http.errors import error_body, install_error_handlers
from infra.http.readiness import Probe, run_probes, service_probes
from infra.service import ServiceDeps

PROBE_TIMEOUT = 2.0


def make_service_app(
    service: str,
    *,
    ready_checks: Mapping[str, Probe],
    description: str = "",
    tracer_provider: TracerProvider | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """A service's app with ``/health`` and ``/ready``; its routers are included by its
    bootstrap. ``tracer_provider`` defaults to the process's (tests pass their own).

    The server span is :class:`RequestContext`'s, so FastAPI's own request spans are off: one
    span per request, continued from ``traceparent`` through ``infra.telemetry.extract``."""
    app = FastAPI(
        title=f"onecard {service}",
        version=_version(),
        description=description,
        telemetry={"tracing": False},
    )
    tracer = trace.get_tracer("onecard.http", tracer_provider=tracer_provider)
    app.add_middleware(RequestContext, service=service, tracer=tracer, clock=clock)
    install_error_handlers(app)
    _add_probes(app, dict(ready_checks))
    return app


def service_app(service: str, deps: ServiceDeps, *, description: str) -> FastAPI:
    """A service's app with the standard probes on what the runtime opened for it."""
    probes = service_probes(deps.settings, store=deps.store, projections=deps.projections.engine)
    return make_service_app(service, ready_checks=probes, description=description, clock=deps.clock)


def _add_probes(app: FastAPI, checks: dict[str, Probe]) -> None:
    @app.get("/health", tags=["probes"])
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/ready", tags=["probes"])
    async def ready() -> JSONResponse:
        """Readiness: every dependency answered; 503 names the ones that did not."""
        results = await run_probes(checks, timeout=PROBE_TIMEOUT)
        failing = [name for name, outcome in results.items() if outcome != "ok"]
        if not failing:
            return JSONResponse({"status": "ready", "checks": results})
        body: dict[str, Any] = error_body(
            "not_ready", f"服务暂不可用：{'、'.join(failing)}", failing=failing, checks=results
        )
        return JSONResponse(body, status_code=503)


def _version() -> str:
    try:
        return version("onecard")
    except PackageNotFoundError:
        return "0.0.0"
