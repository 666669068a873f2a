"""``onecard audit …``: what auditors run against the event store."""

from __future__ import annotations

import asyncio

import typer

from infra.eventstore.factory import open_event_store
from infra.eventstore.verify import VerifyReport, verify_store
from infra.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Audit the event store.")


@app.command()
def verify(
    url: str | None = typer.Option(None, help="Store URL (default: ONECARD_EVENT_STORE_URL)."),
) -> None:
    """Recompute every hash chain; exit 1 and name the first broken position if any."""
    report = asyncio.run(_verify(url or get_settings().event_store_url))
    if report.first_break is None:
        typer.echo(
            f"intact: {report.events} events in {report.streams} streams, "
            f"last position {report.last_position}"
        )
        return
    broken = report.first_break
    typer.echo(
        f"BROKEN at position {broken.position} (stream {broken.stream_id!r}, "
        f"version {broken.stream_version}): {broken.reason}; "
        f"{report.events} events before it are intact",
        err=True,
    )
    raise typer.Exit(1)


async def _verify(url: str) -> VerifyReport:
    store = await open_event_store(url, hash_algorithm=get_settings().hash_algorithm)
    try:
        return await verify_store(store)
    finally:
        await store.close()
