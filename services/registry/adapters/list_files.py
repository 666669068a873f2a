"""Reading a cross-check list (死亡人员、财政供养人员、残疾人、特困供养人员… 名单): the citizen IDs
in a ``.csv`` (UTF-8, UTF-8 with BOM or GB18030, decoded strictly) or ``.xlsx`` file, from
the column whose header names the ID (身份证号码 and its synonyms), or from the only column
of a file without a header."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from services.registry.adapters.roster_files import RosterFileError, header_column
from services.registry.domain.roster_rows import Column

MAX_BYTES = 100 * 2**20
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes: the same list imported twice is one import."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def list_ids(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, ID text as written) for every non-empty ID cell after the header."""
    if path.stat().st_size > MAX_BYTES:
        raise RosterFileError("list_too_large", "名单文件超过 100 MB，请拆分后导入")
    with path.open("rb") as handle:
        magic = handle.read(4)
    rows = _xlsx_rows(path) if magic == b"PK\x03\x04" else _csv_rows(path)
    column: int | None = None
    for line_no, values in rows:
        cells = ["" if value is None else str(value) for value in values]
        if column is None:
            found = [i for i, cell in enumerate(cells) if header_column(cell) is Column.CITIZEN_ID]
            if found:
                column = found[0]
                continue
            if len([cell for cell in cells if cell.strip()]) != 1:
                raise RosterFileError(
                    "list_no_id_column", "名单没有“身份证号码”列：请在首行写明列名"
                )
            column = next(i for i, cell in enumerate(cells) if cell.strip())
        if column >= len(cells) or not cells[column].strip():
            continue
        if isinstance(values[column], int | float):
            raise RosterFileError(
                "list_numeric_id",
                f"第{line_no}行的身份证号码被存成了数字（丢失位数）：请将该列设置为文本格式",
            )
        yield line_no, _the_id(cells, column)


def _the_id(cells: Sequence[str], column: int) -> str:
    """The row's ID: the ID column's, or, when a delivering department swapped columns on
    this row, the one other cell shaped like an ID (checked as an ID later, like any)."""
    text = cells[column].strip().upper()
    if _ID_SHAPE.fullmatch(text):
        return text
    others = [c.strip().upper() for c in cells if _ID_SHAPE.fullmatch(c.strip().upper())]
    return others[0] if len(others) == 1 else text


def _csv_rows(path: Path) -> Iterator[tuple[int, Sequence[object]]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = codecs.decode(data, encoding, errors="strict")
        except UnicodeDecodeError:
            continue
        break
    else:
        raise RosterFileError("list_encoding", "名单文件编码无法识别：请另存为 UTF-8 或 GBK 的 CSV")
    yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, Sequence[object]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            if sum(info.file_size for info in archive.infolist()) > 10 * MAX_BYTES:
                raise RosterFileError("list_zip_bomb", "名单文件解压后过大，疑似异常文件")
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        raise RosterFileError("list_not_spreadsheet", "名单文件不是有效的表格文件") from None
    try:
        sheet = book.worksheets[0]
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        book.close()
