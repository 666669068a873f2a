"""What the SMS of a payment says (002 §2(5): 告知补贴对象补贴项目名称、发放金额、发放时间;
003 §3(4): 短信到账信息提示发放项目和发放金额): the programme's standard name, the amount in
yuan to the fen, the date of the credit, in the template of the beneficiary's region.

Templates are configured by division-code prefix (``65`` a region, ``6501`` a prefecture,
``650102`` a county); the longest prefix of the township's code wins, else ``default``. A
template may name ``{programme}``, ``{amount}`` and ``{date}`` and nothing else: no
attribute access, conversion or format spec, so a template cannot read anything but these.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

PLACEHOLDERS: Final = frozenset({"programme", "amount", "date"})
DEFAULT_KEY: Final = "default"
DEFAULT_TEMPLATE: Final = (
    "【惠民惠农一卡通】您的{programme}{amount}已于{date}发放到您的社会保障卡账户，"
    "请注意查收。如有疑问请咨询当地乡镇（街道）财政所。"
)
MAX_TEXT: Final = 500
_ID_LIMIT: Final = 64


def yuan(fen: int) -> str:
    """61725 → 617.25元 (exact: integer fen, never a float)."""
    if fen < 0:
        raise ValueError("an amount paid is never negative")
    return f"{fen // 100}.{fen % 100:02d}元"


def chinese_date(day: date) -> str:
    """2025-10-09 → 2025年10月9日."""
    return f"{day.year}年{day.month}月{day.day}日"


def notification_id_of(instruction_id: str) -> str:
    """One SMS per paid instruction: its id names the notification (hashed when too long)."""
    readable = f"sms-{instruction_id}"
    if len(readable) <= _ID_LIMIT:
        return readable
    return "sms-h" + hashlib.sha256(instruction_id.encode()).hexdigest()[:40]


class TemplateRefused(ValueError):
    """A configured template or prefix is unusable (raised when the service starts)."""


@dataclass(frozen=True, slots=True)
class SmsTemplates:
    """The configured templates by prefix; ``DEFAULT_KEY`` always present."""

    by_prefix: Mapping[str, str]

    @classmethod
    def of(cls, configured: Mapping[str, str]) -> SmsTemplates:
        """Check every template and prefix; the built-in default unless one is configured."""
        templates = {DEFAULT_KEY: DEFAULT_TEMPLATE}
        for key, template in configured.items():
            name = DEFAULT_KEY if key in ("", DEFAULT_KEY) else key
            if name != DEFAULT_KEY and not (key.isascii() and key.isdigit()):
                raise TemplateRefused(f"template prefix {key!r} is not a division code prefix")
            _check(name, template)
            templates[name] = template
        return cls(templates)

    def key_for(self, division_code: str) -> str:
        """The prefix whose template the division uses (the longest that matches)."""
        matches = [p for p in self.by_prefix if p != DEFAULT_KEY and division_code.startswith(p)]
        return max(matches, key=len) if matches else DEFAULT_KEY

    def render(self, *, division_code: str, programme: str, amount_fen: int, day: date) -> str:
        template = self.by_prefix[self.key_for(division_code)]
        values = {"programme": programme, "amount": yuan(amount_fen), "date": chinese_date(day)}
        return template.format_map(values)[:MAX_TEXT]


def _check(name: str, template: str) -> None:
    if not template.strip():
        raise TemplateRefused(f"template {name!r} is empty")
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as error:
        raise TemplateRefused(f"template {name!r}: {error}") from None
    for _, field, spec, conversion in fields:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            raise TemplateRefused(
                f"template {name!r} may only use {{programme}}, {{amount}} and {{date}}"
            )
