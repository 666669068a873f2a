"""``onecard run``: bring the system up and take beneficiaries through it over HTTP.

Today the round is: register people at the registry (with a duplicate, an invalid ID and a
retried request among them), watch the publicity service's projection receive them through
the relay and Kafka, verify the hash chain, and report. The payment round joins as the
services land.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter

import httpx
import typer

from infra.eventstore.verify import verify_store
from infra.logging import configure_logging
from infra.mainjob.people import VILLAGES, Person, people
from infra.runtime.lifecycle import stop_on_signals
from infra.runtime.processes import RunningSystem, running_system
from infra.settings import Settings, get_settings
from infra.wiring import open_store

CLERK = {
    "X-Onecard-User": "u-clerk-0001",
    "X-Onecard-Role": "county_department_operator",
    "X-Onecard-Jurisdiction": "650102",
}


def run(
    exit_when_done: bool = typer.Option(
        False, "--exit", help="Stop everything after the report instead of leaving it running."
    ),
    count: int = typer.Option(60, min=3, max=5_000, help="How many beneficiaries to register."),
) -> None:
    """The main job on the configured (by default embedded) settings."""
    asyncio.run(_main(get_settings(), count=count, exit_when_done=exit_when_done))


async def _main(settings: Settings, *, count: int, exit_when_done: bool) -> None:
    started = time.monotonic()
    configure_logging(service="run", level="WARNING")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    say("starting the local broker, the relay and the five services …")
    async with running_system(settings, log_dir=settings.data_dir / "logs") as system:
        say(system.table())
        run_id = uuid.uuid4().hex[:6]
        group = people(count, run_id=run_id, seed=count)
        async with httpx.AsyncClient(timeout=30) as http:
            outcomes = await _register(http, system, group)
            waited = await _until_projected(http, system, group)
        report = await _verify(settings)
        say(_report(outcomes, waited, report, time.monotonic() - started))
        if not exit_when_done:
            say("the system keeps running; Ctrl-C stops everything (logs in var/logs/)")
            await system.until_stopped(stop_on_signals())


def say(text: str) -> None:
    typer.echo(text)


async def _register(
    http: httpx.AsyncClient, system: RunningSystem, group: list[Person]
) -> Counter[str]:
    url = f"{system.url('registry')}/beneficiaries"
    outcomes: Counter[str] = Counter()
    for n, person in enumerate(group):
        headers = {**CLERK, "Idempotency-Key": f"{person.beneficiary_id}/register"}
        answer = await http.post(url, json=person.body(), headers=headers)
        outcomes[f"{answer.status_code} {answer.json().get('code', 'registered')}"] += 1
        if n == 0:
            again = await http.post(url, json=person.body(), headers=headers)
            say(f"  retried request: {again.status_code} {again.json()} (nothing stored twice)")
    twin = {**group[0].body(), "beneficiary_id": f"{group[0].beneficiary_id}-twin"}
    refused = await http.post(url, json=twin, headers=CLERK)
    say(f"  same person again: {refused.status_code} {refused.json()['message']}")
    bad = {**group[1].body(), "beneficiary_id": "b-bad", "citizen_id": "6.5E+17"}
    refused = await http.post(url, json=bad, headers=CLERK)
    say(f"  Excel-mangled ID:  {refused.status_code} {refused.json()['message']}")
    say(f"registered {outcomes['201 registered']} of {len(group)} through the registry API")
    return outcomes


async def _until_projected(
    http: httpx.AsyncClient, system: RunningSystem, group: list[Person]
) -> float:
    """Seconds until the publicity projection shows everyone (relay → Kafka → Faust agent)."""
    began, wanted = time.monotonic(), {p.beneficiary_id for p in group}
    seen: set[str] = set()
    async with asyncio.timeout(120):
        while not wanted <= seen:
            for village in VILLAGES:
                page = await http.get(f"{system.url('publicity')}/villages/{village}/register")
                seen |= {row["beneficiary_id"] for row in page.json()["beneficiaries"]}
            await asyncio.sleep(0.2)
    sample = (await http.get(f"{system.url('publicity')}/villages/{VILLAGES[0]}/register")).json()
    names = "、".join(row["masked_name"] for row in sample["beneficiaries"][-6:])
    say(f"publicity register of village {VILLAGES[0]} (masked): … {names}")
    return time.monotonic() - began


async def _verify(settings: Settings) -> str:
    store = await open_store(settings)
    try:
        report = await verify_store(store)
    finally:
        await store.close()
    state = "intact" if report.intact else f"BROKEN at {report.first_break}"
    return f"{report.events} events in {report.streams} streams, hash chain {state}"


def _report(outcomes: Counter[str], waited: float, chain: str, took: float) -> str:
    lines = ["", "report", "------"]
    lines += [f"  {code:<40} {n}" for code, n in sorted(outcomes.items())]
    lines.append(f"  all registrations visible at publicity after {waited:.1f} s")
    lines.append(f"  event store: {chain}")
    lines.append(f"  time taken: {took:.1f} s")
    return "\n".join(lines)
