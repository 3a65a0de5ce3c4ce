"""Phone photos of a printed number on a panel (a screen, a sign, a plate) with the room round it, read two ways.

Not a sample of real pictures: each is drawn as ``meter_counters.py`` draws its counters (the machine's plain fonts,
the example-maker's camera, a glare, the phone within 3 degrees of level, JPEG 750x500): a number of 3-7 digits
40-90 px high on a panel 5-40% wider than the number and 1.6-3 times as tall as its digits, in the middle of a
surround of another shade. Two folders, the same numbers in the same places:

- ``dark_panel``: light digits on a dark panel in a light room (a phone's screen, a house number's plate);
- ``light_panel``: dark digits on a light panel in a dark room (a label on a dark machine).

The folders are written to a temporary directory and read by ``realworld.py`` (digitrec, the naive pipeline and
Tesseract in the same run, the same scoring).

    python benchmarks/panels.py                 # --count N, --seed S, --keep DIR, --json
"""
from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

import synthetic

COUNT = 32
SEED = 2026
SIZE_PX = (750, 500)
DIGITS = (3, 7)
DIGIT_PX = (40, 90)
PANEL_WIDTH_FACTOR = (1.05, 1.4)  # of the number's width
PANEL_HEIGHT_FACTOR = (1.6, 3.0)  # of the digits' height
DARK_GREY = (10, 70)
LIGHT_GREY = (170, 240)
MAX_TURN_DEG = 3.0
SCALE = (0.8, 1.2)
JPEG_QUALITY = 88
FOLDERS = ("dark_panel", "light_panel")


def main(argv: list[str] | None = None) -> int:
    args = synthetic.parser(__doc__, COUNT, SEED, "photos").parse_args(argv)
    return synthetic.read_folders(args, lambda folder: write_sets(folder, args.count, args.seed))


def write_sets(folder: Path, count: int, seed: int) -> None:
    """``count`` photos per folder; photo ``i`` of both folders shows the same number on the same panel."""
    fonts = synthetic.printed_fonts()
    synthetic.write_photo_folders(folder, FOLDERS, count, seed, JPEG_QUALITY,
                                  lambda name, rng: photograph(name, rng, fonts))


def photograph(folder: str, rng: np.random.Generator, fonts: list[Path]) -> tuple[str, np.ndarray]:
    """A number and a BGR photo of it on ``folder``'s panel."""
    text = "".join(str(digit) for digit in rng.integers(0, 10, int(rng.integers(DIGITS[0], DIGITS[1] + 1))))
    font = ImageFont.truetype(str(fonts[int(rng.integers(len(fonts)))]), int(rng.integers(*DIGIT_PX)))
    dark, light = int(rng.integers(*DARK_GREY)), int(rng.integers(*LIGHT_GREY))
    panel, ink, room = (dark, light, light) if folder == "dark_panel" else (light, dark, dark)
    width, height = SIZE_PX
    scene = Image.new("RGB", SIZE_PX, (room,) * 3)
    draw = ImageDraw.Draw(scene)
    box = draw.textbbox((0, 0), text, font=font)
    text_width, text_height = box[2] - box[0], box[3] - box[1]
    panel_width = min(int(text_width * rng.uniform(*PANEL_WIDTH_FACTOR)), width - 40)
    panel_height = min(int(text_height * rng.uniform(*PANEL_HEIGHT_FACTOR)), height - 40)
    left, top = (width - panel_width) // 2, (height - panel_height) // 2
    draw.rectangle([left, top, left + panel_width, top + panel_height], fill=(panel,) * 3)
    draw.text((left + (panel_width - text_width) / 2 - box[0], top + (panel_height - text_height) / 2 - box[1]), text,
              font=font, fill=(ink,) * 3)
    bgr = cv2.cvtColor(np.asarray(scene), cv2.COLOR_RGB2BGR).astype(np.float32)
    photo = synthetic.photographed(bgr, rng, SCALE, panel_width, gradient=(0.1, 0.3), max_turn_deg=MAX_TURN_DEG)
    return text, photo


if __name__ == "__main__":
    sys.exit(main())
