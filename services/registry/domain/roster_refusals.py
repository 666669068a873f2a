"""Why the registry refuses a roster command: stable codes, Chinese messages a clerk can act
on. Nothing is stored when a command is refused."""

from __future__ import annotations

from contracts.refusals import Refused


def roster_exists() -> Refused:
    return Refused("roster_id_in_use", "清册编号已被其他清册使用", status=409)


def invalid_township() -> Refused:
    return Refused("invalid_township_code", "乡镇代码应为9位数字")


def no_such_roster() -> Refused:
    return Refused("roster_not_found", "清册不存在，请先新建清册", status=404)


def roster_submitted() -> Refused:
    return Refused(
        "roster_already_submitted", "清册已提交公示，不能再修改；如需更正请等待退回", status=409
    )


def roster_withdrawn() -> Refused:
    return Refused("roster_withdrawn", "清册已撤回，不能再使用；请新建清册", status=409)


def no_rows() -> Refused:
    return Refused("roster_has_no_rows", "清册没有任何数据行")


def rows_taken(row_no: int) -> Refused:
    return Refused(
        "roster_row_taken",
        f"清册第{row_no}行已存在；更正已有的行请使用更正功能",
        status=409,
    )


def no_such_row(row_no: int) -> Refused:
    return Refused("roster_row_not_found", f"清册中没有第{row_no}行", status=404)


def rejected_rows_remain(count: int) -> Refused:
    return Refused(
        "roster_has_rejected_rows",
        f"清册还有{count}行未通过校验，请更正或删除后再提交公示",
        status=409,
    )


def file_already_imported(roster_id: str) -> Refused:
    return Refused(
        "roster_file_already_imported",
        f"该文件已导入过（清册 {roster_id}），请勿重复导入",
        status=409,
    )


def not_replaceable(row_no: int) -> Refused:
    return Refused(
        "roster_row_not_replaceable",
        f"“清册行号”{row_no} 不是本清册中未通过校验的行（或被重复引用），"
        "请使用最新下载的待更正文件",
        status=409,
    )


def nothing_payable() -> Refused:
    return Refused("roster_has_nothing_payable", "清册没有应发金额大于0的行，无需提交公示")


def payee_unknown(row_no: int) -> Refused:
    return Refused(
        "roster_payee_unknown",
        f"清册第{row_no}行的补贴对象在底册中没有可发放的一卡通账户，请核对底册后更正该行",
        status=409,
    )


def own_account_without_bank(row_no: int) -> Refused:
    return Refused(
        "roster_row_bank_unknown",
        f"清册第{row_no}行填写了与底册不同的账户，但开户银行不是银行代码，请更正该行",
    )


def township_unregistered(township_code: str) -> Refused:
    return Refused(
        "township_not_registered",
        f"乡镇 {township_code} 尚未登记名称，请县级业务部门先登记乡镇后再提交公示",
        status=409,
    )
