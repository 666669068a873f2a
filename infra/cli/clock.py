"""``onecard clock …``: the demo's shared clock (``ONECARD_SHARED_CLOCK``), which every process
of a running system reads, moved forward so a public notice passes in seconds."""

from __future__ import annotations

from datetime import datetime, timedelta

import typer

from infra.clock import CHINA, SharedClock
from infra.settings import Settings, get_settings

app = typer.Typer(no_args_is_help=True, help="The demo's shared clock (never in production).")


@app.command()
def show() -> None:
    """The shared clock's time (China) and how far it is ahead of the real one."""
    clock = _shared(get_settings())
    typer.echo(f"{clock.now().astimezone(CHINA):%Y-%m-%d %H:%M:%S} 中国时间 (+{clock.offset()})")


@app.command()
def advance(
    days: float = typer.Option(0.0, min=0, help="Calendar days to move forward."),
    hours: float = typer.Option(0.0, min=0, help="Hours to move forward."),
    to: datetime | None = typer.Option(
        None, help="Move forward to this moment (China time when it names no zone)."
    ),
) -> None:
    """Move every process's clock forward (time never runs backwards)."""
    clock = _shared(get_settings())
    if to is not None:
        target = to if to.tzinfo is not None else to.replace(tzinfo=CHINA)
        now = clock.advance_to(target)
    else:
        now = clock.advance(timedelta(days=days, hours=hours))
    typer.echo(f"now {now.astimezone(CHINA):%Y-%m-%d %H:%M:%S} 中国时间")


def _shared(settings: Settings) -> SharedClock:
    if not settings.shared_clock:
        typer.echo("the shared clock is off (ONECARD_SHARED_CLOCK=true turns it on)", err=True)
        raise typer.Exit(2)
    return SharedClock(settings.clock_file)
