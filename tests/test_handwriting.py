"""Ones with a lead-in stroke, made from MNIST-like ones for training."""
from __future__ import annotations

import cv2
import numpy as np

from digitrec.handwriting import lead_in_ones, with_lead_in


def upright_one() -> np.ndarray:
    image = np.zeros((28, 28), np.float32)
    cv2.line(image, (14, 4), (14, 23), 1.0, 2)
    return image


def test_the_lead_in_runs_from_the_top_of_the_stem_down_to_the_left():
    one = with_lead_in(upright_one(), np.random.default_rng(0))
    ink = one > 0.5
    rows, columns = np.nonzero(ink)
    stem_column = columns[rows == rows.min()].mean()
    assert one.shape[1] > 3 * 2 * 4  # wider than the stem alone (2 px at 4x, cut to its ink)
    assert stem_column > one.shape[1] / 2  # the stem stands right of the lead-in
    leftmost_rows = rows[columns == columns.min()]
    assert leftmost_rows.min() > rows.min()  # the lead-in's end lies below the stem's top


def test_lead_in_ones_are_in_mnist_form_and_repeat_with_the_seed():
    ones = np.stack([upright_one()] * 3)
    first = lead_in_ones((ones * 255).astype(np.uint8), 5, np.random.default_rng(1))
    again = lead_in_ones((ones * 255).astype(np.uint8), 5, np.random.default_rng(1))
    assert first.shape == (5, 28, 28) and first.dtype == np.float32
    assert 0.0 <= first.min() and first.max() <= 1.0
    assert np.array_equal(first, again)
    assert not np.array_equal(first[0], first[1])  # each drawn with its own length and angle
