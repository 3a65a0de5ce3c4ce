"""Ones as much of Europe and Latin America writes them, made from MNIST's ones, for training.

MNIST's handwriting comes from American writers, whose ``1`` is a single stroke. Many other writers
(Semeion's Italian scans, Chilean cheques) start a ``1`` with a lead-in stroke from its top down to
the left. A network that never saw that reads such a ``1`` as a ``7``, and a wholeness judge that
never saw it finds it not whole. Here MNIST ones get that lead-in drawn on, at the thickness of
their own stroke. (A foot is left out: on a slanted one it makes a ``2``.)
"""
from __future__ import annotations

import cv2
import numpy as np

from digitrec.preprocess import crop_to_ink, to_mnist_form

UPSCALE = 4  # drawn on at 4x, as a pen would, then brought back to MNIST form
LEAD_IN_LENGTH_FRACTION = (0.15, 0.5)  # of the one's height
LEAD_IN_ANGLE_DEG = (25, 65)  # below the horizontal, going left: flatter than this is a 7's bar
INK_LEVEL = 0.5


def lead_in_ones(ones: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` ones with a lead-in stroke (N x 28 x 28 float32, MNIST form), each made from a random one
    of ``ones`` (N x 28 x 28, uint8 or float in [0, 1])."""
    made = np.empty((count, 28, 28), np.float32)
    for i in range(count):
        one = ones[rng.integers(len(ones))]
        made[i] = to_mnist_form(with_lead_in(one.astype(np.float32) / 255.0 if one.dtype == np.uint8 else one, rng))
    return made


def with_lead_in(one: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A one (bright ink on black) with a lead-in stroke from the top of its stem down to the left,
    returned cut to its ink."""
    ink = cv2.resize(crop_to_ink(one), None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_CUBIC).clip(0, 1)
    height = ink.shape[0]
    rows = np.flatnonzero(ink.max(axis=1) > INK_LEVEL)
    if rows.size < 2:
        return ink
    canvas = cv2.copyMakeBorder(ink, height, height, height, height, cv2.BORDER_CONSTANT, value=0.0)
    thickness = max(2, int(round((ink > INK_LEVEL).sum() / rows.size)))  # the stem's width: ink per row
    top = _stem_top(ink, rows[0])
    length = rng.uniform(*LEAD_IN_LENGTH_FRACTION) * height
    angle = np.radians(rng.uniform(*LEAD_IN_ANGLE_DEG))
    _stroke(canvas, top, (top[0] - length * np.cos(angle), top[1] + length * np.sin(angle)), thickness, height)
    return crop_to_ink(canvas)


def _stem_top(ink: np.ndarray, row: int) -> tuple[float, float]:
    """Where the stem's top is: the middle of the ink in its top ``row``."""
    columns = np.flatnonzero(ink[row] > INK_LEVEL)
    return float(columns.mean()), float(row)


def _stroke(canvas: np.ndarray, start: tuple[float, float], end: tuple[float, float], thickness: int, offset: int) -> None:
    points = [(int(round(x + offset)), int(round(y + offset))) for x, y in (start, end)]
    cv2.line(canvas, points[0], points[1], 1.0, thickness, cv2.LINE_AA)
