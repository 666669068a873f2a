"""The beneficiary register (底册), entered through the registry's API by each township's
clerk: every person registered, their card account declared and confirmed by the bank, and
the accounts the bank has since frozen or closed recorded as such — so that validation
finds the register as the synthetic county describes it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from infra.mainjob.answers import error_code
from infra.mainjob.screen import Screen
from infra.mainjob.sessions import Session
from infra.mainjob.workers import each
from infra.synthetic import Beneficiary, read_register
from infra.synthetic.files import CountyFiles


@dataclass
class Register:
    """Who was registered, by beneficiary id, and what each step answered."""

    people: dict[str, Beneficiary] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)


async def enter_register(
    files: CountyFiles, clerks: dict[str, Session], screen: Screen, *, run: str
) -> Register:
    """Every person of ``register.csv``, up to 32 requests in flight."""
    register = Register()
    people = list(read_register(files.register))
    with screen.progress("登记补贴对象并申报一卡通账户", len(people)) as advance:

        async def enter(numbered: tuple[int, Beneficiary]) -> None:
            n, person = numbered
            beneficiary_id = f"b-{files.county.code}-{n:06d}"
            clerk = clerks[person.village_code[:9]]
            for step in await _steps(clerk, beneficiary_id, person, run=run):
                register.outcomes[step] += 1
            register.people[beneficiary_id] = person
            advance(1)

        await each(enumerate(people), enter)
    return register


async def _steps(
    clerk: Session, beneficiary_id: str, person: Beneficiary, *, run: str
) -> list[str]:
    """Register, declare, confirm (and freeze or close): each step's outcome, up to the first
    one refused."""
    base = f"/beneficiaries/{beneficiary_id}"
    registration = {
        "beneficiary_id": beneficiary_id,
        "citizen_id": person.citizen_id,
        "name": person.name,
        "village_code": person.village_code,
        "household_id": person.household_id,
        "phone": person.phone or None,
    }
    account = {
        "bank_code": person.bank_code,
        "account_no": person.card_account,
        "holder_name": person.name,
    }
    steps: list[tuple[str, str, dict[str, Any] | None]] = [
        ("registered", "/beneficiaries", registration),
        ("account declared", f"{base}/card-account", account),
        ("account verified", f"{base}/card-account/verification", None),
    ]
    if person.account_status == "frozen":
        steps.append(("account frozen", f"{base}/card-account/freeze", {"reason": "银行冻结"}))
    elif person.account_status == "closed":
        steps.append(("account closed", f"{base}/card-account/closure", {"reason": "bank_closed"}))
    done = []
    for step, path, body in steps:
        answer = await clerk.send(
            "POST",
            "registry",
            path,
            json=body,
            key=f"{run}/{beneficiary_id}/{step}".replace(" ", "-"),
        )
        done.append(f"{step}: {answer.status_code} {error_code(answer)}".rstrip())
        if answer.status_code >= 300:
            break
    return done
