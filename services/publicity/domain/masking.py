"""Names as Chinese public notices show them: the surname and, for longer names, the last
character (王*, 张*丰, 阿**丽·买**提). The full masking policy for every output arrives with
the public-notice work; this is its rule for names."""

from __future__ import annotations


def mask_name(name: str) -> str:
    return "·".join(_mask_part(part) for part in name.strip().split("·"))


def _mask_part(part: str) -> str:
    if len(part) <= 1:
        return part
    if len(part) == 2:
        return part[0] + "*"
    return part[0] + "*" * (len(part) - 2) + part[-1]
