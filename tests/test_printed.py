"""Printed digits rendered from installed fonts, in MNIST form."""
from __future__ import annotations

import numpy as np
import pytest

from digitrec.printed import (FontsError, find_digit_fonts, render_handwriting_font_digits, render_printed_digits,
                              render_printed_signs)


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


def test_handwriting_fonts_are_kept_apart_from_printed_ones(fonts, tmp_path):
    """A font that imitates handwriting (known by its file name) is not taken for a printed one."""
    (tmp_path / "Printed-Regular.ttf").symlink_to(fonts[0])
    (tmp_path / "dkg.ttf").symlink_to(fonts[0])
    assert [path.name for path in find_digit_fonts((tmp_path,))] == ["Printed-Regular.ttf"]
    assert [path.name for path in find_digit_fonts((tmp_path,), handwriting=True)] == ["dkg.ttf"]


def test_handwriting_font_digits_are_balanced_seeded_and_drawn_from_their_own_stream(fonts):
    images, labels = render_handwriting_font_digits(20, seed=3, fonts=fonts)
    assert images.shape == (20, 28, 28) and np.bincount(labels, minlength=10).tolist() == [2] * 10
    again, _ = render_handwriting_font_digits(20, seed=3, fonts=fonts)
    np.testing.assert_array_equal(images, again)
    printed, _ = render_printed_digits(20, seed=3, fonts=fonts)
    assert not np.array_equal(images, printed)


def test_no_handwriting_fonts_gives_an_error_that_says_what_to_install():
    with pytest.raises(FontsError, match="fonts-dkg-handwriting.*--handwriting-font-digits 0"):
        render_handwriting_font_digits(10, seed=1, fonts=[])
