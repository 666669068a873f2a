"""The three bank files (docs/bank-file-format.md): the batch we hand the bank, the results it
hands back, and its month-end or year-end statement. Each is written and read here, both ways,
so the bank's side (the simulator, the tests) reads exactly what the payout writes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal, get_args

from contracts.refusals import Refused
from services.payout.domain import bank_file_refusals as refuse
from services.payout.domain.bank_file import FileEncoding, FileLine, Layout, read_file, write_file
from services.payout.domain.bank_file import yuan as yuan_text
from services.payout.domain.events import Outcome
from services.payout.domain.results import TEXT_LIMIT, BankResult, check_result

BATCH: Final = Layout(
    ("指令号", "收款账号", "户名", "金额", "项目名称", "查询标志"), "金额", "指令号"
)
RESULTS: Final = Layout(
    ("指令号", "状态", "银行流水号", "入账日期", "原因代码", "金额"), "金额", "指令号"
)
STATEMENT: Final = Layout(("指令号", "状态", "金额", "银行流水号", "入账日期"), "金额", "指令号")
StatementStatus = Literal["succeeded", "rejected", "returned"]
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_ACCOUNT: Final = re.compile(r"[0-9]{6,32}")


@dataclass(frozen=True, slots=True)
class BatchLine:
    """One instruction as the bank is handed it: the card account in full (the bank pays it)."""

    instruction_id: str
    account_no: str
    name: str
    amount_fen: int
    programme_name: str
    query: bool
    """The outcome is unknown: the bank reports the status of this id, never pays it anew."""


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One instruction as the bank's statement lists it."""

    line_no: int
    instruction_id: str
    status: StatementStatus
    amount_fen: int
    bank_reference: str | None
    value_date: date | None


def write_batch_file(lines: Sequence[BatchLine], encoding: FileEncoding) -> bytes:
    rows = [
        (i.instruction_id, i.account_no, i.name, yuan_text(i.amount_fen), i.programme_name,
         "1" if i.query else "0")
        for i in lines
    ]  # fmt: skip
    return write_file(BATCH, rows, sum(i.amount_fen for i in lines), encoding)


def read_batch_file(data: bytes, encoding: FileEncoding) -> list[BatchLine]:
    return [_batch_line(line) for line in read_file(BATCH, data, encoding)]


def _batch_line(line: FileLine) -> BatchLine:
    cells = line.cells
    if not _ACCOUNT.fullmatch(cells["收款账号"]):
        raise refuse.bad_value(line.line_no, "收款账号", "6到32位数字")
    if cells["查询标志"] not in ("0", "1"):
        raise refuse.bad_value(line.line_no, "查询标志", "0（付款）或 1（查询）")
    return BatchLine(
        instruction_id=_required(line, "指令号"),
        account_no=cells["收款账号"],
        name=_required(line, "户名"),
        amount_fen=line.amount_fen,
        programme_name=_required(line, "项目名称"),
        query=cells["查询标志"] == "1",
    )


def write_result_file(results: Sequence[BankResult], encoding: FileEncoding) -> bytes:
    rows = [
        (r.instruction_id, r.outcome, r.bank_reference or "",
         r.value_date.isoformat() if r.value_date else "", r.reason_code or "",
         yuan_text(r.amount_fen))
        for r in results
    ]  # fmt: skip
    return write_file(RESULTS, rows, sum(r.amount_fen for r in results), encoding)


def read_result_file(
    data: bytes, bank_code: str, encoding: FileEncoding
) -> list[tuple[int, BankResult]]:
    """Every answer of the file with its line, each complete (``check_result``): a line that
    is not refuses the whole file."""
    return [_result(line, bank_code) for line in read_file(RESULTS, data, encoding)]


def _result(line: FileLine, bank_code: str) -> tuple[int, BankResult]:
    cells = line.cells
    outcome = cells["状态"]
    if outcome not in get_args(Outcome):
        raise refuse.bad_value(line.line_no, "状态", "succeeded、rejected 或 unknown")
    result = BankResult(
        instruction_id=_required(line, "指令号"),
        bank_code=bank_code,
        outcome=outcome,  # type: ignore[arg-type]
        amount_fen=line.amount_fen,
        bank_reference=cells["银行流水号"] or None,
        value_date=_date(line, "入账日期"),
        reason_code=cells["原因代码"] or None,
    )
    try:
        check_result(result)
    except Refused as refused:
        raise refuse.in_line(line.line_no, refused) from None
    return line.line_no, result


def write_statement_file(lines: Sequence[StatementLine], encoding: FileEncoding) -> bytes:
    rows = [
        (s.instruction_id, s.status, yuan_text(s.amount_fen), s.bank_reference or "",
         s.value_date.isoformat() if s.value_date else "")
        for s in lines
    ]  # fmt: skip
    return write_file(STATEMENT, rows, sum(s.amount_fen for s in lines), encoding)


def read_statement_file(data: bytes, encoding: FileEncoding) -> list[StatementLine]:
    return [_statement_line(line) for line in read_file(STATEMENT, data, encoding)]


def _statement_line(line: FileLine) -> StatementLine:
    status = line.cells["状态"]
    if status not in get_args(StatementStatus):
        raise refuse.bad_value(line.line_no, "状态", "succeeded、rejected 或 returned")
    reference = line.cells["银行流水号"] or None
    value_date = _date(line, "入账日期")
    for column in ("指令号", "银行流水号"):
        if len(line.cells[column]) > TEXT_LIMIT:
            raise refuse.bad_value(line.line_no, column, f"不超过{TEXT_LIMIT}个字符")
    if status == "succeeded" and (reference is None or value_date is None):
        raise refuse.bad_value(line.line_no, "银行流水号", "成功的明细须有银行流水号和入账日期")
    return StatementLine(
        line.line_no,
        _required(line, "指令号"),
        status,  # type: ignore[arg-type]
        line.amount_fen,
        reference,
        value_date,
    )


def _required(line: FileLine, column: str) -> str:
    text = line.cells[column]
    if not text:
        raise refuse.bad_value(line.line_no, column, "不能为空")
    return text


def _date(line: FileLine, column: str) -> date | None:
    text = line.cells[column]
    if not text:
        return None
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise refuse.bad_value(line.line_no, column, "日期应写作 YYYY-MM-DD，如 2025-10-10")
