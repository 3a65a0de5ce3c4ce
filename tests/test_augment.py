"""Augmentation: seeded, small, and it keeps the digit in the frame."""
from __future__ import annotations

import cv2
import numpy as np

from digitrec.augment import NO_AUGMENTATION, Augmentation, augment_batch, elastic_distortion


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


def test_elastic_distortion_bends_strokes_but_keeps_the_digit_and_repeats_with_the_seed():
    image = digit_batch(1)[0]
    bent = elastic_distortion(image, 34.0, 4.0, np.random.default_rng(5))
    assert bent.shape == image.shape and not np.array_equal(bent, image)
    np.testing.assert_array_equal(bent, elastic_distortion(image, 34.0, 4.0, np.random.default_rng(5)))
    many = np.stack([elastic_distortion(image, 34.0, 4.0, np.random.default_rng(seed)) for seed in range(64)])
    ink_kept = many.sum(axis=(1, 2)) / image.sum()
    assert 0.5 < ink_kept.min() and ink_kept.max() < 1.6 and 0.9 < ink_kept.mean() < 1.1  # strokes swell and thin
    assert np.abs(centre_of_mass(many) - centre_of_mass(image[None])).max() < 4.5


def test_elastic_distortion_is_applied_only_when_asked_for():
    images = digit_batch(16)
    plain = augment_batch(images, Augmentation(), np.random.default_rng(2))
    np.testing.assert_array_equal(plain, augment_batch(images, Augmentation(elastic_alpha_px=0.0), np.random.default_rng(2)))
    assert not np.array_equal(plain, augment_batch(images, Augmentation(elastic_alpha_px=34.0), np.random.default_rng(2)))
