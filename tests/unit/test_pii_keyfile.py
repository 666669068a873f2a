"""The local key file: created 0600 with random keys, refused when readable by others,
rotated without losing the keys old events need."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from contracts.events import BeneficiaryRegistered
from infra.pii import FieldCipher, LocalKeyFile
from tests.unit.contract_samples import PERSON


def test_a_missing_key_file_is_created_0600_with_random_keys(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "keys.json"
    keys = LocalKeyFile(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(keys.current_key().secret) == 32
    assert len(keys.index_key()) == 32
    assert LocalKeyFile(tmp_path / "other.json").index_key() != keys.index_key()


def test_an_sm4_key_file_holds_sm4_keys(tmp_path: Path) -> None:
    keys = LocalKeyFile(tmp_path / "keys.json", algorithm="sm4-gcm")
    assert keys.current_key().algorithm == "sm4-gcm"
    assert len(keys.current_key().secret) == 16


def test_an_existing_file_is_read_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    first = LocalKeyFile(path).current_key()
    assert LocalKeyFile(path).current_key() == first


def test_a_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    LocalKeyFile(path)
    path.chmod(0o644)
    with pytest.raises(PermissionError, match="0600"):
        LocalKeyFile(path)


def test_rotation_keeps_old_keys_and_events_sealed_with_them(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    keys = LocalKeyFile(path)
    old = PERSON.model_dump(mode="json", context={"pii": FieldCipher(keys=keys)})
    new_kid = keys.rotate()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reopened = LocalKeyFile(path)
    cipher = FieldCipher(keys=reopened)
    new = PERSON.model_dump(mode="json", context={"pii": cipher})
    assert new["citizen_id"]["kid"] == new_kid != old["citizen_id"]["kid"]
    assert BeneficiaryRegistered.model_validate(old, context={"pii": cipher}) == PERSON
    content = json.loads(path.read_text())
    assert set(content["data_keys"]) == {old["citizen_id"]["kid"], new_kid}
