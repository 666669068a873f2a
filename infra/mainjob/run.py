"""``onecard run``: one whole payment round of a synthetic county, through the running system.

It starts the local broker, the relay and the five services (processes, as deployed) on the
embedded defaults with the shared clock on, and then does over HTTP what the county's people
do: enter the catalogue and the register, import and validate the rosters, put them under
public notice (the clock moved past its end, one objection filed and resolved), approve them
level by level, pay them through the agent bank, correct and re-issue what failed, count the
SMS, disclose and reconcile. It ends with a report — counts per stage, totals in yuan, the
invariant of every round — and leaves the system running, or stops with ``--exit``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import time

import httpx
import typer

from infra.clock import CHINA, SharedClock
from infra.eventstore.verify import verify_store
from infra.identity.service import make_identity
from infra.logging import configure_logging
from infra.mainjob import stages
from infra.mainjob.answers import Refusal
from infra.mainjob.county import generate
from infra.mainjob.desk import Desk
from infra.mainjob.report import facts_of, render, write
from infra.mainjob.screen import Screen
from infra.mainjob.sessions import Ledger, Session
from infra.mainjob.staff import Staff, enrol, make_staff
from infra.mainjob.workers import RoundFailed
from infra.runtime.lifecycle import stop_on_signals
from infra.runtime.processes import ChildExited, running_system
from infra.settings import SERVICES, Settings, get_settings
from infra.wiring import make_cipher, open_store

STOPPED = (RoundFailed, Refusal, ChildExited)
"""What ends a round with a message instead of a traceback (the logs say more)."""


def run(
    exit_when_done: bool = typer.Option(
        False, "--exit", help="Stop everything after the report instead of leaving it running."
    ),
    beneficiaries: int = typer.Option(
        20_000, min=30, max=1_000_000, help="People in the county's register."
    ),
    seed: int | None = typer.Option(
        None, help="The county and its people (default: a new one each run)."
    ),
) -> None:
    """The main job: one whole payment round, on the configured (by default embedded) settings."""
    chosen = seed if seed is not None else secrets.randbelow(1_000_000)
    settings = get_settings().model_copy(update={"shared_clock": True})
    os.environ["ONECARD_SHARED_CLOCK"] = "true"  # the children read their settings from it
    try:
        asyncio.run(
            _main(settings, beneficiaries=beneficiaries, seed=chosen, stay=not exit_when_done)
        )
    except STOPPED as error:
        typer.echo(f"the round stopped: {error}", err=True)
        raise typer.Exit(1) from None


async def _main(settings: Settings, *, beneficiaries: int, seed: int, stay: bool) -> None:
    began = time.monotonic()
    main = asyncio.current_task()
    assert main is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)
    configure_logging(service="run", level="WARNING")
    screen = Screen()
    clock = SharedClock(settings.clock_file)
    today = clock.now().astimezone(CHINA).date()
    run_id = f"run{seed}"
    screen.heading(f"a synthetic county (seed {seed}); shared clock {today} (China)")
    folder = settings.data_dir / "mainjob" / run_id
    county = await asyncio.to_thread(
        generate, folder, beneficiaries=beneficiaries, seed=seed, today=today
    )
    screen.say(f"  {county.files.county.name}（{county.code}）: files in {folder}")
    staff = make_staff(county.code, county.townships, seed=seed)
    await _enrol(settings, clock, staff)
    screen.say(f"  {len(staff.everyone())} staff enrolled, each with a temporary password")
    screen.heading("starting the local broker, the relay and the five services")
    async with (
        running_system(settings, log_dir=settings.data_dir / "logs") as system,
        httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=64)) as http,
    ):
        screen.say(system.table())
        ledger = Ledger()
        urls = {service: system.url(service) for service in SERVICES}
        sessions = {m.username: Session(m, http, urls, ledger) for m in staff.everyone()}
        await asyncio.gather(*(session.login() for session in sessions.values()))
        desk = Desk(system, clock, county, staff, sessions, ledger, screen, http, run_id)
        desk.facts["seed"] = seed
        await stages.run_all(desk)
        desk.facts["chain"] = await _verify(settings)
        desk.facts["took"] = round(time.monotonic() - began, 1)
        facts = facts_of(desk)
        write(facts, folder / "report.json")
        screen.say(render(facts))
        screen.say(f"the report as JSON: {folder / 'report.json'}")
        if stay:
            screen.say("the system keeps running; Ctrl-C stops everything (logs in var/logs/)")
            await system.until_stopped(stop_on_signals())


async def _enrol(settings: Settings, clock: SharedClock, staff: Staff) -> int:
    store = await open_store(settings)
    try:
        return await enrol(
            make_identity(settings, store, make_cipher(settings), clock=clock), staff
        )
    finally:
        await store.close()


async def _verify(settings: Settings) -> str:
    store = await open_store(settings)
    try:
        report = await verify_store(store)
    finally:
        await store.close()
    state = "intact" if report.intact else f"BROKEN at {report.first_break}"
    return f"{report.events} events in {report.streams} streams, hash chain {state}"
