"""The beneficiary as a clerk sees it: what the register holds now, personal data masked by
the one policy (``contracts.masking``: ID, account and phone show their last 4 characters).

Only the birth *year* is shown: the full birth date beside the ID's last four and the
village (which names the county) would spell out the whole ID number, 14 of whose digits the
policy hides."""

from __future__ import annotations

from typing import Any

from services.registry.domain.beneficiary import Beneficiary


def view(state: Beneficiary) -> dict[str, Any]:
    return {
        "beneficiary_id": state.beneficiary_id,
        "citizen_id": state.citizen_id.masked(),
        "name": state.name,
        "gender": state.gender,
        "birth_year": state.birth_date.year if state.birth_date else None,
        "village_code": state.village_code,
        "household_id": state.household_id,
        "phone": state.phone.masked() if state.phone is not None else None,
        "status": state.status,
        **_left(state),
        "card_account": _account(state),
        "pending_application": _pending(state),
        "reverified_years": sorted(year for year, _ in state.reverified),
    }


def _left(state: Beneficiary) -> dict[str, Any]:
    on = state.left_on.isoformat() if state.left_on else None
    if state.status == "deceased":
        return {"died_on": on, "death_source": state.left_detail}
    if state.status == "moved_out":
        return {"moved_on": on, "destination_code": state.left_detail}
    return {}


def _account(state: Beneficiary) -> dict[str, Any] | None:
    account = state.account
    if account is None:
        return None
    return {
        "bank_code": account.bank_code,
        "account_no": account.account_no.masked(),
        "holder_name": account.holder_name,
        "status": account.status,
        "verified_at": account.verified_at.isoformat() if account.verified_at else None,
    }


def _pending(state: Beneficiary) -> dict[str, Any] | None:
    pending = state.pending
    if pending is None:
        return None
    return {
        "application_id": pending.application_id,
        "bank_code": pending.bank_code,
        "account_no": pending.account_no.masked(),
        "holder_name": pending.holder_name,
        "reason": pending.reason,
        "applied_by": pending.applied_by,
    }
