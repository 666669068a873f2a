"""In-memory versions of the validation ports, for tests, benchmarks and the demo."""

from __future__ import annotations

from collections.abc import Mapping, Set

from services.registry.domain.validation_ports import RegisteredPerson

_NONE: frozenset[str] = frozenset()


class InMemoryRegister:
    def __init__(self, people: Mapping[str, RegisteredPerson] | None = None) -> None:
        self._people: dict[str, RegisteredPerson] = dict(people or {})

    def add(self, citizen_id: str, person: RegisteredPerson) -> None:
        self._people[citizen_id] = person

    def person(self, citizen_id: str) -> RegisteredPerson | None:
        return self._people.get(citizen_id)


class InMemoryOtherRosters:
    def __init__(self, roster_of: Mapping[str, str] | None = None) -> None:
        self._roster_of: dict[str, str] = dict(roster_of or {})

    def add(self, citizen_id: str, roster_id: str) -> None:
        self._roster_of[citizen_id] = roster_id

    def contains(self, citizen_id: str) -> str | None:
        return self._roster_of.get(citizen_id)


class InMemoryCrossCheckLists:
    def __init__(self, kinds: Mapping[str, Set[str]] | None = None) -> None:
        self._kinds: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in (kinds or {}).items()}

    def add(self, kind: str, citizen_id: str) -> None:
        self._kinds[citizen_id] = self._kinds.get(citizen_id, _NONE) | {kind}

    def kinds_of(self, citizen_id: str) -> Set[str]:
        return self._kinds.get(citizen_id, _NONE)
