"""Fuzzing the roster reader: whatever bytes arrive, it reads them or refuses them with a
RosterFileError, never anything else; and text it can read comes back exactly."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.registry.adapters.roster_files import (
    ImportLimits,
    RosterFileError,
    open_roster,
)
from services.registry.domain.roster_rows import Column, RosterLine

CODES = {
    "roster_empty",
    "roster_too_large",
    "roster_not_spreadsheet",
    "roster_xls_unsupported",
    "roster_truncated",
    "roster_corrupt",
    "roster_zip_bomb",
    "roster_encoding",
    "roster_csv_malformed",
    "roster_no_header",
    "roster_duplicate_column",
}
LIMITS = ImportLimits(max_rows=5_000)
HEADER = ["姓名", "身份证号码", "社保卡号", "补贴金额(元)", "备注"]
ROWS = [
    HEADER,
    *([f"农户{n}", f"65010219800101{n:04d}", f"6217{n:015d}", "95.00", ""] for n in range(8)),
]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_or_refuse(data: bytes) -> list[RosterLine] | RosterFileError:
    """The file's lines, or its refusal; any other exception fails the test."""
    try:
        return list(open_roster(io.BytesIO(data), limits=LIMITS).lines())
    except RosterFileError as error:
        refused = error
    assert refused.code in CODES
    assert refused.message
    return refused


def xlsx(compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    book = openpyxl.Workbook()
    for row in [["XX镇补贴发放清册"], *ROWS, ["合计", "", "", 760, ""]]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return rezip(out.getvalue(), {}, compression)


def rezip(data: bytes, replace: dict[str, bytes], compression: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            content = replace.get(part.filename, source.read(part))
            target.writestr(part.filename, content, compress_type=compression)
    return out.getvalue()


def text(encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["XX镇补贴发放清册"], *ROWS, ["合计", "", "", "760"]])
    return out.getvalue().encode(encoding)


SHEET = "xl/worksheets/sheet1.xml"
VALID_XLSX, STORED_XLSX = xlsx(), xlsx(zipfile.ZIP_STORED)
with zipfile.ZipFile(io.BytesIO(VALID_XLSX)) as _archive:
    VALID_SHEET = _archive.read(SHEET)
VALID_FILES = [VALID_XLSX, STORED_XLSX, text("utf-8"), text("utf-8-sig"), text("gbk")]


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """The bytes with a few changed, inserted or deleted, and perhaps cut short."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["change", "insert", "delete"]))
        if action == "change":
            data[at] = draw(st.integers(0, 255))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            del data[at : at + draw(st.integers(1, 16))]
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


def unquoted(text: str) -> str:
    """The text without the quote ``neutralise`` puts before a formula character."""
    return text[1:] if re.match(r"'+[=+@\t\r-]", text) else text


def test_the_unmutated_files_read_their_eight_rows() -> None:
    for data in VALID_FILES:
        lines = read_or_refuse(data)
        assert isinstance(lines, list)
        assert len(lines) == 8


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_are_read_or_refused(data: bytes) -> None:
    read_or_refuse(data)


@FUZZ
@given(st.sampled_from(VALID_FILES).flatmap(mutated))
def test_mutated_roster_files_are_read_or_refused(data: bytes) -> None:
    read_or_refuse(data)


@settings(FUZZ, max_examples=80)
@given(mutated(VALID_SHEET))
def test_an_xlsx_with_a_mutated_sheet_is_read_or_refused(sheet: bytes) -> None:
    read_or_refuse(rezip(VALID_XLSX, {SHEET: sheet}, zipfile.ZIP_DEFLATED))


@settings(FUZZ, max_examples=40)  # each example writes a workbook: slow
@given(
    st.lists(st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=40), min_size=1),
    st.lists(st.sampled_from(["'", "=", "-", "+", " ", "\u3000", "\t", "x"]), max_size=3),
)
def test_any_xlsx_text_cell_comes_back_stripped(cells: list[str], prefix: list[str]) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row, cell in enumerate(cells, start=2):
        book.active.append(["", "650102198001010011", "1", "1"])
        book.active.cell(row, 1).value = "".join(prefix) + cell
        book.active.cell(row, 1).data_type = "s"  # text, even when it starts with "="
    out = io.BytesIO()
    book.save(out)
    lines = read_or_refuse(out.getvalue())
    assert isinstance(lines, list)
    texts = ["".join(prefix) + cell for cell in cells]
    assert [line.get(Column.NAME) for line in lines] == [unquoted(t.strip()) for t in texts]


cell_text = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))


@FUZZ
@given(
    st.lists(st.tuples(cell_text, st.from_regex(r"[0-9]{1,18}", fullmatch=True)), min_size=1),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    st.sampled_from([",", "\t"]),
)
def test_any_text_in_a_csv_comes_back_stripped(
    rows: list[tuple[str, str]], encoding: str, delimiter: str
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows([name, ident, "6217", "1", ""] for name, ident in rows)
    lines = read_or_refuse(out.getvalue().encode(encoding))
    assert isinstance(lines, list)
    assert [line.get(Column.NAME) for line in lines] == [unquoted(name.strip()) for name, _ in rows]
    assert [line.line_no for line in lines] == list(range(2, len(rows) + 2))
