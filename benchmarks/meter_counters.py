"""Phone photos of a utility meter's drum counter read whole: a row of windows in a frame, a printed digit on each drum.

Not a sample of real pictures: each is drawn with the fonts the machine has (``digitrec.printed``) and the
example-maker's camera (``tools/make_examples.py``): 4-8 windows 44-60 px wide and 70-90 px tall, frame bars 6-22 px
between them, the frame dark or light grey in a grey housing, a digit 60 px high on each drum (a third of the counters
have their last drum red, as water meters mark the litres), light falling across and a glare, the phone within 3
degrees of level, 0.8-1.3 times the size (the counter at most 0.9 of the width), saved as a JPEG of 750x500. Two
folders, the same digits in the same places:

- ``dark_drums``: light digits on black drums;
- ``light_drums``: dark digits on white drums.

The development set's meters are single windows cut from such counters; a user photographs the whole counter.
The folders are written to a temporary directory and read by ``realworld.py`` (digitrec, the naive pipeline and
Tesseract in the same run, the same scoring).

    python benchmarks/meter_counters.py                 # --count N, --seed S, --keep DIR, --json
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
DIGITS = (4, 8)
WINDOW_WIDTH_PX = (44, 60)
WINDOW_HEIGHT_PX = (70, 90)
BAR_PX = (6, 22)
DIGIT_PX = 60
RED_LAST_SHARE = 0.3
MAX_TURN_DEG = 3.0
SCALE = (0.8, 1.3)
JPEG_QUALITY = 88
FOLDERS = ("dark_drums", "light_drums")
DRUM_INK_RGB = {"dark_drums": ((25, 25, 25), (235, 235, 225)), "light_drums": ((230, 230, 220), (20, 20, 20))}
RED_DRUM_INK_RGB = ((170, 20, 20), (240, 240, 240))


def main(argv: list[str] | None = None) -> int:
    args = synthetic.parser(__doc__, COUNT, SEED, "photos").parse_args(argv)
    return synthetic.read_folders(args, lambda folder: write_sets(folder, args.count, args.seed))


def write_sets(folder: Path, count: int, seed: int) -> None:
    """``count`` photos per folder; photo ``i`` of both folders shows the same digits on the same counter."""
    fonts = synthetic.printed_fonts()
    synthetic.write_photo_folders(folder, FOLDERS, count, seed, JPEG_QUALITY,
                                  lambda name, rng: photograph(name, rng, fonts))


def photograph(folder: str, rng: np.random.Generator, fonts: list[Path]) -> tuple[str, np.ndarray]:
    """A number and a BGR photo of it on a drum counter with ``folder``'s drums."""
    text = "".join(str(digit) for digit in rng.integers(0, 10, int(rng.integers(DIGITS[0], DIGITS[1] + 1))))
    font = ImageFont.truetype(str(fonts[int(rng.integers(len(fonts)))]), DIGIT_PX)
    window_width, window_height = int(rng.integers(*WINDOW_WIDTH_PX)), int(rng.integers(*WINDOW_HEIGHT_PX))
    bar = int(rng.integers(*BAR_PX))
    frame_grey = int(rng.integers(0, 80)) if rng.random() < 0.6 else int(rng.integers(150, 220))
    red_last = rng.random() < RED_LAST_SHARE
    width, height = SIZE_PX
    scene = Image.new("RGB", SIZE_PX, (int(rng.integers(90, 200)),) * 3)  # the meter's housing
    draw = ImageDraw.Draw(scene)
    counter_width, counter_height = len(text) * window_width + (len(text) + 1) * bar, window_height + 2 * bar
    left, top = (width - counter_width) // 2, (height - counter_height) // 2
    draw.rectangle([left, top, left + counter_width, top + counter_height], fill=(frame_grey,) * 3)
    for index, digit in enumerate(text):
        x, y = left + bar + index * (window_width + bar), top + bar
        drum, ink = RED_DRUM_INK_RGB if red_last and index == len(text) - 1 else DRUM_INK_RGB[folder]
        draw.rectangle([x, y, x + window_width, y + window_height], fill=drum)
        box = draw.textbbox((0, 0), digit, font=font)
        roll_px = int(rng.integers(-4, 5))  # a drum a little ahead of or behind its neighbours
        draw.text((x + (window_width - box[2] + box[0]) / 2 - box[0], y + (window_height - box[3] + box[1]) / 2 - box[1] + roll_px),
                  digit, font=font, fill=ink)
    bgr = cv2.cvtColor(np.asarray(scene), cv2.COLOR_RGB2BGR).astype(np.float32)
    photo = synthetic.photographed(bgr, rng, SCALE, counter_width, gradient=(0.1, 0.4), max_turn_deg=MAX_TURN_DEG)
    return text, photo


if __name__ == "__main__":
    sys.exit(main())
