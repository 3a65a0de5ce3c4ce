"""Photographed digits: font and MNIST digits put into camera-like crops and read back by the reader."""
from __future__ import annotations

import numpy as np
import pytest

from digitrec.photographed import photographed_digits
from digitrec.printed import FontsError


def _handwritten() -> tuple[np.ndarray, np.ndarray]:
    """Stand-ins for MNIST training digits: a bar per label, bright on black."""
    import cv2

    images = np.zeros((20, 28, 28), np.float32)
    for image in images:
        cv2.line(image, (14, 5), (14, 23), 1.0, 3)
    return images, np.arange(20) % 10


def test_gives_mnist_form_inputs_with_their_labels(fonts):
    images, labels = photographed_digits(60, seed=1, handwritten=_handwritten()[0], handwritten_labels=_handwritten()[1], fonts=fonts)
    assert images.shape == (60, 28, 28) and images.dtype == np.float32 and labels.shape == (60,)
    assert set(labels) <= set(range(10)) and len(set(labels)) >= 8
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert (images.reshape(60, -1).max(axis=1) > 0.5).all()  # the reader found a digit in every crop it kept
    inked_rows = (images > 0.1).any(axis=2).sum(axis=1)
    assert np.median(inked_rows) >= 18  # scaled as MNIST: the longer side near 20 px, the digits upright


def test_same_seed_same_digits_and_another_seed_others(fonts):
    handwritten, labels = _handwritten()
    first = photographed_digits(12, seed=3, handwritten=handwritten, handwritten_labels=labels, fonts=fonts)
    again = photographed_digits(12, seed=3, handwritten=handwritten, handwritten_labels=labels, fonts=fonts)
    other = photographed_digits(12, seed=4, handwritten=handwritten, handwritten_labels=labels, fonts=fonts)
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


def test_without_fonts_says_how_to_train_without_them():
    handwritten, labels = _handwritten()
    with pytest.raises(FontsError, match="--photographed 0"):
        photographed_digits(5, seed=1, handwritten=handwritten, handwritten_labels=labels, fonts=[])
