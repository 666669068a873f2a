"""A refused command: a stable code for programs, a Chinese message the person can act on,
and the HTTP status it answers with. Every service's deciders raise it; nothing was stored."""

from __future__ import annotations


class Refused(Exception):
    """A command the rules do not allow; nothing was stored."""

    def __init__(self, code: str, message: str, *, status: int = 422) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
