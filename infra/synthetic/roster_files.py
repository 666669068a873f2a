"""Roster files as county offices write them: CSV (UTF-8, UTF-8 with BOM, GB18030) or
xlsx, Chinese headers, an optional title row, columns in any order, a blank row and a
合计 row at the end. Rows are written as they come; nothing is held back.

In xlsx, quantities, standards and amounts are numeric cells (as Excel keeps them), IDs
and account numbers text. An ID "stored as a number" becomes a numeric cell holding the 15
significant digits Excel keeps, or, in CSV, the text Excel saves for it (``6.50102E+17``).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any, Final, Literal

from openpyxl import Workbook

from infra.synthetic.defects import Defect, DefectKind, RosterManifest
from services.registry.domain.roster_rows import Column

COLUMNS: Final = (
    Column.NAME, Column.CITIZEN_ID, Column.CARD_ACCOUNT, Column.BANK, Column.PROGRAMME,
    Column.QUANTITY, Column.STANDARD, Column.AMOUNT, Column.VILLAGE, Column.PHONE,
    Column.REMARK,
)  # fmt: skip
"""The order of the cells a roster row is built with (before any shuffling)."""
HEADERS: Final = {
    Column.NAME: "姓名", Column.CITIZEN_ID: "身份证号码", Column.CARD_ACCOUNT: "社保卡号",
    Column.BANK: "开户银行", Column.PROGRAMME: "补贴项目", Column.QUANTITY: "数量(面积)",
    Column.STANDARD: "补贴标准", Column.AMOUNT: "补贴金额", Column.VILLAGE: "村组",
    Column.PHONE: "联系电话", Column.REMARK: "备注",
}  # fmt: skip
_ID: Final = COLUMNS.index(Column.CITIZEN_ID)
_NUMBERS: Final = tuple(COLUMNS.index(c) for c in (Column.QUANTITY, Column.STANDARD, Column.AMOUNT))


@dataclass(frozen=True, slots=True)
class RosterFormat:
    kind: Literal["csv", "xlsx"] = "csv"
    encoding: Literal["utf-8", "utf-8-sig", "gb18030"] = "utf-8"  # CSV only
    title: bool = True
    shuffle_columns: bool = False
    totals_row: bool = True
    blank_row: bool = True

    @property
    def suffix(self) -> str:
        return ".xlsx" if self.kind == "xlsx" else ".csv"


def money(fen: int) -> str:
    """Yuan with two decimals from a non-negative amount in fen."""
    yuan, cents = divmod(fen, 100)
    return f"{yuan}.{cents:02d}"


def quantity_text(centi: int, decimals: int) -> str:
    """A quantity given in hundredths of a unit, with ``decimals`` places (0, 1 or 2)."""
    whole, part = divmod(centi, 100)
    if decimals == 0:
        return str(whole)
    return f"{whole}.{part:02d}" if decimals == 2 else f"{whole}.{part // 10}"


class RosterWriter:
    """Writes one roster file row by row and keeps its manifest."""

    def __init__(
        self, manifest: RosterManifest, fmt: RosterFormat, *, title: str, decimals: int,
        rng: random.Random,
    ) -> None:  # fmt: skip
        self.manifest, self.fmt, self._decimals = manifest, fmt, decimals
        order = list(range(len(COLUMNS)))
        if fmt.shuffle_columns:
            rng.shuffle(order)
        self._order = itemgetter(*order)
        self._id_at = order.index(_ID)
        self._numbers_at = tuple(order.index(i) for i in _NUMBERS)
        self._quantity_centi = 0
        self._plain = fmt.kind == "csv"
        if fmt.kind == "xlsx":
            self._book = Workbook(write_only=True)
            self._sheet: Any = self._book.create_sheet("发放清册")
        else:
            self._file = manifest.path.open("w", encoding=fmt.encoding, newline="")
            self._csv = csv.writer(self._file)
        self.next_line = 1
        if fmt.title:
            self._emit([title] + [""] * (len(COLUMNS) - 1))
        self._emit(list(self._order(tuple(HEADERS[c] for c in COLUMNS))))
        manifest.first_data_line = self.next_line

    def write(
        self, cells: tuple[str, ...], quantity_centi: int, amount_fen: int, id_as_number: bool
    ) -> int:
        """Write a data row (cells in ``COLUMNS`` order); returns its line number."""
        self.manifest.data_rows += 1
        self.manifest.total_fen += amount_fen
        self._quantity_centi += quantity_centi
        if self._plain and not id_as_number:  # no generated cell needs quoting: join by hand
            self._file.write(",".join(self._order(cells)) + "\r\n")
            self.next_line += 1
            return self.next_line - 1
        row: list[Any] = list(self._order(cells))
        if self.fmt.kind == "csv":
            row[self._id_at] = f"{int(row[self._id_at]):.5E}"
            self._csv.writerow(row)
        else:
            for at in self._numbers_at:
                row[at] = Decimal(row[at])
            if id_as_number:
                row[self._id_at] = float(f"{int(row[self._id_at]):.14e}")
            self._sheet.append([v if v != "" else None for v in row])
        self.next_line += 1
        return self.next_line - 1

    def _emit(self, row: list[Any]) -> None:
        if self.fmt.kind == "csv":
            self._csv.writerow(row)
        else:
            self._sheet.append([None if v == "" else v for v in row])
        self.next_line += 1

    def record(self, line: int, kind: DefectKind, related: int | None, detail: str) -> None:
        self.manifest.defects[line] = Defect(line, kind, related, detail)

    def close(self) -> RosterManifest:
        """Write the blank and 合计 rows, close the file, return the manifest."""
        if self.fmt.blank_row:
            self._emit([""] * len(COLUMNS))
        if self.fmt.totals_row:
            sums = (
                quantity_text(self._quantity_centi, self._decimals),
                money(self.manifest.total_fen),
            )
            totals: list[Any] = [""] * len(COLUMNS)
            totals[COLUMNS.index(Column.NAME)] = "合计"
            for column, text in zip((Column.QUANTITY, Column.AMOUNT), sums, strict=True):
                totals[COLUMNS.index(column)] = text if self.fmt.kind == "csv" else Decimal(text)
            self._emit(list(self._order(tuple(totals))))
        if self.fmt.kind == "xlsx":
            self._book.save(self.manifest.path)
        else:
            self._file.close()
        return self.manifest
