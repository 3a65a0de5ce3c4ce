"""Random small distortions of 28x28 digits, so the network sees more handwriting than MNIST has.

Every draw comes from a generator seeded by (run seed, epoch, batch), so a resumed run sees
exactly the batches an uninterrupted one would.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np

SIZE_PX = 28


@dataclass(frozen=True)
class Augmentation:
    """Ranges of the random affine distortion and stroke-width change applied per image, and the
    strength of an elastic distortion (Simard et al. 2003): a random field of displacements smoothed
    by a Gaussian of ``elastic_sigma_px`` and scaled by ``elastic_alpha_px``; 0 applies none."""

    rotation_deg: float = 10.0
    zoom: float = 0.10
    shear: float = 0.15
    shift_px: float = 2.0
    stroke_change_probability: float = 0.1
    elastic_alpha_px: float = 0.0
    elastic_sigma_px: float = 4.0

    def to_dict(self) -> dict:
        return asdict(self)


NO_AUGMENTATION = Augmentation(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def augment_batch(images: np.ndarray, augmentation: Augmentation, rng: np.random.Generator) -> np.ndarray:
    """Return a distorted copy of ``images`` (N x 28 x 28 float32 in [0, 1])."""
    if augmentation == NO_AUGMENTATION:
        return images
    out = np.empty_like(images)
    for i, image in enumerate(images):
        matrix = random_affine(augmentation, rng)
        out[i] = cv2.warpAffine(image, matrix, (SIZE_PX, SIZE_PX), flags=cv2.INTER_LINEAR, borderValue=0.0)
        out[i] = _change_stroke(out[i], augmentation.stroke_change_probability, rng)
        if augmentation.elastic_alpha_px:
            out[i] = elastic_distortion(out[i], augmentation.elastic_alpha_px, augmentation.elastic_sigma_px, rng)
    return out


def random_affine(augmentation: Augmentation, rng: np.random.Generator) -> np.ndarray:
    """A 2x3 matrix: rotate, zoom and shear about the image centre, then shift."""
    angle = np.deg2rad(rng.uniform(-augmentation.rotation_deg, augmentation.rotation_deg))
    zoom = rng.uniform(1 - augmentation.zoom, 1 + augmentation.zoom)
    shear = rng.uniform(-augmentation.shear, augmentation.shear)
    shift = rng.uniform(-augmentation.shift_px, augmentation.shift_px, size=2)
    cos, sin = np.cos(angle) * zoom, np.sin(angle) * zoom
    linear = np.array([[cos, -sin], [sin, cos]]) @ np.array([[1.0, shear], [0.0, 1.0]])
    centre = np.array([(SIZE_PX - 1) / 2, (SIZE_PX - 1) / 2])
    offset = centre - linear @ centre + shift
    return np.hstack([linear, offset[:, None]]).astype(np.float32)


def elastic_distortion(image: np.ndarray, alpha_px: float, sigma_px: float, rng: np.random.Generator) -> np.ndarray:
    """Move every pixel by a smooth random displacement: strokes bend and swell as one writer's hand
    differs from another's, which an affine map cannot do."""
    shifts = [cv2.GaussianBlur(rng.uniform(-1.0, 1.0, image.shape).astype(np.float32), (0, 0), sigma_px) * alpha_px
              for _ in range(2)]
    rows, cols = np.indices(image.shape, dtype=np.float32)
    return cv2.remap(image, cols + shifts[0], rows + shifts[1], cv2.INTER_LINEAR, borderValue=0.0)


def _change_stroke(image: np.ndarray, probability: float, rng: np.random.Generator) -> np.ndarray:
    """Now and then thicken or thin the strokes, as different pens and scan resolutions do."""
    draw = rng.random()
    kernel = np.ones((2, 2), np.uint8)
    if draw < probability / 2:
        return cv2.dilate(image, kernel)
    if draw < probability:
        return cv2.erode(image, kernel) if image.max() > 0 else image
    return image
