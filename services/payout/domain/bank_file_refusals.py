"""Why a bank file is refused as a whole (docs/bank-file-format.md): a stable code, a Chinese
message the operator on either side can act on. Nothing of a refused file is applied."""

from __future__ import annotations

from contracts.refusals import Refused


def empty() -> Refused:
    return Refused("bank_file_empty", "文件为空")


def too_large(limit_mb: int) -> Refused:
    return Refused("bank_file_too_large", f"文件超过{limit_mb}MB，请分批交换", status=413)


def encoding_unknown(encoding: str) -> Refused:
    return Refused(
        "bank_file_encoding_unknown",
        f"不支持的文件编码“{encoding}”：可选 utf-8、utf-8-sig、gb18030",
    )


def truncated() -> Refused:
    return Refused(
        "bank_file_truncated",
        "文件不完整：最后一行不是校验行（#CHECKSUM,笔数,总金额(分),SHA-256），"
        "可能传输中断，请重新获取完整文件",
    )


def checksum_mismatch() -> Refused:
    return Refused(
        "bank_file_checksum_mismatch",
        "文件内容与校验行的SHA-256不一致，可能在传输中损坏或被改动，请重新获取文件",
    )


def count_mismatch(declared: int, found: int) -> Refused:
    return Refused("bank_file_count_mismatch", f"校验行笔数为{declared}，文件明细实有{found}笔")


def total_mismatch(declared: int, found: int) -> Refused:
    return Refused("bank_file_total_mismatch", f"校验行总金额为{declared}分，文件明细合计{found}分")


def bad_encoding(line_no: int, encoding: str) -> Refused:
    return Refused(
        "bank_file_encoding",
        f"第{line_no}行不是{encoding}编码的文字，请按约定的编码（{encoding}）重新导出",
    )


def unknown_column(header: str) -> Refused:
    return Refused(
        "bank_file_unknown_column", f"表头有约定以外的列“{header}”（若显示为乱码，请核对文件编码）"
    )


def missing_column(header: str) -> Refused:
    return Refused("bank_file_missing_column", f"表头缺少“{header}”列")


def malformed_line(line_no: int, expected: int, found: int) -> Refused:
    return Refused("bank_file_malformed_line", f"第{line_no}行应有{expected}列，实有{found}列")


def unreadable_line(line_no: int) -> Refused:
    return Refused("bank_file_malformed_line", f"第{line_no}行的引号或分隔符不符合CSV格式")


def amount_precision(line_no: int, text: str) -> Refused:
    return Refused(
        "bank_file_amount_precision", f"第{line_no}行金额“{text}”超过两位小数（金额以元为单位）"
    )


def amount_invalid(line_no: int, text: str) -> Refused:
    return Refused(
        "bank_file_amount_invalid", f"第{line_no}行金额“{text}”不是以元为单位的金额（如 617.25）"
    )


def duplicate_line(line_no: int, first: int, key: str) -> Refused:
    return Refused(
        "bank_file_duplicate_line", f"第{line_no}行与第{first}行是同一笔指令“{key}”，整个文件未处理"
    )


def bad_value(line_no: int, column: str, expected: str) -> Refused:
    return Refused("bank_file_bad_value", f"第{line_no}行“{column}”不符合约定：{expected}")


def in_line(line_no: int, refused: Refused) -> Refused:
    """A refusal of one line's content, named by its line, under its own code."""
    return Refused(refused.code, f"第{line_no}行：{refused.message}", status=refused.status)
