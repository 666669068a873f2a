"""Why the payout service refuses a command or a bank answer: a stable code for machines, a
Chinese message a clerk or the bank's operator can act on. Nothing is stored when refused."""

from __future__ import annotations

from contracts.refusals import Refused


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}元"


def round_not_found() -> Refused:
    return Refused(
        "payout_round_not_found", "该清册尚未进入发放（未审批通过或尚未收到）", status=404
    )


def row_not_found(row_no: int) -> Refused:
    return Refused("payout_row_not_found", f"该清册第{row_no}行没有发放指令", status=404)


def instruction_not_found() -> Refused:
    return Refused("payout_instruction_not_found", "没有该支付指令", status=404)


def wrong_bank() -> Refused:
    return Refused("payout_wrong_bank", "该支付指令不是发给本代发机构的", status=403)


def amount_mismatch(instructed: int, answered: int) -> Refused:
    return Refused(
        "payout_amount_mismatch",
        f"回执金额{yuan(answered)}与支付指令金额{yuan(instructed)}不符，未予处理",
        status=409,
    )


def success_incomplete() -> Refused:
    return Refused("payout_success_incomplete", "发放成功的回执须注明银行流水号和入账日期")


def result_malformed(limit: int) -> Refused:
    return Refused(
        "payout_result_malformed", f"回执的指令号、流水号、原因或说明不得超过{limit}个字符"
    )


def reason_unknown(code: str | None) -> Refused:
    return Refused("payout_reason_unknown", f"失败原因代码“{code or ''}”不在约定的代码表中")


def row_paid() -> Refused:
    return Refused("payout_row_paid", "该行已发放成功，不能补发或退回", status=409)


def row_returned() -> Refused:
    return Refused("payout_row_returned", "该行已退回国库，不能补发", status=409)


def under_review() -> Refused:
    return Refused(
        "payout_row_under_review",
        "银行对该行的回执互相矛盾，已标记待核查；核查前不能补发或退回",
        status=409,
    )


def instruction_open() -> Refused:
    return Refused(
        "payout_instruction_open", "该行的支付指令尚在银行处理中，须等银行回执后再处理", status=409
    )


def outcome_unknown() -> Refused:
    return Refused(
        "payout_outcome_unknown",
        "该行的发放结果未明（超时或回执丢失），须向银行查询确认失败后才能补发，不能盲目重发",
        status=409,
    )


def correction_required(reason: str) -> Refused:
    return Refused(
        "payout_correction_required",
        f"失败原因为“{reason}”，须由业务主管部门或乡镇更正补贴对象信息并审核后补发",
        status=409,
    )


def note_required() -> Refused:
    return Refused("payout_note_required", "补发、复核或退回国库须填写说明")


def not_year_end(from_date: str) -> Refused:
    return Refused(
        "payout_not_year_end",
        f"年终退回国库自{from_date}起方可办理（当年无法更正的才退回）",
        status=409,
    )


def review_not_found() -> Refused:
    return Refused("payout_review_not_found", "该行没有这条待复核的银行回执", status=404)


def review_resolved() -> Refused:
    return Refused("payout_review_resolved", "这条待复核的银行回执已经处理过", status=409)


def review_not_acceptable() -> Refused:
    return Refused(
        "payout_review_not_acceptable",
        "该行已发放成功或已退回国库，重复或退库后的入账只能维持原记录；多付款项请与银行线下追回并在说明中写明",
        status=409,
    )


def review_row_settled() -> Refused:
    return Refused(
        "payout_review_row_settled", "该行的发放结果已变化，不能按这条回执处理", status=409
    )


def review_later_attempt_open() -> Refused:
    return Refused(
        "payout_review_later_attempt_open",
        "该行的后续补发指令尚未有确定结果，待银行回复后再复核",
        status=409,
    )


_ACCOUNT_STATES = {
    "none": "未申报社保卡账户",
    "unverified": "账户待核验",
    "open": "账户正常",
    "frozen": "账户已冻结",
    "closed": "账户已销户",
}


def payee_not_payable(account_status: str, active: bool) -> Refused:
    state = _ACCOUNT_STATES.get(account_status, "账户状态未知")
    if not active:
        state = "补贴对象已死亡或迁出"
    return Refused(
        "payout_payee_not_payable",
        f"登记系统中该补贴对象目前不能发放（{state}），请业务主管部门先核实修改",
        status=409,
    )


def reissue_request_required() -> Refused:
    return Refused(
        "payout_reissue_request_required",
        "该项目的补发须由业务主管部门或乡镇核实修改后提出申请，再由财政部门审批",
        status=409,
    )


def reissue_same_person() -> Refused:
    return Refused("payout_reissue_same_person", "补发申请人不能审批自己的申请", status=403)


def reissue_request_stale() -> Refused:
    return Refused(
        "payout_reissue_request_stale",
        "提出补发申请后收款人信息又有变更，请重新提出申请",
        status=409,
    )
