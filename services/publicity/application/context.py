"""Publicity acting on its own: reacting to another service's event, or on its clock."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from contracts.base import Event
from contracts.envelope import Envelope
from infra import command_context
from infra.command_context import CommandContext

SERVICE: Final = "publicity"


def reaction_to(cause: Envelope[Event]) -> CommandContext:
    """Publicity's reaction to ``cause`` (a redelivery decides and appends the same)."""
    return command_context.reaction_to(cause, service=SERVICE)


def on_the_clock(at: datetime, key: str) -> CommandContext:
    """Work publicity does on its own clock (a notice completing, a waiting one starting)."""
    return command_context.on_the_clock(at, key, service=SERVICE)
