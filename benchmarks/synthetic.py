"""What the synthetic benchmarks share: their options, writing folders of made photos, and reading the labelled
folders they write with ``realworld.py`` (digitrec, the naive pipeline and Tesseract in the same run)."""
from __future__ import annotations

import argparse
import csv
import tempfile
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

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


def write_photo_folders(folder: Path, names: tuple[str, ...], count: int, seed: int, jpeg_quality: int,
                        photograph: Callable[[str, np.random.Generator], tuple[str, np.ndarray]]) -> None:
    """``count`` JPEG photos in each of the folders ``names`` under ``folder``, labelled ``multi``: photo ``i`` of every
    folder is ``photograph(name, rng)`` (its label and BGR pixels) from the same random numbers (``[seed, i]``), so
    the folders differ only in what ``photograph`` does with their name."""
    for name in names:
        (folder / name / "images").mkdir(parents=True, exist_ok=True)
        with open(folder / name / "labels.csv", "w", newline="") as labels:
            writer = csv.writer(labels)
            writer.writerow(["file", "label", "kind"])
            for index in range(count):
                text, photo = photograph(name, np.random.default_rng([seed, index]))
                file = f"images/{name}-{index:04d}.jpg"
                cv2.imwrite(str(folder / name / file), photo, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
                writer.writerow([file, text, "multi"])
