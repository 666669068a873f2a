"""Every answer of the bank API that is not a success: a stable code, the HTTP status, a
Chinese message (in the body) and its English meaning (in the OpenAPI document, for the
bank's developers). Nothing was changed by any of them, except that an answer naming no
instruction of ours is recorded apart for the reconciliation (``payout_instruction_unmatched``).
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from pydantic import BaseModel, ConfigDict

from infra.http.errors import ApiError


class BankError(NamedTuple):
    status: int
    chinese: str
    english: str


AUTH_ERRORS: Final = {
    "bank_unauthenticated": BankError(
        401,
        "请求未携带代发机构的接口签名或客户端证书",
        "Neither X-Bank-Key with its signature headers nor a forwarded client certificate.",
    ),
    "bank_key_unknown": BankError(401, "接口密钥编号未登记", "The X-Bank-Key is not configured."),
    "bank_timestamp_invalid": BankError(
        401,
        "时间戳格式无效：须为带时区的RFC 3339时间（UTC）或Unix秒数",
        "X-Bank-Timestamp is neither RFC 3339 with an offset nor whole epoch seconds.",
    ),
    "bank_nonce_invalid": BankError(
        401,
        "随机数格式无效：须为16至64位字母、数字、下划线或连字符",
        "X-Bank-Nonce must be 16-64 characters of A-Z a-z 0-9 _ -.",
    ),
    "bank_signature_invalid": BankError(
        401,
        "签名校验失败，请检查密钥及签名串的构造",
        "X-Bank-Signature is not the HMAC-SHA256 of the canonical request under this key.",
    ),
    "bank_timestamp_stale": BankError(
        401,
        "请求时间与服务器时间相差超过5分钟，请校准时钟后重新签名发送",
        "X-Bank-Timestamp is more than 5 minutes away from the server's clock.",
    ),
    "bank_nonce_replayed": BankError(
        401,
        "该随机数已使用过（疑似重放请求），已拒绝；请用新的随机数重新签名",
        "This nonce was already used within the window: a replayed request.",
    ),
    "bank_certificate_unknown": BankError(
        401,
        "该客户端证书未登记为代发机构证书",
        "The forwarded client certificate is not pinned to any bank.",
    ),
    "certificate_expired": BankError(
        401, "证书不在有效期内，请更换证书", "The client certificate is not valid now."
    ),
    "untrusted_certificate_source": BankError(
        401,
        "证书信息只能由受信任的接入网关转发，已拒绝",
        "A client certificate header from an address that is not a trusted TLS proxy.",
    ),
    "bank_body_too_large": BankError(
        413, "请求内容超过1 MiB，请分批发送", "The body exceeds 1 MiB: send smaller batches."
    ),
}

REQUEST_ERRORS: Final = {
    "bank_body_malformed": BankError(
        422,
        "请求内容不是约定格式的JSON，整批未处理",
        "The body is not JSON of the documented shape; nothing of it was applied.",
    ),
    "bank_batch_not_found": BankError(
        404,
        "本机构没有该批次，或该批次已无待处理的支付指令",
        "No such batch of this bank, or nothing of it is pending.",
    ),
}

RESULT_ERRORS: Final = {
    "payout_instruction_unmatched": BankError(
        404,
        "没有该支付指令：回执已登记待核对，未作处理",
        "No instruction of ours has this id: the answer is recorded as unmatched, not applied.",
    ),
    "payout_wrong_bank": BankError(
        403, "该支付指令不是发给本代发机构的", "The instruction was sent to another bank."
    ),
    "payout_amount_mismatch": BankError(
        409, "回执金额与支付指令金额不符，未予处理", "The amount differs from the instruction's."
    ),
    "payout_success_incomplete": BankError(
        422,
        "发放成功的回执须注明银行流水号和入账日期",
        "A success needs its bank reference and value date.",
    ),
    "payout_reason_unknown": BankError(
        422, "失败原因代码不在约定的代码表中", "The reason code is not one of the agreed codes."
    ),
    "payout_result_malformed": BankError(
        422, "回执的文字字段超长", "A text of the answer is longer than 100 characters."
    ),
    "payout_row_busy": BankError(
        409, "该行回执处理冲突，请稍后重发", "The row kept changing: send this answer again."
    ),
    "outside_jurisdiction": BankError(
        403, "该数据不在您的管辖范围内", "The instruction's township is outside the bank's county."
    ),
    "bank_results_refused": BankError(
        422,
        "部分回执未被受理（见各条结果），其余已受理",
        "Some answers were refused or unmatched (see each result); the others were taken.",
    ),
}


class ErrorBody(BaseModel):
    """``code`` is stable (for programs), ``message`` is Chinese (for people)."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str


def refused(code: str) -> ApiError:
    error = AUTH_ERRORS.get(code) or REQUEST_ERRORS[code]
    return ApiError(error.status, code, error.chinese)


def responses(*catalogues: dict[str, BankError]) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a route: per status, every code with both languages."""
    by_status: dict[int, list[str]] = {}
    for catalogue in catalogues:
        for code, error in catalogue.items():
            line = f"- `{code}`: {error.chinese} / {error.english}"
            by_status.setdefault(error.status, []).append(line)
    return {
        status: {"model": ErrorBody, "description": "\n".join(lines)}
        for status, lines in sorted(by_status.items())
    }
