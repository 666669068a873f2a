"""Field types shared by the contracts: money in fen, counts, ids and codes.

Money is always an integer number of fen (0.01 yuan), never a float: ``strict`` refuses
``1.0`` and ``"100"`` alike, so a rounding error can never enter the log.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

Fen = Annotated[int, Field(strict=True, ge=0)]
"""An amount of money in fen (1 yuan = 100 fen), never negative."""

Count = Annotated[int, Field(strict=True, ge=0)]
"""A number of rows, people or items."""

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_:.\-]+$")]
"""An entity id as text (the entity's stream id is derived from it)."""

Code = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")]
"""A code from a catalogue: programme, area (行政区划), bank or reason code."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
"""Free text a person typed or a bank sent: a name, a reason."""
