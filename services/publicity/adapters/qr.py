"""QR codes for the per-beneficiary lookup slip, drawn with segno as inline SVG (no image
files, no network): the code encodes the lookup address with its random token — never the
citizen ID — and the page behind it still asks for the SMS code."""

from __future__ import annotations

import io

import segno


class SegnoQrEncoder:
    """Error correction M (a slip folded or worn in a wallet still scans), 4 px modules."""

    def svg(self, data: str) -> str | None:
        code = segno.make(data, error="m")
        out = io.BytesIO()
        code.save(out, kind="svg", xmldecl=False, svgns=True, scale=4, border=2)
        return out.getvalue().decode("ascii")
