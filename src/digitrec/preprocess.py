"""One digit crop -> the 28x28 MNIST-style input the network expects.

MNIST was made by scaling each digit so its longer side is 20 px (keeping the aspect ratio),
then placing it in a 28x28 field so its centre of mass sits in the middle. Doing the same to
a user's digit is what lets a network trained on MNIST read it.
"""
from __future__ import annotations

import cv2
import numpy as np

MNIST_SIZE_PX = 28
MNIST_DIGIT_BOX_PX = 20
INK_THRESHOLD = 0.1


def to_mnist_form(ink: np.ndarray) -> np.ndarray:
    """Turn a crop with bright ink on a dark background into a 28x28 float32 image in [0, 1].

    ``ink`` may be any size, uint8 (0-255) or float (0-1). An empty crop gives an all-zero image.
    """
    ink = _as_unit_float(ink)
    cropped = crop_to_ink(ink)
    if cropped.size == 0:
        return np.zeros((MNIST_SIZE_PX, MNIST_SIZE_PX), np.float32)
    scaled = _scale_longer_side(cropped, MNIST_DIGIT_BOX_PX)
    peak = float(scaled.max())
    if peak > 0:
        scaled = scaled / peak
    return _place_by_centre_of_mass(scaled)


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
