"""The embedded key provider: a local JSON key file, for development and single-node use.

The file is created with mode 0600 and random keys when missing, and refused when group or
others may read it. Its shape::

    {"format": 1, "current": "<kid>", "index_key": "<base64>", "index_alg": "hmac-sha256",
     "data_keys": {"<kid>": {"alg": "aes-256-gcm", "key": "<base64>"}}}
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from infra.pii.keys import (
    INDEX_FOR_CIPHER,
    KEY_BYTES,
    CipherName,
    DataKey,
    IndexName,
    UnknownKey,
)


class LocalKeyFile:
    """A KeyProvider reading a 0600 JSON file; ``rotate()`` adds a new current key."""

    def __init__(self, path: Path | str, *, algorithm: CipherName = "aes-256-gcm") -> None:
        self.path = Path(path)
        self.algorithm = algorithm
        if not self.path.exists():
            self._write(_new_file(algorithm))
        self._load()

    def current_key(self) -> DataKey:
        return self._keys[self._current]

    def key(self, kid: str) -> DataKey:
        try:
            return self._keys[kid]
        except KeyError:
            raise UnknownKey(f"unknown data key {kid!r}") from None

    def index_key(self) -> bytes:
        return self._index_key

    def index_algorithm(self) -> IndexName:
        return self._index_algorithm

    def rotate(self) -> str:
        """Make a new random key current (of this file's algorithm); old keys stay."""
        content = json.loads(self.path.read_text(encoding="utf-8"))
        kid = _new_kid()
        content["data_keys"][kid] = _new_entry(self.algorithm)
        content["current"] = kid
        self._write(content)
        self._load()
        return kid

    def _load(self) -> None:
        mode = stat.S_IMODE(self.path.stat().st_mode)
        if mode & 0o077:
            raise PermissionError(f"key file {self.path} is mode {mode:o}; make it 0600")
        content = json.loads(self.path.read_text(encoding="utf-8"))
        if content.get("format") != 1:
            raise ValueError(f"key file {self.path} has an unknown format")
        self._keys = {
            kid: DataKey(kid, entry["alg"], base64.b64decode(entry["key"]))
            for kid, entry in content["data_keys"].items()
        }
        self._current: str = content["current"]
        self._index_key = base64.b64decode(content["index_key"])
        self._index_algorithm: IndexName = content.get("index_alg", "hmac-sha256")

    def _write(self, content: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(content, file, indent=2)
        os.replace(temporary, self.path)


def _new_file(algorithm: CipherName) -> dict[str, Any]:
    kid = _new_kid()
    return {
        "format": 1,
        "current": kid,
        "index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "index_alg": INDEX_FOR_CIPHER[algorithm],
        "data_keys": {kid: _new_entry(algorithm)},
    }


def _new_entry(algorithm: CipherName) -> dict[str, str]:
    secret = secrets.token_bytes(KEY_BYTES[algorithm])
    return {"alg": algorithm, "key": base64.b64encode(secret).decode()}


def _new_kid() -> str:
    return f"k{secrets.token_hex(6)}"
