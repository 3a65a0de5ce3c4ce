"""Made pictures and photographs: how the ink map tells them apart, and that a made bitmap is read whole."""
from __future__ import annotations

import cv2
import numpy as np

from digitrec.ink import is_bilevel, is_bitmap
from digitrec.perturb import half_pixel_shift, jpeg
from digitrec.segment import find_digits


def stretched_seven(side_px: int = 16) -> np.ndarray:
    """A 7 stretched to fill a grey bitmap, as USPS stores its digits: its bar runs along the top edge."""
    drawing = np.full((64, 64), 255, np.uint8)
    cv2.line(drawing, (14, 4), (63, 4), 0, 9, cv2.LINE_AA)  # from right of the foot of its stem
    cv2.line(drawing, (60, 4), (4, 63), 0, 9, cv2.LINE_AA)
    grey = cv2.resize(drawing, (side_px, side_px), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)


def test_a_grey_bitmap_is_a_made_picture_though_not_black_and_white():
    seven = stretched_seven()
    assert not is_bilevel(seven) and is_bitmap(seven)


def test_a_black_and_white_bitmap_moved_half_a_pixel_or_stored_as_jpeg_is_still_a_bitmap():
    bitmap = np.full((16, 16, 3), 255, np.uint8)
    cv2.ellipse(bitmap, (8, 8), (5, 6), 0, 0, 360, (0, 0, 0), 2)
    assert is_bilevel(bitmap)
    for changed in (half_pixel_shift(bitmap), jpeg(40)(bitmap)):
        assert not is_bilevel(changed) and is_bitmap(changed)


def test_the_same_digit_with_a_photos_grain_or_light_is_not_a_bitmap():
    seven = cv2.resize(stretched_seven(), (48, 48), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    grain = np.random.default_rng(3).normal(0, 3, seven.shape[:2])[..., None]
    light = np.linspace(-25, 0, 48, dtype=np.float32)[None, :, None]
    for photographed in (seven + grain, seven * 0.8 + light + 30):
        assert not is_bitmap(np.clip(photographed, 0, 255).astype(np.uint8))


def test_a_grey_bitmap_that_a_digit_fills_is_kept_whole():
    """A bitmap scaled to 16x16 (USPS) or moved by half a pixel is grey along its strokes, but its ground is
    flat to the grey level: a made picture, not a photographed cell, so a 7's bar along its top edge is
    the digit's, not a grid line's remains."""
    for side_px in (16, 28):
        [[crop]] = find_digits(stretched_seven(side_px), single=True)
        x, y, width, height = crop.box
        assert y == 0 and width >= side_px - 1 and height == side_px
