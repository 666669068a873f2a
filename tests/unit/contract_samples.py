"""Sample contracts for the unit tests: one valid event of every type, an in-memory key
provider, and hypothesis strategies for valid-looking personal data."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import strategies as st

from contracts.base import Event
from contracts.envelope import Actor, Envelope, new_envelope, new_event_id
from contracts.events import (
    BatchApproved,
    BeneficiaryDeceased,
    BeneficiaryDetailsCorrected,
    BeneficiaryMovedOut,
    BeneficiaryRegistered,
    CardAccountClosed,
    CardAccountDeclared,
    CardAccountFrozen,
    CardAccountUnfrozen,
    CardAccountVerified,
    PaymentBatchIssued,
    PaymentFailed,
    PaymentFlaggedForReview,
    PaymentInstructed,
    PaymentNoticeSent,
    PaymentOutcomeUnknown,
    PaymentReversed,
    PaymentReviewResolved,
    PaymentSucceeded,
    PublicNoticeCompleted,
    PublicNoticeHalted,
    PublicNoticeStarted,
    ReturnedToTreasury,
    RosterLevelApproved,
    RosterRowsSubmitted,
    RosterSentBack,
    RosterSubmitted,
    SubmittedRow,
    WorkingDayScheduleEntered,
)
from infra.pii import CipherName, DataKey, FieldCipher, UnknownKey
from infra.pii.keys import INDEX_FOR_CIPHER, KEY_BYTES, IndexName

AT = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
CITIZEN_ID = "65010219800101123X"
ACCOUNT_NO = "6217000012345678901"
PHONE_NO = "13800138000"

PERSON = BeneficiaryRegistered(
    beneficiary_id="b-1",
    citizen_id=CITIZEN_ID,
    name="阿依古丽",
    village_code="650102001001",
    household_id="h-1",
    phone=PHONE_NO,
)
CARD = CardAccountDeclared(
    beneficiary_id="b-1", bank_code="ABC", account_no=ACCOUNT_NO, holder_name="阿依古丽"
)
ROW = SubmittedRow(
    row_no=1,
    beneficiary_id="b-1",
    citizen_id=CITIZEN_ID,
    name="阿依古丽",
    village_code="650102001001",
    village="红星村一组",
    quantity=Decimal("12.5"),
    standard_fen=4_938,
    amount_fen=61_725,
    bank_code="ABC",
    account_no=ACCOUNT_NO,
)
ROWS = RosterRowsSubmitted(roster_id="r-1", submission_no=1, part=1, rows=(ROW,))
ROSTER = RosterSubmitted(
    roster_id="r-1",
    programme_code="GDLS",
    township_code="650102001",
    round_id="2025-1",
    row_count=1,
    total_fen=61_725,
    submission_no=1,
    parts=1,
    prepared_by=("u-7",),
    programme_version=1,
    programme_name="耕地地力保护补贴",
    notice_working_days=7,
    confidential=False,
    township_name="红星乡",
)
LIFECYCLE: tuple[Event, ...] = (
    BeneficiaryDetailsCorrected(
        beneficiary_id="b-1",
        name="阿依古丽·买买提",
        village_code="650102001002",
        household_id="h-1",
        phone=PHONE_NO,
        corrected=("name", "village_code"),
        reason="户籍信息核对更正",
    ),
    CardAccountVerified(beneficiary_id="b-1", verified_at=AT),
    CardAccountFrozen(beneficiary_id="b-1", reason="银行反馈账户冻结"),
    CardAccountUnfrozen(beneficiary_id="b-1", status="open", reason="银行已解冻"),
    CardAccountClosed(beneficiary_id="b-1", reason="duplicate_card", note="夫妻分别持卡"),
    BeneficiaryDeceased(beneficiary_id="b-1", died_on=date(2025, 2, 1), source="民政部门"),
    BeneficiaryMovedOut(beneficiary_id="b-2", moved_on=date(2025, 2, 1), destination_code="650103"),
)
SAMPLES: tuple[Event, ...] = (
    PERSON,
    CARD,
    *LIFECYCLE,
    ROWS,
    ROSTER,
    PublicNoticeStarted(
        roster_id="r-1",
        submission_no=1,
        programme_code="GDLS",
        township_code="650102001",
        round_id="2025-1",
        starts_on=date(2025, 3, 3),
        ends_on=date(2025, 3, 11),
        working_days=7,
        public=True,
    ),
    PublicNoticeHalted(
        roster_id="r-1", submission_no=1, row_nos=(1,), findings=("异议属实：已迁出本村",)
    ),
    PublicNoticeCompleted(
        roster_id="r-1", submission_no=2, started_on=date(2025, 3, 12), ended_on=date(2025, 3, 20)
    ),
    WorkingDayScheduleEntered(
        year=2027,
        holidays=(date(2027, 10, 1),),
        workdays=(date(2027, 9, 26),),
        source="国办发明电〔2026〕7号",
    ),
    RosterLevelApproved(
        roster_id="r-1", submission_no=2, level=1, role="township_finance_auditor", decided_by="u-8"
    ),
    RosterSentBack(
        roster_id="r-1",
        submission_no=2,
        level=2,
        role="county_department_reviewer",
        decided_by="u-9",
        reasons=("补贴标准与政策不符",),
        row_nos=(1,),
    ),
    BatchApproved(
        roster_id="r-1",
        round_id="2025-1",
        submission_no=3,
        programme_code="GDLS",
        township_code="650102001",
        approved_row_count=1,
        total_fen=61_725,
        levels=("u-8", "u-9", "u-10"),
    ),
    PaymentBatchIssued(
        batch_id="pb-1",
        roster_id="r-1",
        round_id="2025-1",
        submission_no=3,
        programme_code="GDLS",
        programme_name="耕地地力保护补贴",
        township_code="650102001",
        bank_code="ABC",
        row_count=1,
        total_fen=61_725,
    ),
    PaymentInstructed(
        instruction_id="r-1:1:1",
        roster_id="r-1",
        row_no=1,
        attempt=1,
        batch_id="pb-1",
        round_id="2025-1",
        programme_code="GDLS",
        programme_name="耕地地力保护补贴",
        township_code="650102001",
        village_code="650102001001",
        beneficiary_id="b-1",
        name="阿依古丽",
        bank_code="ABC",
        account_no=ACCOUNT_NO,
        amount_fen=61_725,
        because="approved",
    ),
    PaymentSucceeded(
        instruction_id="r-1:1:2",
        roster_id="r-1",
        row_no=1,
        attempt=2,
        beneficiary_id="b-1",
        township_code="650102001",
        programme_code="GDLS",
        programme_name="耕地地力保护补贴",
        bank_code="ABC",
        amount_fen=61_725,
        bank_reference="B9",
        value_date=date(2025, 10, 9),
    ),
    PaymentFailed(
        instruction_id="r-1:1:1",
        roster_id="r-1",
        row_no=1,
        attempt=1,
        beneficiary_id="b-1",
        township_code="650102001",
        programme_code="GDLS",
        bank_code="ABC",
        amount_fen=61_725,
        reason_code="bank_system_busy",
        reason_text="银行系统繁忙",
        retryable=True,
    ),
    PaymentOutcomeUnknown(
        instruction_id="r-1:2:1",
        roster_id="r-1",
        row_no=2,
        attempt=1,
        township_code="650102001",
        bank_code="ABC",
        amount_fen=30_000,
        detail="银行应答超时",
    ),
    PaymentFlaggedForReview(
        instruction_id="r-1:3:1",
        roster_id="r-1",
        row_no=3,
        township_code="650102001",
        bank_code="ABC",
        amount_fen=12_345,
        concern="success_after_failure",
        reported="succeeded",
        bank_reference="B10",
    ),
    PaymentReviewResolved(
        instruction_id="r-1:3:1",
        roster_id="r-1",
        row_no=3,
        township_code="650102001",
        concern="success_after_failure",
        decision="accept_reported",
        note="经与开户行核对流水，确已入账",
        resolved_by="finance-1",
    ),
    PaymentReversed(
        instruction_id="r-1:5:1",
        roster_id="r-1",
        row_no=5,
        attempt=1,
        beneficiary_id="b-5",
        township_code="650102001",
        programme_code="GDLS",
        bank_code="ABC",
        amount_fen=8_800,
        reason_code="account_closed",
        reason_text="账户已销户",
    ),
    ReturnedToTreasury(
        roster_id="r-1",
        row_no=4,
        round_id="2025-1",
        beneficiary_id="b-4",
        township_code="650102001",
        programme_code="GDLS",
        amount_fen=61_725,
        last_instruction_id="r-1:4:1",
        reason_code="account_closed",
        reason_text="账户已销户",
    ),
    PaymentNoticeSent(
        notification_id="sms-r-1:1:2",
        beneficiary_id="b-1",
        roster_id="r-1",
        row_no=1,
        instruction_id="r-1:1:2",
        township_code="650102001",
        channel="sms",
        provider="file",
        text="您的耕地地力保护补贴617.25元已于2025年10月9日发放到社保卡账户。",
        attempts=1,
    ),
)


def envelope_of(event: Event, *, stream_id: str = "s-1") -> Envelope[Event]:
    return new_envelope(
        event,
        event_id=new_event_id(AT),
        stream_id=stream_id,
        occurred_at=AT,
        actor=Actor(user_id="u-7", role="township_operator", jurisdiction_code="650102001"),
        correlation_id=uuid.uuid4(),
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )


class MemoryKeys:
    """A KeyProvider held in memory, with rotation, for tests without files."""

    def __init__(self, algorithm: CipherName = "aes-256-gcm") -> None:
        self.algorithm = algorithm
        self._keys: dict[str, DataKey] = {}
        self._index = secrets.token_bytes(32)
        self.rotate()

    def rotate(self) -> str:
        kid = f"k{len(self._keys) + 1}"
        self._keys[kid] = DataKey(
            kid, self.algorithm, secrets.token_bytes(KEY_BYTES[self.algorithm])
        )
        self._current = kid
        return kid

    def current_key(self) -> DataKey:
        return self._keys[self._current]

    def key(self, kid: str) -> DataKey:
        if kid not in self._keys:
            raise UnknownKey(kid)
        return self._keys[kid]

    def index_key(self) -> bytes:
        return self._index

    def index_algorithm(self) -> IndexName:
        return INDEX_FOR_CIPHER[self.algorithm]


def memory_cipher(algorithm: CipherName = "aes-256-gcm") -> FieldCipher:
    return FieldCipher(keys=MemoryKeys(algorithm), algorithm=algorithm)


def _with_check_digit(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


citizen_ids = st.from_regex(
    r"[1-6][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])[0-2][0-9]{4}", fullmatch=True
).map(_with_check_digit)
phone_nos = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
account_nos = st.from_regex(r"62[0-9]{14,17}", fullmatch=True)
