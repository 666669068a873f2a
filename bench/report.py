"""Print benchmark rows as an aligned table and as JSON (stdout and bench/results/)."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def emit(name: str, rows: list[dict[str, Any]], context: dict[str, Any]) -> None:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[_fmt(row.get(column, "")) for column in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print()
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))
    document = {
        "benchmark": name,
        "taken_at": datetime.now(UTC).isoformat(),
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        "context": context,
        "rows": rows,
    }
    out = Path("bench/results")
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(document, indent=2, ensure_ascii=False))
    print()
    print(json.dumps(document, ensure_ascii=False))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _cpus() -> int:
    import os

    return os.cpu_count() or 0
