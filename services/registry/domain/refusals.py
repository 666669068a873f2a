"""Why the registry refuses a command: a stable code for machines, a Chinese message a clerk
can act on."""

from __future__ import annotations

from contracts.refusals import Refused


def invalid_citizen_id() -> Refused:
    return Refused("invalid_citizen_id", "身份证号码无效：请核对18位号码、出生日期和校验位")


def citizen_id_taken() -> Refused:
    return Refused(
        "citizen_id_already_registered",
        "该身份证号码已登记为其他补贴对象，请勿重复登记",
        status=409,
    )


def beneficiary_exists() -> Refused:
    return Refused("beneficiary_id_in_use", "补贴对象编号已被使用", status=409)


def invalid_village() -> Refused:
    return Refused("invalid_village_code", "村(社区)代码应为12位数字")
