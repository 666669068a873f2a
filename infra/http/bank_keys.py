"""The agent banks' API credentials: which key id or client certificate is which bank, in
which county, and the key's shared secret. Configured, never hard-coded.

The file (``settings.bank_keys_file``; JSON, mode 0600, like the personal-data key file)::

    {"format": 1,
     "keys": [{"key_id": "abc-650102-2025", "bank_code": "103",
               "jurisdiction_code": "650102", "secret": "<at least 32 characters>"}],
     "certificates": [{"sha256": "<hex fingerprint of the DER certificate>",
                       "bank_code": "103", "jurisdiction_code": "650102"}]}

It is read when first needed and again whenever it changes (a key rotated in, another
retired, without a restart). Production must name the file; development and test runs
without one get a file of development keys under ``data_dir`` (one per agent bank of the
embedded demo county), created with random secrets on first use — by the payout service or by
the bank simulator (``infra.banksim``), whichever needs it first. Both read it here.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from infra.settings import Settings

DEV_BANKS: Final = ("402", "103", "403")
"""The embedded demo's agent banks (CNAPS categories: rural credit, agricultural, postal)."""
DEV_JURISDICTION: Final = "650102"
"""The embedded demo's county (``infra.mainjob``)."""

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,32}$")]
County = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class _Key(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    key_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
    bank_code: Code
    jurisdiction_code: County
    secret: Annotated[str, StringConstraints(min_length=32, max_length=256)]


class _Certificate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    bank_code: Code
    jurisdiction_code: County


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    format: Literal[1]
    keys: tuple[_Key, ...] = ()
    certificates: tuple[_Certificate, ...] = ()


@dataclass(frozen=True, slots=True)
class BankCredential:
    """Who a key id or certificate is: the bank and the county it serves; ``secret`` is
    None for a certificate (the TLS proxy proved the key)."""

    key_id: str
    bank_code: str
    jurisdiction_code: str
    secret: str | None = None


@dataclass(frozen=True, slots=True)
class BankCredentials:
    by_key: dict[str, BankCredential]
    by_certificate: dict[str, BankCredential]


class BankCredentialFile:
    """The credentials of a file, loaded when first asked and again when it changes."""

    def __init__(self, path: Path, *, create_dev_default: bool = False) -> None:
        self.path = path
        self.create_dev_default = create_dev_default
        self._loaded: tuple[int, BankCredentials] | None = None

    @classmethod
    def for_settings(cls, settings: Settings) -> BankCredentialFile:
        """The configured file; refuses (at start-up) a production run that names none."""
        if settings.bank_keys_file is not None:
            return cls(settings.bank_keys_file)
        if settings.environment == "prod":
            raise ValueError("ONECARD_BANK_KEYS_FILE must be set in production (no default keys)")
        return cls(settings.resolved_bank_keys_file, create_dev_default=True)

    def credentials(self) -> BankCredentials:
        if self.create_dev_default and not self.path.exists():
            write_exclusive(self.path, dev_file())
        changed = self.path.stat().st_mtime_ns
        if self._loaded is None or self._loaded[0] != changed:
            self._loaded = (changed, load(self.path))
        return self._loaded[1]


def load(path: Path) -> BankCredentials:
    """The credentials in ``path``; refuses a file others may read, or a malformed one."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise PermissionError(f"bank keys file {path} is mode {mode:o}; make it 0600")
    content = _File.model_validate_json(path.read_bytes())
    ids = [key.key_id for key in content.keys] + [c.sha256 for c in content.certificates]
    if len(set(ids)) != len(ids):
        raise ValueError(f"bank keys file {path} names a key id or certificate twice")
    by_key = {
        key.key_id: BankCredential(key.key_id, key.bank_code, key.jurisdiction_code, key.secret)
        for key in content.keys
    }
    by_certificate = {
        c.sha256: BankCredential(f"cert-{c.sha256[:16]}", c.bank_code, c.jurisdiction_code)
        for c in content.certificates
    }
    return BankCredentials(by_key, by_certificate)


def dev_file() -> bytes:
    keys = [
        _Key(
            key_id=f"dev-{bank}",
            bank_code=bank,
            jurisdiction_code=DEV_JURISDICTION,
            secret=secrets.token_urlsafe(32),
        )
        for bank in DEV_BANKS
    ]
    return _File(format=1, keys=tuple(keys)).model_dump_json(indent=2).encode()


def write_exclusive(path: Path, content: bytes) -> None:
    """Create ``path`` (0600) with ``content`` unless it exists: written aside and linked into
    place, so two processes starting together end up with the same file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
