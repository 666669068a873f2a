"""``onecard contracts …``: keep the pinned JSON Schemas of the event contracts."""

from __future__ import annotations

import typer

from contracts.events import EVENTS
from contracts.schema_export import SchemaChangedWithoutVersion, export_schemas
from infra.private_schemas import PRIVATE

app = typer.Typer(no_args_is_help=True, help="Event contracts and their schemas.")


@app.command("export-schemas")
def export() -> None:
    """Write the JSON Schema of every new event version into contracts/schemas/ (and each
    service's private events into services/<name>/schemas/).

    Existing files are never overwritten: a model whose shape changed without a new
    schema_version is refused, because stored events of that version keep the old shape.
    """
    try:
        written = export_schemas()
        contracts = set(EVENTS.event_types())
        for private in PRIVATE:
            written += export_schemas(private.registry, private.root, skip=contracts)
    except SchemaChangedWithoutVersion as error:
        typer.echo(f"refused: {error}", err=True)
        raise typer.Exit(1) from None
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(f"{len(written)} new schema file(s)")
