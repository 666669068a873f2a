"""Why identity refuses: a stable code for programs, a Chinese message for the person, and
the HTTP status it answers with. Nothing was stored by a refused command (a failed login
stores its failure, then answers ``invalid_credentials``)."""

from __future__ import annotations

from datetime import datetime

from contracts.refusals import Refused
from contracts.zones import SHANGHAI
from infra.identity.permissions import ROLE_NAMES, Role


class IdentityRefused(Refused):
    """A refusal of the user store (its own type, so a failed login is told apart)."""


def invalid_credentials() -> IdentityRefused:
    return IdentityRefused("invalid_credentials", "用户名或密码错误", status=401)


def account_locked(until: datetime) -> IdentityRefused:
    local = until.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return IdentityRefused(
        "account_locked",
        f"连续登录失败次数过多，账号已锁定至{local}；如需提前解锁请联系系统管理员",
        status=403,
    )


def account_disabled() -> IdentityRefused:
    return IdentityRefused("account_disabled", "该账号已停用，请联系系统管理员", status=403)


def no_role() -> IdentityRefused:
    return IdentityRefused("no_role", "该账号尚未被授予任何角色，请联系系统管理员", status=403)


def role_not_held() -> IdentityRefused:
    return IdentityRefused("role_not_held", "您未被授予所选角色或管辖范围", status=403)


def role_required(choices: list[str]) -> IdentityRefused:
    return IdentityRefused("role_required", f"您拥有多个角色，请选择登录角色：{'；'.join(choices)}")


def unknown_user() -> IdentityRefused:
    return IdentityRefused("user_not_found", "用户不存在", status=404)


def user_id_in_use() -> IdentityRefused:
    return IdentityRefused("user_id_in_use", "用户编号已被使用", status=409)


def invalid_citizen_id() -> IdentityRefused:
    return IdentityRefused("invalid_citizen_id", "身份证号码无效：请核对18位号码、出生日期和校验位")


def invalid_username() -> IdentityRefused:
    return IdentityRefused(
        "invalid_username", "用户名应为3至32位小写字母、数字或“.”“_”“-”，以字母或数字开头"
    )


def username_taken() -> IdentityRefused:
    return IdentityRefused("username_taken", "该用户名已被使用，请换一个", status=409)


def certificate_taken() -> IdentityRefused:
    return IdentityRefused(
        "certificate_taken", "该证书已绑定过其他用户（含已注销的绑定），不能再次绑定", status=409
    )


def unknown_role(role: str) -> IdentityRefused:
    return IdentityRefused("unknown_role", f"未知角色：{role}")


def jurisdiction_mismatch(role: Role) -> IdentityRefused:
    return IdentityRefused(
        "jurisdiction_level_mismatch",
        f"{ROLE_NAMES[role]}的管辖范围级别不符：请按角色填写相应级别的区划代码",
    )


def invalid_division(code: str) -> IdentityRefused:
    return IdentityRefused("invalid_division_code", f"区划代码无效：{code}")


def self_grant() -> IdentityRefused:
    return IdentityRefused(
        "self_grant_forbidden", "不能给自己授予角色：请由另一名管理员授权", status=403
    )


def self_reset() -> IdentityRefused:
    return IdentityRefused(
        "self_reset_forbidden", "不能这样重置自己的密码：请用原密码修改密码", status=403
    )


def user_disabled() -> IdentityRefused:
    return IdentityRefused("user_disabled", "该账号已停用，不能再修改", status=409)


def grant_not_held() -> IdentityRefused:
    return IdentityRefused("grant_not_held", "该用户没有这项角色授权", status=409)


def certificate_not_bound() -> IdentityRefused:
    return IdentityRefused("certificate_not_bound", "该用户没有绑定此证书", status=409)


def certificate_unknown() -> IdentityRefused:
    return IdentityRefused(
        "certificate_unknown", "该证书未绑定任何用户，请联系系统管理员", status=401
    )


def certificate_revoked() -> IdentityRefused:
    return IdentityRefused(
        "certificate_revoked", "该证书已注销，请使用新证书或联系系统管理员", status=401
    )


def wrong_old_password() -> IdentityRefused:
    return IdentityRefused("wrong_password", "原密码不正确", status=403)


def password_reused() -> IdentityRefused:
    return IdentityRefused("password_reused", "新密码不能与当前密码相同")


def no_password() -> IdentityRefused:
    return IdentityRefused("no_password", "该账号尚未设置密码，请联系系统管理员", status=403)
