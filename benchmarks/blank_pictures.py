"""Pictures with no digit in them, read three ways: a blank picture should give no digits, not a guess.

Not a sample of real pictures: each is made here, a plain page or cell as a phone or scanner gives it,
with paper grain (1-8 grey levels), light falling off across it, and in some out of focus. Every label
is empty, so *acc* is the share of pictures read as blank. Five folders:

- ``blank_cell``: a cell or window cut out of a photo, read as one digit (``single``);
- ``grid_cell``: an empty cell inside its grid lines, lit from one side (``single``);
- ``blank_page``: a whole blank page (``multi``);
- ``lined_page``: ruled paper (``multi``);
- ``squared_page``: squared paper, lines 4-8 mm apart at photo scale (``multi``).

The folders are written to a temporary directory and read by ``realworld.py`` (digitrec, the naive
pipeline and Tesseract in the same run, the same scoring). The naive pipeline always answers a digit,
so it reads none of these right.

    python benchmarks/blank_pictures.py                 # --count N, --seed S, --keep DIR, --json
"""
from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

import synthetic

COUNT = 60
SEED = 2026
GRAIN_LEVELS = (1.0, 8.0)  # standard deviation of the paper's grain and the sensor's noise, grey levels
LIGHT_FALLOFF_LEVELS = (-50.0, 50.0)  # brightness change across the picture
BLUR_SIGMA_PX = (0.5, 3.0)  # half the pictures are out of focus by this much
RULE_DARKNESS_LEVELS = (30, 60)  # how much darker than the paper a printed rule or grid line is
RULE_SPACING_PX = (14, 30)


def main(argv: list[str] | None = None) -> int:
    args = synthetic.parser(__doc__, COUNT, SEED, "pictures").parse_args(argv)
    return synthetic.read_folders(args, lambda folder: write_sets(folder, args.count, np.random.default_rng(args.seed)))


def write_sets(folder: Path, count: int, rng: np.random.Generator) -> None:
    """One labelled folder per kind of blank picture, ``count`` pictures each, every label empty."""
    for name, kind, make in SETS:
        (folder / name / "images").mkdir(parents=True, exist_ok=True)
        with open(folder / name / "labels.csv", "w", newline="") as labels:
            writer = csv.writer(labels)
            writer.writerow(["file", "label", "kind"])
            for index in range(count):
                file = f"images/{name}-{index:04d}.png"
                cv2.imwrite(str(folder / name / file), _camera(make(rng), rng))
                writer.writerow([file, "", kind])


def _paper(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Paper at some brightness, the light falling off across it in a random direction."""
    level = rng.uniform(150, 235)
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:height, 0:width]
    ramp = (np.cos(angle) * xs / width + np.sin(angle) * ys / height) * rng.uniform(*LIGHT_FALLOFF_LEVELS)
    return level + ramp


def _camera(grey: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Grain and noise on the picture, and for half of them a lens out of focus."""
    noisy = grey + rng.normal(0, rng.uniform(*GRAIN_LEVELS), grey.shape)
    if rng.random() < 0.5:
        noisy = cv2.GaussianBlur(noisy, (0, 0), rng.uniform(*BLUR_SIGMA_PX))
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _blank_cell(rng: np.random.Generator) -> np.ndarray:
    return _paper(rng, int(rng.integers(28, 120)), int(rng.integers(28, 120)))


def _grid_cell(rng: np.random.Generator) -> np.ndarray:
    side = int(rng.integers(40, 100))
    cell = _paper(rng, side, side)
    width = int(rng.integers(1, 4))
    darkness = rng.uniform(*RULE_DARKNESS_LEVELS)
    for band in (np.s_[:width, :], np.s_[-width:, :], np.s_[:, :width], np.s_[:, -width:]):
        cell[band] -= darkness
    return cell


def _page(rng: np.random.Generator) -> np.ndarray:
    return _paper(rng, int(rng.integers(200, 600)), int(rng.integers(200, 800)))


def _ruled(rng: np.random.Generator, across: bool) -> np.ndarray:
    page = _page(rng)
    spacing = int(rng.integers(*RULE_SPACING_PX))
    darkness = rng.uniform(*RULE_DARKNESS_LEVELS)
    start = int(rng.integers(0, spacing))
    page[start::spacing, :] -= darkness
    if across:
        page[:, start::spacing] -= darkness
    return page


SETS: tuple[tuple[str, str, Callable[[np.random.Generator], np.ndarray]], ...] = (
    ("blank_cell", "single", _blank_cell),
    ("grid_cell", "single", _grid_cell),
    ("blank_page", "multi", _page),
    ("lined_page", "multi", lambda rng: _ruled(rng, across=False)),
    ("squared_page", "multi", lambda rng: _ruled(rng, across=True)),
)


if __name__ == "__main__":
    sys.exit(main())
