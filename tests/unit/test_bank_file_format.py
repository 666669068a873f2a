"""The bank file format (docs/bank-file-format.md): any batch or result file written reads back
as written, amounts exact to the fen, in every agreed encoding; a file that is not sound as a
whole — checksum, truncation, encoding, columns, amounts, duplicates, incomplete lines — is
refused with a code before a single line is handed out."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.refusals import Refused
from services.payout.domain.bank_file import ENCODINGS, FileEncoding, encoding_of, fen_of, yuan
from services.payout.domain.bank_file_layouts import (
    BatchLine,
    StatementLine,
    read_batch_file,
    read_result_file,
    read_statement_file,
    write_batch_file,
    write_result_file,
    write_statement_file,
)
from services.payout.domain.results import BankResult
from tests.unit.payout_samples import rejected, succeeded

RESULTS_HEADER = "指令号,状态,银行流水号,入账日期,原因代码,金额\r\n"

texts = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30
).map(str.strip).filter(bool)  # fmt: skip
instruction_ids = st.builds(
    "{}:{}:{}".format,
    st.from_regex(r"[A-Za-z0-9_\-]{1,20}", fullmatch=True),
    st.integers(1, 9_999_999),
    st.integers(1, 99),
)
fen = st.integers(min_value=0, max_value=10**13)
batch_lines = st.builds(
    BatchLine,
    instruction_id=instruction_ids,
    account_no=st.from_regex(r"[0-9]{6,32}", fullmatch=True),
    name=texts,
    amount_fen=fen,
    programme_name=texts,
    query=st.booleans(),
)
encodings = st.sampled_from(ENCODINGS)


def signed(text: str, *, count: int, total_fen: int, encoding: str = "utf-8") -> bytes:
    """A file whose checksum line agrees with its bytes, whatever they hold."""
    body = text.encode(encoding)
    digest = hashlib.sha256(body).hexdigest()
    return body + f"#CHECKSUM,{count},{total_fen},{digest}\r\n".encode()


@given(st.lists(batch_lines, max_size=30, unique_by=lambda line: line.instruction_id), encodings)
def test_any_batch_reads_back_as_written_amounts_exact(
    lines: list[BatchLine], encoding: FileEncoding
) -> None:
    data = write_batch_file(lines, encoding)
    assert read_batch_file(data, encoding) == lines


references = st.from_regex(r"[A-Z0-9]{1,30}", fullmatch=True)
reasons = st.sampled_from(["account_closed", "channel_error"])
results = st.one_of(
    st.builds(succeeded, instruction_ids, fen, ref=references),
    st.builds(rejected, instruction_ids, fen, reasons),
    st.builds(BankResult, instruction_ids, st.just("ABC"), st.just("unknown"), fen),
)


@given(st.lists(results, max_size=30, unique_by=lambda r: r.instruction_id), encodings)
def test_any_result_file_reads_back_as_the_banks_answers(
    answers: list[BankResult], encoding: FileEncoding
) -> None:
    data = write_result_file(answers, encoding)
    read = read_result_file(data, "ABC", encoding)
    assert [result for _, result in read] == answers
    assert [line_no for line_no, _ in read] == list(range(2, len(answers) + 2))


def test_a_batch_file_is_laid_out_as_documented() -> None:
    line = BatchLine("r-1:1:1", "6217000000000008901", "张三", 61_725, "耕地地力保护补贴", False)
    data = write_batch_file([line], "utf-8")
    body = (
        "指令号,收款账号,户名,金额,项目名称,查询标志\r\n"
        "r-1:1:1,6217000000000008901,张三,617.25,耕地地力保护补贴,0\r\n"
    ).encode()
    digest = hashlib.sha256(body).hexdigest()
    assert data == body + f"#CHECKSUM,1,61725,{digest}\r\n".encode()


def test_the_checksum_covers_the_bom_and_gb18030_bytes_as_written() -> None:
    line = BatchLine("r-1:1:1", "6217000000000008901", "阿依古丽", 100, "耕地地力保护补贴", True)
    with_bom = write_batch_file([line], "utf-8-sig")
    assert with_bom.startswith(b"\xef\xbb\xbf")
    assert read_batch_file(with_bom, "utf-8") == [line]
    gb = write_batch_file([line], "gb18030")
    assert "阿依古丽".encode("gb18030") in gb
    assert read_batch_file(gb, "gb18030") == [line]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("617.25", 61_725), ("617.2", 61_720), ("617", 61_700), ("0.01", 1), ("0", 0)],
)
def test_yuan_read_as_exact_fen(text: str, expected: int) -> None:
    assert fen_of(text, 2) == expected
    assert fen_of(yuan(expected), 2) == expected


GOOD_RESULTS = RESULTS_HEADER + "r-1:1:1,succeeded,B-1,2025-10-10,,617.25\r\n"
GOOD = signed(GOOD_RESULTS, count=1, total_fen=61_725)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "bank_file_empty"),
        (GOOD.replace(b"617.25", b"617.26"), "bank_file_checksum_mismatch"),
        (GOOD[: GOOD.rindex(b"#CHECKSUM")], "bank_file_truncated"),
        (GOOD[:-40], "bank_file_truncated"),
        (GOOD_RESULTS.encode(), "bank_file_truncated"),
        (signed(GOOD_RESULTS, count=2, total_fen=61_725), "bank_file_count_mismatch"),
        (signed(GOOD_RESULTS, count=1, total_fen=61_700), "bank_file_total_mismatch"),
        (signed(GOOD_RESULTS, count=1, total_fen=61_725, encoding="gb18030"), "bank_file_encoding"),
        (
            signed(GOOD_RESULTS.replace("金额", "金额,备注").replace("617.25", "617.25,x"),
                   count=1, total_fen=61_725),
            "bank_file_unknown_column",
        ),
        (
            signed(GOOD_RESULTS.replace(",原因代码", "").replace(",,617", ",617"),
                   count=1, total_fen=61_725),
            "bank_file_missing_column",
        ),
        (
            signed(GOOD_RESULTS.replace("617.25", "617.255"), count=1, total_fen=61_725),
            "bank_file_amount_precision",
        ),
        (
            signed(GOOD_RESULTS.replace("617.25", "617,25"), count=1, total_fen=61_725),
            "bank_file_malformed_line",
        ),
        (
            signed(GOOD_RESULTS.replace("617.25", "-617.25"), count=1, total_fen=61_725),
            "bank_file_amount_invalid",
        ),
        (
            signed(GOOD_RESULTS + "r-1:1:1,succeeded,B-1,2025-10-10,,0.00\r\n",
                   count=2, total_fen=61_725),
            "bank_file_duplicate_line",
        ),
        (
            signed(GOOD_RESULTS.replace("succeeded", "paid"), count=1, total_fen=61_725),
            "bank_file_bad_value",
        ),
        (
            signed(GOOD_RESULTS.replace("2025-10-10", "20251010"), count=1, total_fen=61_725),
            "bank_file_bad_value",
        ),
        (
            signed(GOOD_RESULTS.replace("2025-10-10", ""), count=1, total_fen=61_725),
            "payout_success_incomplete",
        ),
        (
            signed(RESULTS_HEADER + "r-1:1:1,rejected,,,no_such_reason,617.25\r\n",
                   count=1, total_fen=61_725),
            "payout_reason_unknown",
        ),
        (
            signed(RESULTS_HEADER + '"r-1:1:1,succeeded,B-1\r\n', count=1, total_fen=61_725),
            "bank_file_malformed_line",
        ),
    ],
)  # fmt: skip
def test_an_unsound_result_file_is_refused_whole_with_a_code(data: bytes, code: str) -> None:
    with pytest.raises(Refused) as refused:
        read_result_file(data, "ABC", "utf-8")
    assert refused.value.code == code
    assert refused.value.message


def test_a_line_level_refusal_names_its_line() -> None:
    text = RESULTS_HEADER + "r-1:1:1,rejected,,,account_closed,1.00\r\nr-1:2:1,ok,,,,1.00\r\n"
    with pytest.raises(Refused) as refused:
        read_result_file(signed(text, count=2, total_fen=200), "ABC", "utf-8")
    assert refused.value.code == "bank_file_bad_value"
    assert refused.value.message.startswith("第3行")


def test_an_encoding_outside_the_agreed_ones_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        encoding_of("big5")
    assert refused.value.code == "bank_file_encoding_unknown"


def test_a_statement_reads_back_and_a_success_needs_its_reference_and_date() -> None:
    lines = [
        StatementLine(2, "r-1:1:1", "succeeded", 61_725, "B-1", date(2025, 10, 10)),
        StatementLine(3, "r-1:2:1", "rejected", 30_000, None, date(2025, 10, 11)),
        StatementLine(4, "r-1:3:2", "returned", 12_345, None, None),
    ]
    assert read_statement_file(write_statement_file(lines, "gb18030"), "gb18030") == lines
    bad = StatementLine(2, "r-1:1:1", "succeeded", 61_725, None, date(2025, 10, 10))
    with pytest.raises(Refused) as refused:
        read_statement_file(write_statement_file([bad], "utf-8"), "utf-8")
    assert refused.value.code == "bank_file_bad_value"
