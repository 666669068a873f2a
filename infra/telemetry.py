"""OpenTelemetry, set up once per process.

Spans go to the console by default and to an OTLP/HTTP collector when ``ONECARD_OTLP_ENDPOINT``
is set; tests pass their own exporter (an in-memory one) to see whole traces. The W3C trace
context travels in each event's envelope and in Kafka headers, injected and extracted only
through :func:`inject` and :func:`extract`.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Final

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)

_TRACEPARENT_LENGTH: Final = 55
_FLAGS: Final = slice(53, 55)


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


def is_recording(provider: trace.TracerProvider | None = None) -> bool:
    """Whether spans started now can be recorded: a real provider is installed (``provider``,
    or else the global one). Without one, per-message spans are not worth building."""
    provider = provider or trace.get_tracer_provider()
    return not isinstance(provider, trace.NoOpTracerProvider | trace.ProxyTracerProvider)


def is_sampled(carrier: Mapping[str, str]) -> bool:
    """False only when ``carrier`` continues a trace its root chose not to sample (W3C
    ``traceparent`` flags), so a child span would be dropped anyway; read without parsing
    the whole context, since consumers ask once per message."""
    parent = carrier.get("traceparent")
    if parent is None or len(parent) < _TRACEPARENT_LENGTH:
        return True
    try:
        return bool(int(parent[_FLAGS], 16) & 1)
    except ValueError:
        return True


def extract(carrier: Mapping[str, str]) -> context.Context:
    """A context continuing the trace named in ``carrier`` (empty: a new trace)."""
    headers: MutableMapping[str, str] = dict(carrier)
    return propagate.extract(headers)
