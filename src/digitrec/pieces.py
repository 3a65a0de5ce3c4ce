"""Candidate digits: connected pieces of ink taken together (``Blob``), and the crop cut around one (``DigitCrop``).

What ``segment`` and ``cells`` find, join, split and finally hand to the network: a ``Blob`` names the
components of the label image it is made of, and its box; ``crop_of`` cuts its ink out of the ink map.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

FLAT_ASPECT = 3.0  # a piece this many times wider than tall is flat: a dash, a bar of ``=``, an underline

Judge = Callable[[list[np.ndarray]], np.ndarray]
"""Scores ink crops (bright ink on black, as ``DigitCrop.ink``): how much each looks like one digit, 0..1."""


@dataclass(frozen=True)
class DigitCrop:
    """One digit found in an image: where it is, and its ink for ``preprocess.to_mnist_form``."""

    box: tuple[int, int, int, int]  # x, y, w, h in the original image's pixels
    ink: np.ndarray  # float32 in [0, 1], bright ink on a dark background
    line: int  # index of the text line it belongs to, top to bottom


@dataclass(frozen=True)
class Blob:
    """A candidate digit: some connected components, cut to the columns [x0, x1)."""

    x0: int
    y0: int
    x1: int
    y1: int
    labels: frozenset[int]
    area: int
    flat: bool = False  # made only of pieces far wider than tall: a dash, the bars of ``=``, an underline
    own_ink: np.ndarray | None = field(default=None, compare=False)  # which pixels of the box are its ink, where
    # a cut along a loop gave it only part of its components; None: all of its components' pixels in the box

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def centre_y(self) -> float:
        return (self.y0 + self.y1) / 2


def blob_of(label: int, stat: np.ndarray) -> Blob:
    """The candidate that component ``label`` makes alone, from its row of ``cv2.connectedComponentsWithStats``."""
    x, y, width, height, area = (int(v) for v in stat)
    return Blob(x, y, x + width, y + height, frozenset({label}), area, width >= FLAT_ASPECT * height)


def merge(a: Blob, b: Blob, labels: np.ndarray | None = None) -> Blob:
    """``a`` and ``b`` as one candidate; ``labels`` is needed where either is a part cut along a loop."""
    merged = Blob(min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1), a.labels | b.labels, a.area + b.area,
                  a.flat and b.flat)
    if a.own_ink is None and b.own_ink is None:
        return merged
    own_ink = np.zeros((merged.height, merged.width), bool)
    for part in (a, b):
        own_ink[part.y0 - merged.y0: part.y1 - merged.y0, part.x0 - merged.x0: part.x1 - merged.x0] |= blob_ink(part, labels)
    return replace(merged, own_ink=own_ink)


def blob_ink(blob: Blob, labels: np.ndarray) -> np.ndarray:
    """Which pixels of the candidate's box are its own ink (its components, not a neighbour's reaching in)."""
    if blob.own_ink is not None:
        return blob.own_ink
    return np.isin(labels[blob.y0: blob.y1, blob.x0: blob.x1], list(blob.labels))


def crop_of(blob: Blob, ink: np.ndarray, labels: np.ndarray, scale_xy: tuple[float, float], line: int) -> DigitCrop:
    """``blob``'s own ink cut out of the ``ink`` map, its box scaled back to the picture's pixels (``scale_xy``: working
    size over the picture's), on text line ``line``."""
    region = (slice(blob.y0, blob.y1), slice(blob.x0, blob.x1))
    crop = np.where(blob_ink(blob, labels), ink[region], 0.0).astype(np.float32)
    scale_x, scale_y = scale_xy
    box = (round(blob.x0 / scale_x), round(blob.y0 / scale_y), round(blob.width / scale_x), round(blob.height / scale_y))
    return DigitCrop(box=box, ink=crop, line=line)


def in_border_band(blob: Blob, shape: tuple[int, int], band_fraction: float) -> bool:
    """Whether ``blob`` lies entirely in the band along one side of a picture of ``shape``, ``band_fraction`` of
    its width (height) wide."""
    height, width = shape
    band_x, band_y = band_fraction * width, band_fraction * height
    return blob.x1 <= band_x or blob.x0 >= width - band_x or blob.y1 <= band_y or blob.y0 >= height - band_y
