"""``onecard synth``: write a synthetic county (register, cross-check lists, rosters with a
chosen share of defects) for demos, tests and benchmarks. Never real people."""

from __future__ import annotations

from pathlib import Path

import typer

from infra.synthetic.files import write_county


def synth(
    out_dir: Path = typer.Argument(..., file_okay=False, help="Folder to write into."),
    beneficiaries: int = typer.Option(20_000, min=1, help="People in the register."),
    townships: int = typer.Option(3, min=1, max=99),
    programmes: int = typer.Option(2, min=1, max=4, help="The first N of the catalogue."),
    defect_rate: float = typer.Option(0.03, min=0.0, max=0.5, help="Share of defective rows."),
    seed: int = typer.Option(0, help="The same seed writes the same files."),
) -> None:
    """Write a synthetic county; county.json lists every roster and its defects by line."""
    files = write_county(
        out_dir,
        beneficiaries=beneficiaries,
        townships=townships,
        programmes=programmes,
        seed=seed,
        defect_rate=defect_rate,
    )
    typer.echo(f"{files.county.name} ({files.county.code}): register {files.register}")
    for manifest in files.rosters:
        typer.echo(
            f"  {manifest.path.name}: {manifest.data_rows} rows, {len(manifest.defects)} defective"
        )
    typer.echo(f"manifest: {files.manifest}")
