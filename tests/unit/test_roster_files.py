"""The roster file reader: formats, encodings, headers, rows, and every kind of bad file."""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from services.registry.adapters.roster_files import (
    ImportLimits,
    RosterFile,
    RosterFileError,
    cell_text,
    header_column,
    number_text,
    open_roster,
)
from services.registry.domain.roster_rows import Column, RosterLine

HEADER = ["序号", "姓名", "身份证号码", "社保卡号", "开户银行", "补贴金额(元)"]
ID_1, ID_2, ID_3 = "650102198001010011", "650102198502020022", "65010219900303003X"


def people(count: int = 3, start: int = 1) -> list[list[str]]:
    ids = [ID_1, ID_2, ID_3]
    return [
        [str(n), f"农户{n}", ids[(n - 1) % 3], f"6217{n:015d}", "中国农业银行", "1187.50"]
        for n in range(start, start + count)
    ]


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(*sheets: tuple[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same xlsx with some of its parts replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            if part.filename not in replace:
                target.writestr(part, source.read(part))
        for name, content in replace.items():
            target.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def read(data: bytes, limits: ImportLimits | None = None) -> tuple[RosterFile, list[RosterLine]]:
    roster = open_roster(io.BytesIO(data), limits=limits or ImportLimits())
    return roster, list(roster.lines())


def refusal(data: bytes, limits: ImportLimits | None = None) -> RosterFileError:
    with pytest.raises(RosterFileError) as caught:
        read(data, limits)
    assert any("\u4e00" <= char <= "\u9fff" for char in caught.value.message)  # Chinese
    return caught.value


# --- encodings and formats -----------------------------------------------------------


def test_a_utf8_csv_gives_stripped_text_cells_numbered_as_in_the_file() -> None:
    rows = [HEADER, ["1", " 张三 ", f" {ID_1}\u3000", "6217000000000000001", "农行", "95.00"]]
    roster, lines = read(csv_bytes(rows))
    assert (roster.format, roster.encoding, roster.header_line) == ("csv", "utf-8", 1)
    assert lines == [
        RosterLine(
            2,
            {
                Column.NAME: "张三",
                Column.CITIZEN_ID: ID_1,
                Column.CARD_ACCOUNT: "6217000000000000001",
                Column.BANK: "农行",
                Column.AMOUNT: "95.00",
            },
        )
    ]


def test_a_utf8_csv_with_a_bom_is_detected_and_the_bom_is_not_part_of_the_header() -> None:
    rows = [HEADER[1:], *(row[1:] for row in people())]
    roster, lines = read(csv_bytes(rows, encoding="utf-8-sig"))
    assert roster.encoding == "utf-8-sig"
    assert roster.columns[Column.NAME] == "姓名"
    assert [line.get(Column.NAME) for line in lines] == ["农户1", "农户2", "农户3"]


def test_a_gbk_csv_is_detected_and_decoded_as_gb18030() -> None:
    roster, lines = read(csv_bytes([HEADER, *people()], encoding="gbk"))
    assert roster.encoding == "gb18030"
    assert lines[0].get(Column.BANK) == "中国农业银行"


def test_gb18030_characters_that_gbk_lacks_are_decoded() -> None:
    rows = [HEADER, ["1", "王䶮", ID_1, "6217000000000000001", "农行", "95.00"]]
    roster, lines = read(csv_bytes(rows, encoding="gb18030"))
    assert (roster.encoding, lines[0].get(Column.NAME)) == ("gb18030", "王䶮")


def test_an_undecodable_byte_far_into_a_csv_is_refused_naming_its_line() -> None:
    data = csv_bytes([HEADER, *people(3000)])
    assert len(data) > 64 * 1024  # beyond the prefix the encoding is detected from
    lines = data.split(b"\n")
    lines[2500] = lines[2500].replace("农户".encode(), b"\xff\xfe")
    error = refusal(b"\n".join(lines))
    assert (error.code, error.line_no) == ("roster_encoding", 2501)
    assert "第 2501 行" in error.message


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_csv_cut_inside_a_character_is_refused_as_truncated(encoding: str) -> None:
    data = csv_bytes([HEADER, *people()], encoding=encoding) + "张".encode(encoding)[:1]
    assert refusal(data).code == "roster_truncated"


def test_the_format_is_detected_from_the_content_not_the_file_name(tmp_path: Path) -> None:
    named_csv = tmp_path / "清册.csv"
    named_csv.write_bytes(xlsx_bytes(("清册", [HEADER, *people()])))
    named_xlsx = tmp_path / "清册.xlsx"
    named_xlsx.write_bytes(csv_bytes([HEADER, *people()]))
    assert open_roster(named_csv).format == "xlsx"
    assert open_roster(named_xlsx).format == "csv"


def test_an_old_xls_file_is_refused_with_advice_to_save_it_as_xlsx() -> None:
    error = refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert error.code == "roster_xls_unsupported"
    assert ".xlsx" in error.message


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(100), id="png"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", id="pdf"),
        pytest.param(b"\x00\x01\x02binary", id="nul-bytes"),
        pytest.param("姓名\t身份证号码".encode("utf-16"), id="utf-16"),
        pytest.param(b"<html><table><tr><td>\xe5\xa7\x93\xe5\x90\x8d</td></tr>", id="html"),
        pytest.param(_zip(["word/document.xml", "[Content_Types].xml"]), id="docx"),
        pytest.param(_zip(["[Content_Types].xml", "xl/workbook.bin"]), id="xlsb"),
        pytest.param(b"PK\x05\x06" + bytes(18), id="empty-zip"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(data: bytes) -> None:
    assert refusal(data).code == "roster_not_spreadsheet"


# --- the header ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column"),
    [
        *((t, Column.NAME) for t in ["姓名", "户主姓名", "补贴对象姓名"]),
        *((t, Column.CITIZEN_ID) for t in ["身份证号码", "身份证号", "公民身份号码", "证件号码"]),
        *(
            (t, Column.CARD_ACCOUNT)
            for t in ["社保卡号", "一卡通账号", "社会保障卡号", "银行账号", "卡号", "账号"]
        ),
        *((t, Column.BANK) for t in ["开户银行", "开户行", "代发银行"]),
        *((t, Column.PROGRAMME) for t in ["补贴项目", "项目名称"]),
        *((t, Column.QUANTITY) for t in ["数量", "面积", "数量（面积）", "计税面积（亩）"]),
        *((t, Column.STANDARD) for t in ["补贴标准", "标准", "补贴标准（元）", "补贴标准(元/亩)"]),
        *((t, Column.AMOUNT) for t in ["补贴金额", "金额", "发放金额", "补贴金额（元）"]),
        *((t, Column.VILLAGE) for t in ["村组", "村", "所在村组", "村（社区）"]),
        *((t, Column.PHONE) for t in ["联系电话", "电话", "手机号码"]),
        *((t, Column.HOUSEHOLD) for t in ["户号", "家庭编号"]),
        ("备注", Column.REMARK),
    ],
)
def test_header_synonyms_name_their_column(text: str, column: Column) -> None:
    assert header_column(text) is column


@pytest.mark.parametrize(
    "text", ["　姓　名　", "姓 名", "姓\n名", "*姓名", "姓名：", "姓名(必填)", "姓名[户主]"]
)
def test_headers_are_normalised_before_lookup(text: str) -> None:
    assert header_column(text) is Column.NAME


def test_unknown_headers_name_no_column() -> None:
    assert header_column("序号") is None
    assert header_column("") is None


def test_columns_come_in_any_order_and_unknown_columns_are_ignored() -> None:
    rows = [
        ["补贴金额（元）", "经办人", "账号", "身份证号", "户主姓名", "联系电话"],
        ["95.00", "李四", "6217000000000000001", ID_1, "张三", "13800138000"],
    ]
    roster, lines = read(csv_bytes(rows))
    assert roster.columns == {
        Column.AMOUNT: "补贴金额（元）",
        Column.CARD_ACCOUNT: "账号",
        Column.CITIZEN_ID: "身份证号",
        Column.NAME: "户主姓名",
        Column.PHONE: "联系电话",
    }
    assert lines[0].cells == {
        Column.AMOUNT: "95.00",
        Column.CARD_ACCOUNT: "6217000000000000001",
        Column.CITIZEN_ID: ID_1,
        Column.NAME: "张三",
        Column.PHONE: "13800138000",
    }


def test_title_rows_above_the_header_are_skipped_and_lines_keep_the_files_numbering() -> None:
    rows: list[list[object]] = [
        ["XX镇2026年耕地地力保护补贴发放清册"],
        ["填报单位：XX镇财政所", None, None, "单位：元"],
        [],
        HEADER,
        *people(2),
    ]
    for data in (xlsx_bytes(("清册", rows)), csv_bytes([[str(c or "") for c in r] for r in rows])):
        roster, lines = read(data)
        assert roster.header_line == 4
        assert [line.line_no for line in lines] == [5, 6]


def test_a_header_below_the_search_window_is_not_found() -> None:
    rows = [["说明"]] * 5 + [HEADER, *people()]
    assert read(csv_bytes(rows), ImportLimits(header_search_rows=6))[0].header_line == 6
    assert refusal(csv_bytes(rows), ImportLimits(header_search_rows=5)).code == "roster_no_header"


def test_a_header_lacking_a_required_column_is_refused() -> None:
    rows = [HEADER[:-1], *(row[:-1] for row in people())]  # no 补贴金额
    error = refusal(csv_bytes(rows))
    assert error.code == "roster_no_header"
    assert "补贴金额" in error.message


def test_a_column_named_twice_is_refused_naming_both_headers() -> None:
    rows = [[*HEADER, "户主姓名"], *people()]
    error = refusal(csv_bytes(rows))
    assert (error.code, error.line_no) == ("roster_duplicate_column", 1)
    assert "姓名" in error.message
    assert "户主姓名" in error.message


def test_a_tab_separated_file_is_read() -> None:
    _roster, lines = read(csv_bytes([HEADER, *people()], delimiter="\t"))
    assert len(lines) == 3
    assert lines[0].get(Column.CITIZEN_ID) == ID_1


# --- rows ---------------------------------------------------------------------------------


def test_blank_rows_are_skipped() -> None:
    rows = [HEADER, people()[0], [], ["", " ", "\u3000"], people()[1]]
    _, lines = read(csv_bytes(rows))
    assert [line.line_no for line in lines] == [2, 5]


def test_totals_rows_are_ignored_also_page_subtotals_in_the_middle() -> None:
    rows = [
        HEADER,
        *people(2),
        ["本页小计", "", "", "", "", "2375.00"],
        *people(1, start=3),
        ["合  计", "", "", "", "", "3562.50"],
        ["总计：", "", "", "", "", "3562.50"],
    ]
    _, lines = read(csv_bytes(rows))
    assert [line.line_no for line in lines] == [2, 3, 5]


def test_a_trailing_row_holding_only_amounts_is_ignored() -> None:
    rows = [HEADER, *people(2), ["", "", "", "", "", "2,375.00"], ["", "", "", "", "", ""]]
    _, lines = read(csv_bytes(rows))
    assert [line.line_no for line in lines] == [2, 3]


def test_amount_only_rows_followed_by_data_are_kept_for_validation_to_reject() -> None:
    rows = [HEADER, people()[0], ["", "", "", "", "", "95.00"], people()[1]]
    _, lines = read(csv_bytes(rows))
    assert [line.line_no for line in lines] == [2, 3, 4]
    assert lines[1].get(Column.AMOUNT) == "95.00"
    assert lines[1].get(Column.CITIZEN_ID) == ""


def test_signature_rows_after_the_data_are_ignored() -> None:
    rows = [
        HEADER,
        *people(2),
        ["制表人：王五", "", "", "", "审核人：赵六"],
        ["日期：2026年3月1日"],
    ]
    _, lines = read(csv_bytes(rows))
    assert [line.line_no for line in lines] == [2, 3]


def test_a_row_without_an_id_in_the_data_is_kept_for_validation_to_reject() -> None:
    rows = [HEADER, people()[0], ["2", "李四", "", "6217000000000000002", "农行", "95.00"]]
    _, lines = read(csv_bytes(rows))
    assert [line.get(Column.NAME) for line in lines] == ["农户1", "李四"]


def test_a_repeated_header_row_is_skipped() -> None:
    rows = [HEADER, *people(2), HEADER, *people(1, start=3)]
    _, lines = read(csv_bytes(rows))
    assert [line.line_no for line in lines] == [2, 3, 5]


def test_short_rows_get_empty_cells() -> None:
    rows = [HEADER, ["1", "张三", ID_1]]
    _, lines = read(csv_bytes(rows))
    assert lines[0].cells[Column.AMOUNT] == ""
    assert lines[0].get(Column.CARD_ACCOUNT) == ""


def test_quoted_fields_with_commas_and_line_breaks_count_as_one_row() -> None:
    rows = [[*HEADER, "备注"], [*people()[0], "第一行,\n第二行"], [*people()[1], "说明"]]
    _, lines = read(csv_bytes(rows))
    assert [line.line_no for line in lines] == [2, 3]
    assert lines[0].get(Column.REMARK) == "第一行,\n第二行"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_line_ending_is_read(newline: str) -> None:
    text = newline.join(",".join(row) for row in [HEADER, *people()]) + newline
    _, lines = read(text.encode())
    assert [line.get(Column.AMOUNT) for line in lines] == ["1187.50"] * 3


def test_a_neutralising_quote_before_a_formula_character_is_taken_off() -> None:
    rows = [
        HEADER,
        ["1", "'=1+2", ID_1, "'+86", "'@x", "'-5"],
        ["2", "O'Neil", ID_2, "a", "b", "1"],
    ]
    _, lines = read(csv_bytes(rows))
    assert [lines[0].get(c) for c in (Column.NAME, Column.CARD_ACCOUNT)] == ["=1+2", "+86"]
    assert [lines[0].get(c) for c in (Column.BANK, Column.AMOUNT)] == ["@x", "-5"]
    assert lines[1].get(Column.NAME) == "O'Neil"


def test_a_large_csv_streams_in_batches_with_every_row_numbered() -> None:
    _, lines = read(csv_bytes([HEADER, *people(20_000)]))
    assert len(lines) == 20_000
    assert [line.line_no for line in lines[-2:]] == [20_000, 20_001]
    assert lines[-1].get(Column.NAME) == "农户20000"


# --- xlsx cells ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (6.5e17, "6.5E+17"),
        (650102198001010011, "6.5010219800101E+17"),
        (123.0, "123"),
        (123, "123"),
        (1187.5, "1187.5"),
        (0.1 + 0.2, "0.3"),
        (123456789012345, "123456789012345"),
        (-0.0, "0"),
        (1e-5, "1E-05"),
        (float("inf"), "#NUM!"),
    ],
)
def test_numbers_read_as_excel_shows_them(value: float, text: str) -> None:
    assert number_text(value) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("", False)),
        ("6.5E+17", ("6.5E+17", False)),
        (True, ("TRUE", False)),
        (12.5, ("12.5", True)),
        (datetime(2026, 3, 1), ("2026-03-01", True)),
        (datetime(2026, 3, 1, 8, 30), ("2026-03-01T08:30:00", True)),
        (date(2026, 3, 1), ("2026-03-01", True)),
    ],
)
def test_cell_values_become_text_and_say_whether_they_were_numbers(
    value: object, expected: tuple[str, bool]
) -> None:
    assert cell_text(value) == expected


def test_xlsx_numeric_cells_are_flagged_and_never_repaired() -> None:
    rows: list[list[object]] = [
        HEADER,
        [1, "张三", 6.5e17, "6217000000000000001", "农行", 1187.5],
        [2, "李四", ID_2, 6217000000000000002, "农行", "95.00"],
    ]
    roster, lines = read(xlsx_bytes(("清册", rows)))
    assert (roster.format, roster.encoding, roster.sheet) == ("xlsx", None, "清册")
    assert lines[0].get(Column.CITIZEN_ID) == "6.5E+17"
    assert lines[0].numeric == {Column.CITIZEN_ID, Column.AMOUNT}
    assert lines[1].get(Column.CARD_ACCOUNT) == "6.217E+18"
    assert lines[1].numeric == {Column.CARD_ACCOUNT}


def test_xlsx_dates_become_iso_text() -> None:
    rows: list[list[object]] = [[*HEADER, "备注"], [*people()[0], datetime(2026, 3, 1)]]
    _, lines = read(xlsx_bytes(("清册", rows)))
    assert lines[0].get(Column.REMARK) == "2026-03-01"


def test_xlsx_formulas_give_their_cached_value_never_the_formula() -> None:
    rows: list[list[object]] = [HEADER, [*people()[0][:5], "=95*12.5"]]
    _, lines = read(xlsx_bytes(("清册", rows)))
    assert lines[0].get(Column.AMOUNT) == ""  # openpyxl stores no cached value


def test_the_header_may_be_on_another_sheet_than_the_first() -> None:
    data = xlsx_bytes(("汇总", [["村", "户数"], ["红旗村", 3]]), ("清册", [HEADER, *people()]))
    roster, lines = read(data)
    assert roster.sheet == "清册"
    assert len(lines) == 3


def test_an_xlsx_with_a_wrong_dimension_record_is_still_read_whole() -> None:
    data = xlsx_bytes(("清册", [HEADER, *people(30)]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b'ref="A1:F31"' in sheet
    _, lines = read(rezip(data, {"xl/worksheets/sheet1.xml": sheet.replace(b"A1:F31", b"A1")}))
    assert len(lines) == 30
    assert lines[-1].get(Column.AMOUNT) == "1187.50"


# --- sources and the content hash ------------------------------------------------------


def test_the_content_hash_is_the_sha256_of_the_file_bytes() -> None:
    data = csv_bytes([HEADER, *people()])
    assert read(data)[0].content_hash == hashlib.sha256(data).hexdigest()


def test_a_path_and_a_spooled_upload_give_the_same_roster(tmp_path: Path) -> None:
    data = xlsx_bytes(("清册", [HEADER, *people()]))
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    with tempfile.SpooledTemporaryFile(max_size=1024) as upload:
        upload.write(data)
        from_upload = open_roster(upload)
        upload_lines = list(from_upload.lines())
    from_path = open_roster(path)
    assert from_path.content_hash == from_upload.content_hash
    assert list(from_path.lines()) == upload_lines


def test_lines_start_again_from_the_top_on_every_call() -> None:
    roster = open_roster(io.BytesIO(csv_bytes([HEADER, *people()])))
    assert list(roster.lines()) == list(roster.lines())
    assert len(list(roster.lines())) == 3


# --- bad files ----------------------------------------------------------------------------


def test_an_empty_file_is_refused() -> None:
    assert refusal(b"").code == "roster_empty"


@pytest.mark.parametrize("trailer", [[], [["合计", "", "", "", "", "0"]], [[""] * 6] * 3])
def test_a_header_without_data_rows_is_refused_as_empty(trailer: list[list[str]]) -> None:
    error = refusal(csv_bytes([["标题"], HEADER, *trailer]))
    assert (error.code, error.line_no) == ("roster_empty", 2)


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read() -> None:
    data = csv_bytes([HEADER, *people(100)])
    error = refusal(data, ImportLimits(max_file_bytes=len(data) - 1))
    assert error.code == "roster_too_large"


@pytest.mark.parametrize("make", [csv_bytes, lambda rows: xlsx_bytes(("清册", rows))])
def test_a_file_over_the_row_limit_is_refused(make: object) -> None:
    assert callable(make)
    data = make([HEADER, *people(10)])
    assert len(read(data, ImportLimits(max_rows=11))[1]) == 10
    error = refusal(data, ImportLimits(max_rows=10))
    assert (error.code, error.line_no) == ("roster_too_large", 11)


def test_a_cut_off_xlsx_is_refused_as_truncated() -> None:
    data = xlsx_bytes(("清册", [HEADER, *people()]))
    assert refusal(data[: len(data) // 2]).code == "roster_truncated"


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("unpacked"))
    data = xlsx_bytes(("清册", [HEADER, *people()]))
    bloated = rezip(data, {"xl/media/image1.png": bytes(4 * 1024 * 1024)})  # ratio ~1000
    assert refusal(bloated).code == "roster_zip_bomb"
    assert refusal(data, ImportLimits(max_unpacked_bytes=4096)).code == "roster_zip_bomb"


def test_a_damaged_sheet_is_refused_as_corrupt() -> None:
    data = xlsx_bytes(("清册", [HEADER, *people()]))
    damaged = rezip(data, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"})
    assert refusal(damaged).code == "roster_corrupt"


def test_xml_entity_expansion_in_an_xlsx_is_refused() -> None:
    data = xlsx_bytes(("清册", [HEADER, *people()]))
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    assert refusal(rezip(data, {"xl/worksheets/sheet1.xml": laughs})).code == "roster_corrupt"


def test_an_xlsx_is_refused_unless_defusedxml_is_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    assert openpyxl.DEFUSEDXML is True
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    assert refusal(xlsx_bytes(("清册", [HEADER, *people()]))).code == "roster_xlsx_unsafe"


def test_a_csv_cell_beyond_the_field_limit_is_refused_as_malformed() -> None:
    rows = [HEADER, people()[0], ["2", '"' + "x" * 200_000 + '"', ID_2, "1", "农行", "1"]]
    error = refusal(csv_bytes(rows))
    assert error.code == "roster_csv_malformed"
    assert error.line_no is not None


def test_a_sheet_with_a_far_away_row_is_refused_without_reading_the_gap() -> None:
    book = openpyxl.Workbook()
    for row in [HEADER, *people()]:
        book.active.append(row)
    book.active.cell(row=1_000_000, column=1, value="x")
    out = io.BytesIO()
    book.save(out)
    error = refusal(out.getvalue(), ImportLimits(max_rows=10_000))
    assert error.code == "roster_too_large"


def test_an_unseekable_source_is_a_programming_error() -> None:
    class Pipe(io.RawIOBase):
        def readable(self) -> bool:
            return True

    with pytest.raises(ValueError, match="seekable"):
        open_roster(Pipe())


def test_lines_are_the_same_frozen_records_the_constructor_makes() -> None:
    _, lines = read(csv_bytes([HEADER, *people(2)]))
    rebuilt = [RosterLine(line.line_no, dict(line.cells), line.numeric) for line in lines]
    assert lines == rebuilt
    assert lines[0].numeric == frozenset()
    with pytest.raises(AttributeError):
        lines[0].line_no = 7  # type: ignore[misc]
