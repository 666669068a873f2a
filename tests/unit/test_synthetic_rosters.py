"""Synthetic rosters: the files read back in every encoding and in xlsx, amounts are exact,
and a reference check written here from the rules finds exactly the manifest's defects."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent

from infra.synthetic import DefectKind, RosterFormat, RosterManifest, write_county
from infra.synthetic.files import CountyFiles, read_register
from infra.synthetic.people import Beneficiary
from infra.synthetic.programmes import CATALOGUE, FARMLAND, Programme
from infra.synthetic.roster_files import HEADERS
from infra.synthetic.roster_values import amount_of
from services.registry.domain.roster_rows import Column

K = DefectKind
FORMATS = (
    RosterFormat(kind="xlsx"),
    RosterFormat(encoding="gb18030", shuffle_columns=True),
    RosterFormat(encoding="utf-8-sig", title=False, blank_row=False),
    RosterFormat(encoding="utf-8", shuffle_columns=True, title=False, totals_row=False),
)
BY_HEADER = {header: column for column, header in HEADERS.items()}
Line = dict[Column, object]


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> CountyFiles:
    return write_county(
        tmp_path_factory.mktemp("rosters"), beneficiaries=6_000, townships=2, programmes=3,
        seed=21, defect_rate=0.3, formats=FORMATS, as_of=date(2025, 6, 30),
    )  # fmt: skip


@pytest.fixture(scope="module")
def register(county: CountyFiles) -> dict[str, Beneficiary]:
    return {p.citizen_id: p for p in read_register(county.register)}


Parsed = tuple[dict[int, Line], list[list[object]]]


@pytest.fixture(scope="module")
def parsed(county: CountyFiles) -> dict[Path, Parsed]:
    return {manifest.path: read_roster(manifest) for manifest in county.rosters}


def read_roster(manifest: RosterManifest) -> Parsed:
    """Data lines by line number (header found by its 姓名 cell), and every row as read."""
    rows = list(_rows(manifest.path))
    header_at = next(n for n, row in enumerate(rows) if "姓名" in row)
    columns = [BY_HEADER[str(h)] for h in rows[header_at]]
    assert header_at + 2 == manifest.first_data_line
    data = rows[header_at + 1 : header_at + 1 + manifest.data_rows]
    assert all(len(row) <= len(columns) for row in data)  # nothing needed quoting
    lines = {
        manifest.first_data_line + n: dict(zip(columns, row + [None] * 11, strict=False))
        for n, row in enumerate(data)
    }
    return lines, rows


def _rows(path: Path) -> Iterator[list[object]]:
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        yield from ([cell for cell in row] for row in book.active.iter_rows(values_only=True))
        book.close()
        return
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    yield from csv.reader(text.splitlines())


def text(value: object) -> str:
    return "" if value is None else str(value)


def reference_check(
    lines: dict[int, Line], programme: Programme, register: dict[str, Beneficiary],
    deceased: set[str], servants: set[str],
) -> dict[int, DefectKind]:  # fmt: skip
    """What validation should find, rule by rule, written independently of the generator."""
    found: dict[int, DefectKind] = {}
    first_of_id: dict[str, int] = {}
    holders: dict[tuple[Column, str], str] = {}
    for line, cells in sorted(lines.items()):
        kind = _row_defect(cells, programme, register, deceased, servants, first_of_id)
        number = text(cells[Column.CITIZEN_ID])
        first_of_id.setdefault(number, line)
        for column, shared in (
            (Column.CARD_ACCOUNT, K.SHARED_CARD),
            (Column.PHONE, K.SHARED_PHONE),
        ):
            value = text(cells[column])
            if value and holders.setdefault((column, value), number) != number and kind is None:
                kind = shared
        if kind is not None:
            found[line] = kind
    return found


def _row_defect(
    cells: Line, programme: Programme, register: dict[str, Beneficiary],
    deceased: set[str], servants: set[str], first_of_id: dict[str, int],
) -> DefectKind | None:  # fmt: skip
    number = cells[Column.CITIZEN_ID]
    if isinstance(number, float) or re.fullmatch(r"\d\.\d{5}E\+17", str(number)):
        return K.ID_AS_NUMBER
    number = str(number)
    try:
        ric.validate(number)
    except InvalidChecksum:
        return K.INVALID_CHECK_DIGIT
    except InvalidComponent:
        return K.IMPOSSIBLE_BIRTH_DATE
    person = register.get(number)
    quantity, standard, amount = (
        Decimal(text(cells[c])) for c in (Column.QUANTITY, Column.STANDARD, Column.AMOUNT)
    )
    if person is None:
        return K.UNKNOWN_PERSON
    checks = (
        (number in first_of_id, K.DUPLICATE_ID),
        (person.name != cells[Column.NAME], K.NAME_MISMATCH),
        (person.card_account != cells[Column.CARD_ACCOUNT], K.CARD_NOT_OWNED),
        (person.account_status != "open", K.CLOSED_ACCOUNT),
        (standard != programme.standard, K.WRONG_STANDARD),
        (amount != programme.amount(quantity, standard), K.AMOUNT_MISMATCH),
        (amount > programme.limit, K.OVER_LIMIT),
        (number in deceased, K.DECEASED),
        (number in servants and programme.excludes_public_servants, K.PUBLIC_SERVANT),
    )  # fmt: skip
    return next((kind for failed, kind in checks if failed), None)


def ids_on(path: Path) -> set[str]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return {row["身份证号码"] for row in csv.DictReader(file)}


def test_one_roster_per_township_and_programme_in_every_format(county: CountyFiles) -> None:
    assert [m.path.suffix for m in county.rosters] == [FORMATS[n % 4].suffix for n in range(6)]
    assert {(m.township, m.programme) for m in county.rosters} == {
        (t.code, p.code) for t in county.county.townships for p in CATALOGUE[:3]
    }
    assert county.manifest.exists()
    assert all(p.exists() for p in county.lists.values())


def test_validation_rules_find_exactly_the_manifest(
    county: CountyFiles, register: dict[str, Beneficiary], parsed: dict[Path, Parsed]
) -> None:
    deceased, servants = ids_on(county.lists["deceased"]), ids_on(county.lists["public_servants"])
    programmes = {p.code: p for p in CATALOGUE}
    seen: set[DefectKind] = set()
    for manifest in county.rosters:
        lines, _ = parsed[manifest.path]
        programme = programmes[manifest.programme]
        found = reference_check(lines, programme, register, deceased, servants)
        assert found == manifest.kinds(), manifest.path.name
        seen |= set(found.values())
        assert 0.15 < len(found) / len(lines) < 0.45
    assert seen == set(DefectKind)


def test_defects_point_at_the_rows_they_involve(
    county: CountyFiles, register: dict[str, Beneficiary], parsed: dict[Path, Parsed]
) -> None:
    for manifest in county.rosters:
        lines, _ = parsed[manifest.path]
        for line, defect in manifest.defects.items():
            cells, other = lines[line], lines.get(defect.related_line or 0)
            if defect.kind is K.DUPLICATE_ID:
                assert other == cells
                assert (defect.related_line or line) < line
            elif defect.kind is K.CARD_NOT_OWNED:
                assert other is not None
                mine = register[text(cells[Column.CITIZEN_ID])].card_account
                assert text(other[Column.CARD_ACCOUNT]) == mine
            elif defect.kind in (K.SHARED_CARD, K.SHARED_PHONE):
                column = Column.CARD_ACCOUNT if defect.kind is K.SHARED_CARD else Column.PHONE
                assert other is not None
                assert other[column] == cells[column]
                assert other[Column.CITIZEN_ID] != cells[Column.CITIZEN_ID]
            elif defect.kind is K.CLOSED_ACCOUNT:
                assert defect.detail in {"closed", "frozen"}
            elif defect.kind is K.IMPOSSIBLE_BIRTH_DATE:
                number = text(cells[Column.CITIZEN_ID])
                assert ric.calc_check_digit(number) == number[17]


def test_amounts_are_quantity_times_standard_to_the_fen(
    county: CountyFiles, parsed: dict[Path, Parsed]
) -> None:
    spoilt = {K.AMOUNT_MISMATCH, K.OVER_LIMIT, K.WRONG_STANDARD}
    for manifest in county.rosters:
        programme = next(p for p in CATALOGUE if p.code == manifest.programme)
        lines, _ = parsed[manifest.path]
        for line, cells in lines.items():
            quantity, standard, amount = (
                Decimal(text(cells[c])) for c in (Column.QUANTITY, Column.STANDARD, Column.AMOUNT)
            )
            assert amount == amount.quantize(Decimal("0.01"))
            if manifest.path.suffix == ".csv":  # xlsx keeps numbers, not their decimals
                assert -quantity.as_tuple().exponent == programme.decimals  # type: ignore[operator]
            if manifest.defects.get(line) is None or manifest.defects[line].kind not in spoilt:
                assert standard == programme.standard
                assert amount <= programme.limit
                assert amount == (quantity * standard).quantize(Decimal("0.01"), ROUND_HALF_UP)
        total = sum(Decimal(text(c[Column.AMOUNT])) for c in lines.values())
        assert total * 100 == manifest.total_fen


@given(quantity=st.integers(1, 10**6), standard=st.integers(1, 10**6))
def test_integer_amounts_equal_decimal_half_up(quantity: int, standard: int) -> None:
    exact = (Decimal(quantity) / 100 * Decimal(standard) / 100).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert Decimal(amount_of(quantity, standard)) / 100 == exact


def test_files_are_laid_out_as_their_format_says(
    county: CountyFiles, parsed: dict[Path, Parsed]
) -> None:
    for n, manifest in enumerate(county.rosters):
        fmt = FORMATS[n % len(FORMATS)]
        _, rows = parsed[manifest.path]
        header = [text(h) for h in rows[1 if fmt.title else 0]]
        assert set(header) == set(HEADERS.values())
        assert (header == list(HEADERS.values())) != fmt.shuffle_columns
        if fmt.title:
            assert text(rows[0][0]).endswith("发放清册（第1批）")
        tail = rows[manifest.first_data_line - 1 + manifest.data_rows :]
        expected = int(fmt.blank_row) + int(fmt.totals_row)
        assert len(tail) == expected
        if fmt.totals_row:
            totals = dict(zip(header, (text(c) for c in tail[-1]), strict=False))
            assert totals["姓名"] == "合计"
            assert Decimal(totals["补贴金额"]) * 100 == manifest.total_fen
        if fmt.blank_row:
            assert not any(text(c) for c in tail[0])


def test_csv_encodings_round_trip_and_gb18030_is_not_utf8(tmp_path: Path) -> None:
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        files = write_county(
            tmp_path / encoding, beneficiaries=300, townships=1, programmes=1, seed=2,
            formats=[RosterFormat(encoding=encoding)],
        )  # fmt: skip
        path = files.rosters[0].path
        with path.open(encoding=encoding, newline="") as file:
            rows = list(csv.reader(file))
        assert rows[1][:2] == ["姓名", "身份证号码"]
        assert len(rows) == 2 + files.rosters[0].data_rows + 2
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
        if encoding == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")


def test_ids_stored_as_numbers_look_as_excel_leaves_them(
    county: CountyFiles, parsed: dict[Path, Parsed]
) -> None:
    for manifest in county.rosters:
        lines, _ = parsed[manifest.path]
        for line, defect in manifest.defects.items():
            if defect.kind is K.ID_AS_NUMBER:
                value = lines[line][Column.CITIZEN_ID]
                if manifest.path.suffix == ".xlsx":
                    assert isinstance(value, float)
                    assert len(f"{value:.0f}") == 18
                else:
                    assert re.fullmatch(r"[1-9]\.\d{5}E\+17", str(value))


def test_the_same_seed_writes_the_same_rosters(tmp_path: Path) -> None:
    def make(where: str, seed: int) -> CountyFiles:
        return write_county(
            tmp_path / where, beneficiaries=800, townships=1, programmes=2, seed=seed,
            defect_rate=0.2, formats=FORMATS[:2],
        )  # fmt: skip

    a, b, c = make("a", 9), make("b", 9), make("c", 10)
    assert [m.kinds() for m in a.rosters] == [m.kinds() for m in b.rosters]
    assert a.rosters[1].path.read_bytes() == b.rosters[1].path.read_bytes()
    assert list(_rows(a.rosters[0].path)) == list(_rows(b.rosters[0].path))
    assert a.rosters[1].path.read_bytes() != c.rosters[1].path.read_bytes()


def test_a_roster_of_every_person_for_the_benchmark(tmp_path: Path) -> None:
    everyone = replace(CATALOGUE[1], coverage=1.0)
    files = write_county(
        tmp_path, beneficiaries=2_000, townships=1, programmes=[everyone], seed=1,
        defect_rate=0.0, formats=[RosterFormat()],
    )  # fmt: skip
    (roster,) = files.rosters
    assert roster.data_rows == 2_000
    assert not roster.defects


def test_over_limit_quantities_for_area_programmes_have_two_decimals(tmp_path: Path) -> None:
    files = write_county(
        tmp_path, beneficiaries=1_000, townships=1, programmes=[FARMLAND], seed=4,
        defect_rate={K.OVER_LIMIT: 0.2}, formats=[RosterFormat()],
    )  # fmt: skip
    lines, _ = read_roster(files.rosters[0])
    over = [lines[n] for n in files.rosters[0].defects]
    assert over
    assert all(Decimal(text(c[Column.AMOUNT])) > FARMLAND.limit for c in over)
    assert all(re.fullmatch(r"\d+\.\d\d", text(c[Column.QUANTITY])) for c in over)


def test_rates_are_checked() -> None:
    with pytest.raises(ValueError, match="50%"):
        write_county(Path("/nonexistent"), defect_rate=0.6)
