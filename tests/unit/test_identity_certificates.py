"""The certificate (U-Key) path with real certificates: a county CA, a user's client
certificate, one from another CA, an expired one and a revoked binding; forwarded by a
trusted proxy as URL-encoded PEM, or found in the ASGI ``tls`` extension."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from infra.identity.certificates import is_trusted, parse_certificate, presented_certificate
from infra.identity.refusals import IdentityRefused
from tests.unit.identity_fixtures import START, World, make_world

HEADER = "X-Client-Cert"


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @classmethod
    def create(cls, name: str) -> Authority:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        certificate = (
            _builder(subject, subject, key.public_key(), START - timedelta(days=365), days=3650)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        return cls(key, certificate)

    def issue(self, name: str, *, not_before: datetime = START - timedelta(days=1)) -> str:
        """A client certificate (PEM) as a U-Key holds it: no subjectAltName."""
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, name),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "天山区财政局"),
            ]
        )
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key())
        certificate = (
            _builder(subject, self.certificate.subject, key.public_key(), not_before, days=365)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
            .add_extension(aki, critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _builder(
    subject: x509.Name, issuer: x509.Name, public: object, start: datetime, *, days: int
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
    )


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


COUNTY = Authority.create("天山区财政局 CA")
ELSEWHERE = Authority.create("Some Other CA")
WANG = COUNTY.issue("王建国")


@pytest.fixture
async def world(tmp_path: Path) -> World:
    (tmp_path / "ca.pem").write_bytes(COUNTY.certificate.public_bytes(serialization.Encoding.PEM))
    world = make_world(
        tmp_path, trusted_proxies=["127.0.0.0/8"], client_ca_file=tmp_path / "ca.pem"
    )
    await world.enrol("admin", ("system_administrator", "650102"))
    await world.enrol("wangjg", ("township_operator", "650102001"), division="650102001")
    return world


async def _bind(world: World, pem: str, user: str = "u-wangjg") -> dict:
    admin = await world.token("admin")
    answer = await world.call(
        "POST", f"/users/{user}/certificates", token=admin, json_body={"certificate": pem}
    )
    return {"status": answer.status, **answer.json()}


def _forwarded(pem: str) -> dict[str, str]:
    return {HEADER: quote(pem)}


async def test_a_bound_certificate_logs_its_user_in_and_acts_per_request(world: World) -> None:
    bound = await _bind(world, WANG)
    assert bound["bound"] is True
    assert bound["fingerprint"] == parse_certificate(WANG).fingerprint
    login = await world.call("POST", "/auth/certificate", headers=_forwarded(WANG), json_body={})
    assert login.status == 200
    assert login.json()["role"] == "township_operator"
    me = await world.call("GET", "/users/me", token=login.json()["access_token"])
    assert me.json()["user_id"] == "u-wangjg"
    direct = await world.call("GET", "/users/me", headers=_forwarded(WANG))
    assert direct.json()["acting_as"] == {
        "role": "township_operator",
        "jurisdiction_code": "650102001",
    }


async def test_a_certificate_of_another_ca_is_neither_bound_nor_accepted(world: World) -> None:
    stranger = ELSEWHERE.issue("王建国")
    assert (await _bind(world, stranger))["code"] == "certificate_untrusted"
    answer = await world.call(
        "POST", "/auth/certificate", headers=_forwarded(stranger), json_body={}
    )
    assert (answer.status, answer.json()["code"]) == (401, "certificate_untrusted")


async def test_a_revoked_certificate_no_longer_logs_in(world: World) -> None:
    fingerprint = (await _bind(world, WANG))["fingerprint"]
    admin = await world.token("admin")
    revoked = await world.call(
        "POST",
        f"/users/u-wangjg/certificates/{fingerprint}/revoke",
        token=admin,
        json_body={"reason": "U-Key 遗失"},
    )
    assert revoked.json() == {"revoked": True}
    answer = await world.call("GET", "/users/me", headers=_forwarded(WANG))
    assert (answer.status, answer.json()["code"]) == (401, "certificate_revoked")
    assert (await _bind(world, WANG))["code"] == "certificate_taken"


async def test_a_valid_certificate_bound_to_nobody_is_refused(world: World) -> None:
    answer = await world.call(
        "POST", "/auth/certificate", headers=_forwarded(COUNTY.issue("李四")), json_body={}
    )
    assert (answer.status, answer.json()["code"]) == (401, "certificate_unknown")


async def test_a_certificate_names_one_user_for_good(world: World) -> None:
    await _bind(world, WANG)
    again = await _bind(world, WANG, user="u-admin")
    assert (again["status"], again["code"]) == (409, "certificate_taken")


async def test_an_expired_certificate_is_refused(world: World) -> None:
    old = COUNTY.issue("王建国", not_before=START - timedelta(days=400))
    assert (await _bind(world, old))["code"] == "certificate_untrusted"


async def test_a_disabled_users_certificate_is_refused(world: World) -> None:
    await _bind(world, WANG)
    admin = await world.token("admin")
    await world.call("POST", "/users/u-wangjg/disable", token=admin, json_body={"reason": "调离"})
    answer = await world.call("GET", "/users/me", headers=_forwarded(WANG))
    assert (answer.status, answer.json()["code"]) == (403, "account_disabled")


async def test_a_forwarded_certificate_from_an_untrusted_address_is_refused(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path, trusted_proxies=["10.0.0.5"])
    answer = await world.call("GET", "/users/me", headers=_forwarded(WANG))
    assert (answer.status, answer.json()["code"]) == (401, "untrusted_certificate_source")
    nothing = await world.call("POST", "/auth/certificate", json_body={})
    assert nothing.json()["code"] == "certificate_unknown"


def test_a_server_verified_certificate_in_the_asgi_tls_extension_is_read_first() -> None:
    scope = {
        "client": ("192.0.2.9", 443),
        "extensions": {"tls": {"client_cert_chain": [WANG], "client_cert_error": None}},
    }
    found = presented_certificate(scope, {}, header=HEADER, trusted_proxies=[])
    assert found is not None
    assert found.fingerprint == parse_certificate(WANG).fingerprint
    failed = {"extensions": {"tls": {"client_cert_chain": [WANG], "client_cert_error": "bad"}}}
    assert presented_certificate(failed, {}, header=HEADER, trusted_proxies=[]) is None


@pytest.mark.parametrize(
    ("address", "trusted"),
    [("10.0.0.5", True), ("10.0.1.7", True), ("10.1.0.1", False), ("::1", False), ("x", False)],
)
def test_trusted_proxies_are_addresses_or_networks(address: str, trusted: bool) -> None:
    assert is_trusted(address, ["10.0.0.0/23", "127.0.0.1"]) is trusted


def test_anything_but_a_pem_certificate_is_refused() -> None:
    with pytest.raises(IdentityRefused, match="certificate_invalid"):
        parse_certificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
