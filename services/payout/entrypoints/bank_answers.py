"""How the bank's pushed results become the payout's ``BankResult``s, and how their answers go
back: one disposition per result in the order sent, and the status of the whole answer."""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

import orjson
from fastapi.responses import Response

from services.payout.application.results import ResultAnswer
from services.payout.domain.events import Outcome
from services.payout.domain.results import BankResult
from services.payout.entrypoints.bank_errors import RESULT_ERRORS
from services.payout.entrypoints.bank_schemas import ResultIn

OUTCOMES: Final[dict[str, Outcome]] = {
    "succeeded": "succeeded",
    "failed": "rejected",
    "unknown": "unknown",
}
UNMATCHED: Final = "payout_instruction_unmatched"
NOT_TAKEN: Final = ("refused", "unmatched")


def answered(answers: list[ResultAnswer]) -> Response:
    """The answer to a push: ``ResultsOut``, written straight to JSON."""
    return _document([_out(answer) for answer in answers])


def bank_result(result: ResultIn, bank_code: str) -> BankResult:
    return BankResult(
        instruction_id=result.instruction_id,
        bank_code=bank_code,
        outcome=OUTCOMES[result.status],
        amount_fen=result.amount_fen,
        bank_reference=result.bank_reference,
        value_date=result.value_date,
        reason_code=result.reason_code,
        reason_text=result.reason_text,
        detail=result.detail,
    )


def _out(answer: ResultAnswer) -> dict[str, Any]:
    code, message = answer.code, answer.message
    if answer.disposition == "unmatched":
        code, message = UNMATCHED, RESULT_ERRORS[UNMATCHED].chinese
    return {
        "instruction_id": answer.instruction_id,
        "disposition": answer.disposition,
        "row_status": answer.row_status,
        "next_instruction_id": answer.next_instruction,
        "code": code,
        "message": message,
    }


def _document(results: list[dict[str, Any]]) -> Response:
    """200 when every result was taken; else the one refusal's status and code (its own
    message), or 422 ``bank_results_refused`` when there were several kinds. Written as
    ``ResultsOut`` documents it, straight to JSON: a batch's answer is not validated again."""
    summary = dict(Counter(result["disposition"] for result in results))
    not_taken = [result for result in results if result["disposition"] in NOT_TAKEN]
    code, message, status = None, None, 200
    if len({result["code"] for result in not_taken}) == 1:
        code, message = not_taken[0]["code"], not_taken[0]["message"]
        status = RESULT_ERRORS[code].status if code in RESULT_ERRORS else 422
    elif not_taken:
        code, status = "bank_results_refused", 422
        message = RESULT_ERRORS[code].chinese
    document = {"code": code, "message": message, "summary": summary, "results": results}
    return Response(orjson.dumps(document), status_code=status, media_type="application/json")
