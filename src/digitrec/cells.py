"""A crop of one digit (a Sudoku cell, a meter's window, a digit bitmap) -> its digit's ink.

A cell holds one digit and often the remains of its grid lines or of the neighbouring digits at its
borders. ``central_group`` keeps the largest, most central piece and what belongs with it. A digit
bolder than the ink map's light window comes out hollow, so one Otsu threshold over the whole crop
(``global_threshold_crop``) reads it again, and the judge keeps the reading it finds more digit-like
(``better_single_reading``). A made bitmap, black and white or grey, is all digit (``whole_bitmap``), and a crop in
which nothing stands out from the grain (``stands_out``) is blank.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from digitrec.ink import strong_ink_level
from digitrec.lines import BORDER_BAND_FRACTION, ink_mask
from digitrec.pieces import Blob, DigitCrop, Judge, crop_of, in_border_band, merge

SPECK_AREA_FRACTION = 0.04
SINGLE_TRUSTED_LIKENESS = 0.97  # the judge's confidence at which a cell's main reading stands unchallenged
BLANK_MAX_CONTRAST_LEVELS = 12  # grey levels between a plain crop's two Otsu classes: the grain of a blank photo reaches 11, the faintest digit read 25
MAX_DIGIT_FILL = 0.75  # of its box, that a digit's strokes cover, even a bold one's; the paper inside a cell's grid lines covers more
BAR_ASPECT = 1.5  # but a bold 1 is one solid bar that fills its box: this many times taller than wide (a cell is about square)
BORDER_REMAINS_AREA_FRACTION = 0.3
EDGE_TO_EDGE_FRACTION = 0.95  # of a row or column, crossed by a ruled box's line


def better_single_reading(crops: list[DigitCrop], rgb: np.ndarray, scale_xy: tuple[float, float],
                          judge: Judge | None) -> list[DigitCrop]:
    """The main reading of a cell, or the one-threshold reading where the judge finds that one more digit-like.

    The main reading evens out light locally and strips grid remains, which a photographed cell
    needs; it hollows out strokes bolder than its light window, as on signs and plates. One global
    threshold reads those whole. The main reading stands when the judge is sure of it.
    """
    if judge is None:
        return crops
    alternative = global_threshold_crop(rgb, scale_xy)
    if alternative is None:
        return crops
    if not crops:
        return [alternative] if stands_out(rgb) else []
    main_likeness, alternative_likeness = judge([crops[0].ink, alternative.ink])
    if main_likeness >= SINGLE_TRUSTED_LIKENESS or main_likeness >= alternative_likeness:
        return crops
    return [alternative]


def stands_out(rgb: np.ndarray) -> bool:
    """Whether anything in a crop stands out from its ground more than a blank photo's grain does.

    One Otsu threshold always splits a picture in two, so on a blank one (a white cell, an empty
    window) it finds "ink" in the grain, which the network may read as a sure digit. Inside the
    crop's border ring (where an empty cell's grid lines run), with the light's
    plane (a lamp to one side) and its slow changes taken out, the two classes of a blank photo differ
    by at most 11 grey levels (sensor noise up to 8 levels, blurred or not); those of every crop in
    the development set that only the one-threshold reading finds by 25 or more.
    """
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    ring_px = _border_ring_px(grey.shape)
    if min(grey.shape) > 4 * ring_px:
        grey = grey[ring_px:-ring_px, ring_px:-ring_px]  # a cell's grid lines are not what stands out
    height, width = grey.shape
    grey -= _light_plane(grey)
    flat = np.clip(grey - cv2.GaussianBlur(grey, (0, 0), max(height, width) / 2) + 128, 0, 255)
    _, light = cv2.threshold(flat.astype(np.uint8), 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if light.all() or not light.any():
        return False
    return abs(float(np.median(flat[light == 1])) - float(np.median(flat[light == 0]))) >= BLANK_MAX_CONTRAST_LEVELS


def _border_ring_px(shape: tuple[int, ...]) -> int:
    """How wide a crop's border ring is: where a cell's grid lines and the paper around a digit lie."""
    return max(1, min(shape[:2]) // 10)


def _light_plane(grey: np.ndarray) -> np.ndarray:
    """The plane of brightness that fits ``grey`` best (least squares): light falling off across it.
    On a regular grid the fit is separable: each slope from the column and row means alone."""
    height, width = grey.shape
    xs, ys = np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    slope_x = np.polyfit(xs, grey.mean(axis=0), 1)[0] if width > 1 else 0.0
    slope_y = np.polyfit(ys, grey.mean(axis=1), 1)[0] if height > 1 else 0.0
    return np.float32(slope_x) * (xs - xs.mean())[None, :] + np.float32(slope_y) * (ys - ys.mean())[:, None]


def global_threshold_crop(rgb: np.ndarray, scale_xy: tuple[float, float] = (1.0, 1.0)) -> DigitCrop | None:
    """One digit filling a crop, by one Otsu threshold over the whole crop (after only the slowest
    changes of light are taken out): the ink is the class the crop's border ring mostly lacks, and
    the digit is the ink components reaching into the crop's middle. Where those fill their box as no
    digit does, the ring was a cell's grid lines and the "ink" the paper inside them: the other class
    is the ink. Unless that other class lies all around the filled box: then the filled box was a digit
    blurred into a blot, and the other class the paper between it and the grid lines (a blurred photo of
    a printed Sudoku; its ``8`` and ``5`` were read as ``0``): no reading."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    height, width = grey.shape
    if min(height, width) < 4:
        return None
    flat = grey - cv2.GaussianBlur(grey, (0, 0), max(height, width) / 2) + 128
    _, light = cv2.threshold(np.clip(flat, 0, 255).astype(np.uint8), 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ring = np.ones((height, width), bool)
    ring_px = _border_ring_px((height, width))
    ring[ring_px:-ring_px, ring_px:-ring_px] = False
    light_ground = light[ring].mean() > 0.5
    ink_class, other_class = ((light == 0), (light == 1)) if light_ground else ((light == 1), (light == 0))
    digit = _central_components(ink_class)
    if digit is not None and not _fills_its_box(digit):
        return _strength_crop(digit, ink_class, flat, scale_xy)
    fallback = _central_components(other_class, is_fallback=True)
    if fallback is None or _fills_its_box(fallback) or (digit is not None and _surrounds(fallback.blob, digit.blob)):
        return None
    return _strength_crop(fallback, other_class, flat, scale_xy)


@dataclass(frozen=True)
class _Components:
    """Some of a mask's connected components taken together: their labels, their pixels and their box."""

    labels: np.ndarray
    mask: np.ndarray
    blob: Blob


def _central_components(mask: np.ndarray, is_fallback: bool = False) -> _Components | None:
    """The digit among the ink ``mask``'s components: those reaching into the crop's middle (less specks);
    None where there are none.
    ``is_fallback``: ``mask`` is the class taken for ink only because the other filled its box. Then a
    component reaching all four sides of the crop is not the digit but the paper around it, where the
    other class was a digit blurred into a blot (a faint printed digit in a photographed Sudoku row).
    (In the first class such a component may well be the digit: one stretched to fill its bitmap.)"""
    height, width = mask.shape
    if mask.all() or not mask.any():
        return None
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    middle = np.zeros((height, width), bool)
    middle[height // 4: height - height // 4, width // 4: width - width // 4] = True
    in_middle = np.bincount(labels[middle], minlength=count)
    in_middle[0] = 0
    if is_fallback:
        left, top, box_width, box_height = (stats[:, column] for column in range(4))
        in_middle[(left == 0) & (top == 0) & (box_width == width) & (box_height == height)] = 0  # all four sides: around it
    if in_middle.max() == 0:
        return None
    main_area = stats[int(in_middle.argmax()), cv2.CC_STAT_AREA]
    kept = [label for label in range(1, count) if in_middle[label] > 0 and stats[label, cv2.CC_STAT_AREA] >= SPECK_AREA_FRACTION * main_area]
    digit_mask = np.isin(labels, kept)
    rows, cols = np.flatnonzero(digit_mask.any(axis=1)), np.flatnonzero(digit_mask.any(axis=0))
    blob = Blob(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1, frozenset(kept), int(digit_mask.sum()))
    return _Components(labels, digit_mask, blob)


def _fills_its_box(components: _Components) -> bool:
    """Whether the components cover their box as no digit's strokes do, unless that box is a tall bar (a bold ``1``)."""
    blob = components.blob
    return blob.area > MAX_DIGIT_FILL * blob.height * blob.width and blob.height < BAR_ASPECT * blob.width


def _surrounds(outer: Blob, inner: Blob) -> bool:
    """Whether ``outer``'s box holds ``inner``'s with room on every side."""
    return outer.x0 < inner.x0 and outer.y0 < inner.y0 and outer.x1 > inner.x1 and outer.y1 > inner.y1


def _strength_crop(components: _Components, mask: np.ndarray, flat: np.ndarray, scale_xy: tuple[float, float]) -> DigitCrop:
    """The crop of ``components``, each pixel's strength between the paper's level and the ink's in ``flat``
    (the levels of ``mask``, the class they were found in, and of the rest)."""
    ink_level, paper_level = float(flat[mask].mean()), float(flat[~mask].mean())
    strength = np.clip((flat - paper_level) / (ink_level - paper_level), 0.0, 1.0)
    return crop_of(components.blob, np.where(components.mask, strength, 0.0).astype(np.float32), components.labels, scale_xy, 0)


def whole_bitmap(ink: np.ndarray) -> list[list[DigitCrop]]:
    """A made crop (``ink.is_bitmap``: a 16x16 or 32x32 scan, a drawing) is a digit bitmap, not a photographed
    cell: every piece of its ink is the digit, even where it touches the border, since such bitmaps
    are drawn to fill their frame and hold no remains of grid lines."""
    mask = _without_edge_rules(ink_mask(ink, strong_ink_level(ink), single=True, remove_lines=False))
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return []
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    blob = Blob(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1,
                frozenset(range(1, count)), int(mask.sum()))
    return [[crop_of(blob, ink, labels, (1.0, 1.0), 0)]]


def _without_edge_rules(mask: np.ndarray) -> np.ndarray:
    """Clear the rows and columns by the border that ink crosses from edge to edge: a ruled box
    around the cell. A digit's stroke, even in a bitmap it fills, stops short of the corners."""
    height, width = mask.shape
    band_rows, band_cols = max(1, int(BORDER_BAND_FRACTION * height)), max(1, int(BORDER_BAND_FRACTION * width))
    ruled_rows = mask.mean(axis=1) >= EDGE_TO_EDGE_FRACTION
    ruled_cols = mask.mean(axis=0) >= EDGE_TO_EDGE_FRACTION
    ruled_rows[band_rows:height - band_rows] = False
    ruled_cols[band_cols:width - band_cols] = False
    cleared = mask.copy()
    cleared[ruled_rows, :] = False
    cleared[:, ruled_cols] = False
    return cleared


def central_group(blobs: list[Blob], shape: tuple[int, int]) -> Blob | None:
    """The one digit of a crop: its largest, most central component plus the pieces that belong with it.

    What lies entirely in a band along the crop's border, or touches the border and is small,
    is the remains of grid lines or of a neighbouring digit, and is left out.
    """
    height, width = shape
    inner = [blob for blob in blobs if not in_border_band(blob, shape, BORDER_BAND_FRACTION)]
    if not inner:
        return None

    def weight(blob: Blob) -> float:
        off_x = abs((blob.x0 + blob.x1) / 2 - width / 2) / width
        off_y = abs(blob.centre_y - height / 2) / height
        return blob.area * (1.0 - min(0.9, off_x + off_y))

    main = max(inner, key=weight)
    group = main
    for blob in inner:
        touches_border = blob.x0 == 0 or blob.y0 == 0 or blob.x1 == width or blob.y1 == height
        smallest_area = (BORDER_REMAINS_AREA_FRACTION if touches_border else SPECK_AREA_FRACTION) * main.area
        if blob is not main and blob.area >= smallest_area:
            group = merge(group, blob)
    return group
