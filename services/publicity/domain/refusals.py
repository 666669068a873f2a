"""Why publicity refuses a command: a stable code for machines, a Chinese message the person
(a member of the public, an official, an administrator) can act on. Nothing was stored."""

from __future__ import annotations

from datetime import date

from contracts.refusals import Refused


def notice_not_found() -> Refused:
    """Also the answer for a confidential notice: the public may not learn that it exists."""
    return Refused("notice_not_found", "未找到该公示", status=404)


def notice_not_started() -> Refused:
    return Refused("notice_not_started", "该名单尚未开始公示，暂不能提出异议", status=409)


def notice_closed() -> Refused:
    return Refused(
        "notice_closed",
        "该公示已结束或已撤下，不能再提出异议；如有问题请拨打公示页面所列举报电话",
        status=409,
    )


def notice_period_over(ends_on: date) -> Refused:
    return Refused(
        "notice_period_over",
        f"公示期已于{ends_on.year}年{ends_on.month}月{ends_on.day}日结束，不能再提出异议；"
        "如有问题请拨打公示页面所列举报电话",
        status=409,
    )


def row_not_in_notice(row_no: int) -> Refused:
    return Refused("row_not_in_notice", f"公示名单中没有序号为{row_no}的记录", status=404)


def objection_not_found() -> Refused:
    return Refused("objection_not_found", "未找到该异议", status=404)


def objection_already_resolved() -> Refused:
    return Refused("objection_already_resolved", "该异议已有核查结论，不能重复处理", status=409)


def invalid_phone() -> Refused:
    return Refused("invalid_phone", "联系电话格式不正确")


def too_many_objections(retry_after: int) -> Refused:
    return Refused(
        "too_many_objections",
        f"提交过于频繁，请约{max(1, retry_after // 60)}分钟后再试，或拨打公示页面所列举报电话",
        status=429,
    )


LOOKUP_NOT_VERIFIED = "lookup_not_verified"


def lookup_not_verified() -> Refused:
    """The one answer to a wrong code, an expired or used one, and to an ID and name that
    match nobody: the asker cannot tell which."""
    return Refused(
        LOOKUP_NOT_VERIFIED,
        "身份信息或验证码不正确，或验证码已失效。请核对后重新获取验证码；"
        "同一身份证号码24小时内验证失败5次将暂停查询。",
        status=400,
    )


def lookup_locked() -> Refused:
    return Refused(
        "lookup_locked",
        "该身份证号码24小时内验证失败次数过多，已暂停查询，请明天再试，"
        "或携带身份证到乡镇（街道）财政所查询",
        status=429,
    )


def too_many_codes() -> Refused:
    return Refused(
        "too_many_codes",
        "验证码获取过于频繁（每小时最多3次、每天最多10次），请稍后再试",
        status=429,
    )


def too_many_lookups() -> Refused:
    return Refused("too_many_lookups", "查询过于频繁，请稍后再试", status=429)


def invalid_citizen_id() -> Refused:
    return Refused("invalid_citizen_id", "身份证号码格式不正确，请核对18位号码")


def qr_token_invalid() -> Refused:
    """A token never issued, or replaced or revoked since (a guess cannot find anyone)."""
    return Refused(
        "qr_token_invalid",
        "该二维码无效或已作废，请使用身份证号码和姓名查询，或请乡镇（街道）重新打印",
        status=404,
    )


def beneficiary_not_found() -> Refused:
    return Refused("beneficiary_not_found", "未找到该补贴对象", status=404)


def household_not_found() -> Refused:
    return Refused("household_not_found", "未找到该户的补贴对象", status=404)
