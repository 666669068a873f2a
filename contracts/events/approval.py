"""Integration events published by the approval service (审核审批), the chain of sign-offs
a roster goes through after its public notice.

Stream: ``roster-<roster_id>``. Amounts are integer fen.
"""

from __future__ import annotations

from contracts.base import Event
from contracts.fields import Count, Fen, Id


class BatchApproved(Event):
    """County finance approved the roster for payment after the whole approval chain.

    Guarantees: the public notice of the roster completed and its objections were resolved;
    whoever entered the roster did not approve it. Only the approved rows may be paid, once.
    """

    event_type = "BatchApproved"
    schema_version = 1

    roster_id: Id
    round_id: Id
    approved_row_count: Count
    total_fen: Fen
