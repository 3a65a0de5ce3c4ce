"""The benign changes of ``digitrec.perturb``: each does what its name says, and only that."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from digitrec.ink import is_bilevel
from digitrec.perturb import (
    BLUE_INK_RGB, CHANGES, CREAM_PAPER_RGB, LOOSE_MARGIN_FRACTION, SHADED_DARKEST, blue_ink, half_pixel_shift, inverted,
    jpeg, loose_crop, rotated, scaled, shaded, soft_edges,
)


def drawn_digit(height: int = 40, width: int = 32) -> np.ndarray:
    """A dark 3 on white paper, RGB."""
    grey = np.full((height, width), 255, np.uint8)
    cv2.putText(grey, "3", (4, height - 8), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, 3, cv2.LINE_AA)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)


@pytest.mark.parametrize("name", list(CHANGES))
def test_every_change_gives_an_rgb_picture_and_draws_no_random_numbers(name):
    picture = drawn_digit()
    once, again = CHANGES[name](picture.copy()), CHANGES[name](picture.copy())
    assert once.dtype == np.uint8 and once.ndim == 3 and once.shape[2] == 3
    assert np.array_equal(once, again)
    assert np.array_equal(picture, drawn_digit())  # the picture given is left as it was


def test_half_pixel_shift_spreads_a_pixel_over_four_and_keeps_the_size():
    picture = np.zeros((9, 9, 3), np.uint8)
    picture[4, 4] = 200
    shifted = half_pixel_shift(picture)
    assert shifted.shape == picture.shape
    assert np.array_equal(np.argwhere(shifted[..., 0] > 0).tolist(), [[4, 4], [4, 5], [5, 4], [5, 5]])
    assert shifted[4:6, 4:6, 0].ravel().tolist() == [50, 50, 50, 50]


def test_jpeg_changes_pixels_a_little():
    picture = drawn_digit()
    saved = jpeg(40)(picture)
    difference = np.abs(saved.astype(int) - picture.astype(int))
    assert saved.shape == picture.shape
    assert difference.max() > 0 and difference.mean() < 10


@pytest.mark.parametrize("factor, size", [(0.8, (32, 26)), (1.25, (50, 40))])
def test_scaled_takes_the_picture_at_another_resolution(factor, size):
    assert scaled(factor)(drawn_digit(40, 32)).shape[:2] == size


def test_rotated_grows_the_canvas_so_the_ends_of_a_long_strip_stay_and_fills_it_with_the_paper():
    strip = np.full((20, 200, 3), (230, 220, 210), np.uint8)
    strip[8:12, 192:198] = 0  # a mark at the right end, which a same-size canvas would turn out of the picture
    turned = rotated(4)(strip)
    assert turned.shape[0] >= 20 + 200 * np.sin(np.radians(4)) and turned.shape[1] >= 200
    assert turned.min() < 60
    assert turned[0, 0].tolist() == [230, 220, 210] and turned[-1, -1].tolist() == [230, 220, 210]


def test_shaded_dims_the_left_edge_to_half_and_leaves_the_right_edge():
    paper = np.full((10, 50, 3), 200, np.uint8)
    light = shaded(paper)
    assert light[:, -1].tolist() == paper[:, -1].tolist()
    assert np.all(np.abs(light[:, 0].astype(int) - round(200 * SHADED_DARKEST)) <= 1)


def test_blue_ink_puts_black_on_the_ink_colour_and_white_on_the_paper_colour():
    picture = np.zeros((2, 2, 3), np.uint8)
    picture[0] = 255
    coloured = blue_ink(picture)
    assert coloured[0, 0].tolist() == list(CREAM_PAPER_RGB) and coloured[1, 0].tolist() == list(BLUE_INK_RGB)


def test_soft_edges_turn_a_black_and_white_bitmap_grey():
    bitmap = np.where(drawn_digit(16, 16) < 128, 0, 255).astype(np.uint8)
    assert is_bilevel(bitmap) and not is_bilevel(soft_edges(bitmap))


def test_loose_crop_adds_paper_all_round_and_keeps_the_picture():
    strip = drawn_digit(40, 120)
    loose = loose_crop(strip)
    margin = round(LOOSE_MARGIN_FRACTION * 40)
    assert loose.shape == (40 + 2 * margin, 120 + 2 * margin, 3)
    assert np.array_equal(loose[margin:-margin, margin:-margin], strip)
    ring = np.concatenate([loose[:margin].reshape(-1, 3), loose[-margin:].reshape(-1, 3),
                           loose[:, :margin].reshape(-1, 3), loose[:, -margin:].reshape(-1, 3)])
    assert np.all(ring == 255)  # the ground: the paper, not the ink


def test_inverted_turns_dark_on_light_into_light_on_dark():
    picture = drawn_digit()
    assert np.array_equal(inverted(picture), 255 - picture)
