"""structlog JSON logs: one line per event, with service, correlation id and trace id.

Configured once per process by :func:`configure_logging`; request and message handlers bind
their ids with ``structlog.contextvars.bind_contextvars`` and every line carries them. No line
holds a full citizen ID, card account or mobile number: :func:`mask_personal_data` masks
them by the one policy (``contracts.masking``) wherever they appear, tracebacks included.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from opentelemetry import trace

from contracts.masking import mask_text

_PLAIN = (bool, float, type(None))


def _add_trace_ids(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


def mask_personal_data(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Mask every ID, account and mobile number in the line's values, however nested; an
    object that is neither text, number nor container is logged as its masked ``repr``."""
    for key, value in event_dict.items():
        event_dict[key] = _masked(value)
    return event_dict


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, int):
        text = str(value)
        masked = mask_text(text)
        return value if masked == text else masked
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_masked(item) for item in value]
    return mask_text(repr(value))


def configure_logging(*, service: str, level: str = "INFO") -> None:
    """JSON lines on stderr; ``service`` is stamped on every line."""
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=level)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_trace_ids,
            structlog.processors.dict_tracebacks,
            mask_personal_data,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
