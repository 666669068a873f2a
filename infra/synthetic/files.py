"""``write_county``: a whole synthetic county on disk, for the demo, tests and benchmarks.

Writes into ``out_dir``: ``register.csv`` (the beneficiary register, UTF-8, columns
``REGISTER_FIELDS``), the cross-check lists (``deceased.csv``, ``public_servants.csv``,
``disabled.csv``, ``supported.csv``), one roster per township and programme, and
``county.json`` (the divisions, programmes, and every roster's manifest).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from infra.synthetic.county import County, make_county
from infra.synthetic.defects import DefectKind, RosterManifest, defect_rates
from infra.synthetic.generation import Generation
from infra.synthetic.people import REGISTER_FIELDS, Beneficiary, from_register_row, register_line
from infra.synthetic.population import Population
from infra.synthetic.programmes import CATALOGUE, Programme
from infra.synthetic.roster_files import RosterFormat

DEFAULT_FORMATS = (
    RosterFormat(kind="xlsx"),
    RosterFormat(encoding="gb18030", shuffle_columns=True),
    RosterFormat(encoding="utf-8-sig", title=False),
    RosterFormat(encoding="utf-8", shuffle_columns=True, title=False, blank_row=False),
)
"""Rosters take these in turn, so a county has every kind of file clerks produce."""


@dataclass(frozen=True, slots=True)
class CountyFiles:
    county: County
    programmes: tuple[Programme, ...]
    register: Path
    lists: dict[str, Path]
    rosters: tuple[RosterManifest, ...]
    manifest: Path


def write_county(
    out_dir: Path,
    *,
    beneficiaries: int = 20_000,
    townships: int = 3,
    programmes: int | Sequence[Programme] = 2,
    seed: int = 0,
    defect_rate: float | Mapping[DefectKind, float] = 0.03,
    formats: Sequence[RosterFormat] = DEFAULT_FORMATS,
    county_code: str | None = None,
    round_no: int = 1,
    as_of: date = date(2025, 6, 30),
) -> CountyFiles:
    """Write a county's register, lists and rosters. The same arguments give the same data:
    CSV and JSON files byte for byte, xlsx cell for cell.

    ``programmes`` is a count (the first of ``CATALOGUE``) or the programmes themselves;
    ``defect_rate`` is the share of defective roster rows, split evenly over the kinds, or
    a share per kind. Everything streams: memory does not grow with ``beneficiaries``.
    """
    rates = defect_rates(defect_rate)
    chosen = CATALOGUE[:programmes] if isinstance(programmes, int) else tuple(programmes)
    out_dir.mkdir(parents=True, exist_ok=True)
    county = make_county(
        seed=seed, townships=townships, beneficiaries=beneficiaries, code=county_code
    )
    population = Population(county, seed=seed, beneficiaries=beneficiaries, as_of=as_of)
    run = Generation(
        out_dir, county=county, programmes=chosen, population=population,
        rates=rates, formats=tuple(formats), seed=seed,
        round_no=round_no, as_of=as_of,
    )  # fmt: skip
    register = out_dir / "register.csv"
    with register.open("w", encoding="utf-8", newline="") as file:
        file.write(",".join(REGISTER_FIELDS) + "\r\n")
        for township, household in population.households():
            file.writelines(register_line(run.person(township, m)) for m in household)
    manifests, lists = run.finish()
    summary = out_dir / "county.json"
    summary.write_text(
        json.dumps(_summary(county, chosen, manifests, seed, as_of), ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    return CountyFiles(county, chosen, register, lists, tuple(manifests), summary)


def read_register(path: Path) -> Iterator[Beneficiary]:
    """The register file back as ``Beneficiary`` records, streamed."""
    with path.open(encoding="utf-8", newline="") as file:
        yield from map(from_register_row, csv.DictReader(file))


def _summary(
    county: County, programmes: tuple[Programme, ...], manifests: list[RosterManifest],
    seed: int, as_of: date,
) -> dict[str, object]:  # fmt: skip
    return {
        "seed": seed,
        "as_of": as_of.isoformat(),
        "county": {
            "code": county.code, "name": county.name, "prefecture": county.prefecture,
            "province": county.province,
            "townships": [
                {"code": t.code, "name": t.name,
                 "villages": [{"code": v.code, "name": v.name, "groups": v.groups}
                              for v in t.villages]}
                for t in county.townships
            ],
        },
        "programmes": [
            {"code": p.code, "name": p.name, "unit": p.unit, "standard": str(p.standard),
             "limit": str(p.limit), "basis": p.basis,
             "excludes_public_servants": p.excludes_public_servants}
            for p in programmes
        ],
        "rosters": [m.as_json() for m in manifests],
    }  # fmt: skip
