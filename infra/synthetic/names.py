"""Plausible personal names, drawn from pools built once (Faker's zh_CN surname
frequencies and given names, plus our own pools), never by calling Faker per person.

Han names are a surname and a one- or two-character given name (2–3 characters in all);
Uyghur names, common in Xinjiang counties, are transliterated as the person's name, a
middle dot, and the father's name (买买提·艾力).
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate
from typing import Final

from faker.providers.person.zh_CN import Provider as _Faker

_SURNAMES: Final = tuple(s for s in _Faker.last_names if len(s) == 1)
_SURNAME_CUM: Final = tuple(accumulate(float(_Faker.last_names[s]) for s in _SURNAMES))
_ODD: Final = frozenset({"想", "杨", "红霞", "欢"})
_ONE: Final = {
    True: tuple(n for n in _Faker.first_names_male if len(n) == 1 and n not in _ODD),
    False: tuple(n for n in _Faker.first_names_female if len(n) == 1),
}
_TWO: Final = {
    True: tuple(n for n in _Faker.first_names_male if len(n) == 2 and n not in _ODD),
    False: tuple(n for n in _Faker.first_names_female if len(n) == 2),
}
_LEAD: Final = {
    True: "志建国永海文德明金学春家子俊浩宇晓新振立",
    False: "秀玉桂丽春美晓雪小金海淑思雨佳梦",
}
UYGHUR: Final = {
    True: (
        "买买提", "艾力", "阿不都", "吐尔逊", "阿布力孜", "艾合买提", "依明", "热合曼",
        "亚森", "卡德尔", "吾斯曼", "玉素甫", "阿里木", "肉孜", "托乎提", "麦麦提",
        "艾则孜", "司马义", "吐尔洪", "艾山", "买合木提", "库尔班", "排尔哈提", "艾克拜尔",
        "迪力夏提",
    ),
    False: (
        "古丽", "阿依古丽", "热依拉", "帕提古丽", "努尔古丽", "再努尔", "阿依努尔", "古丽米热",
        "迪丽努尔", "巴哈古丽", "图尔荪古丽", "玛依拉", "阿依夏木", "祖丽皮亚", "阿米娜", "如克亚",
        "海尼古丽", "帕孜丽亚", "米热古丽", "阿丽亚",
    ),
}  # fmt: skip
_SOUNDALIKE: Final = dict(
    pair
    for a, b in ("英瑛", "华骅", "明铭", "丽莉", "芳方", "军君", "红虹", "玉钰", "兰岚", "伟玮",
                 "梅枚", "平萍", "峰锋", "建健", "买麦", "提堤", "热惹", "艾爱", "江疆", "珍贞",
                 "孜兹", "都杜", "尔儿", "依伊", "木穆", "克可", "娜那", "吾乌", "斯司")
    for pair in ((a, b), (b, a))
)  # fmt: skip


def surname(rng: random.Random) -> str:
    """A Han surname, as frequent as in the population."""
    return _SURNAMES[bisect(_SURNAME_CUM, rng.random() * _SURNAME_CUM[-1])]


def given_name(rng: random.Random, *, male: bool, uyghur: bool) -> str:
    """A given name: 1 or 2 characters for Han names, a transliterated name otherwise."""
    if uyghur:
        pool = UYGHUR[male]
        return pool[int(rng.random() * len(pool))]
    draw = rng.random()
    if draw < 0.15:
        pool = _ONE[male]
    elif draw < 0.3:
        pool = _TWO[male]
    else:
        lead, one = _LEAD[male], _ONE[male]
        return lead[int(rng.random() * len(lead))] + one[int(rng.random() * len(one))]
    return pool[int(rng.random() * len(pool))]


def full_name(family: str, given: str, *, uyghur: bool) -> str:
    """Han: surname + given name; Uyghur: given name · father's name."""
    return f"{given}·{family}" if uyghur else family + given


def misspelt(name: str, rng: random.Random) -> str:
    """The name as a clerk might mistype it: a sound-alike character, or another one."""
    for i in range(len(name) - 1, 0, -1):
        if name[i] in _SOUNDALIKE:
            return name[:i] + _SOUNDALIKE[name[i]] + name[i + 1 :]
    other = [c for c in "明华伟芳丽军英" if c != name[-1]]
    return name[:-1] + other[int(rng.random() * len(other))]
