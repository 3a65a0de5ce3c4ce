"""Benign changes a user's picture of the same digits could show: another resolution, a tilt, JPEG, light falling
across it, coloured ink, a bitmap saved as greyscale, a looser crop.

A reader that sees the digits should read them the same way under each. ``benchmarks/robustness.py`` reads a
labelled set as stored and under each change, to find where the reader is tuned to how the set was stored
rather than to digits. Each change takes and gives an HxWx3 ``uint8`` RGB array and draws no random numbers.
"""
from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

Change = Callable[[np.ndarray], np.ndarray]

SHADED_DARKEST = 0.5  # the shaded picture's left edge gets this share of the light its right edge gets
CREAM_PAPER_RGB = (235, 225, 200)
BLUE_INK_RGB = (40, 60, 160)
SOFT_EDGE_SIGMA_PX = 0.6
LOOSE_MARGIN_FRACTION = 0.15  # of the picture's shorter side: the paper a looser crop leaves all round


def half_pixel_shift(rgb: np.ndarray) -> np.ndarray:
    """The picture moved half a pixel right and down, as a camera or scanner could have sampled it: each pixel
    becomes the mean of four (a slight blur), the size unchanged."""
    shift = np.float32([[1, 0, 0.5], [0, 1, 0.5]])
    return cv2.warpAffine(rgb, shift, (rgb.shape[1], rgb.shape[0]), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def jpeg(quality: int) -> Change:
    """Saved as JPEG at ``quality`` (a photo sent through a messaging app)."""
    def change(rgb: np.ndarray) -> np.ndarray:
        encoded = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])[1]
        return cv2.cvtColor(cv2.imdecode(encoded, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return change


def scaled(factor: float) -> Change:
    """Taken at ``factor`` times the resolution (area averaging down, cubic up)."""
    def change(rgb: np.ndarray) -> np.ndarray:
        height, width = rgb.shape[:2]
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC)
    return change


def rotated(degrees: float) -> Change:
    """Turned ``degrees`` anticlockwise about its centre, on a canvas grown to hold all of it (the ends of a long strip
    are not cut off), the corners filled with the ground's colour (``_ground``)."""
    def change(rgb: np.ndarray) -> np.ndarray:
        height, width = rgb.shape[:2]
        turn = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
        cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
        new_width, new_height = int(np.ceil(width * cos + height * sin)), int(np.ceil(height * cos + width * sin))
        turn[0, 2] += (new_width - width) / 2
        turn[1, 2] += (new_height - height) / 2
        ground = tuple(float(level) for level in _ground(rgb))
        return cv2.warpAffine(rgb, turn, (new_width, new_height), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=ground)
    return change


def _ground(rgb: np.ndarray) -> np.ndarray:
    """Each channel's median over the picture: most of a picture of digits is its ground (its edges may not be: a row
    of grid cells is cut along its rules)."""
    return np.median(rgb.reshape(-1, rgb.shape[2]), axis=0)


def shaded(rgb: np.ndarray) -> np.ndarray:
    """Light falling off across the picture: full at its right edge, ``SHADED_DARKEST`` of it at its left."""
    light = np.linspace(SHADED_DARKEST, 1.0, rgb.shape[1], dtype=np.float32)[None, :, None]
    return np.clip(rgb * light + 0.5, 0, 255).astype(np.uint8)


def blue_ink(rgb: np.ndarray) -> np.ndarray:
    """Blue ink on cream paper: each pixel's grey level placed between the two colours (white is the paper, black
    the ink), so the contrast is what a ballpoint pen on cheap paper gives."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)[..., None] / 255
    paper, ink = np.float32(CREAM_PAPER_RGB), np.float32(BLUE_INK_RGB)
    return (paper * grey + ink * (1 - grey) + 0.5).astype(np.uint8)


def soft_edges(rgb: np.ndarray) -> np.ndarray:
    """Edges softened by a Gaussian of ``SOFT_EDGE_SIGMA_PX``: a black-and-white bitmap becomes the greyscale scan
    it could have been (as USPS digits are stored), the size unchanged."""
    return cv2.GaussianBlur(rgb, (0, 0), SOFT_EDGE_SIGMA_PX)


def loose_crop(rgb: np.ndarray) -> np.ndarray:
    """The picture cut more loosely, as a hand crop leaves it: ``LOOSE_MARGIN_FRACTION`` of its shorter side of paper
    added all round, in the ground's colour (``_ground``). A row of grid cells then no longer reaches the edges with its
    cell sides."""
    margin = max(1, round(LOOSE_MARGIN_FRACTION * min(rgb.shape[:2])))
    ground = tuple(float(level) for level in _ground(rgb))
    return cv2.copyMakeBorder(rgb, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=ground)


def inverted(rgb: np.ndarray) -> np.ndarray:
    """Light digits on a dark ground where they were dark on light (a screen, a chalkboard)."""
    return 255 - rgb


CHANGES: dict[str, Change] = {
    "half-pixel-shift": half_pixel_shift,
    "jpeg-40": jpeg(40),
    "scale-0.8": scaled(0.8),
    "scale-1.25": scaled(1.25),
    "rotate+4": rotated(4),
    "rotate-4": rotated(-4),
    "shaded": shaded,
    "blue-ink": blue_ink,
    "soft-edges": soft_edges,
    "loose-crop": loose_crop,
    "inverted": inverted,
}
