"""Bar charts drawn on the server as inline SVG: no script, nothing loaded from elsewhere (the
pages' Content-Security-Policy forbids both), printable, readable without colour (each bar
carries its value as text). Every text goes in through ``Markup.format``, which escapes it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from markupsafe import Markup

ROW: Final = 22
LABEL_WIDTH: Final = 220
BAR_WIDTH: Final = 420
VALUE_WIDTH: Final = 140
_OPEN: Final = Markup(
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{}" height="{}" '
    'viewBox="0 0 {} {}" class="chart"><title>{}</title>'
    '<text x="0" y="15" font-weight="bold">{}</text>'
)
_BAR: Final = Markup(
    '<text x="0" y="{}">{}</text>'
    '<rect x="{}" y="{}" width="{}" height="14" fill="#4a6fa5"/>'
    '<text x="{}" y="{}">{}</text>'
)
_CLOSE: Final = Markup("</svg>")


def bar_chart(
    title: str, bars: Sequence[tuple[str, int]], *, value_text: Sequence[str] | None = None
) -> Markup:
    """Horizontal bars, one per (label, value); ``value_text`` as printed beside each bar."""
    texts = value_text or [str(value) for _, value in bars]
    largest = max((value for _, value in bars), default=0) or 1
    height = ROW * (len(bars) + 1)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [_OPEN.format(width, height, width, height, title, title)]
    for n, ((label, value), text) in enumerate(zip(bars, texts, strict=True), start=1):
        y = n * ROW
        length = round(BAR_WIDTH * max(value, 0) / largest)
        parts.append(
            _BAR.format(
                y + 15, label, LABEL_WIDTH, y + 4, length, LABEL_WIDTH + length + 6, y + 15, text
            )
        )
    parts.append(_CLOSE)
    return Markup("").join(parts)
