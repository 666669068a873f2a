"""The phone directory: whom an SMS can reach, folded from the registry's beneficiary events.

A registered beneficiary is ``active`` with the phone the register holds (maybe none); a
correction replaces it (``phone`` None: no phone any more). After a death or a move out
(``BeneficiaryDeceased``, ``BeneficiaryMovedOut``) the person is ``deceased`` or
``moved_out`` for good: the phone is forgotten and no SMS goes out any more, whatever comes
later. The phone stays sealed (``PhoneNo``) here: it is opened only to send.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final, Literal

from contracts.events import (
    BeneficiaryDeceased,
    BeneficiaryDetailsCorrected,
    BeneficiaryMovedOut,
    BeneficiaryRegistered,
)
from contracts.pii import PhoneNo

Reach = Literal["active", "deceased", "moved_out"]
CONTACT_EVENTS: Final = (
    BeneficiaryRegistered,
    BeneficiaryDetailsCorrected,
    BeneficiaryDeceased,
    BeneficiaryMovedOut,
)


@dataclass(frozen=True, slots=True)
class Contact:
    beneficiary_id: str
    phone: PhoneNo | None
    reach: Reach = "active"

    @property
    def reachable(self) -> bool:
        return self.reach == "active" and self.phone is not None


def evolve_contact(contact: Contact | None, event: object) -> Contact | None:
    """The contact after ``event`` (events of other kinds leave it as it was)."""
    if contact is not None and contact.reach != "active":
        return contact
    if isinstance(event, BeneficiaryRegistered | BeneficiaryDetailsCorrected):
        if contact is None:
            return Contact(event.beneficiary_id, event.phone)
        return replace(contact, phone=event.phone)
    if isinstance(event, BeneficiaryDeceased):
        return Contact(event.beneficiary_id, None, "deceased")
    if isinstance(event, BeneficiaryMovedOut):
        return Contact(event.beneficiary_id, None, "moved_out")
    return contact
