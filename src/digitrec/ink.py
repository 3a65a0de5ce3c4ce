"""A picture -> how much ink each pixel holds (0 paper .. 1 full ink), whatever the light, paper and ink.

The first step of reading a picture (``segment``): the polarity is decided per picture (dark ink on
light paper, or light digits on a dark ground), the ground (paper, shadows, light falling off) is
estimated coarsely and taken out, and each channel's darkness below it, relative to its brightness, is
the ink, so a shadowed digit is as strong as a lit one and coloured ink counts as fully as black.
``strong_ink_level`` and ``strong_and_connected`` then say which pixels are ink at all.
"""
from __future__ import annotations

from functools import partial

import cv2
import numpy as np

from digitrec.parallel import either, in_bands

POLARITY_MAX_SIDE_PX = 512
MEDIAN_SAMPLE_PX = 40_000
BILEVEL_MIN_CONTRAST = 64  # grey levels between the darkest and lightest pixel
BILEVEL_MARGIN_FRACTION = 0.1
BILEVEL_MIN_SHARE = 0.97  # of pixels within the margin of either extreme
FLAT_GROUND_LEVELS = 1  # grey levels from the lightest (or darkest) that a made picture's ground keeps to
FLAT_GROUND_MIN_SHARE = 0.2  # of pixels, on a flat ground: a made picture's paper (16x16 bitmaps 24-86%); a photo's grain leaves 0-8% of a crop there
SOFT_EDGE_REACH_PX = 2
SOFT_BITMAP_MIN_SHARE = 0.9  # of pixels, near an extreme or on a stroke's soft edge: grey bitmaps mostly 0.9-1, photographed crops at most 0.88
BACKGROUND_GRID_PX = 48
BACKGROUND_KERNEL_FRACTION = 0.16
SINGLE_BACKGROUND_KERNEL_FRACTION = 1 / 3
SINGLE_LIGHT_SIGMA_FRACTION = 1 / 4  # of a one-digit crop's longer side: light changing more slowly than this is not ink
MIN_PAPER_LEVEL = 64
SMOOTHING_MIN_SIDE_PX = 48
MIN_INK_CONTRAST = 0.16
HYSTERESIS_LOW_FRACTION = 0.5
NOISE_DEVIATIONS = 1.5
ROBUST_SIGMA_PER_MAD = 1.4826


def ink_map(rgb: np.ndarray, single: bool = False, bold: bool = False, other_polarity: bool = False) -> np.ndarray:
    """How much ink each pixel holds, 0 (background) .. 1, whatever the ink's polarity and colour.

    Light digits on a dark ground are inverted first, so ink is always darker than its ground.
    The ground (paper, shadows, light falloff) is estimated by a morphological closing at a
    coarse scale, which erases strokes but follows slow changes of light. Each channel's
    darkness below that ground, less the ground's own grain (a few robust deviations), relative
    to the ground's brightness, is the ink: a shadowed digit is as strong as a lit one, a noisy
    page stays blank, and red or blue ink counts as fully as black. The closing's size is a fraction of
    the picture: small enough to follow the edge of a shadow across a page, larger (``single``, or
    ``bold``) for a crop that one digit fills, or printed digits cropped tight, whose strokes are a
    larger part of it: strokes bolder than the closing are taken for ground and hollowed out.
    ``other_polarity`` takes the ink to be the other of dark and light than the picture suggests.
    """
    kernel_fraction = SINGLE_BACKGROUND_KERNEL_FRACTION if single or bold else BACKGROUND_KERNEL_FRACTION
    return either(rgb.shape[0] * rgb.shape[1], lambda: _has_dark_ink(rgb, kernel_fraction, single) != other_polarity,
                  lambda: _darkness_map(rgb, kernel_fraction), lambda: _darkness_map(255 - rgb, kernel_fraction),
                  likely=not other_polarity)  # most pictures show dark ink on light paper


def _darkness_map(rgb: np.ndarray, kernel_fraction: float) -> np.ndarray:
    """``ink_map`` of a picture whose ink is darker than its ground. Its steps pixel by pixel run in bands of rows
    side by side (``parallel.in_bands``)."""
    if min(rgb.shape[:2]) >= SMOOTHING_MIN_SIDE_PX:
        gauss = cv2.getGaussianKernel(3, 0, cv2.CV_32F)
        pixels = cv2.sepFilter2D(rgb, cv2.CV_32F, gauss, gauss)  # a 3x3 Gaussian blur's numbers, with no float copy first
    else:
        pixels = rgb.astype(np.float32)
    made = is_bitmap(rgb)
    darkness = _paper_level(pixels) if made else _light_on_paper(pixels, kernel_fraction)  # the ground, for now
    paper = np.empty_like(darkness)
    in_bands(darkness.shape, partial(_darkness_below_ground, pixels, darkness, paper))
    grain = np.zeros(3, np.float32) if made else NOISE_DEVIATIONS * ROBUST_SIGMA_PER_MAD * _channel_medians(darkness)
    strength = np.empty(darkness.shape[:2], np.float32)
    in_bands(darkness.shape, partial(_ink_strength, darkness, paper, grain, strength))
    return strength


def _darkness_below_ground(pixels: np.ndarray, ground: np.ndarray, paper: np.ndarray, band: slice) -> None:
    """In the rows ``band``: the ground made no darker than the pixel itself, the paper's level (the ground, at
    least ``MIN_PAPER_LEVEL``) into ``paper``, and ``ground`` turned into how much darker each pixel is than it.

    OpenCV's arithmetic gives the same numbers as numpy's, faster; each step writes over the ground's buffer,
    which is not needed again (a fresh photo-sized array costs as much as the arithmetic).
    """
    cv2.max(ground[band], pixels[band], dst=ground[band])
    cv2.max(ground[band], (float(MIN_PAPER_LEVEL),) * 3 + (0.0,), dst=paper[band])
    cv2.subtract(ground[band], pixels[band], dst=ground[band])


def _ink_strength(darkness: np.ndarray, paper: np.ndarray, grain: np.ndarray, strength: np.ndarray, band: slice) -> None:
    """In the rows ``band``: each pixel's darkness less the ground's ``grain``, relative to the paper's level, in its
    darkest channel, within 0..1, into ``strength``."""
    cv2.subtract(darkness[band], (*map(float, grain), 0.0), dst=darkness[band])
    cv2.divide(darkness[band], paper[band], dst=darkness[band])
    np.maximum(darkness[band, :, 0], darkness[band, :, 1], out=strength[band])  # on the channels' views: faster than
    np.maximum(strength[band], darkness[band, :, 2], out=strength[band])  # cv2.reduce, far faster than cv2.split
    np.clip(strength[band], 0.0, 1.0, out=strength[band])


def _channel_medians(image: np.ndarray) -> np.ndarray:
    """Each channel's median, from a regular sample of at most ``MEDIAN_SAMPLE_PX`` pixels (the median of a
    whole photo's pixels costs more than the rest of the ink map and is no better)."""
    step = max(1, int(np.sqrt(image.shape[0] * image.shape[1] / MEDIAN_SAMPLE_PX)))
    sample = image[::step, ::step].reshape(-1, image.shape[2])
    return np.median(sample, axis=0).astype(np.float32)


def resized(image: np.ndarray, factor: float) -> np.ndarray:
    """``image`` scaled by ``factor``, never below 1 pixel a side (a 1x5000 strip stays 1 pixel high)."""
    height, width = image.shape[:2]
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    if round(width * factor) >= 1 and round(height * factor) >= 1:  # the exact factor, not one rounded to whole pixels
        return cv2.resize(image, None, fx=factor, fy=factor, interpolation=interpolation)
    return cv2.resize(image, (max(1, round(width * factor)), max(1, round(height * factor))), interpolation=interpolation)


def _has_dark_ink(rgb: np.ndarray, kernel_fraction: float, single: bool = False) -> bool:
    """Whether ink is darker than its ground.

    With slow changes of light taken out (a shadow is not ink), split it into its
    dark and light halves (Otsu); ink is the half made of thinner
    shapes (strokes), the ground the half with the wider open spaces (paper, the inside of a
    ``0``). Unlike "the ground is the majority" or "the border is ground", this holds for
    digits that fill the frame and for bold digits on a small sign.
    """
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    factor = min(1.0, POLARITY_MAX_SIDE_PX / max(grey.shape))
    if factor < 1.0:
        grey = resized(grey, factor)
    if single and not is_bilevel(rgb):
        grey = _without_slow_light(grey)
    else:
        grey = _without_light_falloff(grey, kernel_fraction)
    _, light = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if light.all() or not light.any():
        return True
    light_depth = cv2.distanceTransform(light, cv2.DIST_L2, 3)[light == 1].mean()
    dark_depth = cv2.distanceTransform(1 - light, cv2.DIST_L2, 3)[light == 0].mean()
    return dark_depth <= light_depth


def _without_light_falloff(grey: np.ndarray, kernel_fraction: float) -> np.ndarray:
    """A larger picture less its light falloff: a coarse median at ``kernel_fraction`` of its size, which
    follows the edge of a shadow across a page. Left as it is below ``BACKGROUND_GRID_PX``."""
    height, width = grey.shape
    coarse_factor = min(1.0, BACKGROUND_GRID_PX / min(height, width))
    if coarse_factor >= 1.0:
        return grey
    coarse = resized(grey, coarse_factor)
    kernel_px = max(3, int(min(coarse.shape) * kernel_fraction) | 1)
    light_falloff = cv2.resize(cv2.medianBlur(coarse, kernel_px), (width, height)).astype(np.int16)
    return np.clip(grey.astype(np.int16) - light_falloff + 128, 0, 255).astype(np.uint8)


def _without_slow_light(grey: np.ndarray) -> np.ndarray:
    """A one-digit crop less the light changing across it (a meter window lit from one side, a glare on a
    sign), at any size: a wide blur (``SINGLE_LIGHT_SIGMA_FRACTION`` of the crop) is that light, where a
    median a third of the crop wide would be the ink of a bold digit filling it."""
    height, width = grey.shape
    slow_light = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), SINGLE_LIGHT_SIGMA_FRACTION * max(height, width))
    return np.clip(grey - slow_light + 128, 0, 255).astype(np.uint8)


def is_bitmap(rgb: np.ndarray) -> bool:
    """Whether the picture was made, not photographed: black and white only (``is_bilevel``), or grey where a
    bitmap was scaled, shifted or drawn with smooth edges (``_is_soft_bitmap``). It has no light to even out and
    no remains of grid lines: every piece of its ink is the digit, even one along its border. (Its polarity is
    still decided as a photo's, unless it is black and white: a bold digit filling a smooth made sign has strokes
    as wide as the ground between them.)"""
    sampled = _contrasted_sample(rgb)
    return sampled is not None and (_is_bilevel(*sampled) or _is_soft_bitmap(rgb, *sampled))


def is_bilevel(rgb: np.ndarray) -> bool:
    """Whether the picture is black and white only (a bitmap scan, a drawing): it has no light to even out.

    Evening out light by a local closing would hollow out strokes as wide as the closing, which in a
    small bitmap that one bold digit fills is most of them.
    """
    sampled = _contrasted_sample(rgb)
    return sampled is not None and _is_bilevel(*sampled)


def _contrasted_sample(rgb: np.ndarray) -> tuple[np.ndarray, int, int] | None:
    """The picture's ``_brightness_sample`` and its darkest and lightest levels; None where those differ by less than
    ``BILEVEL_MIN_CONTRAST`` (nothing that plain is a bitmap of a digit)."""
    sample = _brightness_sample(rgb)
    darkest, lightest = int(sample.min()), int(sample.max())
    return (sample, darkest, lightest) if lightest - darkest >= BILEVEL_MIN_CONTRAST else None


def _is_bilevel(sample: np.ndarray, darkest: int, lightest: int) -> bool:
    """``is_bilevel`` of a picture's ``_brightness_sample``, whose extremes are ``darkest`` and ``lightest``."""
    dark, light = _near_extremes(sample, darkest, lightest)
    return _share(dark | light) >= BILEVEL_MIN_SHARE


def _is_soft_bitmap(rgb: np.ndarray, sample: np.ndarray, darkest: int, lightest: int) -> bool:
    """Whether the picture is a grey bitmap: its ground lies exactly at one extreme for ``FLAT_GROUND_MIN_SHARE`` of
    its pixels (no grain: a photo's paper is never that flat), and nearly every pixel lies near an extreme or within
    ``SOFT_EDGE_REACH_PX`` of both (a stroke's soft edge: a bitmap scaled, moved by a fraction of a pixel, or drawn
    smoothed, as USPS stores its digits). The flat ground, rare in photos, is tested first, on the brightness
    ``sample``; the edges, where pixels must be neighbours, on the whole picture."""
    ground_share = max(_share(sample >= lightest - FLAT_GROUND_LEVELS), _share(sample <= darkest + FLAT_GROUND_LEVELS))
    if ground_share < FLAT_GROUND_MIN_SHARE:
        return False
    grey = _brightness(rgb)
    dark, light = _near_extremes(grey, int(grey.min()), int(grey.max()))
    kernel = np.ones((2 * SOFT_EDGE_REACH_PX + 1,) * 2, np.uint8)
    on_edge = cv2.dilate(dark.view(np.uint8), kernel) & cv2.dilate(light.view(np.uint8), kernel)
    return _share(dark | light | on_edge.view(bool)) >= SOFT_BITMAP_MIN_SHARE


def _share(mask: np.ndarray) -> float:
    """The share of ``mask`` that is set (``count_nonzero`` is several times faster than a boolean ``mean``)."""
    return np.count_nonzero(mask) / mask.size


def _brightness_sample(rgb: np.ndarray) -> np.ndarray:
    """Each pixel's brightest channel, on a regular sample of at most about ``MEDIAN_SAMPLE_PX`` pixels (which
    answers as well as every pixel)."""
    step = max(1, int(np.sqrt(rgb.shape[0] * rgb.shape[1] / MEDIAN_SAMPLE_PX)))
    return _brightness(rgb[::step, ::step])


def _brightness(rgb: np.ndarray) -> np.ndarray:
    """Each pixel's brightest channel (far faster than ``max(axis=2)`` on a strided view)."""
    return np.maximum(np.maximum(rgb[..., 0], rgb[..., 1]), rgb[..., 2])


def _near_extremes(grey: np.ndarray, darkest: int, lightest: int) -> tuple[np.ndarray, np.ndarray]:
    """Which pixels lie within ``BILEVEL_MARGIN_FRACTION`` of the range of the darkest level, and which of the lightest."""
    margin = BILEVEL_MARGIN_FRACTION * (lightest - darkest)
    return grey <= darkest + margin, grey >= lightest - margin


def _paper_level(pixels: np.ndarray) -> np.ndarray:
    """A flat ground at each channel's brightest level."""
    return np.ascontiguousarray(np.broadcast_to(pixels.reshape(-1, pixels.shape[2]).max(axis=0), pixels.shape), np.float32)


def _light_on_paper(pixels: np.ndarray, kernel_fraction: float) -> np.ndarray:
    """The light falling on the paper, without the ink: a closing (which erases strokes) at a coarse scale, where
    it costs little, brought back to full size. The ground is this, or the pixel itself where that is lighter."""
    height, width = pixels.shape[:2]
    factor = min(1.0, BACKGROUND_GRID_PX / min(height, width))
    coarse = resized(pixels, factor) if factor < 1 else pixels
    kernel_px = max(3, int(min(coarse.shape[:2]) * kernel_fraction) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (kernel_px, kernel_px))
    closed = cv2.morphologyEx(coarse, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_REPLICATE)
    return cv2.resize(closed, (width, height), interpolation=cv2.INTER_LINEAR)


def strong_ink_level(ink: np.ndarray, min_contrast: float = MIN_INK_CONTRAST) -> float:
    """The level of strong ink: Otsu's threshold of the ink map, never below ``min_contrast`` (by default
    ``MIN_INK_CONTRAST``, so paper grain and sensor noise of a blank page stay paper)."""
    levels = (ink * 255).astype(np.uint8)
    otsu, _ = cv2.threshold(levels, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return max(otsu / 255, min_contrast)


def strong_and_connected(ink: np.ndarray, strong_level: float) -> np.ndarray:
    """Hysteresis: the pixels above ``strong_level``, and the fainter ink (above ``HYSTERESIS_LOW_FRACTION`` of it) that
    touches them."""
    faint = (ink > strong_level * HYSTERESIS_LOW_FRACTION).astype(np.uint8)
    count, labels = cv2.connectedComponents(faint, connectivity=8, ltype=label_type(cv2.countNonZero(faint)))
    has_strong = np.zeros(count, bool)
    has_strong[labels[ink > strong_level]] = True
    has_strong[0] = False
    return np.take(has_strong, labels)


def label_type(max_components: int) -> int:
    """16-bit component labels where they can hold them: OpenCV counts components' stats in far less time than
    with 32-bit labels. There are never more components than ink pixels, nor more runs of ``_lines`` than the
    picture holds runs of their minimum length."""
    return cv2.CV_16U if max_components < np.iinfo(np.uint16).max else cv2.CV_32S
