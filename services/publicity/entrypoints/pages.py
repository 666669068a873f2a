"""The public pages: Jinja2 templates (autoescaped: nothing the public typed can become
markup), Chinese, printable (a notice is also printed and posted, 002 §3(2)).

Pages render projections that hold masked data only, and the objection acknowledgement
masks through ``contracts.masking`` like every output.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
"""Public pages load nothing from elsewhere, post only here and are never framed."""


def yuan(fen: int | None) -> str:
    """An amount in fen as yuan with two decimals (exact: integer arithmetic only)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("services.publicity.entrypoints", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["yuan"] = yuan
    environment.filters["chinese_date"] = chinese_date
    return environment


PAGES: Final = _environment()


def page(template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A rendered public page with the public pages' headers."""
    html = PAGES.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)
