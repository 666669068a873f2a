"""Personal data is sealed with AES-256-GCM or SM4-GCM, opened only for its own purpose,
never printed, and never serialised without a cipher."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from contracts.events import BeneficiaryRegistered, CardAccountDeclared
from contracts.pii import CardAccountNo, CitizenId, PhoneNo
from infra.pii import CIPHER_NAMES, CipherName, DecryptionFailed, FieldCipher, UnknownKey
from tests.unit.contract_samples import (
    ACCOUNT_NO,
    CARD,
    CITIZEN_ID,
    PERSON,
    PHONE_NO,
    MemoryKeys,
    memory_cipher,
)


@pytest.mark.parametrize("algorithm", CIPHER_NAMES)
def test_a_sealed_event_round_trips(algorithm: CipherName) -> None:
    cipher = memory_cipher(algorithm)
    stored = PERSON.model_dump(mode="json", context={"pii": cipher})
    assert (
        stored["citizen_id"]["alg"]
        == {"aes-256-gcm": "AES-256-GCM", "sm4-gcm": "SM4-GCM"}[algorithm]
    )
    assert CITIZEN_ID not in str(stored)
    assert BeneficiaryRegistered.model_validate(stored, context={"pii": cipher}) == PERSON


def test_serialising_without_a_cipher_is_refused() -> None:
    with pytest.raises(PydanticSerializationError, match="needs a cipher"):
        PERSON.model_dump(mode="json")
    with pytest.raises(PydanticSerializationError, match="needs a cipher"):
        PERSON.model_dump_json()


def test_reading_sealed_data_without_a_cipher_is_refused() -> None:
    stored = PERSON.model_dump(mode="json", context={"pii": memory_cipher()})
    with pytest.raises(ValidationError, match="needs a cipher"):
        BeneficiaryRegistered.model_validate(stored)


def test_repr_and_str_are_masked() -> None:
    texts = [repr(PERSON), str(PERSON), repr(PERSON.model_dump()), f"{PERSON.citizen_id}"]
    for text in texts:
        assert CITIZEN_ID not in text
        assert PHONE_NO not in text
    assert str(PhoneNo(PHONE_NO)) == "*******8000"
    assert repr(CardAccountNo(ACCOUNT_NO)) == "CardAccountNo('***************8901')"
    assert CitizenId(CITIZEN_ID).reveal() == CITIZEN_ID


def test_validation_errors_do_not_echo_personal_data() -> None:
    with pytest.raises(ValidationError) as error:
        BeneficiaryRegistered.model_validate({**PERSON.model_dump(), "citizen_id": "6501021980"})
    assert "6501021980" not in str(error.value)


def _sealed(cipher: FieldCipher) -> dict[str, object]:
    return CardAccountDeclared.model_dump(CARD, mode="json", context={"pii": cipher})


@pytest.mark.parametrize("algorithm", CIPHER_NAMES)
def test_tampered_ciphertext_is_refused(algorithm: CipherName) -> None:
    cipher = memory_cipher(algorithm)
    stored = _sealed(cipher)
    raw = bytearray(base64.b64decode(stored["account_no"]["ct"]))  # type: ignore[index]
    raw[-1] ^= 1
    stored["account_no"] = {**stored["account_no"], "ct": base64.b64encode(raw).decode()}  # type: ignore[dict-item]
    read_back = CardAccountDeclared.model_validate(stored, context={"pii": cipher})
    with pytest.raises(DecryptionFailed, match="tampered"):
        read_back.account_no.reveal()  # sealed until first use, then authenticated


def test_a_value_sealed_for_another_purpose_is_refused() -> None:
    cipher = memory_cipher()
    person = PERSON.model_dump(mode="json", context={"pii": cipher})
    person["phone"] = person["citizen_id"]
    read_back = BeneficiaryRegistered.model_validate(person, context={"pii": cipher})
    assert read_back.phone is not None
    with pytest.raises(DecryptionFailed, match="phone_no: tampered, wrong purpose"):
        read_back.phone.reveal()


def test_an_unknown_key_id_is_refused() -> None:
    cipher = memory_cipher()
    stored = _sealed(cipher)
    stored["account_no"] = {**stored["account_no"], "kid": "k-gone"}  # type: ignore[dict-item]
    with pytest.raises(ValidationError, match="k-gone"):
        CardAccountDeclared.model_validate(stored, context={"pii": cipher})
    with pytest.raises(UnknownKey):
        cipher.open("card_account_no", stored["account_no"])  # type: ignore[arg-type]


def test_another_deployments_key_cannot_open() -> None:
    stored = _sealed(memory_cipher())
    with pytest.raises(DecryptionFailed):
        memory_cipher().open("card_account_no", stored["account_no"])  # type: ignore[arg-type]


def test_the_cipher_must_match_the_current_key() -> None:
    with pytest.raises(ValueError, match="rotate"):
        FieldCipher(keys=MemoryKeys("aes-256-gcm"), algorithm="sm4-gcm")


def test_rotation_seals_with_the_new_key_and_still_opens_old_values() -> None:
    keys = MemoryKeys()
    cipher = FieldCipher(keys=keys)
    old = PERSON.model_dump(mode="json", context={"pii": cipher})
    new_kid = keys.rotate()
    new = PERSON.model_dump(mode="json", context={"pii": cipher})
    assert new["citizen_id"]["kid"] == new_kid != old["citizen_id"]["kid"]
    for stored in (old, new):
        assert BeneficiaryRegistered.model_validate(stored, context={"pii": cipher}) == PERSON
    assert old["citizen_id"]["bidx"] == new["citizen_id"]["bidx"]


def test_personal_data_stored_in_clear_is_refused_when_read_from_the_log() -> None:
    cipher = memory_cipher()
    stored = PERSON.model_dump(mode="json", context={"pii": cipher})
    stored["citizen_id"] = PERSON.citizen_id.reveal()
    with pytest.raises(ValidationError, match="stored in clear"):
        BeneficiaryRegistered.model_validate(stored, context={"pii": cipher})


def test_a_value_read_from_the_log_stays_sealed_until_revealed() -> None:
    cipher = memory_cipher()
    stored = PERSON.model_dump(mode="json", context={"pii": cipher})
    read_back = BeneficiaryRegistered.model_validate(stored, context={"pii": cipher})
    assert read_back.citizen_id._value is None
    again = read_back.model_dump(mode="json", context={"pii": cipher})
    assert again["citizen_id"] == stored["citizen_id"]  # copied sealed, never decrypted
    assert read_back.citizen_id._value is None
    assert read_back.citizen_id.reveal() == PERSON.citizen_id.reveal()


def test_a_malformed_sealed_value_is_refused_when_read() -> None:
    cipher = memory_cipher()
    stored = PERSON.model_dump(mode="json", context={"pii": cipher})
    stored["citizen_id"] = {**stored["citizen_id"], "extra": "x"}
    with pytest.raises(ValidationError, match="not a sealed value"):
        BeneficiaryRegistered.model_validate(stored, context={"pii": cipher})
