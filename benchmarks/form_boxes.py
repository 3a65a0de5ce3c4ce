"""Phone photos of a form's row of boxes (a comb field) with a digit handwritten in each box, read three ways.

Not a sample of real pictures: each is drawn with the pen, paper, light and camera that make the example
pictures (``tools/make_examples.py``): a row of 4-10 printed boxes, 36-56 px a side, lines 1.5-3 px wide, on a
1000x750 page held within 3 degrees of level, a digit 60-80% of the box's height handwritten in each box, saved
as a JPEG. Two folders, the same digits in the same places:

- ``boxes_page``: the boxes printed round the digits;
- ``spaced_page``: no boxes (a control: the digits alone).

Where a row of boxes is shorter than the lines ``digitrec.lines`` takes out, its boxes are one piece of ink
holding every digit. The folders are written to a temporary directory and read by ``realworld.py``
(digitrec, the naive pipeline and Tesseract in the same run, the same scoring).

    python benchmarks/form_boxes.py                 # --count N, --seed S, --keep DIR, --json
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
DIGITS = (4, 10)
BOX_PX = (36.0, 56.0)
BOX_LINE_PX = (1.5, 3.0)
BOX_COLOUR_BGR = (150, 110, 80)
DIGIT_HEIGHT_FRACTION = (0.6, 0.8)  # of the box's side
PEN_WIDTH_PX = (2.0, 4.0)
MAX_TURN_DEG = 3.0
JPEG_QUALITY = 88
FOLDERS = ("boxes_page", "spaced_page")


def main(argv: list[str] | None = None) -> int:
    args = synthetic.parser(__doc__, COUNT, SEED, "photos").parse_args(argv)
    return synthetic.read_folders(args, lambda folder: write_sets(folder, args.count, args.seed))


def write_sets(folder: Path, count: int, seed: int) -> None:
    """``count`` photos per folder; photo ``i`` of both folders shows the same digits, written the same way."""
    synthetic.write_photo_folders(folder, FOLDERS, count, seed, JPEG_QUALITY, photograph)


def photograph(folder: str, rng: np.random.Generator) -> tuple[str, np.ndarray]:
    """A number and a BGR photo of it handwritten into a row of boxes (``boxes_page``) or the same places without."""
    width, height = SIZE_PX
    text = "".join(str(digit) for digit in rng.integers(0, 10, int(rng.integers(DIGITS[0], DIGITS[1] + 1))))
    box_px = rng.uniform(*BOX_PX)
    left = rng.uniform(60, width - 60 - box_px * len(text))
    top = rng.uniform(150, height - 150 - box_px)
    sheet = pictures.paper(height, width, tuple(int(level) for level in rng.integers(225, 250, 3)), rng)
    boxes = pictures.InkLayer(width, height)
    line_px = rng.uniform(*BOX_LINE_PX)
    for edge in (top, top + box_px):
        boxes.line((left, edge), (left + box_px * len(text), edge), line_px)
    for index in range(len(text) + 1):
        boxes.line((left + index * box_px, top), (left + index * box_px, top + box_px), line_px)
    if folder == "boxes_page":
        sheet = pictures.apply_ink(sheet, boxes.coverage(), BOX_COLOUR_BGR, 0.9)
    ink = pictures.InkLayer(width, height)
    pen = pictures.Pen(width_px=rng.uniform(*PEN_WIDTH_PX), slant=rng.uniform(0, 0.2))
    for index, digit in enumerate(text):
        digit_height = box_px * rng.uniform(*DIGIT_HEIGHT_FRACTION)
        x = left + index * box_px + (box_px - 0.55 * digit_height) / 2
        pictures.handwrite(ink, digit, x, top + (box_px - digit_height) / 2, digit_height, pen, rng)
    sheet = pictures.apply_ink(sheet, ink.coverage(), (40, 35, 30), 0.9)
    light = pictures.uneven_light(height, width, rng, gradient=rng.uniform(0.1, 0.3), vignette=0.2,
                                  shadow=rng.uniform(0, 0.3))
    turn_deg = rng.uniform(-MAX_TURN_DEG, MAX_TURN_DEG)
    return text, pictures.camera(sheet, rng, light, angle_deg=turn_deg, keystone=rng.uniform(0, 0.04))


if __name__ == "__main__":
    sys.exit(main())
