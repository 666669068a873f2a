"""Spans of this process, captured in memory for a test.

OpenTelemetry lets a process set its global tracer provider once; later attempts are ignored
with a warning. So the first test to ask installs an SDK provider, and every test adds its own
exporter to whichever SDK provider is installed; tracers obtained earlier (module-level
``trace.get_tracer`` proxies) follow the global provider and so reach it too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


def global_sdk_provider() -> TracerProvider:
    """The process's SDK tracer provider, installed now if none is yet."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        return provider
    trace.set_tracer_provider(TracerProvider())
    installed = trace.get_tracer_provider()
    if not isinstance(installed, TracerProvider):
        raise RuntimeError(f"the global tracer provider is not the SDK's: {installed!r}")
    return installed


@contextmanager
def captured_spans() -> Iterator[InMemorySpanExporter]:
    """An exporter receiving every span the process ends while the block runs."""
    exporter = InMemorySpanExporter()
    global_sdk_provider().add_span_processor(SimpleSpanProcessor(exporter))
    try:
        yield exporter
    finally:
        exporter.shutdown()  # the processor stays (a provider cannot drop one); it exports nothing
