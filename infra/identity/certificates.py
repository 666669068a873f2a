"""Client certificates (the U-Key path, 000 art.20): where a verified one is found, and how
it names a user.

uvicorn (0.54) does not put the client certificate in the ASGI scope (the ASGI ``tls``
extension is not implemented there; see ADR 008), so the deployment terminates mutual TLS
at a proxy that verifies the certificate against the county CA and forwards it, URL-encoded
PEM, in ``settings.client_cert_header`` (nginx: ``$ssl_client_escaped_cert``). The header is
believed only from ``settings.trusted_proxies``; from anyone else it is refused. A server
that does fill ``scope["extensions"]["tls"]`` is read first.

A certificate names the user it was bound to by its SHA-256 fingerprint. When
``settings.client_ca_file`` is set, the chain, validity and client-auth usage are checked
here again (defence in depth); otherwise at least the validity period.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from infra.identity.refusals import IdentityRefused


def _refused(code: str, message: str) -> IdentityRefused:
    return IdentityRefused(code, message, status=401)


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    fingerprint: str
    """SHA-256 of the DER bytes, lower-case hex."""
    subject: str
    not_before: datetime
    not_after: datetime
    certificate: x509.Certificate


def parse_certificate(pem: str | bytes) -> ClientCertificate:
    """One PEM certificate; refuses (``certificate_invalid``) anything else."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        certificate = x509.load_pem_x509_certificate(data)
        subject = certificate.subject.rfc4514_string()
    except ValueError:
        raise _refused("certificate_invalid", "证书格式无效：请提供PEM格式的证书") from None
    der = certificate.public_bytes(serialization.Encoding.DER)
    return ClientCertificate(
        fingerprint=hashlib.sha256(der).hexdigest(),
        subject=subject[:512],
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        certificate=certificate,
    )


class CertificateAuthority:
    """The CA(s) user certificates must chain to, from a PEM file of one or more."""

    def __init__(self, roots: Iterable[x509.Certificate]) -> None:
        self._store = Store(list(roots))

    @classmethod
    def from_file(cls, path: Path) -> CertificateAuthority:
        return cls(x509.load_pem_x509_certificates(path.read_bytes()))

    def check(self, presented: ClientCertificate, now: datetime) -> None:
        """Refuse (``certificate_untrusted``) a certificate that is not a client certificate
        issued by one of the CAs and valid at ``now``. U-Key certificates often carry no
        subjectAltName, so it is not required."""
        leaf_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
            x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
        )
        verifier = (
            PolicyBuilder()
            .store(self._store)
            .time(now)
            .extension_policies(
                ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=leaf_policy
            )
            .build_client_verifier()
        )
        try:
            verifier.verify(presented.certificate, [])
        except VerificationError:
            raise _refused(
                "certificate_untrusted", "证书不是本系统认可的机构签发的，或已不在有效期内"
            ) from None


def check_validity(presented: ClientCertificate, now: datetime) -> None:
    if not presented.not_before <= now <= presented.not_after:
        raise _refused("certificate_expired", "证书不在有效期内，请更换证书")


def presented_certificate(
    scope: Mapping[str, Any],
    headers: Mapping[str, str],
    *,
    header: str,
    trusted_proxies: Iterable[str],
) -> ClientCertificate | None:
    """The client certificate of this request: the server's verified one (ASGI ``tls``
    extension), else the one a trusted proxy forwarded; None when there is none. A forwarded
    certificate from an address that is no trusted proxy is refused, never ignored."""
    tls = scope.get("extensions", {}).get("tls") or {}
    chain = tls.get("client_cert_chain") or ()
    if chain and tls.get("client_cert_error") is None:
        return parse_certificate(chain[0])
    forwarded = headers.get(header)
    if not forwarded:
        return None
    client = scope.get("client")
    if not client or not is_trusted(client[0], trusted_proxies):
        raise _refused("untrusted_certificate_source", "证书信息只能由受信任的接入网关转发，已拒绝")
    return parse_certificate(unquote(forwarded))


def is_trusted(address: str, trusted_proxies: Iterable[str]) -> bool:
    """Whether ``address`` is one of the trusted addresses or inside one of the networks."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(entry, strict=False) for entry in trusted_proxies)
