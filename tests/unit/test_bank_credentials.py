"""The banks' credentials are configured, never built in: production refuses to start without
the file; development gets its own random keys; a file others may read, or one naming a key
twice, is refused; a rotated file is read again without a restart. And the signature scheme
the banks implement: its canonical string and its timestamps."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from infra.http.bank_keys import (
    DEV_BANKS,
    BankCredentialFile,
    load,
)
from infra.http.bank_signing import canonical_request, parse_timestamp, signature_matches
from infra.settings import Settings
from tests.unit.bank_api_support import SECRETS, write_bank_keys


def test_production_refuses_to_run_without_a_bank_keys_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, environment="prod", key_file=tmp_path / "k.json")
    with pytest.raises(ValueError, match="ONECARD_BANK_KEYS_FILE"):
        BankCredentialFile.for_settings(settings)


def test_production_reads_the_file_it_names(tmp_path: Path) -> None:
    path = write_bank_keys(tmp_path / "secrets" / "banks.json")
    settings = Settings(
        data_dir=tmp_path, environment="prod", key_file=tmp_path / "k.json", bank_keys_file=path
    )
    credentials = BankCredentialFile.for_settings(settings).credentials()
    assert credentials.by_key["abc-1"].secret == SECRETS["abc-1"]
    assert not (tmp_path / "payout").exists()


def test_development_creates_its_own_random_keys_once(tmp_path: Path) -> None:
    keys = BankCredentialFile.for_settings(Settings(data_dir=tmp_path))
    first = keys.credentials().by_key
    path = tmp_path / "payout" / "bank-keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert {c.bank_code for c in first.values()} == set(DEV_BANKS)
    assert {c.jurisdiction_code for c in first.values()} == {"650102"}
    again = BankCredentialFile.for_settings(Settings(data_dir=tmp_path)).credentials().by_key
    assert again == first
    other = BankCredentialFile.for_settings(Settings(data_dir=tmp_path / "elsewhere"))
    assert other.credentials().by_key["dev-103"].secret != first["dev-103"].secret


def test_a_keys_file_others_may_read_is_refused(tmp_path: Path) -> None:
    path = write_bank_keys(tmp_path / "banks.json")
    os.chmod(path, 0o644)
    with pytest.raises(PermissionError, match="0600"):
        load(path)


def test_a_keys_file_naming_a_key_twice_is_refused(tmp_path: Path) -> None:
    path = write_bank_keys(tmp_path / "banks.json")
    content = json.loads(path.read_text())
    content["keys"].append(content["keys"][0])
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match="twice"):
        load(path)


def test_a_short_secret_is_refused(tmp_path: Path) -> None:
    path = write_bank_keys(tmp_path / "banks.json")
    content = json.loads(path.read_text())
    content["keys"][0]["secret"] = "too-short"
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match="secret"):
        load(path)


def test_a_rotated_keys_file_is_read_again(tmp_path: Path) -> None:
    path = write_bank_keys(tmp_path / "banks.json")
    keys = BankCredentialFile(path)
    assert "abc-2" not in keys.credentials().by_key
    content = json.loads(path.read_text())
    content["keys"][0]["key_id"] = "abc-2"
    path.write_text(json.dumps(content))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert set(keys.credentials().by_key) == {"abc-2", "rcc-1"}


def test_the_canonical_request_is_five_lines_ending_in_the_body_digest() -> None:
    canonical = canonical_request(
        "post", "/bank/results?a=1", "2025-10-09T02:00:00Z", "n" * 16, b""
    )
    assert canonical.decode().split("\n") == [
        "POST",
        "/bank/results?a=1",
        "2025-10-09T02:00:00Z",
        "n" * 16,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ]
    assert not signature_matches("s" * 32, canonical, "签名")


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2025-10-09T02:00:00Z", datetime(2025, 10, 9, 2, tzinfo=UTC)),
        ("2025-10-09T10:00:00+08:00", datetime(2025, 10, 9, 2, tzinfo=UTC)),
        ("2025-10-09t02:00:00.5z", datetime(2025, 10, 9, 2, 0, 0, 500_000, tzinfo=UTC)),
        ("1759975200", datetime(2025, 10, 9, 2, tzinfo=UTC)),
        ("2025-10-09T02:00:00", None),
        ("2025-10-09", None),
        ("1759975200.5", None),
        ("-1", None),
        ("", None),
        ("9" * 41, None),
    ],
)
def test_timestamps_are_rfc_3339_with_an_offset_or_epoch_seconds(
    text: str, instant: datetime | None
) -> None:
    assert parse_timestamp(text) == instant


def test_compose_gives_only_the_payout_the_bank_keys_and_requires_the_file() -> None:
    text = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text("utf-8")
    compose = yaml.safe_load(text)
    holders = {
        name
        for name, service in compose["services"].items()
        if "ONECARD_BANK_KEYS_FILE" in (service.get("environment") or {})
    }
    assert holders == {"payout"}
    assert "bank_keys" in compose["services"]["payout"]["secrets"]
    assert "${ONECARD_BANK_KEYS_HOST:?" in text
