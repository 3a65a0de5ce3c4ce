"""MNIST form: crop to the ink, longer side 20 px, centred by mass in 28x28, even strokes."""
from __future__ import annotations

import cv2
import numpy as np

from digitrec.preprocess import stroke_width, to_mnist_form


def bar(height: int, width: int, thickness: int, canvas=(200, 300)) -> np.ndarray:
    ink = np.zeros(canvas, np.float32)
    cv2.rectangle(ink, (40, 30), (40 + width, 30 + height), 1.0, thickness)
    return ink


def test_result_is_28x28_float_in_unit_range():
    form = to_mnist_form((bar(120, 60, 8) * 255).astype(np.uint8))
    assert form.shape == (28, 28) and form.dtype == np.float32
    assert 0.0 <= form.min() and form.max() <= 1.0


def test_longer_side_becomes_20_px_and_mass_is_centred():
    form = to_mnist_form(bar(120, 60, 8))
    rows = np.flatnonzero((form > 0.1).any(axis=1))
    assert 19 <= rows[-1] - rows[0] + 1 <= 21
    ys, xs = np.indices(form.shape)
    assert abs((ys * form).sum() / form.sum() - 13.5) < 0.6
    assert abs((xs * form).sum() / form.sum() - 13.5) < 0.6


def test_empty_crop_gives_a_blank_input():
    assert not to_mnist_form(np.zeros((40, 40), np.float32)).any()


def test_faint_hairlines_that_scaling_spreads_thin_give_a_blank_input():
    """A large crop of squared paper's faint grid: once shrunk to the digit box, no line is ink any more."""
    rng = np.random.default_rng(54)
    height, width, spacing = 162, 144, 15
    grid = np.zeros((height, width), np.float32)
    grid[::spacing, :] = rng.uniform(0.05, 0.2, (len(range(0, height, spacing)), width))
    grid[:, ::spacing] = np.maximum(grid[:, ::spacing], rng.uniform(0.05, 0.2, (height, len(range(0, width, spacing)))))
    assert not to_mnist_form(grid).any()


def test_faint_ink_is_brought_to_full_strength():
    assert to_mnist_form(bar(120, 60, 8) * 0.3).max() > 0.9


def test_thick_and_thin_pens_give_similar_strokes():
    widths = [stroke_width(to_mnist_form(bar(160, 100, thickness))) for thickness in (2, 8, 30)]
    assert max(widths) - min(widths) < 1.5
