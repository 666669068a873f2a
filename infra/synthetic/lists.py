"""Cross-check lists (比对名单) as other departments deliver them: the deceased (civil
affairs, funeral records), public servants (财政供养人员), disabled persons and supported
persons (特困供养人员), as CSV with Chinese headers.

Register people marked deceased or public servant are the roster defects of those kinds;
each list also holds people of the county who are not in the register, as real lists do.
Disabled and supported persons are data for per-programme rules, never defects.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path
from typing import Final

from infra.synthetic.defects import DefectKind
from infra.synthetic.people import Beneficiary
from infra.synthetic.population import Population

HEADERS: Final = {
    "deceased": ("姓名", "身份证号码", "死亡日期"),
    "public_servants": ("姓名", "身份证号码", "工作单位"),
    "disabled": ("姓名", "身份证号码", "残疾类别", "残疾等级"),
    "supported": ("姓名", "身份证号码", "供养方式"),
}
_UNITS: Final = (
    "财政局", "农业农村局", "教育局", "人民医院", "第一中学", "公安局", "自然资源局", "民政局",
    "林业和草原局",
)  # fmt: skip
_DISABILITY: Final = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
_GRADES: Final = ("一级", "二级", "三级", "四级")


class CrossCheckLists:
    def __init__(self, out_dir: Path, population: Population, *, seed: int, as_of: date) -> None:
        self.population, self.today = population, as_of.toordinal()
        self.rng = random.Random(f"{seed}:lists")  # noqa: S311 - synthetic data, not secrets
        self.paths = {name: out_dir / f"{name}.csv" for name in HEADERS}
        self._files = {
            n: p.open("w", encoding="utf-8-sig", newline="") for n, p in self.paths.items()
        }
        self._csv = {name: csv.writer(f) for name, f in self._files.items()}
        for name, header in HEADERS.items():
            self._csv[name].writerow(header)

    def note(self, person: Beneficiary, age: int, fact: DefectKind | None) -> None:
        """Put a register person on the lists their fact and a few random draws call for."""
        rng = self.rng
        draw = rng.random()
        if fact is None and 0.03 <= draw <= 0.99:
            return
        name, number = person.name, person.citizen_id
        if fact is DefectKind.DECEASED:
            alive = self.today - person.birth_date.toordinal()
            died = date.fromordinal(self.today - int(rng.random() * min(360, alive)))
            self._csv["deceased"].writerow((name, number, died.isoformat()))
        elif fact is DefectKind.PUBLIC_SERVANT:
            self._csv["public_servants"].writerow((name, number, self._unit()))
        if draw < 0.03:
            self._disabled(name, number)
        elif draw > 0.99 and age >= 60:
            self._csv["supported"].writerow((name, number, rng.choice(("集中供养", "分散供养"))))

    def close(self) -> dict[str, Path]:
        """Add the people who are on the lists but not in the register; close the files."""
        size, rng, stranger = self.population.size, self.rng, self.population.stranger
        for _ in range(max(3, size // 250)):
            name, number = stranger(rng, ages=(60, 95))
            died = date.fromordinal(self.today - int(rng.random() * 360))
            self._csv["deceased"].writerow((name, number, died.isoformat()))
        for _ in range(max(5, size // 60)):
            self._csv["public_servants"].writerow((*stranger(rng, ages=(22, 60)), self._unit()))
        for _ in range(max(2, size // 500)):
            self._disabled(*stranger(rng, ages=(5, 85)))
        for f in self._files.values():
            f.close()
        return self.paths

    def _unit(self) -> str:
        return self.population.county.name + _UNITS[int(self.rng.random() * len(_UNITS))]

    def _disabled(self, name: str, number: str) -> None:
        kind, grade = self.rng.choice(_DISABILITY), self.rng.choice(_GRADES)
        self._csv["disabled"].writerow((name, number, kind, grade))
