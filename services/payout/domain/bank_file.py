"""The bank file: CSV with a header line, one line per instruction, and a checksum line
(docs/bank-file-format.md). Pure: bytes in, lines out, and back.

    指令号,收款账号,户名,金额,项目名称,查询标志\\r\\n        (the layout's header)
    r-1:1:1,6217000000000008901,张三,617.25,耕地地力保护补贴,0\\r\\n
    #CHECKSUM,1,61725,<SHA-256 of every byte above, lower-case hex>\\r\\n

Lines end in CRLF; amounts are yuan with two decimals (read: at most two); the encoding is
agreed per bank (``utf-8`` without BOM by default, ``utf-8-sig``, ``gb18030``). Reading checks
the file as a whole before any line is handed out — the checksum line first, then the
encoding, the header, every line, the count and total, duplicates — so a refused file
(``Refused``, ``bank_file_*``) is never half-applied.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal, get_args

from services.payout.domain import bank_file_refusals as refuse

FileEncoding = Literal["utf-8", "utf-8-sig", "gb18030"]
DEFAULT_ENCODING: Final[FileEncoding] = "utf-8"
ENCODINGS: Final[tuple[str, ...]] = get_args(FileEncoding)
MAX_FILE_MB: Final = 64
CHECKSUM_MARK: Final = "#CHECKSUM"
_CHECKSUM: Final = re.compile(rb"#CHECKSUM,(\d{1,9}),(\d{1,15}),([0-9a-f]{64})\r?")
_YUAN: Final = re.compile(r"(\d{1,13})(?:\.(\d{1,2}))?")
_PRECISE: Final = re.compile(r"\d{1,13}\.\d{3,}")


@dataclass(frozen=True, slots=True)
class Layout:
    """One kind of bank file: its header texts, the column holding each line's amount, and the
    column naming its instruction (each instruction at most once per file)."""

    columns: tuple[str, ...]
    amount: str
    key: str


@dataclass(frozen=True, slots=True)
class FileLine:
    line_no: int
    """The line in the file (1 is the header)."""
    cells: dict[str, str]
    """Header text → cell, surrounding blanks removed."""
    amount_fen: int


def encoding_of(name: str) -> FileEncoding:
    if name not in ENCODINGS:
        raise refuse.encoding_unknown(name)
    return name  # type: ignore[return-value]


def yuan(fen: int) -> str:
    """Fen as yuan with exactly two decimals: 61725 → ``617.25``."""
    return f"{fen // 100}.{fen % 100:02d}"


def fen_of(text: str, line_no: int) -> int:
    """Yuan with at most two decimals as fen, exactly (never through a float)."""
    found = _YUAN.fullmatch(text)
    if found is None:
        raise (refuse.amount_precision if _PRECISE.fullmatch(text) else refuse.amount_invalid)(
            line_no, text
        )
    whole, cents = found.groups()
    return int(whole) * 100 + int((cents or "0").ljust(2, "0"))


def write_file(
    layout: Layout, rows: Sequence[Sequence[str]], total_fen: int, encoding: FileEncoding
) -> bytes:
    """The file of ``rows`` (cells in the layout's column order) with its checksum line."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(layout.columns)
    writer.writerows(rows)
    body = text.getvalue().encode(encoding)
    digest = hashlib.sha256(body).hexdigest()
    return body + f"{CHECKSUM_MARK},{len(rows)},{total_fen},{digest}\r\n".encode("ascii")


def read_file(layout: Layout, data: bytes, encoding: FileEncoding) -> list[FileLine]:
    """Every line of the file, once the whole file is found sound; else ``Refused``."""
    if not data:
        raise refuse.empty()
    if len(data) > MAX_FILE_MB * 1024 * 1024:
        raise refuse.too_large(MAX_FILE_MB)
    body, count, total_fen = _checked(data)
    lines = _lines(layout, _decoded(body, encoding))
    if len(lines) != count:
        raise refuse.count_mismatch(count, len(lines))
    found_fen = sum(line.amount_fen for line in lines)
    if found_fen != total_fen:
        raise refuse.total_mismatch(total_fen, found_fen)
    _no_duplicates(layout, lines)
    return lines


def _checked(data: bytes) -> tuple[bytes, int, int]:
    """The bytes the checksum line covers, and its count and total, once the hash agrees."""
    end = len(data) - (2 if data.endswith(b"\r\n") else 1 if data.endswith(b"\n") else 0)
    start = data.rfind(b"\n", 0, end) + 1
    found = _CHECKSUM.fullmatch(data, start, end)
    if start == 0 or found is None:
        raise refuse.truncated()
    body = data[:start]
    if hashlib.sha256(body).hexdigest() != found.group(3).decode("ascii"):
        raise refuse.checksum_mismatch()
    return body, int(found.group(1)), int(found.group(2))


def _decoded(body: bytes, encoding: FileEncoding) -> str:
    codec = "utf-8-sig" if encoding.startswith("utf-8") else encoding
    try:
        return body.decode(codec)
    except UnicodeDecodeError as error:
        raise refuse.bad_encoding(body.count(b"\n", 0, error.start) + 1, encoding) from None


def _lines(layout: Layout, text: str) -> list[FileLine]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [cell.strip() for cell in next(reader, [])]
        positions = _positions(layout, header)
        lines: list[FileLine] = []
        line_no = reader.line_num + 1
        for record in reader:
            if len(record) != len(layout.columns):
                raise refuse.malformed_line(line_no, len(layout.columns), len(record))
            cells = {column: record[i].strip() for column, i in positions.items()}
            lines.append(FileLine(line_no, cells, fen_of(cells[layout.amount], line_no)))
            line_no = reader.line_num + 1
    except csv.Error:
        raise refuse.unreadable_line(reader.line_num) from None
    return lines


def _positions(layout: Layout, header: list[str]) -> dict[str, int]:
    for text in header:
        if text not in layout.columns:
            raise refuse.unknown_column(text)
    for column in layout.columns:
        if column not in header:
            raise refuse.missing_column(column)
    if len(header) != len(layout.columns):
        raise refuse.malformed_line(1, len(layout.columns), len(header))
    return {column: header.index(column) for column in layout.columns}


def _no_duplicates(layout: Layout, lines: Sequence[FileLine]) -> None:
    seen: dict[str, int] = {}
    for line in lines:
        key = line.cells[layout.key]
        if key in seen:
            raise refuse.duplicate_line(line.line_no, seen[key], key)
        seen[key] = line.line_no
