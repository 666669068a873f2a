"""Reading rosters (发放清册) from the ``.xlsx`` and ``.csv`` files county offices produce.

``open_roster`` checks the whole file before a single row is handed out: its size, its kind
(from the content, not the name), the zip directory of an ``.xlsx`` (zip bombs), the strict
decoding of a CSV (UTF-8, UTF-8 with BOM or GB18030, detected), and the header row, whose
Chinese headers are mapped to ``Column``. ``RosterFile.lines()`` then streams the data rows
as ``RosterLine`` text cells, skipping title, blank, repeated-header and totals rows.

A problem of the file as a whole is a ``RosterFileError`` (stable ``code``, Chinese
``message``); a problem of one row is left to validation, which sees the row as written.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import math
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from itertools import chain, count, islice, repeat
from operator import itemgetter
from typing import IO, Any, Final, Literal

import openpyxl

from services.registry.domain.roster_rows import REQUIRED_COLUMNS, Column, RosterLine
from services.registry.domain.validation_rows import new_tuple

_MB: Final = 1024 * 1024


class RosterFileError(Exception):
    """The file cannot be imported as a roster; nothing of it should be stored."""

    def __init__(self, code: str, message: str, *, line_no: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.line_no = line_no


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """What one import may cost; a file past any of these is refused, never half-read."""

    max_file_bytes: int = 200 * _MB
    max_unpacked_bytes: int = 1024 * _MB  # sum of the xlsx's parts, from its zip directory
    max_compression_ratio: int = 100  # per xlsx part larger than 1 MB
    max_rows: int = 2_000_000  # rows of the file, title and header rows included
    header_search_rows: int = 20


DEFAULT_LIMITS: Final = ImportLimits()

# --- headers ---------------------------------------------------------------------------

HEADER_SYNONYMS: Final[dict[str, Column]] = {
    text: column
    for column, texts in {
        Column.NAME: "姓名 户主姓名 补贴对象姓名 补贴对象 持卡人姓名 农户姓名",
        Column.CITIZEN_ID: "身份证号码 身份证号 公民身份号码 证件号码 身份证件号码 身份证",
        Column.CARD_ACCOUNT: "社保卡号 一卡通账号 一卡通帐号 社会保障卡号 社保卡账号 银行账号 "
        "银行帐号 银行卡号 卡号 账号 帐号",
        Column.BANK: "开户银行 开户行 代发银行 开户银行名称",
        Column.PROGRAMME: "补贴项目 项目名称 补贴项目名称",
        Column.QUANTITY: "数量 面积 数量(面积) 计税面积 补贴面积 补贴数量",
        Column.STANDARD: "补贴标准 标准",
        Column.AMOUNT: "补贴金额 金额 发放金额",
        Column.VILLAGE: "村组 村 所在村组 村名 村(社区)",
        Column.PHONE: "联系电话 电话 手机号码 手机号 电话号码",
        Column.HOUSEHOLD: "户号 家庭编号",
        Column.REMARK: "备注",
        Column.ROW_NO: "清册行号",
    }.items()
    for text in texts.split()
}
"""Header text (normalised by ``header_key``) → column."""

_BRACKETED: Final = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def header_key(text: str) -> str:
    """A header as looked up in HEADER_SYNONYMS: half-width, no whitespace, no markers."""
    key = "".join(unicodedata.normalize("NFKC", text).split())
    return key.strip("*※:")


def header_column(text: str) -> Column | None:
    """The column a header names, also when a unit in brackets follows it (补贴金额（元）)."""
    key = header_key(text)
    found = HEADER_SYNONYMS.get(key)
    return found if found is not None else HEADER_SYNONYMS.get(_BRACKETED.sub("", key))


@dataclass(frozen=True, slots=True)
class _Header:
    line_no: int
    positions: dict[Column, int]  # in file order
    texts: dict[Column, str]


def _read_header(line_no: int, cells: Sequence[str]) -> _Header | None:
    """The header in this row, if it names every required column."""
    found: dict[Column, list[tuple[int, str]]] = {}
    for index, text in enumerate(cells):
        column = header_column(text) if text else None
        if column is not None:
            found.setdefault(column, []).append((index, text.strip()))
    if not found.keys() >= REQUIRED_COLUMNS:
        return None
    for seen in found.values():
        if len(seen) > 1:
            names = "”和“".join(text for _, text in seen)
            raise RosterFileError(
                "roster_duplicate_column",
                f"第 {line_no} 行表头中“{names}”都表示同一列，请删除或改名其中一列后重新导入",
                line_no=line_no,
            )
    return _Header(
        line_no,
        {column: seen[0][0] for column, seen in found.items()},
        {column: seen[0][1] for column, seen in found.items()},
    )


@dataclass(frozen=True, slots=True)
class _Batch:
    """Consecutive rows of the file: the first one's number as the clerk sees it, their
    cell texts, per row the indexes of cells stored as numbers (None: none are), and
    whether a cell may start with a quote ``'``."""

    first: int
    rows: Sequence[Sequence[str]]
    numbers: Sequence[frozenset[int]] | None = None
    quoted: bool = True

    def after(self, line_no: int) -> _Batch:
        """The rows after ``line_no``."""
        skip = max(0, line_no + 1 - self.first)
        numbers = self.numbers[skip:] if self.numbers is not None else None
        return _Batch(self.first + skip, self.rows[skip:], numbers, self.quoted)


_Batches = Generator[_Batch, None, None]
_BatchSource = Callable[[], _Batches]


def _find_header(
    batches: Iterator[_Batch], limits: ImportLimits
) -> tuple[_Header, Iterator[_Batch]] | None:
    """The header among the first rows, and the batches that follow it."""
    for batch in batches:
        for line_no, cells in enumerate(batch.rows, batch.first):
            if line_no > limits.header_search_rows:
                return None
            header = _read_header(line_no, cells)
            if header is not None:
                return header, chain([batch.after(line_no)], batches)
    return None


def _after(batches: Iterable[_Batch], line_no: int) -> Iterator[_Batch]:
    for batch in batches:
        if batch.first + len(batch.rows) > line_no + 1:
            yield batch.after(line_no)


# --- data rows -------------------------------------------------------------------------

FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is a formula to Excel (see roster_export.neutralise)."""

QUOTED_FORMULA: Final = re.compile(r"'+[=+\-@\t\r]")
"""A cell ``neutralise`` quoted: the reader takes the first ``'`` off again."""

_TOTALS: Final = re.compile(r"合计|总计|小计|共计")
_FOOTERS: Final = ("制表", "填表", "审核", "复核", "经办", "负责人", "盖章", "日期", "注", "说明")
_AMOUNT_LIKE: Final = re.compile(r"[-+]?[¥￥]?\d[\d,，]*(\.\d*)?元?")
_MAX_TRAILER: Final = 50
_NO_NUMBERS: Final[frozenset[int]] = frozenset()
_NO_COLUMNS: Final[frozenset[Column]] = frozenset()


def _unquoted(cells: dict[Column, str]) -> dict[Column, str]:
    """Undo ``roster_export.neutralise``: a ``'`` before a formula trigger is not data."""
    if "'" not in "".join(cells.values()):
        return cells
    return {c: text[1:] if QUOTED_FORMULA.match(text) else text for c, text in cells.items()}


def _kind(row: Sequence[str]) -> Literal["blank", "totals", "trailer", "data"]:
    """What a row without a citizen ID is; "trailer" rows are dropped when no data follows."""
    filled = [text for text in map(str.strip, row) if text]
    if not filled:
        return "blank"
    lead = header_key(filled[0])
    if len(lead) <= 10 and _TOTALS.search(lead):
        return "totals"
    if lead.startswith(_FOOTERS) or all(_AMOUNT_LIKE.fullmatch(text) for text in filled):
        return "trailer"
    return "data"


def _cells_builder(positions: dict[Column, int]) -> Callable[[Sequence[str]], dict[Column, str]]:
    """A function from a row to its stripped cells."""
    items = tuple(positions.items())

    def cells(row: Sequence[str]) -> dict[Column, str]:
        return {column: row[index].strip() for column, index in items}

    return cells


def _plain_lines(first: int, cells: list[dict[Column, str]]) -> list[RosterLine]:
    """RosterLines of consecutive rows, none of them with numeric cells."""
    numbered = zip(count(first), cells, repeat(_NO_COLUMNS))
    return list(map(new_tuple, repeat(RosterLine), numbered))  # RosterLine's __new__, in C


def _assemble(
    batches: Iterable[_Batch], header: _Header, max_rows: int
) -> Iterator[list[RosterLine]]:
    """The RosterLines of each batch of rows after the header. This is the hot loop of an
    import: a batch of plain data rows (each with a citizen ID) goes through maps alone;
    any other batch row by row."""
    build = _cells_builder(header.positions)
    width = max(header.positions.values()) + 1
    citizen_id = itemgetter(Column.CITIZEN_ID)
    repeated_header = header.texts[Column.CITIZEN_ID]
    pending: list[RosterLine] = []
    for batch in batches:
        rows = batch.rows
        if batch.first + len(rows) - 1 > max_rows:
            raise _too_many_rows(max_rows)
        if rows and min(map(len, rows)) < width:
            rows = [row if len(row) >= width else [*row, *[""] * width] for row in rows]
        cells = list(map(build, rows))
        if batch.quoted:
            cells = [_unquoted(line_cells) for line_cells in cells]
        ids = list(map(citizen_id, cells))
        if batch.numbers is None and all(ids) and repeated_header not in ids:
            yield [*pending, *_plain_lines(batch.first, cells)]
            pending.clear()
        else:
            yield _row_by_row(batch, rows, cells, header, pending)


def _row_by_row(
    batch: _Batch,
    rows: Sequence[Sequence[str]],
    cells: list[dict[Column, str]],
    header: _Header,
    pending: list[RosterLine],
) -> list[RosterLine]:
    """The lines of a batch holding more than plain data rows. Rows that may close the file
    (amounts only, signatures) wait in ``pending``, dropped unless data follows them."""
    lines: list[RosterLine] = []
    repeated_header = header.texts[Column.CITIZEN_ID]
    numbers = batch.numbers or repeat(_NO_NUMBERS)
    for line_no, row, line_cells, numbered in zip(count(batch.first), rows, cells, numbers):
        ident = line_cells[Column.CITIZEN_ID]
        kind = _kind(row) if not ident else "repeated" if ident == repeated_header else "data"
        if kind in ("blank", "totals", "repeated"):
            continue
        numeric = _NO_COLUMNS
        if numbered:
            numeric = frozenset(c for c, i in header.positions.items() if i in numbered)
        line = RosterLine(line_no, line_cells, numeric)
        no_account = not line_cells[Column.CARD_ACCOUNT]
        if kind == "trailer" and no_account and len(pending) < _MAX_TRAILER:
            pending.append(line)
            continue
        lines.extend(pending)
        pending.clear()
        lines.append(line)
    return lines


# --- the file as bytes -------------------------------------------------------------------

Source = str | os.PathLike[str] | IO[bytes]
"""A path, or a seekable binary file object (an upload spooled to a temporary file)."""


@contextmanager
def _opened(source: Source) -> Iterator[IO[bytes]]:
    """The source as a binary handle at its start; a path is opened and closed here."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            yield handle
    else:
        if not source.seekable():
            raise ValueError("a roster file object must be seekable")
        source.seek(0)
        yield source


_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MARKUP: Final = re.compile(rb"<(\?xml|!doctype|html|table)", re.IGNORECASE)
_BINARY: Final = (
    b"PK\x05\x06",  # an empty zip
    b"PK\x07\x08",  # a spanned zip
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",
)


def _sniff(prefix: bytes) -> Literal["xlsx", "csv"]:
    """The format from the first bytes: a zip is an xlsx, anything else must be text."""
    if prefix.startswith(b"PK\x03\x04"):
        return "xlsx"
    if prefix.startswith(_OLE):
        raise RosterFileError(
            "roster_xls_unsupported",
            "这是旧版 Excel 97-2003（.xls）文件或加了密码的 Excel 文件，"
            "请在 Excel 中“另存为”不加密的 Excel 工作簿（.xlsx）后重新导入",
        )
    markup = _MARKUP.match(prefix.removeprefix(codecs.BOM_UTF8).lstrip())
    if prefix.startswith(_BINARY) or b"\x00" in prefix or markup:
        raise _not_spreadsheet()
    return "csv"


def _detect_encoding(prefix: bytes) -> str:
    """UTF-8 (with or without BOM) if the prefix decodes as such, else GB18030 (GBK's
    superset); a character cut at the prefix's end is not an error here."""
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(prefix, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


_CUT_CHARACTER: Final = ("unexpected end of data", "incomplete multibyte sequence")


def _count_lines(data: bytes, end: int) -> int:
    return data.count(b"\n", 0, end) or data.count(b"\r", 0, end)


class _StrictDecoding:
    """Decodes text strictly, piece by piece, to name the first line that does not decode.

    Pieces are cut after a line end: CR and LF never occur inside a character in UTF-8 or
    GB18030, so a cut never splits a character.
    """

    def __init__(self, encoding: str) -> None:
        self._encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        self._pending = b""
        self._line = 1

    def feed(self, chunk: bytes) -> None:
        data = self._pending + chunk
        cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
        if cut == 0 and len(data) > 4 * _MB:
            raise _malformed(self._line)
        self._decode(data[:cut], final=False)
        self._pending = data[cut:]

    def finish(self) -> None:
        self._decode(self._pending, final=True)

    def _decode(self, data: bytes, *, final: bool) -> None:
        try:
            data.decode(self._encoding)
        except UnicodeDecodeError as exc:
            line = self._line + _count_lines(data, exc.start)
            if final and exc.end == len(data) and exc.reason in _CUT_CHARACTER:
                raise _truncated(line) from exc
            raise _bad_encoding(line) from exc
        self._line += _count_lines(data, len(data))


def _scan(handle: IO[bytes], encoding: str | None) -> str:
    """SHA-256 (hex) of the whole file; a text file is also decoded strictly on the way."""
    digest = hashlib.sha256()
    decoding = _StrictDecoding(encoding) if encoding else None
    handle.seek(0)
    while chunk := handle.read(_MB):
        digest.update(chunk)
        if decoding:
            decoding.feed(chunk)
    if decoding:
        decoding.finish()
    return digest.hexdigest()


# --- CSV ---------------------------------------------------------------------------------

_DELIMITERS: Final = (",", "\t", ";")
_BYTES_CHUNK: Final = 64 * 1024  # small batches die young, sparing the garbage collector
_CSV_BATCH: Final = 500


def _csv_batches(source: Source, encoding: str, delimiter: str) -> _Batches:
    """The CSV's records, numbered as Excel numbers rows; decoded incrementally, strictly."""
    with _opened(source) as handle:
        try:
            yield from _split_batches(_text_blocks(handle, encoding), delimiter)
        except UnicodeDecodeError as exc:  # only if the file changed since it was opened
            raise _bad_encoding(None) from exc


def _text_blocks(handle: IO[bytes], encoding: str) -> Iterator[str]:
    """The text in blocks that end at a line end (the last one at the file's end)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    tail = ""
    while chunk := handle.read(_BYTES_CHUNK):
        text = tail + decoder.decode(chunk)
        cut = text.rfind("\n") + 1 or text.rfind("\r", 0, len(text) - 1) + 1  # CR-only files
        if cut:
            yield text[:cut]
        tail = text[cut:]
    tail += decoder.decode(b"", final=True)
    if tail:
        yield tail


def _split_batches(blocks: Iterator[str], delimiter: str) -> _Batches:
    """Blocks of plain lines are split with ``str.split`` (several times faster than the csv
    module); from the first block holding a ``"`` or a lone CR on, the csv module reads."""
    first = 1
    for block in blocks:
        lines = block.replace("\r\n", "\n") if "\r" in block else block
        if '"' in lines or "\r" in lines:
            text_lines = map(partial(io.StringIO, newline=""), chain([block], blocks))
            yield from _csv_module_batches(chain.from_iterable(text_lines), delimiter, first)
            return
        rows = list(map(str.split, lines.split("\n"), repeat(delimiter)))
        if rows[-1] == [""]:  # the block ends with a line end
            rows.pop()
        yield _Batch(first, rows, None, "'" in lines)
        first += len(rows)


def _csv_module_batches(lines: Iterable[str], delimiter: str, start: int) -> _Batches:
    reader = csv.reader(lines, delimiter=delimiter)
    first = start
    try:
        while rows := list(islice(reader, _CSV_BATCH)):
            yield _Batch(first, rows)
            first += len(rows)
    except csv.Error as exc:
        raise _malformed(start + reader.line_num - 1) from exc


def _open_csv(source: Source, encoding: str, limits: ImportLimits) -> tuple[_Header, _BatchSource]:
    """The header, trying comma, tab and semicolon as the delimiter."""
    for delimiter in _DELIMITERS:
        batches = partial(_csv_batches, source, encoding, delimiter)
        with closing(batches()) as found:
            header = _find_header(found, limits)
            if header is not None:
                _require_data(header, limits)
                return header[0], batches
    raise _no_header(limits)


# --- xlsx ------------------------------------------------------------------------------

_RATIO_FLOOR: Final = _MB
_HEADER_WIDTH: Final = 256


def _check_zip(handle: IO[bytes], limits: ImportLimits) -> None:
    """Refuse a zip bomb from the sizes in the zip directory, before anything is unpacked.

    (Python's zipfile never unpacks a part beyond the size its directory states.)
    """
    try:
        with zipfile.ZipFile(handle) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise _truncated(None) from exc
    except Exception as exc:  # any failure of the zip directory itself
        raise _corrupt(None) from exc
    names = {part.filename for part in parts}
    workbook = "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)
    if not workbook or "xl/workbook.bin" in names:  # a .docx, an .xlsb, any other zip
        raise _not_spreadsheet()
    unpacked = sum(part.file_size for part in parts)
    bloated = any(
        part.file_size > _RATIO_FLOOR
        and part.file_size > limits.max_compression_ratio * part.compress_size
        for part in parts
    )
    if unpacked > limits.max_unpacked_bytes or bloated:
        raise RosterFileError(
            "roster_zip_bomb",
            f"文件解压后异常庞大（{unpacked // _MB} MB，上限 {limits.max_unpacked_bytes // _MB}"
            f" MB，压缩比上限 {limits.max_compression_ratio}），疑似恶意文件，已拒绝导入",
        )


@contextmanager
def _workbook(handle: IO[bytes]) -> Iterator[Any]:
    """The workbook, streamed (read_only) with cached values (data_only), XML defused."""
    if not openpyxl.DEFUSEDXML:
        raise RosterFileError(
            "roster_xlsx_unsafe", "系统未启用安全的 XML 解析，暂不能导入 .xlsx 文件，请联系管理员"
        )
    handle.seek(0)
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises anything on a damaged workbook
        raise _corrupt(None) from exc
    try:
        yield book
    finally:
        book.close()


def number_text(value: float) -> str:
    """A number as Excel's General format shows it at full width: 15 significant digits,
    scientific from 1E+15 (6.5e17 → "6.5E+17", 123.0 → "123")."""
    if isinstance(value, int) and abs(value) < 10**15:
        return str(value)
    try:
        number = float(value)
    except OverflowError:
        return "#NUM!"
    if not math.isfinite(number):
        return "#NUM!"
    return "0" if number == 0 else format(number, ".15g").upper()


def cell_text(value: object) -> tuple[str, bool]:
    """A cell's value as text, and whether the spreadsheet stored it as a number (or date)."""
    if value is None:
        return "", False
    if isinstance(value, str):
        return value, False
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, int | float):
        return number_text(value), True
    if isinstance(value, datetime):
        shown = value.date() if value.time() == time() else value
        return shown.isoformat(), True
    if isinstance(value, date | time):
        return value.isoformat(), True
    if isinstance(value, timedelta):
        return str(value), True
    return str(value), False


_XLSX_BATCH: Final = 500


def _row_texts(values: Iterable[object]) -> tuple[list[str], frozenset[int]]:
    texts, numbers = [], set()
    for index, value in enumerate(values):
        text, numeric = cell_text(value)
        texts.append(text)
        if numeric:
            numbers.add(index)
    return texts, frozenset(numbers)


def _sheet_batches(sheet: Any, width: int, size: int = _XLSX_BATCH) -> _Batches:
    """A sheet's rows as text, numbered as Excel numbers them, ``width`` cells each."""
    first, rows, numbers = 1, [], []
    try:
        sheet.reset_dimensions()  # a wrong <dimension> would otherwise cut rows off silently
        for values in sheet.iter_rows(max_col=width, values_only=True):
            texts, numbered = _row_texts(values)
            rows.append(texts)
            numbers.append(numbered)
            if len(rows) == size:
                yield _Batch(first, rows, numbers)
                first, rows, numbers = first + len(rows), [], []
    except Exception as exc:  # openpyxl raises anything on a damaged sheet
        raise _corrupt(first + len(rows)) from exc
    yield _Batch(first, rows, numbers)


def _xlsx_batches(source: Source, sheet: str, width: int) -> _Batches:
    with _opened(source) as handle, _workbook(handle) as book:
        if sheet not in book.sheetnames:  # only if the file changed since it was opened
            raise _corrupt(None)
        yield from _sheet_batches(book[sheet], width)


def _open_xlsx(
    source: Source, handle: IO[bytes], limits: ImportLimits
) -> tuple[_Header, str, _BatchSource]:
    """The first sheet (the active one first) whose header is found, with its header."""
    with _workbook(handle) as book:
        sheets = [book.active, *book.worksheets] if book.active else list(book.worksheets)
        for sheet in dict.fromkeys(s for s in sheets if hasattr(s, "iter_rows")):
            searched = _sheet_batches(sheet, _HEADER_WIDTH, limits.header_search_rows)
            with closing(searched) as found:
                header = _find_header(found, limits)
                if header is None:
                    continue
                _require_data(header, limits)
                width = max(header[0].positions.values()) + 1
                batches = partial(_xlsx_batches, source, sheet.title, width)
                return header[0], sheet.title, batches
    raise _no_header(limits)


# --- the opened roster -----------------------------------------------------------------


def _require_data(found: tuple[_Header, Iterator[_Batch]], limits: ImportLimits) -> None:
    header, after = found
    if next(chain.from_iterable(_assemble(after, header, limits.max_rows)), None) is None:
        raise RosterFileError(
            "roster_empty",
            f"第 {header.line_no} 行是表头，但其后没有数据行，请填写后重新导入",
            line_no=header.line_no,
        )


@dataclass(frozen=True)
class RosterFile:
    """A roster file that passed every whole-file check; its rows are read on demand.

    ``columns`` says which header text became which column (in file order); ``content_hash``
    is the SHA-256 (hex) of the file's bytes, to refuse importing the same file twice.
    """

    format: Literal["xlsx", "csv"]
    encoding: str | None  # "utf-8", "utf-8-sig" or "gb18030"; None for xlsx
    sheet: str | None  # the xlsx sheet read; None for csv
    columns: dict[Column, str]
    header_line: int
    content_hash: str
    size: int
    _header: _Header = field(repr=False)
    _batches: _BatchSource = field(repr=False)
    _limits: ImportLimits = field(repr=False)

    def lines(self) -> Iterator[RosterLine]:
        """The data rows, from the start each call (one iteration at a time on a file
        object). Raises RosterFileError if the file turns out bad further down (too many
        rows, a damaged sheet): the caller then stores nothing of it."""
        batches = _after(self._batches(), self._header.line_no)
        return chain.from_iterable(_assemble(batches, self._header, self._limits.max_rows))


def open_roster(source: Source, *, limits: ImportLimits = DEFAULT_LIMITS) -> RosterFile:
    """Check a roster file whole and find its header; raises RosterFileError if it is not
    an importable roster."""
    with _opened(source) as handle:
        size = handle.seek(0, os.SEEK_END)
        if size > limits.max_file_bytes:
            raise RosterFileError(
                "roster_too_large",
                f"文件大小 {size / _MB:.1f} MB，超过上限 {limits.max_file_bytes // _MB} MB，"
                "请拆分为多个文件分批导入",
            )
        if size == 0:
            raise RosterFileError("roster_empty", "文件是空的，没有可导入的内容")
        handle.seek(0)
        prefix = handle.read(64 * 1024)
        kind = _sniff(prefix)
        encoding = _detect_encoding(prefix) if kind == "csv" else None
        if kind == "xlsx":
            handle.seek(0)
            _check_zip(handle, limits)
        content_hash = _scan(handle, encoding)
        sheet = None
        if encoding is not None:
            header, batches = _open_csv(source, encoding, limits)
        else:
            header, sheet, batches = _open_xlsx(source, handle, limits)
    columns = {column: header.texts[column] for column in header.positions}
    return RosterFile(
        kind, encoding, sheet, columns, header.line_no, content_hash, size, header, batches, limits
    )


# --- messages --------------------------------------------------------------------------


def _not_spreadsheet() -> RosterFileError:
    return RosterFileError(
        "roster_not_spreadsheet",
        "文件不是 Excel 工作簿（.xlsx）或 CSV 表格，请上传发放清册的 .xlsx 或 .csv 文件"
        "（网页格式、.xlsb、.et 等请先在 Excel/WPS 中另存为 .xlsx）",
    )


def _truncated(line_no: int | None) -> RosterFileError:
    return RosterFileError(
        "roster_truncated",
        "文件不完整（可能在上传或复制时被截断），请重新保存文件后再导入",
        line_no=line_no,
    )


def _corrupt(line_no: int | None) -> RosterFileError:
    where = f"第 {line_no} 行附近" if line_no else ""
    return RosterFileError(
        "roster_corrupt",
        f"Excel 文件{where}已损坏，无法读取，请在 Excel 或 WPS 中打开并另存为 .xlsx 后重新导入",
        line_no=line_no,
    )


def _bad_encoding(line_no: int | None) -> RosterFileError:
    where = f"第 {line_no} 行" if line_no else "文件"
    return RosterFileError(
        "roster_encoding",
        f"{where}含有无法识别的字符：CSV 文件须为 UTF-8 或 GBK/GB18030 编码，"
        "请在 Excel 中另存为 .xlsx 或“CSV UTF-8”后重新导入",
        line_no=line_no,
    )


def _malformed(line_no: int) -> RosterFileError:
    return RosterFileError(
        "roster_csv_malformed",
        f"第 {line_no} 行格式错误（引号不成对或单元格内容过长），请在 Excel 中检查后另存为 .xlsx",
        line_no=line_no,
    )


def _no_header(limits: ImportLimits) -> RosterFileError:
    return RosterFileError(
        "roster_no_header",
        f"前 {limits.header_search_rows} 行中找不到表头：表头须包含“姓名”“身份证号码”"
        "“社保卡号（一卡通账号）”“补贴金额”四列，请对照模板修改后重新导入",
    )


def _too_many_rows(max_rows: int) -> RosterFileError:
    return RosterFileError(
        "roster_too_large",
        f"文件超过 {max_rows} 行的上限，请拆分为多个文件分批导入",
        line_no=max_rows + 1,
    )
