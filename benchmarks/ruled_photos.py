"""Phone photos of handwritten numbers on lined, squared and plain paper, and turned further, read three ways.

Not a sample of real pictures: each is drawn with the pen, paper and camera that make the example
pictures (``tools/make_examples.py``): a number of 2-6 digits handwritten 60-160 px tall with a pen
2.5-6 px wide in blue, black or red, on a page lit unevenly (light falling off, a shadow over a
corner), photographed turned by up to 8 degrees and a little off-axis, 1000x750 or 1200x900, saved
as a JPEG. Four folders, the same numbers in each:

- ``plain_photo``: plain paper (a control);
- ``lined_photo``: lined paper, rules 45-75 px apart, half the pages with a margin line; the digits
  are taller than the rules' spacing, so each crosses one or two rules;
- ``squared_photo``: squared paper, squares 28-50 px;
- ``turned_photo``: plain paper, the phone held at 8-20 degrees either way (the number's line slants as much).

The development set holds no photo this large, so these are where the removal of slanted ruled
lines, and the joining of strokes cut by it, is measured. The folders are written to a temporary
directory and read by ``realworld.py`` (digitrec, the naive pipeline and Tesseract in the same run,
the same scoring).

    python benchmarks/ruled_photos.py                 # --count N, --seed S, --keep DIR, --json
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import synthetic

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import make_examples as pictures  # noqa: E402  (the example-maker's pen, paper and camera)

COUNT = 32
SEED = 2026
SIZES_PX = ((1000, 750), (1200, 900))
DIGITS = (2, 6)
DIGIT_HEIGHT_PX = (60.0, 160.0)
PEN_WIDTH_PX = (2.5, 6.0)
INK_COLOURS_BGR = ((150, 70, 30), (40, 35, 30), (60, 40, 160))  # blue, black, red
RULE_SPACING_PX = (45.0, 75.0)
SQUARE_PX = (28.0, 50.0)
MAX_TURN_DEG = 8.0
TURNED_DEG = (8.0, 20.0)  # the turned photos' turn, either way
JPEG_QUALITY = 88
FOLDERS = ("plain_photo", "lined_photo", "squared_photo", "turned_photo")


def main(argv: list[str] | None = None) -> int:
    args = synthetic.parser(__doc__, COUNT, SEED, "photos").parse_args(argv)
    return synthetic.read_folders(args, lambda folder: write_sets(folder, args.count, args.seed))


def write_sets(folder: Path, count: int, seed: int) -> None:
    """``count`` photos per folder; photo ``i`` of each folder shows the same number, written the same way."""
    synthetic.write_photo_folders(folder, FOLDERS, count, seed, JPEG_QUALITY, photograph)


def photograph(paper_kind: str, rng: np.random.Generator) -> tuple[str, np.ndarray]:
    """A number and a BGR photo of it handwritten on ``paper_kind`` paper (a ``FOLDERS`` name)."""
    width, height = SIZES_PX[int(rng.integers(len(SIZES_PX)))]
    text = "".join(str(digit) for digit in rng.integers(0, 10, int(rng.integers(DIGITS[0], DIGITS[1] + 1))))
    digit_height = rng.uniform(*DIGIT_HEIGHT_PX)
    place = (rng.uniform(100, 300), rng.uniform(150, height - digit_height - 150))
    pen = pictures.Pen(width_px=rng.uniform(*PEN_WIDTH_PX), slant=rng.uniform(0, 0.25))
    colour = INK_COLOURS_BGR[int(rng.integers(len(INK_COLOURS_BGR)))]
    sheet = pictures.paper(height, width, tuple(int(level) for level in rng.integers(215, 245, 3)), rng)
    sheet = _ruled(sheet, paper_kind, np.random.default_rng(rng.integers(2**32)))
    ink = pictures.InkLayer(width, height)
    pictures.handwrite(ink, text, *place, digit_height, pen, rng)
    sheet = pictures.apply_ink(sheet, ink.coverage(), colour, 0.9)
    light = pictures.uneven_light(height, width, rng, gradient=rng.uniform(0.1, 0.3), vignette=0.2,
                                  shadow=rng.uniform(0, 0.3))
    turn_deg = rng.uniform(-MAX_TURN_DEG, MAX_TURN_DEG)
    if paper_kind == "turned_photo":  # the same draw, stretched: the other folders' photos stay as they were
        turn_deg = np.sign(turn_deg) * np.interp(abs(turn_deg), (0.0, MAX_TURN_DEG), TURNED_DEG)
    return text, pictures.camera(sheet, rng, light, angle_deg=turn_deg, keystone=rng.uniform(0, 0.06))


def _ruled(sheet: np.ndarray, paper_kind: str, rng: np.random.Generator) -> np.ndarray:
    """The page's printed rules or squares (none on plain paper), from their own random numbers, so that the
    three folders' photos differ only in them."""
    height, width = sheet.shape[:2]
    if paper_kind == "lined_photo":
        margin_px = rng.uniform(80, 160) if rng.random() < 0.5 else None
        rules, margin = pictures.ruled_lines(width, height, spacing_px=rng.uniform(*RULE_SPACING_PX),
                                             first_px=rng.uniform(40, 110), margin_px=margin_px)
        sheet = pictures.apply_ink(sheet, rules.coverage(), (205, 170, 140), 0.8)
        return pictures.apply_ink(sheet, margin.coverage(), (120, 110, 225), 0.8)
    if paper_kind == "squared_photo":
        return pictures.apply_ink(sheet, pictures.grid_lines(width, height, rng.uniform(*SQUARE_PX)).coverage(),
                                  (190, 170, 150), 0.7)
    return sheet


if __name__ == "__main__":
    sys.exit(main())
