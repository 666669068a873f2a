"""The payout's private events of re-issues (补发): how a programme's re-issues are approved,
and an owning office's request to re-issue a corrected row.

Streams: ``reissuerule-<programme_code>`` (the rule) and ``payment-<roster_id>-<row_no>`` (the
request, on the row it asks for).
"""

from __future__ import annotations

from typing import Final, Literal

from contracts.base import Event
from contracts.events.payout import InstructionId, UserId
from contracts.fields import Code, Count, Id, Text
from contracts.pii import CardAccountNo

ReissueRule = Literal["finance_order", "office_request"]
"""``finance_order``: county finance orders a re-issue (002 §3(4)). ``office_request``: the
office that owns the data and corrected it asks, and county finance approves what it asked —
two people, the maker never the checker."""


class ReissueRuleConfigured(Event):
    """How re-issues of a programme's rows are approved from now on."""

    event_type = "ReissueRuleConfigured"
    schema_version = 1

    programme_code: Code
    rule: ReissueRule
    jurisdiction_code: Code | None
    """Where the rule was first configured: only the catalogue keepers there change it."""


class ReissueRequested(Event):
    """The owning office asks for a failed row to be paid again, to the payee the registry
    now holds (named here, so finance approves exactly what was asked)."""

    event_type = "ReissueRequested"
    schema_version = 1

    roster_id: Id
    row_no: Count
    rejected_instruction_id: InstructionId
    bank_code: Code
    account_no: CardAccountNo
    name: Text
    note: Text
    requested_by: UserId


REISSUE_EVENTS: Final = (ReissueRuleConfigured, ReissueRequested)
