"""Identity at run time: the user store, password hashing, the token keys and the county CA,
as the settings choose them. Built once per process; nothing here does I/O until used (the
signing key is created on the first login, the CA file read on the first certificate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from contracts.pii import PiiCipher
from infra.clock import Clock, SystemClock
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.identity.certificates import CertificateAuthority
from infra.identity.events import IDENTITY_EVENTS
from infra.identity.passwords import Passwords
from infra.identity.token_keys import load_or_create_signing_key
from infra.identity.user_commands import LoginPolicy
from infra.identity.user_store import UserStore
from infra.settings import Settings


@dataclass
class Identity:
    settings: Settings
    users: UserStore
    passwords: Passwords = field(default_factory=Passwords)
    clock: Clock = field(default_factory=SystemClock)
    _signing_key: Ed25519PrivateKey | None = field(default=None, init=False, repr=False)
    _authority: CertificateAuthority | None = field(default=None, init=False, repr=False)

    @property
    def policy(self) -> LoginPolicy:
        return LoginPolicy(
            max_failures=self.settings.login_max_failures,
            lockout=timedelta(minutes=self.settings.lockout_minutes),
            password_max_age=timedelta(days=self.settings.password_max_age_days),
            token_lifetime=timedelta(minutes=self.settings.token_minutes),
        )

    def signing_key(self) -> Ed25519PrivateKey:
        if self._signing_key is None:
            self._signing_key = load_or_create_signing_key(
                self.settings.resolved_token_signing_key_file,
                self.settings.resolved_token_verify_key_file,
            )
        return self._signing_key

    def verify_key(self) -> Ed25519PublicKey:
        """Where users are administered, the public half of the signing key."""
        return self.signing_key().public_key()

    def authority(self) -> CertificateAuthority | None:
        """The county CA, when configured (``settings.client_ca_file``)."""
        path = self.settings.client_ca_file
        if path is not None and self._authority is None:
            self._authority = CertificateAuthority.from_file(path)
        return self._authority


def make_identity(
    settings: Settings,
    store: EventStore,
    cipher: PiiCipher,
    *,
    clock: Clock | None = None,
    passwords: Passwords | None = None,
) -> Identity:
    users = UserStore(store, EventCodec(registry=IDENTITY_EVENTS, cipher=cipher))
    return Identity(
        settings=settings,
        users=users,
        passwords=passwords or Passwords(),
        clock=clock or SystemClock(),
    )
