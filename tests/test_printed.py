"""Printed digits rendered from installed fonts, in MNIST form."""
from __future__ import annotations

import numpy as np
import pytest

from digitrec.printed import FontsError, find_digit_fonts, render_printed_digits, render_printed_signs


def test_rendered_digits_are_balanced_mnist_form_images(fonts):
    images, labels = render_printed_digits(40, seed=1, fonts=fonts)
    assert images.shape == (40, 28, 28) and images.dtype == np.float32
    assert np.bincount(labels, minlength=10).tolist() == [4] * 10
    assert images.max() == pytest.approx(1.0, abs=0.05)
    assert np.all(images[:, :2, :] < 0.05), "MNIST form leaves a margin around the digit"


def test_rendering_is_seeded(fonts):
    first, _ = render_printed_digits(10, seed=5, fonts=fonts)
    again, _ = render_printed_digits(10, seed=5, fonts=fonts)
    np.testing.assert_array_equal(first, again)


def test_no_fonts_gives_an_error_that_says_what_to_install(tmp_path):
    assert find_digit_fonts((tmp_path,)) == []
    with pytest.raises(FontsError, match="--printed 0"):
        render_printed_digits(10, seed=1, fonts=[])


def test_rendered_signs_are_mnist_form_images_that_are_not_boxes(fonts):
    """Each sign is drawn from a font whose character map has it: a font draws a box, which looks like a
    ``0``, for a character it lacks."""
    signs = render_printed_signs(30, seed=1, fonts=fonts, signs="$#€")
    assert signs.shape == (30, 28, 28) and signs.dtype == np.float32
    assert all(sign.max() > 0.5 for sign in signs)
    with pytest.raises(FontsError, match="draws any of"):
        render_printed_signs(3, seed=1, fonts=fonts, signs="\U000F0000")
