"""Why the register refuses a change to a beneficiary: stable codes, Chinese messages a clerk
can act on. Nothing is stored when a command is refused."""

from __future__ import annotations

from contracts.refusals import Refused


def not_found() -> Refused:
    return Refused("beneficiary_not_found", "补贴对象不存在，请先登记", status=404)


def deceased() -> Refused:
    return Refused(
        "beneficiary_deceased", "该补贴对象已登记死亡，只能查询，不能再办理任何变更", status=409
    )


def moved_out() -> Refused:
    return Refused(
        "beneficiary_moved_out",
        "该补贴对象已迁出本辖区，只能查询；如已迁回请重新登记",
        status=409,
    )


def reason_required() -> Refused:
    return Refused("reason_required", "请填写原因")


def invalid_name() -> Refused:
    return Refused("invalid_name", "姓名不能为空")


def account_already_declared() -> Refused:
    return Refused(
        "card_account_already_declared",
        "一卡通账户已申报；变更账户须由本人重新申报并经审核",
        status=409,
    )


def account_not_declared() -> Refused:
    return Refused(
        "card_account_not_declared", "该补贴对象尚未申报一卡通账户，请先申报", status=409
    )


def invalid_account(detail: str) -> Refused:
    return Refused("invalid_card_account", f"一卡通账号有误：{detail}，请核对后重新填写")


def account_unchanged() -> Refused:
    return Refused("card_account_unchanged", "新账户与现有账户相同，无需变更")


def change_pending(application_id: str) -> Refused:
    return Refused(
        "card_account_change_pending",
        f"已有一份账户变更申请（{application_id}）待审核，请先审核该申请",
        status=409,
    )


def application_id_in_use(application_id: str) -> Refused:
    return Refused(
        "application_id_in_use", f"申请编号 {application_id} 已被另一份申请使用", status=409
    )


def application_not_found(application_id: str) -> Refused:
    return Refused(
        "application_not_found", f"没有待审核的账户变更申请 {application_id}", status=404
    )


def already_reviewed(application_id: str, approved: bool) -> Refused:
    outcome = "通过" if approved else "驳回"
    return Refused(
        "application_already_reviewed",
        f"账户变更申请 {application_id} 已审核{outcome}，不能改变审核结果",
        status=409,
    )


def reviewer_is_applicant() -> Refused:
    return Refused(
        "reviewer_is_applicant",
        "申请人不能审核自己录入的账户变更申请，请由其他人员审核",
        status=403,
    )


def account_closed() -> Refused:
    return Refused("card_account_closed", "该账户已销户；如需新账户，请由本人重新申报", status=409)


def account_frozen() -> Refused:
    return Refused("card_account_frozen", "该账户已冻结，请先解冻", status=409)


def invalid_close_reason(allowed: str) -> Refused:
    return Refused("invalid_close_reason", f"销户原因应为：{allowed}")


def already_reverified(year: int, on: str) -> Refused:
    return Refused(
        "already_reverified",
        f"该补贴对象{year}年度已于{on}核对，每年只核对一次",
        status=409,
    )


def invalid_year(year: int) -> Refused:
    return Refused("invalid_reverification_year", f"核对年度 {year} 不正确：不能晚于今年")


def invalid_date(what: str) -> Refused:
    return Refused("invalid_date", f"{what}不正确：不能晚于今天，也不能早于出生日期")


def invalid_destination() -> Refused:
    return Refused(
        "invalid_destination_code", "迁入地行政区划代码应为6、9或12位数字，且不能是本村(社区)"
    )


def source_required() -> Refused:
    return Refused("source_required", "请填写死亡信息来源（如民政、公安、村委会）")
