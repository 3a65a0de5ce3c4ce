"""Digits as a camera sees them, read back through the reader's own single-crop path, for training.

MNIST's digits and clean font renderings teach the network the shapes of digits, but not what the
reader hands it from a real picture: a blurred printed ``8`` whose holes half closed, a cell crop
with a grid line's stub left on, JPEG blocks, a faint digit brought to full strength. Here each
digit (a font glyph, or an MNIST training digit) is placed in a small camera-like crop (cell size,
position, paper and ink levels, ink colour, light falling across it, grid-line stubs, a cut-off
neighbour, blur, noise, JPEG) and read back with ``segment.find_digits(single=True)`` and
``preprocess.to_mnist_form``, as ``digitrec predict --single`` reads a crop. The network then
learns from the inputs it will actually be given. The second look at a crop too faint for the strong-ink floor
(``faint_look``, twenty-second session) is left out: it came after the bundled networks were trained, and with it
the recipe's data would no longer be the data they learnt from.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from digitrec.preprocess import crop_to_ink, to_mnist_form
from digitrec.printed import FontsError, find_digit_fonts
from digitrec.segment import find_digits

CELL_PX = (20, 100)  # side of the square crop
DIGIT_HEIGHT_FRACTION = (0.35, 0.85)  # of the crop
OFF_CENTRE_FRACTION = 0.12
MAX_BLUR_FRACTION = 0.08  # Gaussian sigma, of the digit's height
PAPER_LEVEL = (100, 245)
INK_CONTRAST_FRACTION = (0.12, 0.9)  # of the paper's level
LIGHT_TILT = 0.3  # brightness change across the crop, at most, each way
LIGHT_ON_DARK_SHARE = 0.25
MAX_NOISE_LEVELS = 10
JPEG_SHARE = 0.6
JPEG_QUALITY = (20, 90)
GRID_SHARE = 0.5
NEIGHBOUR_SHARE = 0.25  # a drum's or a row's neighbouring digit, cut off by the crop's edge
HANDWRITTEN_SHARE = 0.3
GLYPH_SIZE_PX = (36, 72)
MNIST_UPSCALE = 4


def photographed_digits(count: int, seed: int, handwritten: np.ndarray, handwritten_labels: np.ndarray,
                        fonts: list[Path] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``count`` digits photographed and read back: N x 28 x 28 float32 inputs and their labels.

    ``handwritten`` (N x 28 x 28 MNIST-like digits, with ``handwritten_labels``) supplies the
    handwritten share; pass the training split only, so nothing held out leaks in. A crop in which
    the reader finds no digit is drawn again.
    """
    fonts = find_digit_fonts() if fonts is None else fonts
    if not fonts:
        raise FontsError("no font with digits found; install some (e.g. apt-get install fonts-dejavu) or train with --photographed 0")
    rng = np.random.default_rng([seed, 11])
    images, labels = np.empty((count, 28, 28), np.float32), np.empty(count, np.uint8)
    by_label = [np.flatnonzero(handwritten_labels == label) for label in range(10)]
    made = 0
    while made < count:
        label = int(rng.integers(10))
        glyph = _glyph(label, fonts, handwritten, by_label, rng)
        neighbour = _glyph(int(rng.integers(10)), fonts, handwritten, by_label, rng) if rng.random() < NEIGHBOUR_SHARE else None
        crops = [crop for line in find_digits(_photograph(glyph, neighbour, rng), single=True, faint_look=False) for crop in line]
        if crops:
            images[made], labels[made] = to_mnist_form(crops[0].ink), label
            made += 1
    return images, labels


def _glyph(label: int, fonts: list[Path], handwritten: np.ndarray, by_label: list[np.ndarray],
           rng: np.random.Generator) -> np.ndarray:
    """One digit's ink (bright on black, cut to its ink): an upscaled MNIST digit or a font glyph."""
    if rng.random() < HANDWRITTEN_SHARE and len(by_label[label]):
        digit = crop_to_ink(handwritten[rng.choice(by_label[label])].astype(np.float32))
        return cv2.resize(digit, None, fx=MNIST_UPSCALE, fy=MNIST_UPSCALE, interpolation=cv2.INTER_CUBIC).clip(0, 1)
    size_px = int(rng.integers(*GLYPH_SIZE_PX))
    font = ImageFont.truetype(str(fonts[rng.integers(len(fonts))]), size_px)
    canvas = Image.new("L", (2 * size_px, 2 * size_px), 0)
    ImageDraw.Draw(canvas).text((size_px, size_px), str(label), fill=255, font=font, anchor="mm",
                                stroke_width=int(rng.choice([0, 0, 0, 1, 2])), stroke_fill=255)
    return crop_to_ink(np.asarray(canvas, np.float32) / 255.0)


def _photograph(glyph: np.ndarray, neighbour: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
    """An RGB uint8 crop showing ``glyph`` as a camera would, perhaps with a cut-off ``neighbour``."""
    cell = int(rng.integers(*CELL_PX))
    ink = np.zeros((cell, cell), np.float32)
    digit_height = max(4, int(cell * rng.uniform(*DIGIT_HEIGHT_FRACTION)))
    top, left = _place(ink, glyph, digit_height, rng)
    if neighbour is not None:
        _place_neighbour(ink, neighbour, digit_height, top, rng)
    if rng.random() < GRID_SHARE:
        _grid_stubs(ink, rng)
    sigma = rng.uniform(0, MAX_BLUR_FRACTION) * digit_height
    if sigma > 0.3:
        ink = cv2.GaussianBlur(ink, (0, 0), sigma)
    return _exposed(ink, rng)


def _place(ink: np.ndarray, glyph: np.ndarray, digit_height: int, rng: np.random.Generator) -> tuple[int, int]:
    cell = ink.shape[0]
    width = min(int(cell * 0.95), max(1, round(glyph.shape[1] * digit_height / glyph.shape[0] * rng.uniform(0.8, 1.15))))
    scaled = cv2.resize(glyph, (width, digit_height), interpolation=cv2.INTER_AREA)
    top = int(np.clip((cell - digit_height) / 2 + rng.uniform(-1, 1) * OFF_CENTRE_FRACTION * cell, 0, cell - digit_height))
    left = int(np.clip((cell - width) / 2 + rng.uniform(-1, 1) * OFF_CENTRE_FRACTION * cell, 0, cell - width))
    np.maximum(ink[top: top + digit_height, left: left + width], scaled, out=ink[top: top + digit_height, left: left + width])
    return top, left


def _place_neighbour(ink: np.ndarray, neighbour: np.ndarray, digit_height: int, top: int, rng: np.random.Generator) -> None:
    """The digit above or below (a meter's drum) showing a little past the crop's top or bottom edge."""
    cell = ink.shape[0]
    width = max(1, round(neighbour.shape[1] * digit_height / neighbour.shape[0]))
    scaled = cv2.resize(neighbour, (min(width, cell), digit_height), interpolation=cv2.INTER_AREA)
    showing = int(digit_height * rng.uniform(0.1, 0.35))
    if showing < 1:
        return
    left = max(0, (cell - scaled.shape[1]) // 2)
    if rng.random() < 0.5 and showing <= top:
        part, rows = scaled[-showing:], slice(0, showing)
    elif showing <= cell - top - digit_height:
        part, rows = scaled[:showing], slice(cell - showing, cell)
    else:
        return
    region = ink[rows, left: left + part.shape[1]]
    np.maximum(region, part[:, : region.shape[1]], out=region)


def _grid_stubs(ink: np.ndarray, rng: np.random.Generator) -> None:
    """One to three grid lines along the crop's sides, a few pixels in, as a cell cut from a grid shows."""
    cell = ink.shape[0]
    for _ in range(int(rng.integers(1, 4))):
        thickness = int(rng.integers(1, max(2, cell // 15) + 1))
        offset = int(rng.integers(0, max(1, cell // 10)))
        strength = rng.uniform(0.5, 1.0)
        band = slice(offset, offset + thickness) if rng.random() < 0.5 else slice(cell - offset - thickness, cell - offset)
        if rng.random() < 0.5:
            ink[band, :] = np.maximum(ink[band, :], strength)
        else:
            ink[:, band] = np.maximum(ink[:, band], strength)


def _exposed(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ink on paper under uneven light, in some colour, perhaps inverted, with sensor noise and JPEG."""
    cell = ink.shape[0]
    paper = rng.uniform(*PAPER_LEVEL)
    contrast = rng.uniform(*INK_CONTRAST_FRACTION) * paper
    ys, xs = np.mgrid[0:cell, 0:cell] / cell - 0.5
    light = 1 + rng.uniform(-LIGHT_TILT, LIGHT_TILT) * xs + rng.uniform(-LIGHT_TILT, LIGHT_TILT) * ys
    colour = rng.uniform(0.6, 1.0, 3)
    image = (paper * light)[..., None] - (contrast * ink)[..., None] * colour
    if rng.random() < LIGHT_ON_DARK_SHARE:
        image = 255 - image
    image = np.clip(image + rng.normal(0, rng.uniform(0, MAX_NOISE_LEVELS), image.shape), 0, 255).astype(np.uint8)
    if rng.random() < JPEG_SHARE:
        _, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(*JPEG_QUALITY))])
        image = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    return image
