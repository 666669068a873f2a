"""``onecard bank-simulator``: run a simulated agent bank against the payout's bank API."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import typer
from pydantic import ValidationError

from infra.banksim.bank import SimulatedBank
from infra.banksim.client import BankApiClient
from infra.banksim.config import SimulatorConfig, parse_kinds
from infra.banksim.ledger import Ledger
from infra.clock import Clock, today_in_china
from infra.http.bank_keys import BankCredentialFile
from infra.logging import configure_logging
from infra.runtime.lifecycle import reachable_host
from infra.settings import Settings, get_settings
from infra.wiring import make_clock

Share = float


def bank_simulator(
    key_id: str = typer.Option("dev-103", help="The bank's key id (its bank and county follow)."),
    url: str | None = typer.Option(None, help="The payout's base URL (default: this machine's)."),
    keys_file: Path | None = typer.Option(None, help="Credentials file (default: the settings')."),
    ledger: Path | None = typer.Option(None, help="The bank's ledger (default: under data_dir)."),
    seed: int = typer.Option(1, help="The same seed, the same fate for each instruction id."),
    failure_share: Share = typer.Option(0.03, min=0.0, max=1.0),
    failure_kinds: str = typer.Option("", help="code=weight,… (default: every code, equally)."),
    timeout_share: Share = typer.Option(0.0, min=0.0, max=1.0, help="Paid, answer lost."),
    duplicate_share: Share = typer.Option(0.0, min=0.0, max=1.0),
    reorder: bool = typer.Option(False, help="Shuffle answers, hold some for the next round."),
    return_share: Share = typer.Option(0.0, min=0.0, max=1.0, help="Paid, then returned."),
    answer_delay: float = typer.Option(0.0, min=0.0, max=60.0, help="Max seconds per push."),
    poll_interval: float = typer.Option(1.0, min=0.01, max=3600.0),
    push_size: int = typer.Option(200, min=1, max=1000),
    crash_probability: Share = typer.Option(0.0, min=0.0, max=1.0, help="Per risky point."),
    until_idle: int | None = typer.Option(None, min=1, help="Stop after N idle rounds."),
) -> None:
    """Fetch pending batches, pay each instruction at most once, push the results."""
    settings = get_settings()
    try:
        config = SimulatorConfig(
            url=url or f"http://{reachable_host(settings)}:{settings.http_port('payout')}",
            key_id=key_id,
            secret=_secret(settings, keys_file, key_id),
            ledger=ledger or settings.data_dir / "banksim" / f"{key_id}.db",
            seed=seed,
            failure_share=failure_share,
            **({"failure_kinds": parse_kinds(failure_kinds)} if failure_kinds else {}),
            timeout_share=timeout_share,
            duplicate_share=duplicate_share,
            reorder=reorder,
            return_share=return_share,
            answer_delay=answer_delay,
            poll_interval=poll_interval,
            push_size=push_size,
            crash_probability=crash_probability,
            until_idle=until_idle,
        )
    except (ValidationError, ValueError) as error:
        raise typer.BadParameter(str(error)) from None
    configure_logging(service="banksim", level=settings.log_level)
    asyncio.run(simulate(config, make_clock(settings)))


async def simulate(config: SimulatorConfig, clock: Clock) -> None:
    """Run the bank on ``clock`` (the settings' clock: the demo's shared one moves it), which
    dates its signatures and its credits."""
    books = Ledger(config.ledger)
    try:
        async with httpx.AsyncClient(base_url=config.url, timeout=60) as http:
            api = BankApiClient(http, key_id=config.key_id, secret=config.secret, now=clock.now)
            bank = SimulatedBank(config, books, api, today=lambda: today_in_china(clock))
            await bank.run()
    finally:
        books.close()


def _secret(settings: Settings, keys_file: Path | None, key_id: str) -> str:
    keys = BankCredentialFile(keys_file) if keys_file else BankCredentialFile.for_settings(settings)
    credential = keys.credentials().by_key.get(key_id)
    if credential is None or credential.secret is None:
        raise typer.BadParameter(f"no key {key_id!r} in {keys.path}", param_hint="--key-id")
    return credential.secret
