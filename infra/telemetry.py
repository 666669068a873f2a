"""OpenTelemetry, set up once per process.

Spans go to the console by default and to an OTLP/HTTP collector when ``ONECARD_OTLP_ENDPOINT``
is set; tests pass their own exporter (an in-memory one) to see whole traces. The W3C trace
context travels in each event's envelope and in Kafka headers, injected and extracted only
through :func:`inject` and :func:`extract`.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)


def configure_tracing(
    *, service: str, otlp_endpoint: str | None = None, exporter: SpanExporter | None = None
) -> TracerProvider:
    """Install the process's tracer provider; returns it so callers can flush on exit."""
    provider = TracerProvider(resource=Resource.create({"service.name": f"onecard-{service}"}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    else:
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider


def inject() -> dict[str, str]:
    """The current trace context as W3C headers (``traceparent``, ``tracestate``)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract(carrier: Mapping[str, str]) -> context.Context:
    """A context continuing the trace named in ``carrier`` (empty: a new trace)."""
    headers: MutableMapping[str, str] = dict(carrier)
    return propagate.extract(headers)
