"""What every stage of the round works with: the running system, its shared clock, the county,
the staff's sessions, the screen and the facts gathered for the report."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from infra.clock import SharedClock
from infra.mainjob.county import County
from infra.mainjob.screen import Screen
from infra.mainjob.sessions import Ledger, Session
from infra.mainjob.staff import Member, Staff
from infra.runtime.processes import RunningSystem
from infra.synthetic import Beneficiary


@dataclass
class Desk:
    system: RunningSystem
    clock: SharedClock
    county: County
    staff: Staff
    sessions: dict[str, Session]
    ledger: Ledger
    screen: Screen
    http: httpx.AsyncClient
    """For what anyone may do without logging in (the public pages)."""
    run: str
    """This run's id: every Idempotency-Key starts with it, so a retried request is one."""
    facts: dict[str, Any] = field(default_factory=dict)
    """What the stages found, for the report."""

    def as_(self, member: Member) -> Session:
        return self.sessions[member.username]

    timings: dict[str, float] = field(default_factory=dict)
    people: dict[str, Beneficiary] = field(default_factory=dict)
    """Who was registered, by beneficiary id (the corrections need their bank and name)."""

    def key(self, *parts: object) -> str:
        return "/".join((self.run, *map(str, parts)))

    @contextmanager
    def stage(self, title: str) -> Iterator[None]:
        """A heading on screen, and the stage's time for the report."""
        self.screen.heading(title)
        began = time.monotonic()
        try:
            yield
        finally:
            self.timings[title] = time.monotonic() - began
