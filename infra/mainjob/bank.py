"""The county's agent banks, played by the bank simulator (``onecard bank-simulator``), one
process per bank, as a real bank's connector would run beside the system.

Setting a bank up is what an administrator does for a new county: its API key goes into the
bank credentials file (``settings.bank_keys_file``; in development the file under
``data_dir``), which the payout reads again when it changes. The simulator then fetches its
batches, pays each instruction at most once, fails a few percent of them with the agreed
reason codes and sends some answers twice.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
from asyncio.subprocess import Process
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from infra.http.bank_keys import BankCredentialFile, load
from infra.mainjob.workers import RoundFailed
from infra.settings import Settings

FAILURE_SHARE = 0.04
DUPLICATE_SHARE = 0.02
TIMEOUT_SHARE = 0.01
STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class BankLink:
    bank_code: str
    key_id: str
    ledger: Path


def add_bank_keys(settings: Settings, county: str, banks: list[str]) -> list[BankLink]:
    """A key per bank of ``county`` in the credentials file (kept 0600, rewritten whole)."""
    keys = BankCredentialFile.for_settings(settings)
    keys.credentials()  # creates the development file when there is none
    document = json.loads(keys.path.read_bytes())
    known = {key["key_id"] for key in document["keys"]}
    links = []
    for bank in banks:
        key_id = f"sim-{bank}-{county}"
        if key_id not in known:
            secret = secrets.token_urlsafe(32)
            document["keys"].append(
                {"key_id": key_id, "bank_code": bank, "jurisdiction_code": county, "secret": secret}
            )
        ledger = settings.data_dir / "banksim" / f"{key_id}.db"
        links.append(BankLink(bank, key_id, ledger))
    written = keys.path.with_name(f".{keys.path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(written, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(json.dumps(document, indent=2).encode())
    os.replace(written, keys.path)
    load(keys.path)  # refuses a file the payout would refuse
    return links


@asynccontextmanager
async def simulated_banks(
    links: list[BankLink], *, payout_url: str, seed: int, log_dir: Path
) -> AsyncIterator[dict[str, Process]]:
    """One simulator process per bank, stopped on exit; their logs in ``log_dir``."""
    children: dict[str, Process] = {}
    await asyncio.to_thread(log_dir.mkdir, parents=True, exist_ok=True)
    try:
        for link in links:
            with (log_dir / f"banksim-{link.bank_code}.log").open("ab") as log:
                children[link.bank_code] = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "infra.cli", "bank-simulator",
                    "--key-id", link.key_id, "--url", payout_url, "--ledger", str(link.ledger),
                    "--seed", str(seed), "--failure-share", str(FAILURE_SHARE),
                    "--duplicate-share", str(DUPLICATE_SHARE),
                    "--timeout-share", str(TIMEOUT_SHARE), "--poll-interval", "1",
                    stdout=log, stderr=log,
                )  # fmt: skip
        yield children
    finally:
        for child in children.values():
            if child.returncode is None:
                child.terminate()
        for child in children.values():
            try:
                await asyncio.wait_for(child.wait(), STOP_TIMEOUT)
            except TimeoutError:
                child.kill()
                await child.wait()


class BankDown(RoundFailed):
    """A simulated bank stopped on its own; its log says why."""


def check_running(children: dict[str, Process]) -> None:
    """Raise :class:`BankDown` when a simulator has exited."""
    for bank, child in children.items():
        if child.returncode is not None:
            raise BankDown(
                f"the simulator of bank {bank} exited with code {child.returncode} "
                f"(var/logs/banksim-{bank}.log)"
            )
