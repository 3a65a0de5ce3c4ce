"""What the synthetic benchmarks share: their options, writing folders of made photos, the fonts of the printed
scenes and how a phone photographs them, and reading the labelled folders they write with ``realworld.py`` (digitrec,
the naive pipeline and Tesseract in the same run)."""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

import realworld
from digitrec.printed import find_digit_fonts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import make_examples as pictures  # noqa: E402  (the example-maker's camera)

FILL_MAX = 0.9  # of a printed scene's photo's width, that what holds the number spans at most


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


def printed_fonts() -> list[Path]:
    """The plain printed fonts a counter's drums or a sign could be printed in (no italic, no seven-segment, no mono)."""
    return [font for font in find_digit_fonts()
            if not any(word in font.name.lower() for word in ("italic", "oblique", "dseg", "mono"))]


def glared(bgr: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A soft patch of light reflected off a meter's glass or a screen."""
    height, width = bgr.shape[:2]
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    centre_x, centre_y, radius = rng.uniform(0, width), rng.uniform(0, height), 0.15 * width
    return bgr + rng.uniform(0, 60) * np.exp(-((xx - centre_x) ** 2 + (yy - centre_y) ** 2) / (2 * radius ** 2))[..., None]


def scaled_scene(bgr: np.ndarray, factor: float) -> np.ndarray:
    """The scene taken closer (``factor`` over 1: cut to the frame) or from further off (under 1: its edges drawn out
    round it)."""
    height, width = bgr.shape[:2]
    grown = cv2.resize(bgr, None, fx=factor, fy=factor, interpolation=cv2.INTER_LINEAR)
    if factor >= 1:
        top, left = (grown.shape[0] - height) // 2, (grown.shape[1] - width) // 2
        return grown[top: top + height, left: left + width]
    return cv2.copyMakeBorder(grown, (height - grown.shape[0]) // 2, height - grown.shape[0] - (height - grown.shape[0]) // 2,
                              (width - grown.shape[1]) // 2, width - grown.shape[1] - (width - grown.shape[1]) // 2,
                              cv2.BORDER_REPLICATE)


def photographed(bgr: np.ndarray, rng: np.random.Generator, scale: tuple[float, float], holder_width: float,
                 gradient: tuple[float, float], max_turn_deg: float) -> np.ndarray:
    """A printed scene (BGR float) as a phone photographs it: a glare on it, light falling across it (by ``gradient``),
    taken at a ``scale`` drawn from its range but never so close that what holds the number (``holder_width`` px wide)
    spans more than ``FILL_MAX`` of the width, softened, noisy, and turned up to ``max_turn_deg``."""
    height, width = bgr.shape[:2]
    bgr = glared(bgr, rng)
    light = pictures.uneven_light(height, width, rng, gradient=rng.uniform(*gradient), vignette=0.2)
    factor = min(rng.uniform(*scale), FILL_MAX * width / holder_width)
    return pictures.camera(scaled_scene(bgr, factor), rng, light, blur_px=rng.uniform(0.5, 1.5), noise=4.0,
                           angle_deg=rng.uniform(-max_turn_deg, max_turn_deg))
