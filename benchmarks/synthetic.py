"""What the synthetic benchmarks share: their options, and reading the labelled folders they write
with ``realworld.py`` (digitrec, the naive pipeline and Tesseract in the same run)."""
from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

import realworld


def parser(doc: str, count: int, seed: int, what: str) -> argparse.ArgumentParser:
    """``--count``, ``--seed``, ``--keep`` and ``--json``; the description is the first paragraph of ``doc``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=count, help=f"{what} per folder (default: {count})")
    parser.add_argument("--seed", type=int, default=seed, help=f"random seed (default: {seed})")
    parser.add_argument("--keep", type=Path, help="write the folders here and keep them (default: a temporary directory)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a markdown table")
    return parser


def read_folders(args: argparse.Namespace, write: Callable[[Path], None], model: Path | None = None) -> int:
    """Write the labelled folders (into ``--keep`` or a temporary directory) and read them all."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        write(folder)
        return realworld.main(["--images", str(folder)] + (["--model", str(model)] if model else [])
                              + (["--json"] if args.json else []))
