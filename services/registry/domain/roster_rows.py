"""The rows of a roster (发放清册) as the importer hands them to validation.

The importer (``services/registry/adapters/roster_files.py``) only reads: it finds the
header, maps each Chinese header to a ``Column``, and yields every data row as text cells,
exactly as the clerk's file held them. Turning text into an ID, a Decimal or an amount in
fen, and deciding whether a row may be paid, is validation's job
(``services/registry/domain/validation.py``), so every problem of a row is reported against
that row, with a rule code and a Chinese message, and never "repaired" silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, NamedTuple


class Column(StrEnum):
    """The columns a roster may have, whatever their header says (see HEADER_SYNONYMS)."""

    NAME = "name"  # 姓名
    CITIZEN_ID = "citizen_id"  # 身份证号码
    CARD_ACCOUNT = "card_account"  # 社保卡号 / 一卡通账号
    BANK = "bank"  # 开户银行
    PROGRAMME = "programme"  # 补贴项目
    QUANTITY = "quantity"  # 数量 (面积)
    STANDARD = "standard"  # 补贴标准 (yuan per unit)
    AMOUNT = "amount"  # 补贴金额 (yuan)
    VILLAGE = "village"  # 村组
    PHONE = "phone"  # 联系电话
    HOUSEHOLD = "household"  # 户主 / 户号
    REMARK = "remark"  # 备注
    ROW_NO = "row_no"  # 清册行号: in a file of rows to fix, the roster row each one replaces


REQUIRED_COLUMNS: frozenset[Column] = frozenset(
    {Column.NAME, Column.CITIZEN_ID, Column.CARD_ACCOUNT, Column.AMOUNT}
)
"""A header row without these is not a roster header."""


class RosterLine(NamedTuple):
    """One data row of a roster file.

    ``line_no`` is the row's number in the file as the clerk sees it (1-based, header
    included), so a message can say "第 12 行". ``cells`` holds the stripped text of every
    mapped column present in the file (absent columns are missing from the dict; an empty
    cell is ``""``). ``numeric`` names the cells the spreadsheet stored as numbers rather
    than text: an ID or account number there has lost digits and must be rejected. A named
    tuple: a million are made per import, and sent to import workers.
    """

    line_no: int
    cells: dict[Column, str]
    numeric: frozenset[Column] = frozenset()

    def get(self, column: Column) -> str:
        return self.cells.get(column, "")


Severity = Literal["reject", "warn"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict on one row: a stable code, whether it rejects the row or only
    warns, a Chinese message a clerk can act on, and the column at fault (if one is)."""

    rule: str
    severity: Severity
    message: str
    column: Column | None = None
