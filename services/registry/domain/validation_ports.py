"""What validation asks of the rest of the registry: the register, the other rosters of the
same programme and round, and the cross-check lists. The application implements these small
ports over its read models (fetched ahead, per township or per chunk of lines, so that a
lookup is a dict access); ``validation_memory`` has in-memory versions for tests and benches.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import date
from typing import Literal, NamedTuple, Protocol

AccountStatus = Literal["open", "closed", "frozen", "unverified"]


class RegisteredPerson(NamedTuple):
    """A beneficiary as the register (底册) holds them, with their one card account.

    ``account_since`` is when the account was declared or last changed; ``village_code`` is
    the 12-digit code whose first 9 digits name the township. A named tuple rather than a
    frozen dataclass: one is made per row of million-row rosters, three times cheaper.
    """

    name: str
    card_account: str | None
    bank: str
    account_status: AccountStatus
    account_since: date | None
    village_code: str
    phone: str | None
    household_id: str
    deceased: bool = False


class Register(Protocol):
    """The beneficiary register, looked up by normalised citizen ID (X upper case)."""

    def person(self, citizen_id: str) -> RegisteredPerson | None:
        """The registered person, or None when the ID is not in the register."""
        ...


class OtherRosters(Protocol):
    """The other live rosters of the same programme and round (not withdrawn, not this one)."""

    def contains(self, citizen_id: str) -> str | None:
        """The id of another roster paying this person in the same round, or None."""
        ...


class CrossCheckLists(Protocol):
    """The cross-check lists imported as data (deceased, public servants, disabled, …)."""

    def kinds_of(self, citizen_id: str) -> Set[str]:
        """The kinds of list (see ``LIST_KINDS``) that hold this person; empty when none."""
        ...
