"""The roster's rejected rows as the clerk fixes them: every cell as submitted (personal data
opened from the row, or from the register for a row matched to it), with the rule codes and
Chinese messages of its findings. What ``adapters.roster_export`` writes back to ``.xlsx``."""

from __future__ import annotations

from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from services.registry.application.beneficiary_commands import load_beneficiary
from services.registry.application.roster_history import read_roster_history
from services.registry.domain.roster_rows import Column, Finding, RosterLine


async def rows_to_fix(
    store: EventStore, codec: EventCodec, roster_id: str
) -> list[tuple[RosterLine, list[Finding]]]:
    """The rejected rows (returned ones too), by roster row number: ``RosterLine.line_no`` is
    the row number, so the clerk's fixed file names the rows it replaces."""
    rows = (await read_roster_history(store, codec, roster_id)).rows
    fixing = []
    for row_no, row in sorted(rows.items()):
        if row.verdict != "rejected":
            continue
        person = await _register_values(store, codec, row.beneficiary_id)
        cells = {
            Column.NAME: row.name,
            Column.CITIZEN_ID: (
                row.citizen_id.reveal()
                if row.citizen_id is not None
                else person.get(Column.CITIZEN_ID, row.citizen_id_text or "")
            ),
            Column.CARD_ACCOUNT: (
                row.card_account.reveal()
                if row.card_account is not None
                else person.get(Column.CARD_ACCOUNT, "")
            ),
            Column.BANK: row.bank,
            Column.QUANTITY: row.quantity,
            Column.STANDARD: row.standard,
            Column.AMOUNT: row.amount,
            Column.VILLAGE: row.village,
            Column.PHONE: row.phone.reveal()
            if row.phone is not None
            else person.get(Column.PHONE, ""),
            Column.REMARK: row.remark,
        }
        findings = [
            Finding(rule, "reject", message)
            for rule, message in zip(row.rules, row.messages or row.rules, strict=False)
        ]
        fixing.append((RosterLine(row_no, cells), findings))
    return fixing


async def _register_values(
    store: EventStore, codec: EventCodec, beneficiary_id: str | None
) -> dict[Column, str]:
    """The register's current ID, account and phone of a matched row (the row kept only
    what differed from them)."""
    if beneficiary_id is None:
        return {}
    person, _ = await load_beneficiary(store, codec, beneficiary_id)
    if person is None:
        return {}
    values = {Column.CITIZEN_ID: person.citizen_id.reveal()}
    if person.phone is not None:
        values[Column.PHONE] = person.phone.reveal()
    if person.account is not None:
        values[Column.CARD_ACCOUNT] = person.account.account_no.reveal()
    return values
