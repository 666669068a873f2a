"""Why the approval service refuses a command: a stable code for machines, a Chinese message
the approver can act on. Nothing is stored when a command is refused."""

from __future__ import annotations

from typing import Final

from contracts.refusals import Refused

ROLE_TITLES: Final = {
    "township_finance_auditor": "乡镇财政所审核员",
    "county_department_reviewer": "县业务主管部门审核人",
    "county_finance_officer": "县财政局审批人",
}


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}元"


def not_found() -> Refused:
    return Refused("approval_not_found", "没有该清册的审核记录", status=404)


def notice_not_completed() -> Refused:
    return Refused("approval_not_open", "该清册的公示尚未结束或结果尚未收到，不能审核", status=409)


def notice_halted() -> Refused:
    return Refused(
        "approval_notice_halted",
        "该清册公示期间有异议成立，已退回乡镇；本次提交不能审核，请等待更正后重新提交",
        status=409,
    )


def superseded(submission_no: int, latest: int) -> Refused:
    return Refused(
        "approval_superseded",
        f"第{submission_no}次提交已被第{latest}次提交取代，请审核最新提交",
        status=409,
    )


def already_approved() -> Refused:
    return Refused("approval_already_approved", "该清册已审批通过，不能再审核或退回", status=409)


def sent_back() -> Refused:
    return Refused("approval_sent_back", "该清册已退回乡镇，不能再审核；请等待重新提交", status=409)


def wrong_role(role: str) -> Refused:
    title = ROLE_TITLES.get(role, role)
    return Refused("approval_wrong_level_role", f"当前这一级应由{title}审核", status=403)


def maker() -> Refused:
    return Refused(
        "approval_maker_cannot_decide",
        "您参与了该清册的录入、导入或更正，不能审核该清册（相互牵制）",
        status=403,
    )


def one_level_per_user(level: int) -> Refused:
    return Refused(
        "approval_one_level_per_user",
        f"您已审核过该清册的第{level}级，同一人不能审核同一清册的两级",
        status=403,
    )


def level_moved(seen: int, current: int) -> Refused:
    return Refused(
        "approval_level_moved",
        f"您看到的第{seen}级已处理，该清册当前在第{current}级，请刷新后再操作",
        status=409,
    )


def rows_mismatch(counted: tuple[int, int], declared: tuple[int, int]) -> Refused:
    return Refused(
        "approval_rows_mismatch",
        f"清册明细（{counted[0]}行，{yuan(counted[1])}）与汇总（{declared[0]}行，"
        f"{yuan(declared[1])}）不一致，不能审核通过，请退回乡镇核实",
        status=409,
    )


def reasons_required() -> Refused:
    return Refused("approval_reason_required", "退回时须填写退回原因")


def chain_empty() -> Refused:
    return Refused("approval_chain_empty", "审核流程至少要有一级")


def chain_too_long(most: int) -> Refused:
    return Refused("approval_chain_too_long", f"审核流程最多{most}级")


def chain_role_invalid(role: str) -> Refused:
    allowed = "、".join(ROLE_TITLES.values())
    return Refused("approval_chain_role_invalid", f"“{role}”不能担任审核级次；可选：{allowed}")


def chain_must_end_with_finance() -> Refused:
    return Refused("approval_chain_must_end_with_finance", "审核流程的最后一级须为县财政局审批人")


def overdue_days_invalid(most: int) -> Refused:
    return Refused("approval_overdue_days_invalid", f"超期提醒的工作日数应在1至{most}之间")
