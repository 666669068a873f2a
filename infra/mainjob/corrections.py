"""Correcting the rows the banks rejected, as the offices do: they find them on the notify
service's work queue (failure notices: which row, whose, the bank's reason), correct the payee
at the registry where the reason needs it, and county finance orders the re-issue."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from typing import Any

from infra.mainjob.answers import Refusal, error_code
from infra.mainjob.desk import Desk
from infra.mainjob.workers import each, until
from infra.synthetic.banks import BANKS
from infra.synthetic.numbers import CardNumbers

NEW_ACCOUNT = frozenset({"account_closed", "account_not_found", "invalid_account", "name_mismatch"})
"""Reasons the payee must be corrected for: the beneficiary declares a new account."""
PAYEE_NOT_SEEN_YET = frozenset({"payout_correction_required", "payout_payee_not_payable"})
"""What a re-issue answers while the payout has not yet heard of the registry's correction."""
WAIT = 300.0
NOTES = {
    "account_frozen": "银行确认账户已解冻，原账户补发",
    "new_account": "已重新申报一卡通账户并经审核，按新账户补发",
    "retry": "银行系统故障已排除，原账户补发",
}


async def correct_and_reissue(desk: Desk, *, failed: int, attempt: int) -> Counter[str]:
    """Every failed row on the work queue corrected and re-issued; counts per correction. A
    person is corrected once, however many of their rows failed."""
    notices = await until(
        lambda: _failed_rows(desk, failed), what="the failure notices", timeout=WAIT
    )
    people: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for notice in notices:
        people[notice["beneficiary_id"]].append(notice)
    done: Counter[str] = Counter()

    async def correct(rows: list[dict[str, Any]]) -> None:
        payee_wrong = [notice for notice in rows if notice["reason_code"] in NEW_ACCOUNT]
        if payee_wrong:
            await _new_account(desk, payee_wrong[0], attempt)
        for notice in rows:
            how = _correction(notice["reason_code"], new_account=bool(payee_wrong))
            done[await _reissue(desk, notice, NOTES[how], how)] += 1

    await each(list(people.values()), correct, in_flight=8)
    return done


def _correction(reason: str, *, new_account: bool) -> str:
    """What was done before the re-issue: a new account, a frozen one cleared, or nothing (a
    passing failure the payout stopped retrying)."""
    if new_account:
        return "new_account"
    return "account_frozen" if reason == "account_frozen" else "retry"


async def _failed_rows(desk: Desk, failed: int) -> list[dict[str, Any]] | None:
    """The latest open failure notice of each failed row, once the work queue has them all
    (the notify service hears of failures over the bus)."""
    operator = desk.as_(desk.staff.operator)
    latest: dict[tuple[str, int], dict[str, Any]] = {}
    for township in desk.county.townships:
        params = {"kind": "failed", "township": township}
        answer = await operator.call("GET", "notify", "/work-queue", params=params)
        for notice in answer.json()["items"]:
            row = (notice["roster_id"], notice["row_no"])
            if row not in latest or latest[row]["attempt"] < notice["attempt"]:
                latest[row] = notice
    return list(latest.values()) if len(latest) >= failed else None


async def _new_account(desk: Desk, notice: dict[str, Any], attempt: int) -> None:
    """The beneficiary re-applies with a new card account at the same bank (the clerk enters
    it), the township's finance auditor approves, the clerk records the bank's confirmation."""
    beneficiary_id = notice["beneficiary_id"]
    person = desk.people[beneficiary_id]
    township = notice["township_code"]
    clerk, auditor = desk.as_(desk.staff.clerks[township]), desk.as_(desk.staff.auditors[township])
    base = f"/beneficiaries/{beneficiary_id}"
    body = {
        "bank_code": person.bank_code,
        "account_no": _new_card(person.bank_code, desk.county.code, beneficiary_id, attempt),
        "holder_name": person.name,
        "reason": f"银行退回：{notice['reason']}，本人重新申报账户",
    }
    applied = await clerk.call(
        "POST", "registry", f"{base}/card-account-applications", json=body,
        key=desk.key(beneficiary_id, "apply", attempt),
    )  # fmt: skip
    application = applied.json()["application_id"]
    await auditor.call(
        "POST", "registry", f"{base}/card-account-applications/{application}/review",
        json={"decision": "approve"}, key=desk.key(beneficiary_id, "review", attempt),
    )  # fmt: skip
    await clerk.call(
        "POST", "registry", f"{base}/card-account/verification",
        key=desk.key(beneficiary_id, "verify", attempt),
    )  # fmt: skip


def _new_card(bank_code: str, county: str, beneficiary_id: str, attempt: int) -> str:
    digest = hashlib.sha256(f"{beneficiary_id}:{attempt}".encode()).digest()
    serial = 90_000_000 + int.from_bytes(digest[:4], "big") % 10_000_000
    return CardNumbers(BANKS[bank_code].bin, county[2:6]).make(serial)


async def _reissue(desk: Desk, notice: dict[str, Any], note: str, how: str) -> str:
    """County finance orders the re-issue, once the payout sees the corrected payee; the
    outcome for the report (``stuck: <code>`` when it is refused for good)."""
    finance = desk.as_(desk.staff.finance)
    path = f"/rows/{notice['roster_id']}/{notice['row_no']}/reissue"
    key = desk.key(notice["roster_id"], notice["row_no"], "reissue", notice["attempt"])

    async def ordered() -> str | None:
        answer = await finance.send("POST", "payout", path, json={"note": note}, key=key)
        if answer.status_code == 200:
            return how
        if error_code(answer) in PAYEE_NOT_SEEN_YET:
            return None
        if answer.status_code in (409, 422):
            return f"stuck: {error_code(answer)}"
        raise Refusal(answer)

    return await until(ordered, what=f"the re-issue of {path}", timeout=WAIT, every=1.0)
