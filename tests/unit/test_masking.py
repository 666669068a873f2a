"""The one masking policy (contracts.masking): names as Chinese public notices print them, IDs,
accounts and phones to their last four, found and masked in free text and in log lines."""

from __future__ import annotations

import io
import json
import re

import pytest
import structlog
from hypothesis import given

from contracts.masking import (
    mask_card_account,
    mask_citizen_id,
    mask_name,
    mask_phone,
    mask_text,
)
from contracts.pii import CardAccountNo, CitizenId, PhoneNo
from infra.logging import configure_logging, mask_personal_data
from tests.unit.contract_samples import account_nos, citizen_ids, phone_nos

ID = "65010219800101123X"
ACCOUNT = "6217000012345678901"
PHONE = "13800138000"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("王五", "王*"),
        ("张三丰", "张*丰"),
        ("欧阳娜娜", "欧**娜"),
        ("阿依古丽·买买提", "阿**丽·买*提"),
        ("李", "李"),
    ],
)
def test_names_are_masked_as_chinese_public_notices_show_them(name: str, shown: str) -> None:
    assert mask_name(name) == shown


def test_ids_accounts_and_phones_show_their_last_four_only() -> None:
    assert mask_citizen_id(ID) == "**************123X"
    assert mask_card_account(ACCOUNT) == "***************8901"
    assert mask_card_account("6228480012345678") == "************5678"
    assert mask_phone(PHONE) == "*******8000"


def test_a_value_too_short_to_hide_four_characters_is_hidden_whole() -> None:
    assert mask_phone("1234567") == "*******"
    assert mask_phone("12345678") == "****5678"


def test_personal_values_print_by_the_same_policy() -> None:
    assert str(CitizenId(ID)) == mask_citizen_id(ID)
    assert repr(CardAccountNo(ACCOUNT)) == f"CardAccountNo('{mask_card_account(ACCOUNT)}')"
    assert PhoneNo(PHONE).masked() == mask_phone(PHONE)


def test_free_text_has_every_id_account_and_mobile_masked() -> None:
    text = f"身份证{ID.lower()}，卡号{ACCOUNT}，电话+86 {PHONE}、{PHONE}。"
    assert mask_text(text) == (
        "身份证**************123X，卡号***************8901，电话*******8000、*******8000。"
    )


def test_numbers_that_are_not_personal_values_are_left_alone() -> None:
    text = "金额61725分，区划650102001，批次2025-1，流水号A13800138000，20位12345678901234567890"
    assert mask_text(text) == text


@given(citizen_id=citizen_ids, account=account_nos, phone=phone_nos)
def test_the_log_processor_leaves_no_full_value_and_no_run_longer_than_four(
    citizen_id: str, account: str, phone: str
) -> None:
    class Holder:
        def __repr__(self) -> str:
            return f"Holder(id={citizen_id})"

    line = {
        "event": f"核对 {citizen_id} 的账户 {account}",
        "phone": int(phone),
        "nested": {"accounts": [account, (phone, citizen_id)]},
        "object": Holder(),
    }
    rendered = str(
        structlog.processors.JSONRenderer()(None, "info", mask_personal_data(None, "info", line))
    )
    for value in (citizen_id, account, phone):
        assert value not in rendered
        assert value[-4:] in rendered
    runs = re.findall(r"[0-9]+", rendered)
    assert max(len(run) for run in runs) <= 4


def test_configured_logging_masks_every_line(capsys: pytest.CaptureFixture[str]) -> None:
    saved = structlog.get_config()
    try:
        configure_logging(service="publicity")
        sink = io.StringIO()
        logger = structlog.wrap_logger(structlog.PrintLogger(sink))
        logger.info("objection.filed", contact=PHONE, note=f"ID {ID}")
        (line,) = sink.getvalue().splitlines()
    finally:
        structlog.configure(**saved)
        structlog.contextvars.clear_contextvars()
    shown = json.loads(line)
    assert (shown["contact"], shown["note"]) == ("*******8000", "ID **************123X")
