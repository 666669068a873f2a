"""The blind index finds the same person however the value is typed, under one key only."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from contracts.pii import PiiError
from infra.pii import CIPHER_NAMES, CipherName
from tests.unit.contract_samples import (
    CITIZEN_ID,
    PERSON,
    citizen_ids,
    memory_cipher,
)

CIPHER = memory_cipher()


@settings(database=None)
@given(citizen_ids)
def test_the_index_is_stable_across_spellings(citizen_id: str) -> None:
    spaced = f" {citizen_id[:6]} {citizen_id[6:14]} {citizen_id[14:].lower()} "
    assert CIPHER.blind_index("citizen_id", spaced) == CIPHER.blind_index("citizen_id", citizen_id)


def test_a_query_value_finds_the_stored_index() -> None:
    stored = PERSON.model_dump(mode="json", context={"pii": CIPHER})
    assert CIPHER.blind_index("citizen_id", CITIZEN_ID.lower()) == stored["citizen_id"]["bidx"]
    assert CIPHER.blind_index("phone_no", "+86 138-0013-8000") == stored["phone"]["bidx"]


@pytest.mark.parametrize("algorithm", CIPHER_NAMES)
def test_the_index_depends_on_the_key_and_the_purpose(algorithm: CipherName) -> None:
    one, other = memory_cipher(algorithm), memory_cipher(algorithm)
    index = one.blind_index("card_account_no", "6217000012345678")
    assert len(index) == 64
    assert index == one.blind_index("card_account_no", "6217 0000 1234 5678")
    assert index != other.blind_index("card_account_no", "6217000012345678")
    assert index != one.blind_index("phone_no", "6217000012345678")


def test_sm3_and_sha256_indexes_differ() -> None:
    assert memory_cipher("sm4-gcm").blind_index("phone_no", "13800138000") != CIPHER.blind_index(
        "phone_no", "13800138000"
    )


def test_an_invalid_query_value_is_refused() -> None:
    with pytest.raises(PiiError, match="citizen_id"):
        CIPHER.blind_index("citizen_id", "12345")
