"""The synthetic county and its register: real division codes, valid and unique numbers,
plausible people and households, the same files from the same seed."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from stdnum import luhn
from stdnum.cn import ric

from infra.synthetic import write_county
from infra.synthetic.banks import BANKS
from infra.synthetic.county import counties, make_county, region_name
from infra.synthetic.defects import DefectKind
from infra.synthetic.files import CountyFiles, read_register
from infra.synthetic.numbers import PHONE_PREFIXES, CardNumbers, CitizenIds, Scramble
from infra.synthetic.people import Beneficiary
from services.registry.domain import citizen_id

AS_OF = date(2025, 6, 30)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> CountyFiles:
    rates = {DefectKind.CLOSED_ACCOUNT: 0.02, DefectKind.SHARED_PHONE: 0.01}
    return write_county(
        tmp_path_factory.mktemp("county"), beneficiaries=3_000, townships=3, seed=11,
        defect_rate=rates, county_code="653124", as_of=AS_OF,
    )  # fmt: skip


@pytest.fixture(scope="module")
def register(county: CountyFiles) -> list[Beneficiary]:
    return list(read_register(county.register))


def test_the_county_is_real_and_its_divisions_are_coded_under_it(county: CountyFiles) -> None:
    made = county.county
    assert (made.code, made.name, made.prefecture) == ("653124", "泽普县", "喀什地区")
    assert made.province == "新疆维吾尔自治区"
    towns = made.townships
    assert len(towns) == 3
    assert len({t.code for t in towns}) == 3
    for town in towns:
        assert re.fullmatch(r"653124[12]\d\d", town.code)
        assert town.name[-1] in "镇乡"
        assert len({v.name for v in town.villages}) == len(town.villages) >= 3
        for village in town.villages:
            assert re.fullmatch(town.code + r"[23]\d\d", village.code)
            assert village.name.endswith("村")
            assert village.groups >= 1


def test_without_a_code_the_seed_picks_a_hunan_or_xinjiang_county() -> None:
    made = make_county(seed=5, townships=2, beneficiaries=1_000)
    assert made.code[:2] in {"43", "65"}
    assert (made.code, made.name) in counties()
    assert make_county(seed=5, townships=2, beneficiaries=1_000) == made
    with pytest.raises(ValueError, match="stdnum"):
        make_county(seed=5, townships=2, beneficiaries=1_000, code="430621")  # 岳阳县 [1983-]
    assert region_name("430621") == ("湖南省", "岳阳县")


def test_every_citizen_id_is_valid_unique_and_agrees_with_gender_and_age(
    register: list[Beneficiary],
) -> None:
    assert len(register) == 3_000
    assert len({p.citizen_id for p in register}) == 3_000
    for person in register:
        assert ric.is_valid(person.citizen_id), person
        assert citizen_id.is_valid(person.citizen_id, today=AS_OF)
        assert ric.get_birth_date(person.citizen_id) == person.birth_date <= AS_OF
        assert int(person.citizen_id[16]) % 2 == (1 if person.gender == "男" else 0)
    home = sum(p.citizen_id.startswith("653124") for p in register)
    assert 0.9 < home / len(register) < 1.0  # a few were issued elsewhere in Xinjiang
    ages = [p.age(AS_OF) for p in register]
    assert min(ages) < 10
    assert max(ages) > 80
    assert 30 < sum(ages) / len(ages) < 50


def test_households_have_one_head_first_and_one_to_six_members(
    register: list[Beneficiary],
) -> None:
    households: dict[str, list[Beneficiary]] = defaultdict(list)
    for person in register:
        households[person.household_id].append(person)
    assert len(households) > 500
    for members in households.values():
        assert 1 <= len(members) <= 6
        assert [m.is_head for m in members] == [True] + [False] * (len(members) - 1)
        assert len({(m.village_code, m.group) for m in members}) == 1
        assert members[0].household_id.startswith(members[0].village_code)
        assert members[0].age(AS_OF) >= 25


def test_names_are_plausible(register: list[Beneficiary]) -> None:
    han = [p.name for p in register if "·" not in p.name]
    uyghur = [p.name for p in register if "·" in p.name]
    assert len(uyghur) > len(han) > 0  # 泽普县 is in southern Xinjiang
    assert all(2 <= len(name) <= 3 for name in han)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,5}·[\u4e00-\u9fff]{2,5}", n) for n in uyghur)
    top = Counter(name[0] for name in han).most_common(3)
    assert {"王", "李", "张"} & {surname for surname, _ in top}


def test_phones_are_mobile_numbers_unique_but_for_the_shared_ones(
    register: list[Beneficiary],
) -> None:
    phones = [p.phone for p in register if p.phone]
    assert all(re.fullmatch(r"1[3589]\d{9}", phone) for phone in phones)
    assert all(int(phone[:3]) in PHONE_PREFIXES for phone in phones)
    assert all(p.phone or p.age(AS_OF) < 16 for p in register)
    repeated = [n for n in Counter(phones).values() if n > 1]
    assert 0 < len(repeated) < len(phones) * 0.03


def test_card_accounts_carry_a_luhn_digit_and_their_bank_bin(register: list[Beneficiary]) -> None:
    for person in register:
        assert len(person.card_account) == 19
        assert luhn.is_valid(person.card_account)
        assert person.card_account.startswith(BANKS[person.bank_code].bin + "3124")
    statuses = Counter(p.account_status for p in register)
    assert set(statuses) == {"open", "closed", "frozen"}
    assert statuses["open"] > 0.95 * len(register)


def test_the_same_seed_writes_the_same_register(tmp_path: Path) -> None:
    def register(seed: int, where: str) -> bytes:
        files = write_county(tmp_path / where, beneficiaries=400, townships=2, seed=seed)
        return files.register.read_bytes()

    assert register(3, "a") == register(3, "b")
    assert register(3, "a") != register(4, "c")


def test_citizen_ids_are_unique_even_when_a_birth_day_is_crowded() -> None:
    ids = CitizenIds("653124", first=date(1990, 1, 1), last=date(1990, 1, 2))
    rng = random.Random(1)
    day = date(1990, 1, 1).toordinal()
    made = [ids.take(day, male=n % 2 == 0, rng=rng) for n in range(1_000)]
    assert len(set(made)) == 1_000
    assert all(ric.is_valid(number) for number in made)
    assert {number[6:14] for number in made} == {"19900101", "19900102"}  # spilt over


def test_card_numbers_and_serials() -> None:
    cards = CardNumbers("622848", "3124")
    assert all(luhn.is_valid(cards.make(serial)) for serial in range(0, 10**8, 999_983))
    scramble = Scramble("k")
    assert len({scramble(n) for n in range(200_000)}) == 200_000
    with pytest.raises(ValueError, match="8 digits"):
        scramble(10**8)
