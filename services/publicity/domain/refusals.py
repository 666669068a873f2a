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
