"""Roster files a clerk downloads: the blank template, and the rejected rows with the reasons
beside them, to fix and import again (``roster_files`` reads both back).

Every text cell written is passed through ``neutralise``, so nothing a beneficiary's data
holds can become a formula when the file is opened in Excel (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any, Final

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from services.registry.adapters.roster_files import FORMULA_TRIGGERS, QUOTED_FORMULA
from services.registry.domain.roster_rows import Column, Finding, RosterLine

STANDARD_HEADERS: Final[dict[Column, str]] = {
    Column.NAME: "姓名",
    Column.CITIZEN_ID: "身份证号码",
    Column.CARD_ACCOUNT: "社保卡号",
    Column.BANK: "开户银行",
    Column.PROGRAMME: "补贴项目",
    Column.QUANTITY: "数量(面积)",
    Column.STANDARD: "补贴标准(元)",
    Column.AMOUNT: "补贴金额(元)",
    Column.VILLAGE: "村组",
    Column.PHONE: "联系电话",
    Column.HOUSEHOLD: "户号",
    Column.REMARK: "备注",
}
"""The template's headers, in the template's column order."""

EXAMPLE_ROW: Final[dict[Column, str]] = {
    Column.NAME: "张三",
    Column.CITIZEN_ID: "65010219800101008X",
    Column.CARD_ACCOUNT: "6217000000000000001",
    Column.BANK: "中国农业银行",
    Column.PROGRAMME: "耕地地力保护补贴",
    Column.QUANTITY: "12.5",
    Column.STANDARD: "95.00",
    Column.AMOUNT: "1187.50",
    Column.VILLAGE: "红旗村一组",
    Column.PHONE: "13800138000",
    Column.HOUSEHOLD: "650102001001",
    Column.REMARK: "示例行，导入前请删除",
}
"""The template's example row (a valid but fictitious citizen ID)."""

LINE_HEADER: Final = "清册行号"
"""The roster row a fixed row replaces when the file is imported again (``Column.ROW_NO``)."""
RULES_HEADER: Final = "规则代码"
REASONS_HEADER: Final = "问题说明"
"""Headers of the columns the rejected-rows export adds; the reader ignores them."""

_EXCEL_CELL_LIMIT: Final = 32767
_DIGIT_COLUMNS: Final = frozenset(
    {Column.CITIZEN_ID, Column.CARD_ACCOUNT, Column.PHONE, Column.HOUSEHOLD}
)
"""Cells formatted as text, so a number the clerk types there keeps all its digits."""
_WIDTHS: Final = {Column.CITIZEN_ID: 22, Column.CARD_ACCOUNT: 24, Column.PROGRAMME: 18}
_HEADER_FONT: Final = Font(bold=True)
_REASON_FILL: Final = PatternFill("solid", fgColor="FFF2CC")


def neutralise(text: str) -> str:
    """The text made safe for a spreadsheet cell: one starting with ``=``, ``+``, ``-``,
    ``@``, tab or CR (a formula to Excel) gets a leading ``'``, as does one that already
    reads as such a quoted formula, so that the reader's un-quoting gives the text back."""
    if text.startswith(FORMULA_TRIGGERS) or QUOTED_FORMULA.match(text):
        return "'" + text
    return text


def _cell_text(text: str) -> str:
    """Neutralised, without the control characters a workbook cannot hold, within Excel's
    length limit for a cell."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))[:_EXCEL_CELL_LIMIT]


def _new_sheet(title: str, headers: Sequence[str], widths: Sequence[int]) -> tuple[Any, Any]:
    """A write-only workbook whose one sheet has text-formatted columns and a bold header."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = width
        dimension.number_format = "@"  # what the clerk types stays text (IDs keep 18 digits)
    sheet.freeze_panes = "A2"
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=_cell_text(text))
        cell.font = _HEADER_FONT
        header.append(cell)
    sheet.append(header)
    return book, sheet


def _text_cell(sheet: Any, text: str) -> Any:
    cell = WriteOnlyCell(sheet, value=_cell_text(text))
    cell.number_format = "@"
    return cell


def _row(sheet: Any, line: RosterLine, columns: Iterable[Column]) -> list[Any]:
    """The line's cells; those of digit columns text-formatted (plain strings are faster)."""
    return [
        _text_cell(sheet, line.get(c)) if c in _DIGIT_COLUMNS else _cell_text(line.get(c))
        for c in columns
    ]


def write_template_xlsx(target: str | os.PathLike[str] | IO[bytes]) -> None:
    """The blank roster template: the standard headers and one example row."""
    widths = [_WIDTHS.get(column, 14) for column in STANDARD_HEADERS]
    book, sheet = _new_sheet("发放清册", list(STANDARD_HEADERS.values()), widths)
    sheet.append(_row(sheet, RosterLine(2, EXAMPLE_ROW), STANDARD_HEADERS))
    book.save(target)


def template_csv() -> bytes:
    """The template as CSV, UTF-8 with BOM (so Excel shows the Chinese headers right).
    Excel turns long digit strings in a CSV into numbers: the xlsx template is safer."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_cell_text(text) for text in STANDARD_HEADERS.values()])
    writer.writerow([_cell_text(EXAMPLE_ROW[column]) for column in STANDARD_HEADERS])
    return out.getvalue().encode("utf-8-sig")


def write_rejected_rows(
    target: str | os.PathLike[str] | IO[bytes],
    rows: Iterable[tuple[RosterLine, Sequence[Finding]]],
    *,
    columns: Mapping[Column, str] = STANDARD_HEADERS,
) -> int:
    """The rejected rows as an ``.xlsx`` the clerk fixes and imports again: the row's cells
    under their original headers (``RosterFile.columns``), then its roster row number (each
    ``RosterLine.line_no`` here), the rule codes and the Chinese reasons. Returns the
    number of rows."""
    headers = [*columns.values(), LINE_HEADER, RULES_HEADER, REASONS_HEADER]
    widths = [*(_WIDTHS.get(column, 14) for column in columns), 8, 24, 60]
    book, sheet = _new_sheet("未通过的行", headers, widths)
    wrap = Alignment(wrap_text=True, vertical="top")
    written = 0
    for line, findings in rows:
        reasons = WriteOnlyCell(sheet, value=_cell_text("\n".join(f.message for f in findings)))
        reasons.alignment = wrap
        reasons.fill = _REASON_FILL
        codes = _cell_text("；".join(f.rule for f in findings))
        sheet.append([*_row(sheet, line, columns), str(line.line_no), codes, reasons])
        written += 1
    book.save(target)
    return written
