"""Phone photos of a number on a page, held level and held at an angle, read three ways.

Not a sample of real pictures: each is drawn with the paper, light and camera that make the example
pictures (``tools/make_examples.py``): a number of 3-7 digits in the middle of a 1000x750 page, printed
in a bold system font or handwritten with the examples' pen, light falling off and a shadow over a
corner, saved as a JPEG. Four folders, the same numbers in each:

- ``printed_level``: printed, 50-110 px tall, the phone held within 3 degrees of level (a control);
- ``printed_turned``: the same page, the phone held at 8-25 degrees either way;
- ``spaced_level``: handwritten 60-120 px tall with gaps of 0.6-1.0 of a digit's height between digits,
  as numbers are written into a form's boxes or spaced out for reading (a control);
- ``spaced_turned``: the same page held at 8-25 degrees either way.

A turned number's line slants as much as the page: where its digits stand apart, a grouping into
level lines cuts it into a line per digit or two. (``ruled_photos.py``'s ``turned_photo`` holds
numbers written close together, turned 8-20 degrees.) The folders are written to a temporary directory
and read by ``realworld.py`` (digitrec, the naive pipeline and Tesseract in the same run, the same
scoring).

    python benchmarks/turned_pages.py                 # --count N, --seed S, --keep DIR, --json
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
SIZE_PX = (1000, 750)
DIGITS = (3, 7)
PRINTED_HEIGHT_PX = (50.0, 110.0)
WRITTEN_HEIGHT_PX = (60.0, 120.0)
WRITTEN_SPACING = (0.6, 1.0)  # gap between handwritten digits, in digit heights
PEN_WIDTH_PX = (3.0, 6.0)
LEVEL_MAX_DEG = 3.0
TURNED_DEG = (8.0, 25.0)
JPEG_QUALITY = 88
FOLDERS = ("printed_level", "printed_turned", "spaced_level", "spaced_turned")


def main(argv: list[str] | None = None) -> int:
    args = synthetic.parser(__doc__, COUNT, SEED, "photos").parse_args(argv)
    return synthetic.read_folders(args, lambda folder: write_sets(folder, args.count, args.seed))


def write_sets(folder: Path, count: int, seed: int) -> None:
    """``count`` photos per folder; photo ``i`` of the level and turned folders shows the same page."""
    synthetic.write_photo_folders(folder, FOLDERS, count, seed, JPEG_QUALITY, photograph)


def photograph(folder: str, rng: np.random.Generator) -> tuple[str, np.ndarray]:
    """A number and a BGR photo of the page it is on, for the folder named ``folder`` (a ``FOLDERS`` name)."""
    width, height = SIZE_PX
    text = "".join(str(digit) for digit in rng.integers(0, 10, int(rng.integers(DIGITS[0], DIGITS[1] + 1))))
    sheet = pictures.paper(height, width, tuple(int(level) for level in rng.integers(215, 245, 3)), rng)
    ink = pictures.InkLayer(width, height)
    if folder.startswith("printed"):
        digit_height = rng.uniform(*PRINTED_HEIGHT_PX)
        pictures.print_text(ink, text, width / 2 - 0.35 * digit_height * len(text), height / 2 - digit_height / 2,
                            digit_height, rng)
    else:
        digit_height = rng.uniform(*WRITTEN_HEIGHT_PX)
        spacing = rng.uniform(*WRITTEN_SPACING)
        pen = pictures.Pen(width_px=rng.uniform(*PEN_WIDTH_PX), slant=rng.uniform(0, 0.2), spacing=spacing)
        left = width / 2 - 0.5 * len(text) * digit_height * (0.55 + spacing)
        pictures.handwrite(ink, text, left, height / 2 - digit_height / 2, digit_height, pen, rng)
    sheet = pictures.apply_ink(sheet, ink.coverage(), (40, 35, 30), 0.9)
    light = pictures.uneven_light(height, width, rng, gradient=rng.uniform(0.1, 0.3), vignette=0.2,
                                  shadow=rng.uniform(0, 0.3))
    turn = rng.uniform(-1.0, 1.0)
    turn_deg = LEVEL_MAX_DEG * turn if folder.endswith("level") else np.sign(turn) * np.interp(abs(turn), (0.0, 1.0), TURNED_DEG)
    return text, pictures.camera(sheet, rng, light, angle_deg=turn_deg, keystone=rng.uniform(0, 0.04))


if __name__ == "__main__":
    sys.exit(main())
