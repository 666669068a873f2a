"""The downloadable template and the rejected-rows export: they read back cleanly, and no
cell in them can become a formula."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from services.registry.adapters.roster_export import (
    EXAMPLE_ROW,
    LINE_HEADER,
    REASONS_HEADER,
    RULES_HEADER,
    STANDARD_HEADERS,
    neutralise,
    template_csv,
    write_rejected_rows,
    write_template_xlsx,
)
from services.registry.adapters.roster_files import RosterFileError, open_roster
from services.registry.domain import citizen_id
from services.registry.domain.roster_rows import Column, Finding, RosterLine

ID_1, ID_2 = "650102198001010011", "650102198502020022"
CUSTOM_HEADERS = {
    Column.NAME: "户主姓名",
    Column.CITIZEN_ID: "身份证号",
    Column.CARD_ACCOUNT: "一卡通账号",
    Column.AMOUNT: "金额（元）",
    Column.REMARK: "备注",
}
ID_FINDING = Finding(
    "citizen_id_invalid", "reject", "身份证号码无效：请核对18位号码", Column.CITIZEN_ID
)
AMOUNT_FINDING = Finding("amount_mismatch", "reject", "补贴金额不等于数量×标准", Column.AMOUNT)


def workbook_bytes(write: object) -> bytes:
    out = io.BytesIO()
    assert callable(write)
    write(out)
    return out.getvalue()


def line(line_no: int, **cells: str) -> RosterLine:
    return RosterLine(line_no, {Column(name): text for name, text in cells.items()})


def export(rows: list[tuple[RosterLine, list[Finding]]]) -> bytes:
    out = io.BytesIO()
    write_rejected_rows(out, rows, columns=CUSTOM_HEADERS)
    return out.getvalue()


def cells_of(data: bytes) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [[cell.value for cell in row] for row in book.active.iter_rows()]


# --- the template ---------------------------------------------------------------------


def test_the_xlsx_template_reads_back_with_every_column_and_the_example_row() -> None:
    roster = open_roster(io.BytesIO(workbook_bytes(write_template_xlsx)))
    assert roster.columns == STANDARD_HEADERS
    assert list(roster.lines()) == [RosterLine(2, EXAMPLE_ROW)]


def test_the_csv_template_reads_back_as_utf8_with_bom() -> None:
    roster = open_roster(io.BytesIO(template_csv()))
    assert (roster.encoding, roster.columns) == ("utf-8-sig", STANDARD_HEADERS)
    assert list(roster.lines()) == [RosterLine(2, EXAMPLE_ROW)]


def test_the_example_citizen_id_is_valid() -> None:
    assert citizen_id.is_valid(EXAMPLE_ROW[Column.CITIZEN_ID], today=date(2026, 1, 1))


def test_the_template_formats_cells_as_text_so_typed_ids_keep_their_digits(
    tmp_path: Path,
) -> None:
    path = tmp_path / "模板.xlsx"
    write_template_xlsx(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["B2"].number_format == "@"
    assert sheet["B2"].data_type == "s"
    assert sheet.column_dimensions["B"].number_format == "@"


# --- the rejected rows ------------------------------------------------------------------


def test_rejected_rows_read_back_with_their_cells_unchanged_and_the_row_they_replace() -> None:
    rows = [
        (
            line(
                3, name="张三", citizen_id=ID_1, card_account="6217000000000000001", amount="95.00"
            ),
            [ID_FINDING],
        ),
        (
            line(9, name="李四", citizen_id="6.5E+17", card_account="", amount="1", remark="补"),
            [ID_FINDING, AMOUNT_FINDING],
        ),
    ]
    roster = open_roster(io.BytesIO(export(rows)))
    assert roster.columns == {**CUSTOM_HEADERS, Column.ROW_NO: LINE_HEADER}
    again = list(roster.lines())
    assert [back.cells for back in again] == [
        {
            **{column: original.get(column) for column in CUSTOM_HEADERS},
            Column.ROW_NO: str(original.line_no),
        }
        for original, _ in rows
    ]


def test_rejected_rows_carry_their_original_line_rule_codes_and_reasons() -> None:
    rows = [(line(9, name="李四", citizen_id="123", amount="1"), [ID_FINDING, AMOUNT_FINDING])]
    header, row = cells_of(export(rows))
    assert header[-3:] == [LINE_HEADER, RULES_HEADER, REASONS_HEADER]
    assert row[-3:] == [
        "9",
        "citizen_id_invalid；amount_mismatch",
        "身份证号码无效：请核对18位号码\n补贴金额不等于数量×标准",
    ]


def test_the_export_returns_how_many_rows_it_wrote() -> None:
    out = io.BytesIO()
    assert write_rejected_rows(out, [(line(2, name="甲"), [ID_FINDING])] * 3) == 3
    assert write_rejected_rows(io.BytesIO(), []) == 0


FORMULAS = ['=HYPERLINK("http://x","点我")', "+86 138", "-5", "@SUM(A1)", "'=already quoted"]


def test_formula_like_cells_are_exported_as_quoted_text_never_as_formulas() -> None:
    rows = [(line(2, name=text, citizen_id=ID_1, amount=text), [ID_FINDING]) for text in FORMULAS]
    book = openpyxl.load_workbook(io.BytesIO(export(rows)))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    names = [row[0].value for row in book.active.iter_rows(min_row=2)]
    assert names == ["'" + text for text in FORMULAS]


def test_formula_like_cells_read_back_as_they_were() -> None:
    rows = [(line(2, name=text, citizen_id=ID_2, amount=text), [ID_FINDING]) for text in FORMULAS]
    again = list(open_roster(io.BytesIO(export(rows))).lines())
    assert [back.get(Column.NAME) for back in again] == FORMULAS
    assert [back.get(Column.AMOUNT) for back in again] == FORMULAS


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("张三", "张三"),
        ("O'Neil", "O'Neil"),
        ("'quoted", "'quoted"),
        ("1=1", "1=1"),
        ("", ""),
    ],
)
def test_neutralise_quotes_exactly_what_a_spreadsheet_would_read_as_a_formula(
    text: str, safe: str
) -> None:
    assert neutralise(text) == safe


def test_control_characters_and_overlong_cells_do_not_break_the_export() -> None:
    rows = [(line(2, name="张\x01三", citizen_id=ID_1, remark="长" * 40_000), [ID_FINDING])]
    _, row = cells_of(export(rows))
    assert row[0] == "张\ufffd三"
    assert isinstance(row[4], str)
    assert len(row[4]) == 32767


def test_an_export_of_no_rows_is_a_header_the_reader_calls_empty() -> None:
    with pytest.raises(RosterFileError) as caught:
        open_roster(io.BytesIO(export([])))
    assert caught.value.code == "roster_empty"
