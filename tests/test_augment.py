"""Augmentation: seeded, small, and it keeps the digit in the frame."""
from __future__ import annotations

import cv2
import numpy as np

from digitrec.augment import NO_AUGMENTATION, Augmentation, augment_batch


def digit_batch(count: int = 8) -> np.ndarray:
    images = np.zeros((count, 28, 28), np.float32)
    for image in images:
        cv2.line(image, (14, 5), (14, 22), 1.0, 2)
        cv2.line(image, (9, 8), (14, 5), 1.0, 2)
    return images


def test_same_generator_seed_gives_the_same_distortion():
    images = digit_batch()
    first = augment_batch(images, Augmentation(), np.random.default_rng(3))
    again = augment_batch(images, Augmentation(), np.random.default_rng(3))
    other = augment_batch(images, Augmentation(), np.random.default_rng(4))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_no_augmentation_leaves_images_alone():
    images = digit_batch()
    assert augment_batch(images, NO_AUGMENTATION, np.random.default_rng(0)) is images


def test_distortions_keep_the_digit_whole_and_near_the_centre():
    images = digit_batch(64)
    distorted = augment_batch(images, Augmentation(stroke_change_probability=0.0), np.random.default_rng(0))
    ink_kept = distorted.sum(axis=(1, 2)) / images.sum(axis=(1, 2))
    assert ink_kept.min() > 0.75 and ink_kept.max() < 1.3
    assert np.abs(centre_of_mass(distorted) - centre_of_mass(images)).max() < 4.0


def centre_of_mass(images: np.ndarray) -> np.ndarray:
    ys, xs = np.indices(images.shape[1:])
    mass = images.sum(axis=(1, 2))
    return np.stack([(images * ys).sum(axis=(1, 2)) / mass, (images * xs).sum(axis=(1, 2)) / mass], axis=1)
