"""The Ed25519 key pair tokens are signed with.

The private key lives only where users are administered (the process that serves
``/auth/token``); every service verifies with the public key. The embedded default creates
the pair on first use under the data directory, like the personal-data key file: the private
key is written 0600 and atomically (a temporary file hard-linked into place, so two
processes starting together end up with one key), and refused when others may read it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class KeyUnavailable(RuntimeError):
    """The verification key is not there (yet): nothing can be verified."""


def key_id(public: Ed25519PublicKey) -> str:
    """A short stable name of a public key (the token header's ``kid``)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_or_create_signing_key(private_path: Path, public_path: Path) -> Ed25519PrivateKey:
    """The signing key at ``private_path``, created first when missing; its public half is
    written to ``public_path`` when that file is missing, and must match it otherwise."""
    if not private_path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_exclusive(private_path, pem, mode=0o600)
    mode = stat.S_IMODE(private_path.stat().st_mode)
    if mode & 0o077:
        raise PermissionError(f"token signing key {private_path} is mode {mode:o}; make it 0600")
    key = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{private_path} is not an Ed25519 private key")
    if not public_path.exists():
        public_pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        _write_exclusive(public_path, public_pem, mode=0o644)
    if key_id(load_verify_key(public_path)) != key_id(key.public_key()):
        raise ValueError(f"{public_path} is not the public half of {private_path}")
    return key


def load_verify_key(public_path: Path) -> Ed25519PublicKey:
    try:
        pem = public_path.read_bytes()
    except FileNotFoundError:
        raise KeyUnavailable(f"token verification key {public_path} does not exist") from None
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{public_path} is not an Ed25519 public key")
    return key


class VerifyKeyFile:
    """The public key of a file, read when first needed and again when the file changes
    (a missing file is looked for again on every call: it appears on the first login)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._loaded: tuple[int, Ed25519PublicKey] | None = None

    def key(self) -> Ed25519PublicKey:
        try:
            changed = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            raise KeyUnavailable(f"token verification key {self.path} does not exist") from None
        if self._loaded is None or self._loaded[0] != changed:
            self._loaded = (changed, load_verify_key(self.path))
        return self._loaded[1]


def _write_exclusive(path: Path, content: bytes, *, mode: int) -> None:
    """Create ``path`` with ``content`` unless it exists (then leave the existing one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        os.chmod(temporary, mode)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
