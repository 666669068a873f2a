"""``onecard up | serve SERVICE | relay | broker``: run the system, or one part of it."""

from __future__ import annotations

import asyncio

import typer

from infra import runtime
from infra.runtime.processes import ChildExited
from infra.settings import SERVICES, get_settings


def _known_service(name: str) -> str:
    if name not in SERVICES:
        raise typer.BadParameter(f"unknown service {name!r}; choose one of {', '.join(SERVICES)}")
    return name


def serve(
    service: str = typer.Argument(
        ..., callback=_known_service, help=f"One of {', '.join(SERVICES)}.", show_default=False
    ),
) -> None:
    """Serve one service: its HTTP API on http_base_port + n and its consumers."""
    asyncio.run(runtime.serve(service, get_settings()))


def up() -> None:
    """Run it all here: broker (unless Kafka is set), relay, five services; Ctrl-C stops all."""
    try:
        asyncio.run(runtime.up(get_settings()))
    except ChildExited as error:
        typer.echo(f"stopped everything: {error}", err=True)
        raise typer.Exit(1) from None


def relay() -> None:
    """Publish stored integration events to Kafka, from the relay's checkpoint on."""
    asyncio.run(runtime.relay(get_settings()))


def broker(
    port: int | None = typer.Option(None, help="Port on 127.0.0.1 (default: a free one)."),
) -> None:
    """Run the local Kafka-protocol broker alone and print its address."""
    asyncio.run(runtime.broker(get_settings(), port=port))


def register(app: typer.Typer) -> None:
    for command in (up, serve, relay, broker):
        app.command()(command)
