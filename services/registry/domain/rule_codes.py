"""The catalogue of roster validation rules (预设规则 and 预警规则), in one place.

Each rule has a stable code (stored in events, counted in summaries, never renamed), its
default severity, the column at fault, and a Chinese message a clerk can act on. A message
never quotes personal data (ID, account, name): the clerk sees the row beside it, while the
message itself is stored and exported.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.registry.domain.roster_rows import Column, Finding, Severity

COLUMN_LABELS: dict[Column, str] = {
    Column.NAME: "姓名",
    Column.CITIZEN_ID: "身份证号码",
    Column.CARD_ACCOUNT: "社保卡号（一卡通账号）",
    Column.BANK: "开户银行",
    Column.PROGRAMME: "补贴项目",
    Column.QUANTITY: "数量（面积）",
    Column.STANDARD: "补贴标准",
    Column.AMOUNT: "补贴金额",
    Column.VILLAGE: "村组",
    Column.PHONE: "联系电话",
    Column.HOUSEHOLD: "户主",
    Column.REMARK: "备注",
}

EXCEL_NUMBER = (
    "该列被 Excel 存成了数字，号码已丢失末几位或变成科学计数法（如 4.10102E+17）。"
    "请将该列设置为文本格式后重新填写，系统不会自动修复"
)


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule of the catalogue; ``finding`` fills the message's ``{placeholders}``."""

    code: str
    severity: Severity
    column: Column | None
    template: str

    def finding(self, severity: Severity | None = None, /, **values: object) -> Finding:
        text = self.template.format(**values) if values else self.template
        if self.column is not None:
            text = f"{COLUMN_LABELS[self.column]}：{text}"
        return Finding(self.code, severity or self.severity, text, self.column)


def _r(code: str, severity: Severity, column: Column | None, template: str) -> Rule:
    return Rule(code, severity, column, template)


_ID, _ACC, _AMT = Column.CITIZEN_ID, Column.CARD_ACCOUNT, Column.AMOUNT
_QTY, _STD = Column.QUANTITY, Column.STANDARD

CITIZEN_ID_MISSING = _r("citizen_id_missing", "reject", _ID, "为空，请填写18位身份证号码")
CITIZEN_ID_EXCEL_NUMBER = _r("citizen_id_excel_number", "reject", _ID, EXCEL_NUMBER)
CITIZEN_ID_FORMAT = _r(
    "citizen_id_format", "reject", _ID, "应为18位（前17位是数字，末位是数字或X），现为{length}位"
)
CITIZEN_ID_CHECK_DIGIT = _r(
    "citizen_id_check_digit", "reject", _ID, "校验位（第18位）不符，请对照身份证核对是否抄错"
)
CITIZEN_ID_BIRTH_DATE = _r(
    "citizen_id_birth_date", "reject", _ID, "第7至14位的出生日期不是真实日期或晚于今天，请核对"
)
CITIZEN_ID_REGION = _r(
    "citizen_id_region", "reject", _ID, "前6位不是出生以来使用过的行政区划代码，请核对"
)
NAME_MISSING = _r("name_missing", "reject", Column.NAME, "为空，请填写补贴对象姓名")

NOT_IN_REGISTER = _r(
    "not_in_register", "reject", _ID, "底册中没有该号码的补贴对象，请先在底册登记或核对号码"
)
NAME_MISMATCH = _r(
    "name_mismatch", "reject", Column.NAME, "与底册登记的姓名不一致，请核对姓名或身份证号码"
)
DECEASED = _r("deceased", "reject", _ID, "底册记载该补贴对象已死亡，不得发放")

ACCOUNT_MISSING = _r("card_account_missing", "reject", _ACC, "为空，请填写补贴对象的一卡通账号")
ACCOUNT_EXCEL_NUMBER = _r("card_account_excel_number", "reject", _ACC, EXCEL_NUMBER)
ACCOUNT_FORMAT = _r("card_account_format", "reject", _ACC, "应为12至25位数字，现为“{shape}”")
ACCOUNT_CHECK_DIGIT = _r(
    "card_account_check_digit", "reject", _ACC, "银行卡号校验位不符（Luhn 校验），请核对是否抄错"
)
ACCOUNT_NOT_DECLARED = _r(
    "card_account_not_declared", "reject", _ACC, "该补贴对象在底册中尚未申报一卡通账户，请先申报"
)
ACCOUNT_MISMATCH = _r(
    "card_account_mismatch",
    "reject",
    _ACC,
    "与底册登记的该补贴对象账户不一致；账户只能通过重新申报变更",
)
ACCOUNT_CLOSED = _r("card_account_closed", "reject", _ACC, "该账户已销户，请补贴对象重新申报账户")
ACCOUNT_FROZEN = _r("card_account_frozen", "reject", _ACC, "该账户已冻结，请联系代发银行核实")
ACCOUNT_UNVERIFIED = _r(
    "card_account_unverified", "warn", _ACC, "该账户尚未经代发银行核验，发放可能失败"
)

AMOUNT_MISSING = _r("amount_missing", "reject", _AMT, "为空，请填写补贴金额（元）")
AMOUNT_NOT_NUMBER = _r(
    "amount_not_number", "reject", _AMT, "应为数字（元，如 1200.50），不含逗号、单位或空格"
)
AMOUNT_NOT_POSITIVE = _r("amount_not_positive", "reject", _AMT, "必须大于0")
AMOUNT_FRACTION_OF_FEN = _r(
    "amount_fraction_of_fen",
    "reject",
    _AMT,
    "最多两位小数（精确到分）；如为公式计算结果，请先用 ROUND(…,2) 取整到分",
)
AMOUNT_MISMATCH = _r(
    "amount_mismatch",
    "reject",
    _AMT,
    "应等于 数量 × 补贴标准 = {expected} 元（四舍五入到分），现为 {actual} 元",
)
AMOUNT_BELOW_MIN = _r("amount_below_min", "reject", _AMT, "低于本项目每人下限 {limit} 元")
AMOUNT_ABOVE_MAX = _r("amount_above_max", "reject", _AMT, "超过本项目每人上限 {limit} 元")
QUANTITY_MISSING = _r("quantity_missing", "reject", _QTY, "为空，本项目按数量计发，请填写")
QUANTITY_NOT_NUMBER = _r("quantity_not_number", "reject", _QTY, "应为数字，不含单位或空格")
QUANTITY_NOT_POSITIVE = _r("quantity_not_positive", "reject", _QTY, "必须大于0")
STANDARD_NOT_NUMBER = _r("standard_not_number", "reject", _STD, "应为数字（元），不含单位或空格")
STANDARD_MISMATCH = _r(
    "standard_mismatch", "reject", _STD, "与本项目的补贴标准 {expected} 元不一致"
)
PROGRAMME_MISMATCH = _r(
    "programme_mismatch",
    "reject",
    Column.PROGRAMME,
    "不是本清册的补贴项目“{expected}”，请核对，其他项目请另行导入",
)

CITIZEN_ID_DUPLICATE = _r(
    "citizen_id_duplicate", "reject", _ID, "与第 {first} 行是同一人，同一清册不得重复发放"
)
DUPLICATE_BENEFIT = _r(
    "duplicate_benefit",
    "reject",
    _ID,
    "该补贴对象已在本期同一项目的清册 {roster} 中，不得重复享受补贴",
)
ACCOUNT_SHARED = _r(
    "card_account_shared",
    "reject",
    _ACC,
    "与第 {other} 行是不同的补贴对象却使用同一账户（一人一卡），请核实",
)
PHONE_SHARED = _r(
    "phone_shared", "warn", Column.PHONE, "与第 {other} 行不同户的补贴对象使用同一号码，请核实"
)

AMOUNT_ABOVE_MEDIAN = _r(
    "amount_above_median",
    "warn",
    _AMT,
    "{amount} 元超过本乡镇该项目中位数 {median} 元的 {factor} 倍，请核实",
)
ACCOUNT_RECENTLY_CHANGED = _r(
    "card_account_recently_changed",
    "warn",
    _ACC,
    "该账户于 {since} 申报或变更，不足 {days} 天，请核实是否本人申请",
)
AGED_OVER = _r("aged_over", "warn", _ID, "补贴对象已 {age} 周岁，超过 {limit} 岁，请核实是否健在")
QUANTITY_ABOVE_MAX = _r("quantity_above_max", "warn", _QTY, "{quantity} 超过预警值 {limit}，请核实")

RETURNED_BY_APPROVAL = _r(
    "returned_by_approval",
    "reject",
    None,
    "审核退回本行：{reasons}。请核实后更正或删除本行，再重新提交公示",
)
OBJECTION_UPHELD = _r(
    "objection_upheld",
    "reject",
    None,
    "公示期间对本行的异议成立：{reasons}。请核实后更正或删除本行，再重新提交公示",
)

LIST_NAMES: dict[str, str] = {
    "deceased": "死亡人员名单",
    "public_servant": "财政供养人员名单",
    "disabled": "残疾人名单",
    "supported": "特困供养人员名单",
    "registered_poor": "建档立卡人员名单",
}


def list_hit(kind: str) -> Rule:
    """The rule for a hit on a cross-check list; its severity comes from the programme."""
    name = LIST_NAMES.get(kind, f"“{kind}”名单")
    return _r(f"list_{kind}", "warn", None, f"比对{name}命中，请核实是否符合本项目享受条件")


def catalogue() -> tuple[Rule, ...]:
    """Every fixed rule above (list hits are made per kind by ``list_hit``)."""
    return tuple(value for value in globals().values() if isinstance(value, Rule))
