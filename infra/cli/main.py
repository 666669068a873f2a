"""The ``onecard`` command line: every operator command joins this one Typer app."""

from __future__ import annotations

import typer

from infra.cli import audit, clock, payout_files, programmes, runtime, schemas, users
from infra.cli.bank_simulator import bank_simulator
from infra.cli.synth import synth
from infra.mainjob.run import run
from services.registry.entrypoints import cli as registry_cli

app = typer.Typer(no_args_is_help=True, help="onecard: one-card subsidy payments.")
app.add_typer(audit.app, name="audit")
app.add_typer(schemas.app, name="contracts")
app.add_typer(registry_cli.app, name="roster")
app.add_typer(registry_cli.lists_app, name="lists")
app.add_typer(users.app, name="users")
app.add_typer(clock.app, name="clock")
app.add_typer(programmes.app, name="programmes")
app.add_typer(payout_files.app, name="payout")
app.command("run")(run)
app.command("synth")(synth)
app.command("bank-simulator")(bank_simulator)
runtime.register(app)


def main() -> None:
    app()
