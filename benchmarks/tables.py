"""Plain-text tables for the benchmark scripts' output: columns padded to their widest cell."""
from __future__ import annotations

from collections.abc import Sequence


def aligned_rows(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The header and each row as one line, every column left-aligned to its widest cell."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in [header, *rows]]
