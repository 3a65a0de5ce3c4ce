"""Printed numbers cut out close around their digits (house numbers, prices, plates), read three ways.

Not a sample of real pictures: each item is a 2-4 digit number drawn in one of the fonts installed on
the machine (the same fonts `digitrec.printed` finds), dark on light or light on dark in random
colours, slightly blurred and noisy. Three folders, the same numbers in each:

- ``loose_80``: 80-pixel type with a margin of a third of the type's height around it (a control);
- ``tight_80``: the same, cropped to the digits' own box plus 2-25% of their height above and below;
- ``tight_250``: 250-pixel type cropped the same way (a close-up, its shorter side over 200 px);
- ``symbols_80``: as ``loose_80``, with a currency sign, ``#``, ``No``, a unit or brackets around the
  number; the label is still the digits alone (a price tag, a house number plate).

Tight crops are where strokes can be bolder than the light window that evens out a photo. The folders
are written to a temporary directory and read by ``realworld.py`` (digitrec, the naive pipeline and
Tesseract in the same run, the same scoring).

    python benchmarks/printed_numbers.py                 # --count N, --seed S, --keep DIR, --json
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from digitrec.printed import find_digit_fonts
import synthetic

COUNT = 150
SEED = 2026
LOOSE_MARGIN_FRACTION = 1 / 3
TIGHT_MARGIN_FRACTION = (0.02, 0.25)
SETS = (("loose_80", 80, False, False), ("tight_80", 80, True, False), ("tight_250", 250, True, False),
        ("symbols_80", 80, False, True))  # name, type size, cropped tight, with symbols around the number
SYMBOLS = (("$", ""), ("€ ", ""), ("#", ""), ("No ", ""), ("", " kg"), ("(", ")"), ("", " €"), ("", "%"))
NOISE_SIGMA = 6.0
BLUR_SIGMA_PER_SIZE = (0.004, 0.015)  # of the type size


def main(argv: list[str] | None = None) -> int:
    args = synthetic.parser(__doc__, COUNT, SEED, "numbers").parse_args(argv)
    fonts = find_digit_fonts()
    if not fonts:
        print("printed_numbers.py: error: no font with digits installed (apt-get install fonts-dejavu)", file=sys.stderr)
        return 2
    return synthetic.read_folders(args, lambda folder: write_sets(folder, fonts, args.count, np.random.default_rng(args.seed)))


def write_sets(folder: Path, fonts: list[Path], count: int, rng: np.random.Generator) -> None:
    """One labelled folder per entry of ``SETS``, the same numbers, fonts and colours in each."""
    numbers = [_number(rng) for _ in range(count)]
    looks = [(fonts[rng.integers(len(fonts))], *_colours(rng), rng.uniform(*BLUR_SIGMA_PER_SIZE),
              rng.uniform(*TIGHT_MARGIN_FRACTION), int(rng.integers(1 << 30))) for _ in range(count)]
    symbols = [SYMBOLS[rng.integers(len(SYMBOLS))] for _ in range(count)]  # drawn last: the other folders stay as they were
    for name, size_px, tight, with_symbols in SETS:
        (folder / name / "images").mkdir(parents=True, exist_ok=True)
        with open(folder / name / "labels.csv", "w", newline="") as labels:
            writer = csv.writer(labels)
            writer.writerow(["file", "label", "kind"])
            for index, (number, (before, after), (font, paper, ink, blur, margin, noise_seed)) in enumerate(zip(numbers, symbols, looks)):
                text = before + number + after if with_symbols else number
                picture = _draw(text, font, size_px, paper, ink, LOOSE_MARGIN_FRACTION if not tight else margin, tight)
                picture = _camera(picture, blur * size_px, np.random.default_rng(noise_seed))
                file = f"images/{name}-{index:04d}.png"
                cv2.imwrite(str(folder / name / file), cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
                writer.writerow([file, number, "multi"])


def _number(rng: np.random.Generator) -> str:
    return "".join(str(digit) for digit in rng.integers(0, 10, int(rng.integers(2, 5))))


def _colours(rng: np.random.Generator) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Paper and ink of one hue family, far apart in brightness; which is the light one is random."""
    hue = rng.integers(0, 256, 3).astype(float)
    light = tuple(int(v) for v in np.clip(hue * 0.3 + 180, 0, 255))
    dark = tuple(int(v) for v in hue * 0.35)
    return (light, dark) if rng.random() < 0.5 else (dark, light)


def _draw(number: str, font_path: Path, size_px: int, paper: tuple, ink: tuple, margin_fraction: float, tight: bool) -> np.ndarray:
    """The number on a large page, then cut to its digits' box plus the margin (above and below only
    when ``tight``: the digits touch the left and right edges)."""
    font = ImageFont.truetype(str(font_path), size_px)
    page = Image.new("RGB", (int(font.getlength(number)) + 4 * size_px, 4 * size_px), paper)
    draw = ImageDraw.Draw(page)
    draw.text((2 * size_px, 2 * size_px), number, font=font, fill=ink, anchor="lm")
    left, top, right, bottom = draw.textbbox((2 * size_px, 2 * size_px), number, font=font, anchor="lm")
    margin = int(round(margin_fraction * (bottom - top)))
    side = 0 if tight else margin
    return np.array(page)[top - margin: bottom + margin, left - side: right + side]


def _camera(picture: np.ndarray, blur_sigma: float, rng: np.random.Generator) -> np.ndarray:
    noisy = picture.astype(np.float32) + rng.normal(0, NOISE_SIGMA, picture.shape)
    return cv2.GaussianBlur(np.clip(noisy, 0, 255).astype(np.uint8), (0, 0), max(0.3, blur_sigma))


if __name__ == "__main__":
    sys.exit(main())
