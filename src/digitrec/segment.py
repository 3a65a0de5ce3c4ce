"""A whole image -> digit crops in reading order.

The network only knows MNIST: one centred digit, bright ink on black. A user's picture holds
paper, shadows, grid lines, separators and several digits, so this module turns it into ink
crops, one per digit, each with its box in the picture:

1. ``ink_map``: polarity decided per image, background (paper, shadows) estimated coarsely and
   divided out, so every pixel says how much ink it holds (0 paper .. 1 full ink) whatever the
   light, the paper or the ink colour.
2. ``_ink_mask``: hysteresis threshold; long thin lines (ruled lines, grid lines) removed.
3. Connected components -> candidate digits: pieces of one digit joined, components grouped
   into text lines, specks and separators (``.`` ``,`` ``-`` ``=``) dropped, touching digits
   split, each line read left to right.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_MAX_SIDE_PX = 1024
POLARITY_MAX_SIDE_PX = 512
BACKGROUND_GRID_PX = 48
BACKGROUND_KERNEL_FRACTION = 1 / 3
MIN_PAPER_LEVEL = 64
SMOOTHING_MIN_SIDE_PX = 48
MIN_INK_CONTRAST = 0.16
HYSTERESIS_LOW_FRACTION = 0.5
NOISE_DEVIATIONS = 1.5
ROBUST_SIGMA_PER_MAD = 1.4826
LINE_MIN_LENGTH_FRACTION = 0.6
LINE_MIN_LENGTH_PX = 24
LINE_SPAN_FRACTION = 0.9
LINE_LEVEL_FRACTION = 0.6
LINE_GAP_DIVISOR = 8
LINE_MIN_ASPECT = 6
MIN_DIGIT_HEIGHT_PX = 5
MIN_PIECE_AREA_PX = 12
SEPARATOR_HEIGHT_FRACTION = 0.45
SPECK_AREA_FRACTION = 0.04
SLIVER_WIDTH_FRACTION = 0.1
BORDER_REMAINS_AREA_FRACTION = 0.3
BORDER_BAND_FRACTION = 0.15
JOIN_X_OVERLAP_FRACTION = 0.5
MIN_LINE_HEIGHT_FRACTION = 0.4
JOIN_MAX_HEIGHT_FRACTION = 1.3
SPLIT_WIDTH_FRACTION = 1.5
DIGIT_WIDTH_PER_HEIGHT = 0.7
SPLIT_SEARCH_FRACTION = 0.3


@dataclass(frozen=True)
class DigitCrop:
    """One digit found in an image: where it is, and its ink for ``preprocess.to_mnist_form``."""

    box: tuple[int, int, int, int]  # x, y, w, h in the original image's pixels
    ink: np.ndarray  # float32 in [0, 1], bright ink on a dark background
    line: int  # index of the text line it belongs to, top to bottom


@dataclass(frozen=True)
class _Blob:
    """A candidate digit: some connected components, cut to the columns [x0, x1)."""

    x0: int
    y0: int
    x1: int
    y1: int
    labels: frozenset[int]
    area: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def centre_y(self) -> float:
        return (self.y0 + self.y1) / 2


def find_digits(rgb: np.ndarray, single: bool = False) -> list[list[DigitCrop]]:
    """The digits of an HxWx3 uint8 RGB image as text lines, each read left to right.

    With ``single`` the image is taken as one digit (a cell or meter crop): the central group of
    ink is returned, without the grid-line bits and neighbours' remains at its borders.
    A blank picture gives no lines.
    """
    scale = min(1.0, WORK_MAX_SIDE_PX / max(rgb.shape[:2]))
    if scale < 1.0:
        rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = ink_map(rgb)
    mask = _ink_mask(ink, single)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    blobs = [
        blob
        for blob in (_blob_of(label, stats[label]) for label in range(1, count))
        if blob.area >= MIN_PIECE_AREA_PX and not _is_line_remains(blob, mask.shape)
    ]
    if single:
        digit = _central_group(blobs, mask.shape)
        lines = [[digit]] if digit else []
    else:
        lines = _read_lines(blobs, labels)
    return [
        [_crop(blob, ink, labels, scale, line_index) for blob in line]
        for line_index, line in enumerate(lines)
    ]


def ink_map(rgb: np.ndarray) -> np.ndarray:
    """How much ink each pixel holds, 0 (background) .. 1, whatever the ink's polarity and colour.

    Light digits on a dark ground are inverted first, so ink is always darker than its ground.
    The ground (paper, shadows, light falloff) is estimated by a morphological closing at a
    coarse scale, which erases strokes but follows slow changes of light. Each channel's
    darkness below that ground, less the ground's own grain (a few robust deviations), relative
    to the ground's brightness, is the ink: a shadowed digit is as strong as a lit one, a noisy
    page stays blank, and red or blue ink counts as fully as black.
    """
    if not _has_dark_ink(rgb):
        rgb = 255 - rgb
    pixels = rgb.astype(np.float32)
    if min(pixels.shape[:2]) >= SMOOTHING_MIN_SIDE_PX:
        pixels = cv2.GaussianBlur(pixels, (3, 3), 0)
    ground = _ground(pixels)
    below_ground = ground - pixels
    grain = NOISE_DEVIATIONS * ROBUST_SIGMA_PER_MAD * np.median(below_ground, axis=(0, 1))
    darkness = (below_ground - grain) / np.maximum(ground, MIN_PAPER_LEVEL)
    return np.clip(darkness.max(axis=2), 0.0, 1.0)


def _has_dark_ink(rgb: np.ndarray) -> bool:
    """Whether ink is darker than its ground.

    With slow changes of light taken out of larger pictures (a shadow is not ink), split it into its
    dark and light halves (Otsu); ink is the half made of thinner
    shapes (strokes), the ground the half with the wider open spaces (paper, the inside of a
    ``0``). Unlike "the ground is the majority" or "the border is ground", this holds for
    digits that fill the frame and for bold digits on a small sign.
    """
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    factor = min(1.0, POLARITY_MAX_SIDE_PX / max(grey.shape))
    if factor < 1.0:
        grey = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    height, width = grey.shape
    coarse_factor = min(1.0, BACKGROUND_GRID_PX / min(height, width))
    coarse = cv2.resize(grey, None, fx=coarse_factor, fy=coarse_factor, interpolation=cv2.INTER_AREA)
    kernel_px = max(3, int(min(coarse.shape) * BACKGROUND_KERNEL_FRACTION) | 1)
    if coarse_factor < 1.0:
        light_falloff = cv2.resize(cv2.medianBlur(coarse, kernel_px), (width, height)).astype(np.int16)
        grey = np.clip(grey.astype(np.int16) - light_falloff + 128, 0, 255).astype(np.uint8)
    _, light = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if light.all() or not light.any():
        return True
    light_depth = cv2.distanceTransform(light, cv2.DIST_L2, 3)[light == 1].mean()
    dark_depth = cv2.distanceTransform(1 - light, cv2.DIST_L2, 3)[light == 0].mean()
    return dark_depth <= light_depth


def _ground(pixels: np.ndarray) -> np.ndarray:
    height, width = pixels.shape[:2]
    factor = min(1.0, BACKGROUND_GRID_PX / min(height, width))
    coarse = cv2.resize(pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else pixels
    kernel_px = max(3, int(min(coarse.shape[:2]) * BACKGROUND_KERNEL_FRACTION) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (kernel_px, kernel_px))
    closed = cv2.morphologyEx(coarse, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_REPLICATE)
    ground = cv2.resize(closed, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.maximum(ground, pixels)


def _ink_mask(ink: np.ndarray, single: bool) -> np.ndarray:
    """Pixels that are ink: strong ink plus the fainter ink connected to it, minus lines (``_lines``).

    The strong level is Otsu's threshold (never below ``MIN_INK_CONTRAST``, so paper grain and
    sensor noise of a blank page stay paper); fainter pixels count where they touch strong ones.
    """
    levels = (ink * 255).astype(np.uint8)
    otsu, _ = cv2.threshold(levels, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    strong_level = max(otsu / 255, MIN_INK_CONTRAST)
    faint = (ink > strong_level * HYSTERESIS_LOW_FRACTION).astype(np.uint8)
    count, labels = cv2.connectedComponents(faint, connectivity=8)
    has_strong = np.zeros(count, bool)
    has_strong[labels[ink > strong_level]] = True
    has_strong[0] = False
    return has_strong[labels] & ~_lines(ink > strong_level * LINE_LEVEL_FRACTION, single)


def _lines(candidates: np.ndarray, single: bool) -> np.ndarray:
    """Ruled lines, grid lines and borders among ``candidates``: straight runs far longer than thick.

    ``candidates`` is a generous ink mask, so a faint or broken line is found whole (short gaps
    along a run are closed first). A run is a line when it is at least ``LINE_MIN_LENGTH_FRACTION``
    of the image's shorter side and ``LINE_MIN_ASPECT`` times longer than thick, and where a
    digit's stroke cannot be: in a single-digit crop, in the band along the crop's border (a ``1``
    filling the crop stays); in a larger picture, spanning nearly all of it or twice that length.
    """
    height, width = candidates.shape
    length_px = max(LINE_MIN_LENGTH_PX, int(min(height, width) * LINE_MIN_LENGTH_FRACTION))
    gap_px = max(3, length_px // LINE_GAP_DIVISOR)
    binary = candidates.astype(np.uint8)
    lines = np.zeros(candidates.shape, bool)
    for along in ((1, 0), (0, 1)):
        bridged = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, _kernel(along, gap_px)))
        runs = cv2.morphologyEx(bridged, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, _kernel(along, length_px)))
        count, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
        for label in range(1, count):
            x, y, run_width, run_height, area = stats[label]
            run = _Blob(int(x), int(y), int(x + run_width), int(y + run_height), frozenset(), int(area))
            length = max(run_width, run_height)
            if single:
                placed_as_line = _in_border_band(run, candidates.shape)
            else:
                placed_as_line = max(run_width / width, run_height / height) >= LINE_SPAN_FRACTION or length >= 2 * length_px
            if length * length >= LINE_MIN_ASPECT * area and placed_as_line:
                lines |= labels == label
    return lines


def _kernel(along: tuple[int, int], length_px: int) -> tuple[int, int]:
    """A 1-pixel-thick kernel size (width, height) for a run along x ``(1, 0)`` or along y ``(0, 1)``."""
    return (length_px, 1) if along == (1, 0) else (1, length_px)


def _is_line_remains(blob: _Blob, shape: tuple[int, int]) -> bool:
    """A thin sliver at the border: what is left of a grid line or frame after ``_without_lines``."""
    height, width = shape
    length = max(blob.width, blob.height)
    touches_border = blob.x0 == 0 or blob.y0 == 0 or blob.x1 == width or blob.y1 == height
    return touches_border and length * length >= LINE_MIN_ASPECT * blob.area


def _blob_of(label: int, stat: np.ndarray) -> _Blob:
    x, y, width, height, area = (int(v) for v in stat)
    return _Blob(x, y, x + width, y + height, frozenset({label}), area)


def _merged(a: _Blob, b: _Blob) -> _Blob:
    return _Blob(min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1), a.labels | b.labels, a.area + b.area)


def _x_overlap(a: _Blob, b: _Blob) -> int:
    return max(0, min(a.x1, b.x1) - max(a.x0, b.x0))


def _typical_height(blobs: list[_Blob]) -> float:
    """The height most ink belongs to (an area-weighted median), so many specks cannot drag it down."""
    ordered = sorted(blobs, key=lambda blob: blob.height)
    cumulative = np.cumsum([blob.area for blob in ordered])
    return float(ordered[int(np.searchsorted(cumulative, cumulative[-1] / 2))].height)


def _read_lines(blobs: list[_Blob], labels: np.ndarray) -> list[list[_Blob]]:
    blobs = [blob for blob in blobs if blob.height >= MIN_DIGIT_HEIGHT_PX or blob.width >= MIN_DIGIT_HEIGHT_PX]
    if not blobs:
        return []
    blobs = _join_pieces(blobs, _typical_height(blobs))
    grouped = _group_lines(blobs)
    tallest = max(_typical_height(line) for line in grouped)
    lines = []
    for line in grouped:
        if _typical_height(line) < MIN_LINE_HEIGHT_FRACTION * tallest:
            continue
        digits = _without_separators(line)
        if digits:
            lines.append(sorted(_split_touching(digits, labels), key=lambda blob: blob.x0))
    return lines


def _join_pieces(blobs: list[_Blob], typical_height: float) -> list[_Blob]:
    """Join the pieces of one digit that broke apart: stacked in the same columns, together no taller than a digit."""
    blobs = sorted(blobs, key=lambda blob: blob.x0)
    joined = True
    while joined:
        joined = False
        for i, a in enumerate(blobs):
            for j in range(i + 1, len(blobs)):
                b = blobs[j]
                overlap = _x_overlap(a, b)
                union_height = max(a.y1, b.y1) - min(a.y0, b.y0)
                if (
                    overlap >= JOIN_X_OVERLAP_FRACTION * min(a.width, b.width)
                    and union_height <= JOIN_MAX_HEIGHT_FRACTION * max(typical_height, a.height, b.height)
                ):
                    blobs[i] = _merged(a, b)
                    del blobs[j]
                    joined = True
                    break
            if joined:
                break
    return blobs


def _group_lines(blobs: list[_Blob]) -> list[list[_Blob]]:
    """Cluster candidates into text lines, top to bottom: a candidate joins the line its vertical centre falls in."""
    lines: list[list[_Blob]] = []
    for blob in sorted(blobs, key=lambda blob: -blob.area):
        for line in lines:
            top = float(np.median([member.y0 for member in line]))
            bottom = float(np.median([member.y1 for member in line]))
            if top <= blob.centre_y <= bottom:
                line.append(blob)
                break
        else:
            lines.append([blob])
    return sorted(lines, key=lambda line: float(np.median([blob.centre_y for blob in line])))


def _without_separators(line: list[_Blob]) -> list[_Blob]:
    """Drop specks, separators (``.`` ``,`` ``-`` ``=``) and slivers of lines: much shorter or thinner than the line's digits, or tiny."""
    digit_height = _typical_height(line)
    largest_area = max(blob.area for blob in line)
    return [
        blob
        for blob in line
        if blob.height >= SEPARATOR_HEIGHT_FRACTION * digit_height
        and blob.width >= SLIVER_WIDTH_FRACTION * digit_height
        and blob.area >= SPECK_AREA_FRACTION * largest_area
        and blob.height >= MIN_DIGIT_HEIGHT_PX
    ]


def _split_touching(line: list[_Blob], labels: np.ndarray) -> list[_Blob]:
    """Split candidates much wider than one digit at the columns with least ink between them."""
    digit_height = _typical_height(line)
    single_widths = [blob.width for blob in line if 0.35 * blob.height <= blob.width <= 1.1 * blob.height]
    digit_width = float(np.median(single_widths)) if single_widths else DIGIT_WIDTH_PER_HEIGHT * digit_height
    pieces = []
    for blob in line:
        parts = round(blob.width / digit_width)
        if blob.width > SPLIT_WIDTH_FRACTION * digit_width and parts >= 2:
            pieces.extend(_split(blob, parts, labels))
        else:
            pieces.append(blob)
    return pieces


def _split(blob: _Blob, parts: int, labels: np.ndarray) -> list[_Blob]:
    ink = np.isin(labels[blob.y0: blob.y1, blob.x0: blob.x1], list(blob.labels))
    column_ink = ink.sum(axis=0).astype(np.float32)
    step = blob.width / parts
    search = max(1, int(step * SPLIT_SEARCH_FRACTION))
    cuts = [0]
    for k in range(1, parts):
        guess = int(round(k * step))
        low, high = max(cuts[-1] + 1, guess - search), min(blob.width - 1, guess + search)
        cuts.append(low + int(np.argmin(column_ink[low: high + 1])) if high >= low else guess)
    cuts.append(blob.width)
    pieces = []
    for left, right in zip(cuts, cuts[1:]):
        rows = np.flatnonzero(ink[:, left:right].any(axis=1))
        if rows.size:
            pieces.append(_Blob(blob.x0 + left, blob.y0 + int(rows[0]), blob.x0 + right, blob.y0 + int(rows[-1]) + 1,
                                blob.labels, int(ink[:, left:right].sum())))
    return pieces


def _central_group(blobs: list[_Blob], shape: tuple[int, int]) -> _Blob | None:
    """The one digit of a crop: its largest, most central component plus the pieces that belong with it.

    What lies entirely in a band along the crop's border, or touches the border and is small,
    is the remains of grid lines or of a neighbouring digit, and is left out.
    """
    height, width = shape
    inner = [blob for blob in blobs if not _in_border_band(blob, shape)]
    if not inner:
        return None

    def weight(blob: _Blob) -> float:
        off_x = abs((blob.x0 + blob.x1) / 2 - width / 2) / width
        off_y = abs(blob.centre_y - height / 2) / height
        return blob.area * (1.0 - min(0.9, off_x + off_y))

    main = max(inner, key=weight)
    group = main
    for blob in inner:
        touches_border = blob.x0 == 0 or blob.y0 == 0 or blob.x1 == width or blob.y1 == height
        smallest_area = (BORDER_REMAINS_AREA_FRACTION if touches_border else SPECK_AREA_FRACTION) * main.area
        if blob is not main and blob.area >= smallest_area:
            group = _merged(group, blob)
    return group


def _in_border_band(blob: _Blob, shape: tuple[int, int]) -> bool:
    height, width = shape
    band_x, band_y = BORDER_BAND_FRACTION * width, BORDER_BAND_FRACTION * height
    return blob.x1 <= band_x or blob.x0 >= width - band_x or blob.y1 <= band_y or blob.y0 >= height - band_y


def _crop(blob: _Blob, ink: np.ndarray, labels: np.ndarray, scale: float, line: int) -> DigitCrop:
    region = (slice(blob.y0, blob.y1), slice(blob.x0, blob.x1))
    crop = np.where(np.isin(labels[region], list(blob.labels)), ink[region], 0.0).astype(np.float32)
    box = tuple(int(round(v / scale)) for v in (blob.x0, blob.y0, blob.width, blob.height))
    return DigitCrop(box=box, ink=crop, line=line)
