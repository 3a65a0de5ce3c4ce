"""One digit crop -> the 28x28 MNIST-style input the network expects.

MNIST was made by scaling each digit so its longer side is 20 px (keeping the aspect ratio),
then placing it in a 28x28 field so its centre of mass sits in the middle. Doing the same to
a user's digit is what lets a network trained on MNIST read it. MNIST's pens also drew strokes
of a fairly even width (about 2.2 px in the 28x28 image); a felt pen or a bold font scaled down
gives blobs and a fine pen in a large picture gives hairlines, so strokes are brought to that
width too, and faint ink is brought to full strength.
"""
from __future__ import annotations

import cv2
import numpy as np

MNIST_SIZE_PX = 28
MNIST_DIGIT_BOX_PX = 20
INK_THRESHOLD = 0.1
STROKE_WORK_SCALE = 4
MNIST_STROKE_WIDTH_PX = 2.2
STROKE_TOLERANCE = 1.35
FULL_INK_PERCENTILE = 90


def to_mnist_form(ink: np.ndarray) -> np.ndarray:
    """Turn a crop with bright ink on a dark background into a 28x28 float32 image in [0, 1].

    ``ink`` may be any size, uint8 (0-255) or float (0-1). An empty crop gives an all-zero image.
    """
    ink = _as_unit_float(ink)
    cropped = crop_to_ink(ink)
    if cropped.size == 0:
        return np.zeros((MNIST_SIZE_PX, MNIST_SIZE_PX), np.float32)
    strong = _at_full_strength(cropped)
    enlarged = _scale_longer_side(strong, MNIST_DIGIT_BOX_PX * STROKE_WORK_SCALE)
    evened = crop_to_ink(_with_stroke_width(enlarged, MNIST_STROKE_WIDTH_PX * STROKE_WORK_SCALE))
    if evened.size == 0:  # faint hairlines spread thin (a large crop of squared paper's grid) fall under the threshold
        return np.zeros((MNIST_SIZE_PX, MNIST_SIZE_PX), np.float32)
    return _place_by_centre_of_mass(_scale_longer_side(evened, MNIST_DIGIT_BOX_PX))


def _at_full_strength(ink: np.ndarray) -> np.ndarray:
    """Scale ink so that most stroke pixels reach 1, as MNIST's do (faint pencil reads like pen)."""
    full = float(np.percentile(ink[ink > INK_THRESHOLD], FULL_INK_PERCENTILE))
    return np.clip(ink / full, 0.0, 1.0)


def stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width in pixels: twice the ink area over its outline length (a long stroke of width w has area ~ w * length)."""
    binary = (ink > 0.5).astype(np.uint8)
    contours, _ = cv2.findContours(binary, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    outline = sum(cv2.arcLength(contour, True) for contour in contours)
    return 2.0 * float(binary.sum()) / outline if outline > 0 else 0.0


def _with_stroke_width(ink: np.ndarray, target_px: float) -> np.ndarray:
    """Erode blobs and dilate hairlines towards ``target_px``; widths within ``STROKE_TOLERANCE`` are kept."""
    width = stroke_width(ink)
    if width == 0.0 or target_px / STROKE_TOLERANCE <= width <= target_px * STROKE_TOLERANCE:
        return ink
    radius = int(round(abs(width - target_px) / 2))
    if radius == 0:
        return ink
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    padded = cv2.copyMakeBorder(ink, radius, radius, radius, radius, cv2.BORDER_CONSTANT, value=0.0)
    return cv2.erode(padded, kernel) if width > target_px else cv2.dilate(padded, kernel)


def _as_unit_float(image: np.ndarray) -> np.ndarray:
    if image.ndim != 2:
        raise ValueError(f"expected a 2-D greyscale crop, got shape {image.shape}")
    if image.dtype == np.uint8:
        return image.astype(np.float32) / 255.0
    return np.clip(image.astype(np.float32), 0.0, 1.0)


def crop_to_ink(ink: np.ndarray, threshold: float = INK_THRESHOLD) -> np.ndarray:
    """The smallest rectangle holding every pixel brighter than ``threshold``."""
    rows = np.flatnonzero((ink > threshold).any(axis=1))
    cols = np.flatnonzero((ink > threshold).any(axis=0))
    if rows.size == 0:
        return ink[:0, :0]
    return ink[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]


def _scale_longer_side(image: np.ndarray, target_px: int) -> np.ndarray:
    height, width = image.shape
    factor = target_px / max(height, width)
    new_size = (max(1, round(width * factor)), max(1, round(height * factor)))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return cv2.resize(image, new_size, interpolation=interpolation)


def _place_by_centre_of_mass(digit: np.ndarray) -> np.ndarray:
    """Paste ``digit`` into a 28x28 field with its centre of mass at the centre (sub-pixel, as MNIST)."""
    height, width = digit.shape
    total = float(digit.sum())
    if total > 0:
        ys, xs = np.indices(digit.shape)
        centre_y = float((ys * digit).sum()) / total
        centre_x = float((xs * digit).sum()) / total
    else:
        centre_y, centre_x = (height - 1) / 2, (width - 1) / 2
    middle = (MNIST_SIZE_PX - 1) / 2
    shift = np.float32([[1, 0, middle - centre_x], [0, 1, middle - centre_y]])
    placed = cv2.warpAffine(
        digit, shift, (MNIST_SIZE_PX, MNIST_SIZE_PX), flags=cv2.INTER_LINEAR, borderValue=0.0
    )
    return np.clip(placed, 0.0, 1.0).astype(np.float32)
