"""Why the catalogue refuses a command: the programme catalogue (补贴政策清单) and the
administrative divisions. Stable codes for machines, Chinese messages a clerk can act on."""

from __future__ import annotations

from contracts.refusals import Refused


def invalid_programme_code(code: str) -> Refused:
    return Refused(
        "invalid_programme_code",
        f"补贴项目代码「{code}」无效：应为1至32位大写字母、数字、下划线或连字符",
    )


def programme_exists(code: str) -> Refused:
    return Refused(
        "programme_exists", f"补贴项目代码{code}已被使用，如需调整请修订该项目", status=409
    )


def programme_unknown(code: str) -> Refused:
    return Refused("programme_unknown", f"补贴政策清单中没有代码为{code}的项目", status=404)


def programme_retired(code: str) -> Refused:
    return Refused("programme_retired", f"补贴项目{code}已停止执行，不能再修订", status=409)


def programme_version_unknown(code: str, version: int) -> Refused:
    return Refused("programme_version_unknown", f"补贴项目{code}没有第{version}版", status=404)


def invalid_programme_terms(problem: str) -> Refused:
    return Refused("invalid_programme_terms", f"补贴项目内容有误：{problem}")


def invalid_division_code(code: str, problem: str) -> Refused:
    where = f"区划代码「{code}」" if code else "区划"
    return Refused("invalid_division_code", f"{where}有误：{problem}")


def county_unknown(code: str) -> Refused:
    return Refused("county_unknown", f"{code}不是国家标准(GB/T 2260)中的县级行政区划代码，请核对")


def county_retired(code: str, name: str, until: int) -> Refused:
    return Refused(
        "county_retired",
        f"县级区划代码{code}（{name}）已于{until}年后停用，请使用调整后的新代码",
    )


def county_name_mismatch(code: str, official: str, given: str) -> Refused:
    return Refused(
        "county_name_mismatch",
        f"县级区划代码{code}的标准名称是「{official}」，与填写的「{given}」不符",
    )


def division_outside_county(code: str, county: str) -> Refused:
    return Refused("division_outside_county", f"区划代码{code}不属于县级区划{county}，请核对前6位")


def division_exists(code: str, name: str) -> Refused:
    return Refused(
        "division_exists", f"区划代码{code}已登记为「{name}」，不能重复登记为其他名称", status=409
    )


def division_parent_unknown(code: str, township: str) -> Refused:
    return Refused(
        "division_parent_unknown", f"村代码{code}所属的乡镇{township}尚未登记，请先登记乡镇"
    )


def division_unknown(code: str) -> Refused:
    return Refused("division_unknown", f"没有代码为{code}的行政区划", status=404)
