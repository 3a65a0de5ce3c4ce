"""Ones with a lead-in stroke, nines drawn as a loop on a stem or as a rho, twos looped at the base and
stretched digits, made from MNIST-like digits for training."""
from __future__ import annotations

import cv2
import numpy as np

from digitrec.handwriting import (hooked_nines, lead_in_ones, looped_twos, rho_nines, stemmed_nines, stretched_digits, stretched_square,
                                  with_base_loop, with_lead_in, with_stem)


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


def test_a_longer_lead_in_can_be_asked_for():
    """The lead-in's length is drawn up to ``longest`` of the one's height: asked for more, the ones come out wider."""
    short = [with_lead_in(upright_one(), np.random.default_rng(seed)).shape[1] for seed in range(20)]
    long = [with_lead_in(upright_one(), np.random.default_rng(seed), longest=0.9).shape[1] for seed in range(20)]
    assert max(short) < max(long) and np.mean(short) < np.mean(long)


def ring() -> np.ndarray:
    image = np.zeros((28, 28), np.float32)
    cv2.ellipse(image, (14, 14), (6, 9), 0, 0, 360, 1.0, 2)
    return image


def test_a_stemmed_nine_is_its_zero_as_a_loop_on_top_with_a_stem_hanging_below():
    for seed in range(10):
        nine = with_stem(ring(), np.random.default_rng(seed))
        ink = (nine > 0.5).astype(np.uint8)
        height = ink.shape[0]
        _, hierarchy = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
        assert (hierarchy[0][:, 3] >= 0).sum() == 1  # one hole: the loop, still closed
        hole = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)[0][int(np.argmax(hierarchy[0][:, 3] >= 0))]
        assert cv2.boundingRect(hole)[1] + cv2.boundingRect(hole)[3] < 0.6 * height  # the loop sits in the top part
        bottom = ink[int(0.8 * height):]
        assert bottom.any(axis=0).sum() < 0.5 * ink.shape[1]  # below it, a stem narrower than the loop


def test_stemmed_nines_are_in_mnist_form_and_repeat_with_the_seed():
    zeros = (np.stack([ring()] * 3) * 255).astype(np.uint8)
    first = stemmed_nines(zeros, 5, np.random.default_rng(1))
    again = stemmed_nines(zeros, 5, np.random.default_rng(1))
    assert first.shape == (5, 28, 28) and first.dtype == np.float32
    assert 0.0 <= first.min() and first.max() <= 1.0
    assert np.array_equal(first, again)
    assert not np.array_equal(first[0], first[1])


def test_a_rho_nines_stem_leaves_the_left_half_of_its_loop():
    """Where the stem leaves the loop decides the shape: from its right half a 9 as MNIST has it, from its
    left half a rho. The stem's top is the leftmost ink just under the loop."""
    for seed in range(10):
        nine = with_stem(ring(), np.random.default_rng(seed), stem_start=(-0.8, 0.0))
        ink = nine > 0.5
        _, hierarchy = cv2.findContours(ink.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
        assert (hierarchy[0][:, 3] >= 0).sum() == 1  # the loop is still closed
        loop_columns = np.flatnonzero(ink[: int(0.3 * ink.shape[0])].any(axis=0))
        stem_top = np.flatnonzero(ink[int(0.65 * ink.shape[0])])
        assert stem_top.mean() <= (loop_columns[0] + loop_columns[-1]) / 2 + 2  # under the loop's left half


def test_rho_nines_looped_twos_and_hooked_nines_are_in_mnist_form_and_repeat_with_the_seed():
    zeros = (np.stack([ring()] * 3) * 255).astype(np.uint8)
    for make in (rho_nines, looped_twos, hooked_nines):
        first, again = (make(zeros, 5, np.random.default_rng(3)) for _ in range(2))
        assert first.shape == (5, 28, 28) and first.dtype == np.float32
        assert 0.0 <= first.min() and first.max() <= 1.0
        assert np.array_equal(first, again)


def test_a_hooked_nines_stem_curls_back_left_at_its_foot():
    """Below the loop the stem runs down; at its foot the hook reaches back left of where the stem came down."""
    for seed in range(10):
        plain = with_stem(ring(), np.random.default_rng(seed)) > 0.5
        hooked = with_stem(ring(), np.random.default_rng(seed), hooked=True) > 0.5
        foot_rows = hooked[-max(2, hooked.shape[0] // 12):]
        plain_foot = plain[-max(2, plain.shape[0] // 12):]
        assert foot_rows.any(axis=0).sum() > plain_foot.any(axis=0).sum()  # the bottom is wider: the hook


def flat_two() -> np.ndarray:
    """A thin two: a hook, a diagonal, a base."""
    image = np.zeros((112, 112), np.float32)
    cv2.ellipse(image, (56, 34), (26, 22), 0, 180, 360, 1.0, 3)
    cv2.ellipse(image, (56, 34), (26, 22), 0, 0, 40, 1.0, 3)
    cv2.line(image, (76, 48), (20, 96), 1.0, 3)
    cv2.line(image, (20, 96), (96, 96), 1.0, 3)
    return image


def test_a_looped_two_has_a_loop_at_the_left_end_of_its_base():
    before = flat_two() > 0.5
    _, hierarchy = cv2.findContours(before.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    assert not (hierarchy[0][:, 3] >= 0).any()  # no hole to begin with
    for seed in range(5):
        two = with_base_loop(flat_two(), np.random.default_rng(seed)) > 0.5
        contours, hierarchy = cv2.findContours(two.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
        holes = [cv2.boundingRect(contour) for contour, info in zip(contours, hierarchy[0]) if info[3] >= 0]
        assert holes
        x, y, w, h = max(holes, key=lambda box: box[2] * box[3])
        assert y + h / 2 > 0.6 * two.shape[0] and x + w / 2 < 0.5 * two.shape[1]  # low and on the left


def test_a_stretched_digit_fills_a_square_whatever_its_shape():
    stretched = stretched_square(upright_one())
    assert stretched.shape[0] == stretched.shape[1] == 22 * 4  # the one's 22 px of ink (antialiased line), at 4x
    assert (stretched > 0.5).mean() > 0.9  # an upright one becomes a solid block


def test_stretched_digits_keep_their_labels_and_repeat_with_the_seed():
    images = (np.stack([upright_one(), ring(), upright_one()]) * 255).astype(np.uint8)
    labels = np.array([1, 0, 1])
    first, first_labels = stretched_digits(images, labels, 6, np.random.default_rng(2))
    again, again_labels = stretched_digits(images, labels, 6, np.random.default_rng(2))
    assert first.shape == (6, 28, 28) and first.dtype == np.float32
    assert np.array_equal(first, again) and np.array_equal(first_labels, again_labels)
    for image, label in zip(first, first_labels):
        ink = image > 0.5
        rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        assert abs(len(rows) - len(columns)) <= 2  # square, for the one as for the ring
        assert (label == 1) == (ink.mean() > 0.35)  # the ones are the solid blocks
