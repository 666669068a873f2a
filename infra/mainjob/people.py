"""A small synthetic county for the main job: valid citizen IDs for real division codes,
plausible names and phones (never real people)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from services.registry.domain import citizen_id

COUNTY = "650102"  # 乌鲁木齐市天山区
VILLAGES = ("650102001001", "650102001002", "650102002001")
SURNAMES = "王李张刘陈杨黄赵吴周买阿"
GIVEN = ("建国", "秀英", "玉兰", "志强", "古丽", "桂芳", "海燕", "德明", "丽娜", "卫东")


@dataclass(frozen=True)
class Person:
    beneficiary_id: str
    citizen_id: str
    name: str
    village_code: str
    household_id: str
    phone: str

    def body(self) -> dict[str, str]:
        return {
            "beneficiary_id": self.beneficiary_id,
            "citizen_id": self.citizen_id,
            "name": self.name,
            "village_code": self.village_code,
            "household_id": self.household_id,
            "phone": self.phone,
        }


def people(count: int, *, run_id: str, seed: int) -> list[Person]:
    rng = random.Random(seed)  # noqa: S311 - synthetic people, not secrets
    chosen = []
    for n in range(count):
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 30_000))
        chosen.append(
            Person(
                beneficiary_id=f"b-{run_id}-{n:04d}",
                citizen_id=citizen_id.make(COUNTY, born, rng.randrange(0, 1000)),
                name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                village_code=VILLAGES[n % len(VILLAGES)],
                household_id=f"h-{run_id}-{n // 3:04d}",
                phone=f"139{rng.randrange(10**8):08d}",
            )
        )
    return chosen
