"""A submitted roster comes back to its makers (退回): a level of approval sent it back
(002 §3: any level may, with reasons), or an objection raised during its public notice was
upheld and the notice halted (002 §3(2)).

Either way the roster is open for corrections again, the rows named are rejected under
``returned_by_approval`` / ``objection_upheld`` until corrected or removed, and the next
submission is numbered one higher. A return naming an older submission is history already
dealt with: it decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.registry.domain.events import RosterReturned
from services.registry.domain.roster import RETURN_RULES, Roster
from services.registry.domain.roster_rows import Finding

ReturnedBy = Literal["approval", "objection"]


@dataclass(frozen=True, slots=True)
class ReturnRoster:
    roster_id: str
    submission_no: int
    by: ReturnedBy
    reasons: tuple[str, ...]
    row_nos: tuple[int, ...] = ()


def decide_return(command: ReturnRoster, state: Roster | None) -> list[RosterReturned]:
    """Reopen the roster of the command's submission; [] when the roster is at another
    submission (an older one's return, or one it never made) or was withdrawn."""
    if state is None or state.submissions != command.submission_no:
        return []
    if state.status not in ("submitted", "returned"):
        return []
    return [
        RosterReturned(
            roster_id=command.roster_id,
            submission_no=command.submission_no,
            by=command.by,
            reasons=command.reasons,
            row_nos=tuple(sorted(set(command.row_nos))),
        )
    ]


def returned_finding(event: RosterReturned) -> Finding:
    """What a returned row shows the clerk beside it: the rule and the reasons given."""
    return RETURN_RULES[event.by].finding(reasons="；".join(event.reasons))
