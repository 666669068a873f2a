"""A synthetic county: its real GB/T 2260 code and name, invented townships and villages.

The county comes from python-stdnum's division table (``stdnum/cn/loc.dat``). Only
counties (县) whose code was never reassigned are used, so that stdnum accepts every
citizen ID of the county whatever the birth year. Townships get 9-digit codes (county +
101… for towns 镇, 201… for townships 乡, as GB/T 10114 numbers them) and villages 12-digit
codes (township + 201…, the village committee range).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from stdnum import numdb

_PROVINCES = ("43", "65")  # 湖南省, 新疆维吾尔自治区
_SOUTH_XINJIANG = ("6529", "6530", "6531", "6532")
_HAN_FIRST = "东西南北新老上下大小青白黄红金石长高"
_HAN_SECOND = "湾坪塘桥冲岭坡庄屯沟湖山田源溪河港铺湾林岗寨口店洲"
_TOWN = (
    "城关", "新华", "东风", "红星", "青山", "白沙", "杨林", "桃花",
    "石门", "龙潭", "长乐", "永安", "太平", "高桥", "荷塘", "梅溪",
    "金盆", "花园",
)  # fmt: skip
_UYGHUR_PLACE = (
    "阿热勒", "托格拉克", "喀拉苏", "依干其", "托万克", "英吾斯坦", "阔什艾日克", "库木巴格",
    "塔合其", "拜什吐格曼", "奥依巴格", "吐格曼贝希", "喀尔赛", "伊力克其", "阿克塔木",
    "亚喀艾日克",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Village:
    code: str
    name: str
    groups: int


@dataclass(frozen=True, slots=True)
class Township:
    code: str
    name: str
    villages: tuple[Village, ...]


@dataclass(frozen=True, slots=True)
class County:
    code: str
    name: str
    prefecture: str
    province: str
    townships: tuple[Township, ...]

    @property
    def uyghur_share(self) -> float:
        """Share of households with Uyghur names (southern Xinjiang is mostly Uyghur)."""
        if self.code.startswith(_SOUTH_XINJIANG):
            return 0.85
        return 0.15 if self.code.startswith("65") else 0.0


def _current(name: str) -> str:
    """The name in use today from stdnum's ``[1983-1996]东区,[1997-]双清区`` notation."""
    return name.split(",")[-1].split("]")[-1]


@cache
def counties() -> tuple[tuple[str, str], ...]:
    """(code, name) of every county (县) whose code was never reassigned."""
    table: Any = numdb.get("cn/loc")
    found = []
    for _, low, _, _, children in table.prefixes:
        for _, code, _, props, _ in children:
            name = props.get("county", "")
            if name.endswith("县") and "[" not in name and "," not in name:
                found.append((low + code, name))
    return tuple(found)


def region_name(code: str) -> tuple[str, str]:
    """(province, name) of a 6-digit division code, as named today."""
    info = dict(kv for _, props in numdb.get("cn/loc").info(code) for kv in props.items())
    return info["province"], _current(info["county"])


def make_county(
    *, seed: int, townships: int, beneficiaries: int, code: str | None = None
) -> County:
    """A county with ``townships`` townships, villages sized for ``beneficiaries`` people.

    Without ``code``, a Hunan or Xinjiang county chosen by the seed.
    """
    rng = random.Random(f"{seed}:county")  # noqa: S311 - synthetic data, not secrets
    if code is None:
        code = rng.choice([c for c, _ in counties() if c.startswith(_PROVINCES)])
    elif code not in dict(counties()):
        raise ValueError(f"{code} is not a county whose code stdnum accepts for every birth year")
    province, name = region_name(code)
    _, prefecture = region_name(code[:4] + "00")
    uyghur = code.startswith("65")
    per_township = max(1, beneficiaries // max(1, townships))
    villages = min(199, max(3, round(per_township / 350)))
    next_code = {"镇": 101, "乡": 201}
    made = []
    for town_name in _unique_names(rng, townships, uyghur, _TOWN, suffixes=("镇", "乡")):
        town_code = f"{code}{next_code[town_name[-1]]:03d}"
        next_code[town_name[-1]] += 1
        names = _unique_names(rng, villages, uyghur, (), suffixes=("村",))
        made.append(
            Township(
                code=town_code,
                name=town_name,
                villages=tuple(
                    Village(f"{town_code}{201 + k:03d}", v, groups=1 + int(rng.random() * 9))
                    for k, v in enumerate(names)
                ),
            )
        )
    return County(code, name, prefecture, province, tuple(made))


def _unique_names(
    rng: random.Random, count: int, uyghur: bool, extra: tuple[str, ...], *,
    suffixes: tuple[str, ...],
) -> list[str]:  # fmt: skip
    pool = [a + b for a in _HAN_FIRST for b in _HAN_SECOND] + list(extra)
    if uyghur:
        pool += _UYGHUR_PLACE * 3
    rng.shuffle(pool)
    seen: dict[str, None] = {}
    for stem in pool:
        seen.setdefault(stem, None)
        if len(seen) == count:
            break
    if len(seen) < count:
        raise ValueError(f"cannot name {count} places uniquely")
    return [stem + suffixes[int(rng.random() * len(suffixes))] for stem in seen]
