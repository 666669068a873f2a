"""The roster HTTP API through the registry app: draft, upload as a job, poll, submit."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from contracts.envelope import Actor, new_envelope, new_event_id
from contracts.events import BeneficiaryRegistered, CardAccountDeclared, CardAccountVerified
from contracts.pii import CardAccountNo, CitizenId, PhoneNo
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings
from services.registry.adapters.tables import TABLES
from services.registry.application.register_projection import register_handler
from services.registry.bootstrap import build
from services.registry.domain.events import REGISTRY_EVENTS
from tests.unit.contract_samples import memory_cipher

CLERK = {
    "X-Onecard-User": "u-clerk",
    "X-Onecard-Role": "township_operator",
    "X-Onecard-Jurisdiction": "650102001",
}
COUNTY = {
    "X-Onecard-User": "u-county",
    "X-Onecard-Role": "county_department_operator",
    "X-Onecard-Jurisdiction": "650102",
}
DIVISIONS = {
    "county_code": "650102",
    "divisions": [
        {"code": "650102001", "name": "燕儿窝街道"},
        {"code": "650102001001", "name": "燕儿窝村"},
    ],
}
PROGRAMME = {
    "code": "GDDLBH",
    "standard_name": "耕地地力保护补贴",
    "department": "县农业农村局",
    "funding_source": "中央财政",
    "unit": "亩",
    "unit_standard": "95.50",
    "max_amount_fen": 500_000,
    "jurisdiction": "650102",
    "valid_from": "2026-01-01",
}
HEADER = "姓名,身份证号码,社保卡号,补贴项目,数量(面积),补贴标准,补贴金额\n"
ROW = "王建国,650102198001011234,6217000012345678907,耕地地力保护补贴,10.00,95.50,955.00\n"


@pytest.fixture
async def client(tmp_path: Path):
    store = MemoryEventStore()
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=memory_cipher())
    projections = await ProjectionDatabase.open(f"sqlite:///{tmp_path / 'registry.db'}")
    await projections.create_tables(TABLES)
    at = datetime(2025, 1, 1, tzinfo=UTC)
    actor = Actor(user_id="u", role="township_operator", jurisdiction_code="650102001")
    events = [
        BeneficiaryRegistered(
            beneficiary_id="b-0",
            citizen_id=CitizenId("650102198001011234"),
            name="王建国",
            village_code="650102001001",
            household_id="h-0",
            phone=PhoneNo("13800138000"),
        ),
        CardAccountDeclared(
            beneficiary_id="b-0",
            bank_code="ABC",
            account_no=CardAccountNo("6217000012345678907"),
            holder_name="王建国",
        ),
        CardAccountVerified(beneficiary_id="b-0", verified_at=at),
    ]
    envelopes = [
        new_envelope(
            event,
            event_id=new_event_id(at),
            stream_id="beneficiary-b-0",
            occurred_at=at,
            actor=actor,
            correlation_id=uuid.uuid4(),
        )
        for event in events
    ]
    settings = Settings(data_dir=tmp_path)
    app = build(ServiceDeps(settings, store, codec, projections)).http
    registry = app.state.registry  # the service's own codec and keys
    await store.append(
        "beneficiary-b-0", [registry.codec.encode(e) for e in envelopes], expected_version=0
    )
    async with projections.transaction() as conn:  # what the consumer does with them
        await register_handler(registry.index)(conn, envelopes)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
        yield http
    await projections.close()


async def finished(client: httpx.AsyncClient, roster_id: str, job_id: str) -> dict[str, object]:
    for _ in range(200):
        answer = await client.get(f"/rosters/{roster_id}/imports/{job_id}", headers=CLERK)
        job = answer.json()
        if job["status"] != "running":
            return job  # type: ignore[no-any-return]
        await asyncio.sleep(0.02)
    raise AssertionError("the import job did not finish")


async def catalogue(client: httpx.AsyncClient) -> None:
    """The county enters the programme and its townships and villages."""
    assert (await client.post("/programmes", json=PROGRAMME, headers=COUNTY)).status_code == 201
    assert (await client.post("/divisions", json=DIVISIONS, headers=COUNTY)).status_code == 201


async def test_a_roster_is_drafted_uploaded_validated_and_submitted(client) -> None:
    await catalogue(client)
    draft = {
        "roster_id": "r-1",
        "programme_code": "GDDLBH",
        "township_code": "650102001",
        "round_id": "2026-1",
    }
    drafted = await client.post("/rosters", json=draft, headers=CLERK)
    assert drafted.status_code == 201
    assert drafted.json()["programme_version"] == 1
    content = (HEADER + ROW).encode("gb18030")
    upload = await client.post(
        "/rosters/r-1/imports", files={"file": ("清册.csv", content)}, headers=CLERK
    )
    assert upload.status_code == 202
    job = await finished(client, "r-1", upload.json()["job_id"])
    assert job["status"] == "done", job
    assert job["rejected_lines"] == [], job
    assert job["summary"]["payable_fen"] == 95_500  # type: ignore[index]
    roster = (await client.get("/rosters/r-1", headers=CLERK)).json()
    assert (roster["rows"], roster["rejected"], roster["status"]) == (1, 0, "draft")
    submitted = await client.post("/rosters/r-1/submission", headers=CLERK)
    assert submitted.json() == {"roster_id": "r-1", "submitted": True}


async def test_a_file_that_is_not_a_spreadsheet_is_refused_at_once(client) -> None:
    await drafted(client, "r-1")
    upload = await client.post(
        "/rosters/r-1/imports", files={"file": ("x.xlsx", b"\x00\x01garbage" * 50)}, headers=CLERK
    )
    assert upload.status_code == 422
    assert upload.json()["code"].startswith("roster_")


async def test_an_import_into_a_missing_roster_is_refused_before_any_job_starts(client) -> None:
    upload = await client.post(
        "/rosters/nope/imports", files={"file": ("a.csv", (HEADER + ROW).encode())}, headers=CLERK
    )
    assert (upload.status_code, upload.json()["code"]) == (404, "roster_not_found")


async def test_the_template_downloads_as_xlsx(client) -> None:
    answer = await client.get("/rosters/template.xlsx", headers=CLERK)
    assert answer.status_code == 200
    assert answer.content[:2] == b"PK"


async def test_rejected_rows_download_with_their_reasons_and_full_values(client) -> None:
    await catalogue(client)
    draft = {
        "roster_id": "r-9",
        "programme_code": "GDDLBH",
        "township_code": "650102001",
        "round_id": "2026-1",
    }
    await client.post("/rosters", json=draft, headers=CLERK)
    wrong = ROW.replace("955.00", "955.01")
    upload = await client.post(
        "/rosters/r-9/imports", files={"file": ("a.csv", (HEADER + wrong).encode())}, headers=CLERK
    )
    job = await finished(client, "r-9", upload.json()["job_id"])
    assert job["summary"]["rejected"] == 1  # type: ignore[index]
    answer = await client.get("/rosters/r-9/rejected.xlsx", headers=CLERK)
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content), read_only=True)
    header, row = list(book.worksheets[0].iter_rows(values_only=True))[:2]
    values = dict(zip(header, row, strict=False))
    assert values["身份证号码"] == "650102198001011234"  # from the register: the row matched
    assert values["规则代码"] == "amount_mismatch"
    assert "955.00" in values["问题说明"]


async def drafted(client: httpx.AsyncClient, roster_id: str) -> None:
    await catalogue(client)
    draft = {
        "roster_id": roster_id,
        "programme_code": "GDDLBH",
        "township_code": "650102001",
        "round_id": "2026-1",
    }
    assert (await client.post("/rosters", json=draft, headers=CLERK)).status_code == 201


TYPED = {
    "name": "王建国",
    "citizen_id": "650102198001011234",
    "card_account": "6217000012345678907",
    "programme": "耕地地力保护补贴",
    "quantity": "10.00",
    "standard": "95.50",
    "amount": "955.01",
}


async def test_a_typed_row_is_judged_at_once_and_its_correction_judged_again(client) -> None:
    await drafted(client, "r-5")
    entered = await client.post("/rosters/r-5/rows", json=TYPED, headers=CLERK)
    assert entered.status_code == 201
    assert entered.json()["verdict"] == "rejected"
    assert [f["rule"] for f in entered.json()["findings"]] == ["amount_mismatch"]
    fixed = {**TYPED, "amount": "955.00", "reason": "金额录入错误"}
    corrected = await client.put("/rosters/r-5/rows/1", json=fixed, headers=CLERK)
    assert corrected.json() == {
        "row_no": 1,
        "verdict": "accepted",
        "findings": [],
        "amount_fen": 95_500,
    }
    roster = (await client.get("/rosters/r-5", headers=CLERK)).json()
    assert (roster["rows"], roster["rejected"], roster["payable_fen"]) == (1, 0, 95_500)


async def test_the_same_person_typed_twice_in_a_roster_is_rejected_the_second_time(client) -> None:
    await drafted(client, "r-6")
    good = {**TYPED, "amount": "955.00"}
    first = await client.post("/rosters/r-6/rows", json=good, headers=CLERK)
    second = await client.post("/rosters/r-6/rows", json=good, headers=CLERK)
    assert first.json()["verdict"] == "accepted"
    assert [f["rule"] for f in second.json()["findings"]] == ["citizen_id_duplicate"]


async def test_a_typed_amount_must_be_text_not_a_float(client) -> None:
    await drafted(client, "r-7")
    answer = await client.post("/rosters/r-7/rows", json={**TYPED, "amount": 955.0}, headers=CLERK)
    assert answer.status_code == 422


async def test_the_downloaded_rows_fixed_and_uploaded_again_replace_the_rejected_ones(
    client,
) -> None:
    await drafted(client, "r-8")
    wrong = ROW.replace("955.00", "955.01")
    upload = await client.post(
        "/rosters/r-8/imports", files={"file": ("a.csv", (HEADER + wrong).encode())}, headers=CLERK
    )
    await finished(client, "r-8", upload.json()["job_id"])
    download = await client.get("/rosters/r-8/rejected.xlsx", headers=CLERK)
    book = load_workbook(io.BytesIO(download.content))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("补贴金额(元)") + 1, value="955.00")
    fixed = io.BytesIO()
    book.save(fixed)
    again = await client.post(
        "/rosters/r-8/imports", files={"file": ("fixed.xlsx", fixed.getvalue())}, headers=CLERK
    )
    job = await finished(client, "r-8", again.json()["job_id"])
    assert job["status"] == "done", job
    roster = (await client.get("/rosters/r-8", headers=CLERK)).json()
    assert (roster["rows"], roster["rejected"], roster["payable_fen"]) == (1, 0, 95_500)
    submitted = await client.post("/rosters/r-8/submission", headers=CLERK)
    assert submitted.json()["submitted"] is True
