"""What an importer and its import workers say to each other over a pipe
(``adapters.import_workers``, ``entrypoints.import_worker``).

A frame is a 4-byte big-endian length and a pickle. The importer's first frame sets a worker
up (``WorkerSetup``); each next one is a chunk (its first row number and its lines as plain
tuples), answered by ``("judged", rows, heads)``; an empty frame asks the worker to stop,
answered by ``("done", peak RSS bytes, CPU seconds)``; a failure is answered by
``("failed", what)`` and ends the worker. Pickles travel between these two processes only.
"""

from __future__ import annotations

import pickle
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from infra.pii.cipher import FieldCipher
from services.registry.application.judge_rows import JudgingTerms

LENGTH: Final = struct.Struct(">I")
STOP: Final = LENGTH.pack(0)
CipherRecipe = Callable[[], FieldCipher]
"""Makes the importer's cipher again in the worker (a picklable function, e.g. a
``functools.partial``): keys are read where they are kept, never sent down the pipe."""


@dataclass(frozen=True, slots=True)
class WorkerSetup:
    terms: JudgingTerms
    register_db: Path
    cipher: CipherRecipe


def frame(message: object) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return LENGTH.pack(len(data)) + data


def read_frame(stream: IO[bytes]) -> Any:
    """The next frame's object; None for an empty frame or the end of the stream."""
    head = stream.read(LENGTH.size)
    if len(head) < LENGTH.size:
        return None
    (length,) = LENGTH.unpack(head)
    return loads(stream.read(length)) if length else None


def loads(data: bytes) -> Any:
    return pickle.loads(data)  # noqa: S301 - written by the other end of our own pipe
