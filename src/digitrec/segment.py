"""A whole image -> digit crops in reading order.

The network only knows MNIST: one centred digit, bright ink on black. A user's picture holds
paper, shadows, grid lines, separators and several digits, so this module turns it into ink
crops, one per digit, each with its box in the picture:

1. ``ink_map``: polarity decided per image, background (paper, shadows) estimated coarsely and
   divided out, so every pixel says how much ink it holds (0 paper .. 1 full ink) whatever the
   light, the paper or the ink colour.
2. ``_ink_mask``: hysteresis threshold; long thin lines (ruled lines, grid lines, also slightly
   slanted ones in photos) removed, keeping the strokes that cross them.
3. Connected components -> candidate digits: pieces of one digit joined, components grouped
   into text lines, specks, separators (``.`` ``,`` ``-`` ``=``) and what the picture's edge cut
   off dropped, touching digits split (where the recogniser's network finds the pieces most
   digit-like, when it lends its judgement), each line read left to right.

A picture larger than ``WORK_MAX_SIDE_PX`` is segmented at that size; boxes are given in the
picture's own pixels. On a photo, independent steps run side by side on the machine's cores
(``parallel``), with the same results as one after another.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

import cv2
import numpy as np

from digitrec.parallel import either, in_bands, side_by_side

WORK_MAX_SIDE_PX = 1000
POLARITY_MAX_SIDE_PX = 512
MEDIAN_SAMPLE_PX = 40_000
BILEVEL_MIN_CONTRAST = 64  # grey levels between the darkest and lightest pixel
BILEVEL_MARGIN_FRACTION = 0.1
BILEVEL_MIN_SHARE = 0.97  # of pixels within the margin of either extreme
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
LINE_MIN_LENGTH_FRACTION = 0.6
LINE_MIN_LENGTH_PX = 24
LINE_SPAN_FRACTION = 0.9
LINE_LEVEL_FRACTION = 0.5
SINGLE_LINE_LEVEL_FRACTION = 0.6
LINE_GAP_DIVISOR = 8
LINE_MIN_ASPECT = 6
CROSSING_BRIDGE_PX = 9  # a stroke crossing a removed line is kept where ink lies within this on both sides
LINE_CORE_FACTOR = 2.0  # in a photo, ink this many times stronger than the lines' mean is a stroke's, not a line's
PHOTO_MIN_SIDE_PX = 300  # a photo of a page or scene, not a strip or crop cut around digits: slanted rules, ink
                         # stronger than the rules and faint pieces at the edge are looked for only there
SLANT_MAX_DEG = 20
SLANT_SPAN_FRACTION = 0.75
SLANT_PIECE_FRACTION = 0.3  # Hough pieces at least this part of the shorter side
SLANT_MIN_VOTES_FRACTION = 0.4
SLANT_MAX_GAP_PX = 5  # in the pixels Hough sees
SLANT_PROFILE_REACH_PX = 6  # how far either side of a fitted line its thickness is looked for
SLANT_PROFILE_STEP_PX = 4  # ... in every fourth column (row) along it
SLANT_PROFILE_CORE = 0.5  # of the columns where the line shows, the share an offset is ink in to count as the line's
SLANT_BAND_MIN_PX, SLANT_BAND_MAX_PX = 3, 7  # how thick a slanted line is taken out
COLLINEAR_MAX_DEG = 1.5
COLLINEAR_MAX_OFFSET_PX = 4
PARALLEL_MAX_DEG = 1.0  # a piece this near the angle of a page's ruled lines is a piece of one of them
LINE_MIN_INK_SHARE = 0.25  # of a run, that ink covers before its gaps are closed; less, and the closing made it
HOUGH_MAX_SHORTER_SIDE_PX = 375  # Hough sees the mask at most this size: fast, and the same lines at any working size
MIN_DIGIT_HEIGHT_PX = 5
MIN_PIECE_AREA_PX = 12
MIN_STRONG_SHARE = 0.2  # of the pixels of a piece at a photo's edge that reach the strong ink level: a stroke's core does
SEPARATOR_HEIGHT_FRACTION = 0.3
SHORT_FRACTION = 0.6
FLAT_ASPECT = 3.0
FLAT_LINE_ASPECT = 1.5  # a lesser "line" of pieces mostly wider than tall is a ruled line's remains
FILL_HEIGHT_FRACTION = 0.7
RULE_HEIGHT_FRACTION = 1.3  # an upright sliver this much taller than the digits is a grid line, not a 1
UPRIGHT_SLIVER_ASPECT = 3  # taller than wide by this much: a 1 or a piece of grid line
RULE_MAX_WANDER_PX = 2  # how far a grid line's middle may move sideways along it (a photo's slight tilt)
RULE_MAX_WANDER_FRACTION = 0.06
NEAR_BORDER_FRACTION = 0.05
SPECK_AREA_FRACTION = 0.04
SINGLE_TRUSTED_LIKENESS = 0.97  # the judge's confidence at which a cell's main reading stands unchallenged
BLANK_MAX_CONTRAST_LEVELS = 12  # grey levels between a plain crop's two Otsu classes: the grain of a blank photo reaches 11, the faintest digit read 25
MAX_DIGIT_FILL = 0.75  # of its box, that a digit's strokes cover, even a bold one's; the paper inside a cell's grid lines covers more
BAR_ASPECT = 1.5  # but a bold 1 is one solid bar that fills its box: this many times taller than wide (a cell is about square)
BORDER_REMAINS_AREA_FRACTION = 0.3
BORDER_BAND_FRACTION = 0.15
EDGE_TO_EDGE_FRACTION = 0.95  # of a row or column, crossed by a ruled box's line
EDGE_LINE_SPAN_FRACTION = 0.8  # a grid line by a cell's edge runs along most of it, a bold 0's side does not
CELL_LINE_BAND_FRACTION = 0.25  # a cell cut a little off its grid holds the grid line further in:
CELL_LINE_SPAN_FRACTION = 0.7  # there, a line must span the cell
CELL_LINE_THICKNESS_FRACTION = 0.1  # and be thin, unlike the bold 1 of a sign,
CELL_MIN_SIDE_PX = 40  # in a photographed cell, not a digit bitmap (16x16, 32x32) that a 1 fills
REMAINS_MARGIN_FRACTION = 0.12
ALONG_BORDER_SHARE = 0.5  # of a crop's border remains' pixels, at least, in the band along its border
JOIN_X_OVERLAP_FRACTION = 0.5
MIN_LINE_HEIGHT_FRACTION = 0.4
SIDE_BY_SIDE_OVERLAP_FRACTION = 0.2  # digits of one line overlap their neighbours' columns at most this much
JOIN_MAX_HEIGHT_FRACTION = 1.3
SPLIT_WIDTH_FRACTION = 1.5
DIGIT_WIDTH_PER_HEIGHT = 0.7
SPLIT_SEARCH_FRACTION = 0.3
JUDGE_WIDTH_FRACTION = 1.1
MAX_SPLIT_PARTS = 8
EXPECTED_SPLIT_BONUS = 0.1
HOLE_MIN_AREA_FRACTION = 0.05  # of the candidate's height squared: a loop, not a gap in a blotchy stroke
LOOP_CUT_MARGIN_FRACTION = 0.25  # of a loop's width, on each side: a cut may run through its outer quarters, not its middle
HOLE_SHARED_ROWS_FRACTION = 0.3  # of the shorter hole's height: loops beside each other, not an 8's, one above the other
REJOIN_GAP_FRACTION = 0.15  # of the line's digit height, between pieces of one digit broken apart side by side
REJOIN_MIN_WHOLENESS = 0.5
MARK_HEIGHT_FRACTION = 0.7  # of the line's digit height: a piece at a line's end shorter than this may be a mark
MARK_MAX_WHOLENESS = 0.1
MAX_DIGIT_ASPECT = 2.0
SEGMENT_BAR_ASPECT = 2.5  # a segment is this many times longer than thick
SEGMENT_BAR_FILL = 0.6  # of its box, that a segment fills (a slanted one, of an italic display, less than an upright one)
SEGMENT_MIN_BARS_EACH_WAY = 2
SEGMENT_MIN_BAR_SHARE = 0.7  # of a picture's pieces, that are bars where it shows seven-segment digits
SEGMENT_GAP_PER_THICKNESS = 0.8  # segments of one digit come closer than this many bar thicknesses


Judge = Callable[[list[np.ndarray]], np.ndarray]
"""Scores ink crops (bright ink on black, as ``DigitCrop.ink``): how much each looks like one digit, 0..1."""


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
    flat: bool = False  # made only of pieces far wider than tall: a dash, the bars of ``=``, an underline
    own_ink: np.ndarray | None = field(default=None, compare=False)  # which pixels of the box are its ink, where
    # a cut along a loop gave it only part of its components; None: all of its components' pixels in the box

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def centre_y(self) -> float:
        return (self.y0 + self.y1) / 2


def find_digits(rgb: np.ndarray, single: bool = False, judge: Judge | None = None, bold: bool = False,
                other_polarity: bool = False) -> list[list[DigitCrop]]:
    """The digits of an HxWx3 uint8 RGB image as text lines, each read left to right.

    With ``single`` the image is taken as one digit (a cell or meter crop): the central group of
    ink is returned, without the grid-line bits and neighbours' remains at its borders.
    With a ``judge`` (the recogniser passes its wholeness network for strings, its classifier's
    confidence for single crops), how many digits a candidate wider than one digit holds is decided
    by how whole the judge finds the pieces of each way of cutting it, and which of a single crop's
    two readings stands by which it finds more digit-like; without one, by width alone. With ``bold`` the
    light is evened out over a wider window (``ink_map``); with ``other_polarity`` the ink is taken to be
    the other of dark and light than ``ink_map`` decides (a second opinion where the first reading is
    unsure). A blank picture gives no lines.
    """
    height, width = rgb.shape[:2]
    if max(height, width) > WORK_MAX_SIDE_PX:
        rgb = _resized(rgb, WORK_MAX_SIDE_PX / max(height, width))
    scale_xy = (rgb.shape[1] / width, rgb.shape[0] / height)
    ink = ink_map(rgb, single, bold, other_polarity)
    if single and is_bilevel(rgb):
        return _whole_bitmap(ink)
    blobs, labels = _candidates(ink, single, digits_fill_height=False)
    digits_fill_height = not single and bool(blobs) and _typical_height(blobs) >= FILL_HEIGHT_FRACTION * ink.shape[0]
    if digits_fill_height:
        blobs, labels = _candidates(ink, single, digits_fill_height=True)
    if single:
        digit = _central_group(blobs, labels.shape)
        crops = [_crop(digit, ink, labels, scale_xy, 0)] if digit else []
        chosen = _better_single_reading(crops, rgb, scale_xy, judge)
        return [chosen] if chosen else []
    lines = _read_lines(blobs, labels, digits_fill_height, ink, judge)
    return [
        [_crop(blob, ink, labels, scale_xy, line_index) for blob in line]
        for line_index, line in enumerate(lines)
    ]


def _better_single_reading(crops: list[DigitCrop], rgb: np.ndarray, scale_xy: tuple[float, float],
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
    blob: _Blob


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
    blob = _Blob(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1, frozenset(kept), int(digit_mask.sum()))
    return _Components(labels, digit_mask, blob)


def _fills_its_box(components: _Components) -> bool:
    """Whether the components cover their box as no digit's strokes do, unless that box is a tall bar (a bold ``1``)."""
    blob = components.blob
    return blob.area > MAX_DIGIT_FILL * blob.height * blob.width and blob.height < BAR_ASPECT * blob.width


def _surrounds(outer: _Blob, inner: _Blob) -> bool:
    """Whether ``outer``'s box holds ``inner``'s with room on every side."""
    return outer.x0 < inner.x0 and outer.y0 < inner.y0 and outer.x1 > inner.x1 and outer.y1 > inner.y1


def _strength_crop(components: _Components, mask: np.ndarray, flat: np.ndarray, scale_xy: tuple[float, float]) -> DigitCrop:
    """The crop of ``components``, each pixel's strength between the paper's level and the ink's in ``flat``
    (the levels of ``mask``, the class they were found in, and of the rest)."""
    ink_level, paper_level = float(flat[mask].mean()), float(flat[~mask].mean())
    strength = np.clip((flat - paper_level) / (ink_level - paper_level), 0.0, 1.0)
    return _crop(components.blob, np.where(components.mask, strength, 0.0).astype(np.float32), components.labels, scale_xy, 0)


def _whole_bitmap(ink: np.ndarray) -> list[list[DigitCrop]]:
    """A black-and-white crop is a digit bitmap (a 16x16 or 32x32 scan, a drawing), not a photographed
    cell: every piece of its ink is the digit, even where it touches the border, since such bitmaps
    are drawn to fill their frame and hold no remains of grid lines."""
    mask = _without_edge_rules(_ink_mask(ink, _strong_level(ink), single=True, remove_lines=False))
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return []
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    blob = _Blob(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1,
                 frozenset(range(1, count)), int(mask.sum()))
    return [[_crop(blob, ink, labels, (1.0, 1.0), 0)]]


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


def _candidates(ink: np.ndarray, single: bool, digits_fill_height: bool) -> tuple[list["_Blob"], np.ndarray]:
    """The ink's connected components, less specks, slivers of lines and faint pieces at a photo's edge; and the label
    image.

    Where a photo's light falls off towards its edge, the ground's closing cannot follow it within half its
    size of the border, and the grain there turns to faint ink. A piece of a photo (``_is_photo``) touching the
    edge, fewer than ``MIN_STRONG_SHARE`` of whose pixels reach the strong ink level, is that grain where it
    touched a strong speck, not a stroke: a stroke's core is strong however faint its edges. (Lines are removed
    first, so the grain that a rule running off the edge held together stands alone by then.)
    """
    strong_level = _strong_level(ink)
    mask = _ink_mask(ink, strong_level, single, digits_fill_height)
    binary = mask.astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8, ltype=_label_type(cv2.countNonZero(binary)))
    along_border = _share_in_border_band(labels, count) >= ALONG_BORDER_SHARE if single else np.ones(count, bool)
    faint_at_edge = _faint_at_edge(labels, count, stats, ink, strong_level) if _is_photo(ink.shape, single) else np.zeros(count, bool)
    blobs = [
        blob
        for label, blob in ((label, _blob_of(label, stats[label])) for label in range(1, count))
        if blob.area >= MIN_PIECE_AREA_PX and not faint_at_edge[label]
        and not (along_border[label] and _is_line_remains(blob, mask.shape, single))
    ]
    return blobs, labels


def _is_photo(shape: tuple[int, ...], single: bool) -> bool:
    """A picture of a page or a scene (shorter side at least ``PHOTO_MIN_SIDE_PX`` at the working size), not a strip
    or crop cut around digits."""
    return not single and min(shape[:2]) >= PHOTO_MIN_SIDE_PX


def _faint_at_edge(labels: np.ndarray, count: int, stats: np.ndarray, ink: np.ndarray, strong_level: float) -> np.ndarray:
    """Per component, whether it touches the picture's edge and fewer than ``MIN_STRONG_SHARE`` of its pixels reach
    ``strong_level``."""
    height, width = labels.shape
    x, y, box_width, box_height, area = (stats[:, field] for field in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH,
                                                                        cv2.CC_STAT_HEIGHT, cv2.CC_STAT_AREA))
    at_edge = (x == 0) | (y == 0) | (x + box_width == width) | (y + box_height == height)
    at_edge[0] = False
    faint = np.zeros(count, bool)
    for label in np.flatnonzero(at_edge & (area >= MIN_PIECE_AREA_PX)):  # a few pieces: counted in their boxes only
        box = np.s_[y[label]: y[label] + box_height[label], x[label]: x[label] + box_width[label]]
        strong = np.count_nonzero((labels[box] == label) & (ink[box] > strong_level))
        faint[label] = strong < MIN_STRONG_SHARE * area[label]
    return faint


def _share_in_border_band(labels: np.ndarray, count: int) -> np.ndarray:
    """Per component, the share of its pixels in the band along the crop's border (``CELL_LINE_BAND_FRACTION``).

    A grid line's remains lie along the border, however far a cell's cut left them in; a digit that
    touches the border (a meter's drum digit, a thin-stroked ``2`` reaching the crop's side) has most of
    its ink further in, though its box is as thin for its length as a grid corner's.
    """
    height, width = labels.shape
    band_y, band_x = int(CELL_LINE_BAND_FRACTION * height), int(CELL_LINE_BAND_FRACTION * width)
    inner = labels[band_y: height - band_y, band_x: width - band_x]
    total = np.bincount(labels.ravel(), minlength=count)
    return 1.0 - np.bincount(inner.ravel(), minlength=count) / np.maximum(total, 1)


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
    bilevel = is_bilevel(rgb)
    darkness = _paper_level(pixels) if bilevel else _light_on_paper(pixels, kernel_fraction)  # the ground, for now
    paper = np.empty_like(darkness)
    in_bands(darkness.shape, partial(_darkness_below_ground, pixels, darkness, paper))
    grain = np.zeros(3, np.float32) if bilevel else NOISE_DEVIATIONS * ROBUST_SIGMA_PER_MAD * _channel_medians(darkness)
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


def _resized(image: np.ndarray, factor: float) -> np.ndarray:
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
        grey = _resized(grey, factor)
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
    coarse = _resized(grey, coarse_factor)
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


def is_bilevel(rgb: np.ndarray) -> bool:
    """Whether the picture is black and white only (a bitmap scan, a drawing): it has no light to even out.

    Evening out light by a local closing would hollow out strokes as wide as the closing, which in a
    small bitmap that one bold digit fills is most of them.
    """
    step = max(1, int(np.sqrt(rgb.shape[0] * rgb.shape[1] / MEDIAN_SAMPLE_PX)))
    sample = rgb[::step, ::step]  # a regular sample answers as well as every pixel
    grey = np.maximum(np.maximum(sample[..., 0], sample[..., 1]), sample[..., 2])  # far faster than max(axis=2) on a strided view
    darkest, lightest = float(grey.min()), float(grey.max())
    if lightest - darkest < BILEVEL_MIN_CONTRAST:
        return False
    margin = BILEVEL_MARGIN_FRACTION * (lightest - darkest)
    near_either = (grey <= darkest + margin) | (grey >= lightest - margin)
    return float(near_either.mean()) >= BILEVEL_MIN_SHARE


def _paper_level(pixels: np.ndarray) -> np.ndarray:
    """A flat ground at each channel's brightest level."""
    return np.ascontiguousarray(np.broadcast_to(pixels.reshape(-1, pixels.shape[2]).max(axis=0), pixels.shape), np.float32)


def _light_on_paper(pixels: np.ndarray, kernel_fraction: float) -> np.ndarray:
    """The light falling on the paper, without the ink: a closing (which erases strokes) at a coarse scale, where
    it costs little, brought back to full size. The ground is this, or the pixel itself where that is lighter."""
    height, width = pixels.shape[:2]
    factor = min(1.0, BACKGROUND_GRID_PX / min(height, width))
    coarse = _resized(pixels, factor) if factor < 1 else pixels
    kernel_px = max(3, int(min(coarse.shape[:2]) * kernel_fraction) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (kernel_px, kernel_px))
    closed = cv2.morphologyEx(coarse, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_REPLICATE)
    return cv2.resize(closed, (width, height), interpolation=cv2.INTER_LINEAR)


def _strong_level(ink: np.ndarray) -> float:
    """The level of strong ink: Otsu's threshold of the ink map, never below ``MIN_INK_CONTRAST`` (so paper grain and
    sensor noise of a blank page stay paper)."""
    levels = (ink * 255).astype(np.uint8)
    otsu, _ = cv2.threshold(levels, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return max(otsu / 255, MIN_INK_CONTRAST)


def _ink_mask(ink: np.ndarray, strong_level: float, single: bool, digits_fill_height: bool = False,
              remove_lines: bool = True) -> np.ndarray:
    """Pixels that are ink: strong ink (``_strong_level``) plus the fainter ink connected to it, minus lines
    (``_lines``).

    Lines are removed with a pixel of margin, so their blurred edges do not stay behind as slivers;
    where a stroke crosses a line (ink on both sides of it) the stroke is kept whole, and in a photo also where
    its ink is far stronger than the lines' (``_stronger_than_the_lines``).
    """
    if not remove_lines:
        return _strong_and_connected(ink, strong_level)
    line_level = strong_level * (SINGLE_LINE_LEVEL_FRACTION if single else LINE_LEVEL_FRACTION)
    ink_mask, lines = side_by_side(ink.size, lambda: _strong_and_connected(ink, strong_level),
                                   lambda: _lines(ink > line_level, single, digits_fill_height))
    if single:
        return ink_mask & ~lines
    if not lines.any():
        return ink_mask
    band = cv2.dilate(lines.astype(np.uint8), np.ones((3, 3), np.uint8))
    kept = ink_mask & (band == 0)
    kept_u8 = kept.astype(np.uint8)
    bridged = side_by_side(kept.size, *(partial(_closed, kept_u8, along, CROSSING_BRIDGE_PX) for along in ((1, 0), (0, 1))))
    crossing = (bridged[0] > 0) | (bridged[1] > 0)
    if _is_photo(ink.shape, single):
        crossing |= _stronger_than_the_lines(ink, lines, strong_level)
    return kept | (ink_mask & (band > 0) & crossing)


def _stronger_than_the_lines(ink: np.ndarray, lines: np.ndarray, strong_level: float) -> np.ndarray:
    """The pixels whose ink is strong and ``LINE_CORE_FACTOR`` times the lines' mean: a pen's stroke over faint printed
    rules. Where a stroke runs along a rule or crosses it at a shallow angle, no column and no row holds its ink on
    both sides of the rule, and the crossing bridge cannot join it: a ``0`` whose bottom runs along a rule came
    apart. (One mean for all of a page's lines: a margin line crosses the rules, so it shares their pieces.)"""
    line_ink = float(ink[lines].mean(dtype=np.float64))
    return ink > max(LINE_CORE_FACTOR * line_ink, strong_level)


def _strong_and_connected(ink: np.ndarray, strong_level: float) -> np.ndarray:
    """Hysteresis: the pixels above ``strong_level``, and the fainter ink (above ``HYSTERESIS_LOW_FRACTION`` of it) that
    touches them."""
    faint = (ink > strong_level * HYSTERESIS_LOW_FRACTION).astype(np.uint8)
    count, labels = cv2.connectedComponents(faint, connectivity=8, ltype=_label_type(cv2.countNonZero(faint)))
    has_strong = np.zeros(count, bool)
    has_strong[labels[ink > strong_level]] = True
    has_strong[0] = False
    return np.take(has_strong, labels)


def _lines(candidates: np.ndarray, single: bool, digits_fill_height: bool = False) -> np.ndarray:
    """Ruled lines, grid lines and borders among ``candidates``: straight runs far longer than thick.

    ``candidates`` is a generous ink mask, so a faint or broken line is found whole (short gaps
    along a run are closed first). A run is a line when it is at least ``LINE_MIN_LENGTH_FRACTION``
    of the image's shorter side and ``LINE_MIN_ASPECT`` times longer than thick, and where a
    digit's stroke cannot be: in a single-digit crop, along most of a side in the band by the crop's
    border (a ``1`` filling the crop, the side of a bold ``0``, stays), or a thin run across the
    whole cell a little further in; in a larger
    picture, spanning nearly all of it or twice that length.
    With ``digits_fill_height`` (a strip cut around one line of digits, such as a cheque amount) an
    upright run spanning the height is a ``1``, not a line.
    """
    height, width = candidates.shape
    length_px = max(LINE_MIN_LENGTH_PX, int(min(height, width) * LINE_MIN_LENGTH_FRACTION))
    binary = candidates.astype(np.uint8)
    if not _is_photo(candidates.shape, single):
        straight = [partial(_straight_lines, binary, along, length_px, single, digits_fill_height) for along in ((1, 0), (0, 1))]
        (across, _), (down, _) = side_by_side(binary.size, *straight)
        return across | down
    return _photo_lines(candidates, length_px, digits_fill_height)


def _photo_lines(candidates: np.ndarray, length_px: int, digits_fill_height: bool) -> np.ndarray:
    """``_lines`` in a photo, whose ruled lines are never quite level and may lie closer together than the gaps
    that closing bridges.

    The slanted lines are looked for alongside the straight ones, in all the ink, and again without the straight
    lines only where there are some. A straight run counts only where ink covers ``LINE_MIN_INK_SHARE`` of it:
    across rules 40 px apart, closing gaps of 56 px makes a band of upright "runs" that holds no upright line, and
    taking it out took out the digits written across it. Once the lines are found and taken out, such bands are
    looked for again: what they still hold in pieces shorter than the gaps closed (the crossings of a faint grid
    that shows nowhere else, the ends of rules) is taken out too; a digit is longer.
    """
    binary = candidates.astype(np.uint8)
    straight = [partial(_straight_lines, binary, along, length_px, False, digits_fill_height, LINE_MIN_INK_SHARE)
                for along in ((1, 0), (0, 1))]
    slanted = partial(_slanted_lines, length_px=2 * length_px, upright_too=not digits_fill_height)
    (across, across_bridged), (down, down_bridged), slanted_lines = side_by_side(binary.size, *straight, partial(slanted, candidates))
    lines = across | down
    if lines.any():
        slanted_lines = slanted(candidates & ~lines)
    lines |= slanted_lines
    if across_bridged or down_bridged:
        lines |= _pieces_in_bridged_runs(candidates & ~lines, length_px, digits_fill_height)
    return lines


def _pieces_in_bridged_runs(rest: np.ndarray, length_px: int, digits_fill_height: bool) -> np.ndarray:
    """The pieces of ``rest`` (the ink less the lines found) shorter than the gaps that ``_straight_lines`` closes,
    where they lie in its runs: what is left of lines between them, not digits."""
    binary = rest.astype(np.uint8)
    bands = side_by_side(binary.size, *(partial(_straight_lines, binary, along, length_px, False, digits_fill_height)
                                        for along in ((1, 0), (0, 1))))
    in_bands = bands[0][0] | bands[1][0]
    if not in_bands.any():
        return in_bands
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8, ltype=_label_type(cv2.countNonZero(binary)))
    short = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) < _gap_px(length_px)
    in_a_band = np.bincount(labels[in_bands], minlength=count) > 0
    is_piece = short & in_a_band
    is_piece[0] = False
    return np.take(is_piece, labels)


def _straight_lines(binary: np.ndarray, along: tuple[int, int], length_px: int, single: bool,
                    digits_fill_height: bool, min_ink_share: float = 0.0) -> tuple[np.ndarray, bool]:
    """``_lines``' lines along x ``(1, 0)`` or along y ``(0, 1)``: runs of ``binary`` at least ``length_px`` long
    once gaps of an eighth of that are closed, kept where they are placed and shaped as lines and ink covers
    ``min_ink_share`` of them; and whether a run was turned away for that alone."""
    height, width = binary.shape
    runs = _long_runs(binary, along, _gap_px(length_px), length_px)
    if not cv2.countNonZero(runs):
        return np.zeros(binary.shape, bool), False  # no run that long: counting components' stats costs a millisecond even then
    count, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8, ltype=_label_type(runs.size // length_px))
    ink = np.bincount(labels[binary.view(bool)], minlength=count) if min_ink_share else None  # ink pixels per run
    is_line = np.zeros(count, bool)
    bridged = False
    for label in range(1, count):
        x, y, run_width, run_height, area = stats[label]
        run = _Blob(int(x), int(y), int(x + run_width), int(y + run_height), frozenset(), int(area))
        length = max(run_width, run_height)
        if single:
            side = height if run_height > run_width else width
            at_edge = length >= EDGE_LINE_SPAN_FRACTION * side and _in_border_band(run, binary.shape, BORDER_BAND_FRACTION)
            spans_cell = (min(height, width) >= CELL_MIN_SIDE_PX and length >= CELL_LINE_SPAN_FRACTION * side
                          and area <= CELL_LINE_THICKNESS_FRACTION * side * length)
            placed_as_line = at_edge or (spans_cell and _in_border_band(run, binary.shape, CELL_LINE_BAND_FRACTION))
        elif digits_fill_height and run_height > run_width:
            placed_as_line = length >= 2 * length_px
        else:
            placed_as_line = max(run_width / width, run_height / height) >= LINE_SPAN_FRACTION or length >= 2 * length_px
        shaped_as_line = length * length >= LINE_MIN_ASPECT * area and placed_as_line
        if shaped_as_line and ink is not None and ink[label] < min_ink_share * area:
            bridged = True
        else:
            is_line[label] = shaped_as_line
    return (np.take(is_line, labels) if is_line.any() else np.zeros(binary.shape, bool)), bridged


def _gap_px(length_px: int) -> int:
    """The gaps along a run that ``_straight_lines`` closes, for runs of ``length_px``."""
    return max(3, length_px // LINE_GAP_DIVISOR)


def _label_type(max_components: int) -> int:
    """16-bit component labels where they can hold them: OpenCV counts components' stats in far less time than
    with 32-bit labels. There are never more components than ink pixels, nor more runs of ``_lines`` than the
    picture holds runs of their minimum length."""
    return cv2.CV_16U if max_components < np.iinfo(np.uint16).max else cv2.CV_32S


def _slanted_lines(candidates: np.ndarray, length_px: int, upright_too: bool) -> np.ndarray:
    """Ruled lines photographed at a slight angle, within ``SLANT_MAX_DEG`` of the horizontal (and of the
    vertical ``upright_too``: not where a ``1`` fills the height).

    Only looked for in photos (``_is_photo``): in a strip cut around a line
    of digits, the straight strokes of neighbouring digits can line up as well as a ruled line's pieces.
    Straight pieces (Hough segments, found on the mask reduced to ``HOUGH_MAX_SHORTER_SIDE_PX``) that lie on one
    line are taken together; a line is one whose pieces span most of the picture (a ruled line stops at
    the margin, and breaks where light or a digit interrupts it) or at least ``length_px``, or, on a page with
    two such lines or more, one whose pieces run parallel to them (where the light fades, a rule shows only
    in pieces). Each line is drawn once, from edge to edge, where its pieces fit best and as thick as the ink
    along it is (``_ink_bands``): drawn piece by piece, pieces a pixel or two apart made a band wider than a
    stroke crossing it could be joined across (``CROSSING_BRIDGE_PX``), and handwriting on lined paper came
    apart at every rule.
    """
    height, width = candidates.shape
    step = max(1.0, min(height, width) / HOUGH_MAX_SHORTER_SIDE_PX)
    binary = candidates.astype(np.uint8)
    if step > 1:
        binary = (_resized(binary, 1 / step) > 0).astype(np.uint8)
    piece_px = max(LINE_MIN_LENGTH_PX, int(SLANT_PIECE_FRACTION * min(height, width)))
    segments = cv2.HoughLinesP(binary, 1, np.pi / 360, threshold=int(SLANT_MIN_VOTES_FRACTION * piece_px / step),
                               minLineLength=piece_px / step, maxLineGap=SLANT_MAX_GAP_PX)
    lines = np.zeros(candidates.shape, np.uint8)
    if segments is None:
        return lines.astype(bool)
    directions = [(0.0, min(length_px, SLANT_SPAN_FRACTION * width))]
    if upright_too:
        directions.append((90.0, min(length_px, SLANT_SPAN_FRACTION * height)))
    for direction_deg, span_px in directions:
        fits = _ruled_lines(step * segments.reshape(-1, 4).astype(np.float64), direction_deg, span_px)
        if not fits:
            continue
        middles, thicknesses_px = _ink_bands(candidates, fits, direction_deg)
        last = (width if direction_deg == 0 else height) - 1
        slopes, offsets = np.array(fits).T
        at_ends = (slopes[:, None] * np.array([0.0, last]) + offsets[:, None] + middles[:, None]).round().astype(int)
        for (start, stop), thickness_px in zip(at_ends.tolist(), thicknesses_px):  # each line from edge to edge
            ends = ((0, start), (last, stop)) if direction_deg == 0 else ((start, 0), (stop, last))
            cv2.line(lines, *ends, 1, thickness_px)
    return candidates & lines.view(bool)  # 0 and 1: a view, where a copy costs a millisecond


def _ink_bands(candidates: np.ndarray, fits: list[tuple[float, float]], direction_deg: float) -> tuple[np.ndarray, list[int]]:
    """Where the ink of each fitted line lies across it, and how thick: among the columns (rows) where the offset
    with the most ink (within ``SLANT_PROFILE_REACH_PX``) is ink, the offsets next to it that are ink in at least
    ``SLANT_PROFILE_CORE`` of them; their middles, and their counts within ``SLANT_BAND_MIN_PX``-``SLANT_BAND_MAX_PX``.
    A rule 2 px thick, or blurred to 5, is taken out whole and no wider. Sampled every ``SLANT_PROFILE_STEP_PX``,
    all of a page's lines at once."""
    length = candidates.shape[1] if direction_deg == 0 else candidates.shape[0]
    limit = candidates.shape[0] if direction_deg == 0 else candidates.shape[1]
    along = np.arange(0, length, SLANT_PROFILE_STEP_PX)
    reach = np.arange(-SLANT_PROFILE_REACH_PX, SLANT_PROFILE_REACH_PX + 1)
    slopes, offsets = (np.array(values, np.float64)[:, None, None] for values in zip(*fits))
    across = np.rint(slopes * along[None, None, :] + offsets + reach[None, :, None]).astype(int)
    inside = (across >= 0) & (across < limit)
    np.clip(across, 0, limit - 1, out=across)
    ink = candidates[across, along] if direction_deg == 0 else candidates[along, across]  # (line, offset, sample)
    ink &= inside
    counts = ink.sum(axis=2)
    cores = counts.argmax(axis=1)
    on_line = ink[np.arange(len(fits)), cores]  # where each line shows: a faint rule is broken, and its gaps say
    shown = on_line.sum(axis=1)  # nothing of its thickness
    hits = (ink & on_line[:, None, :]).sum(axis=2)
    shares = np.where(shown[:, None] > 0, hits / np.maximum(shown, 1)[:, None], counts / ink.shape[2])
    bands = [_band_around(int(core), share) for core, share in zip(cores, shares)]
    middles = np.array([float(reach[low] + reach[high]) / 2 for low, high in bands])
    return middles, [int(np.clip(high - low + 1, SLANT_BAND_MIN_PX, SLANT_BAND_MAX_PX)) for low, high in bands]


def _band_around(core: int, share: np.ndarray) -> tuple[int, int]:
    """The first and last offset of the run around ``core`` whose ``share`` is at least ``SLANT_PROFILE_CORE``."""
    low, high = core, core
    while low > 0 and share[low - 1] >= SLANT_PROFILE_CORE:
        low -= 1
    while high < len(share) - 1 and share[high + 1] >= SLANT_PROFILE_CORE:
        high += 1
    return low, high


def _ruled_lines(segments: np.ndarray, direction_deg: float, span_px: float) -> list[tuple[float, float]]:
    """``_slanted_lines``' lines near ``direction_deg`` (0: across, 90: down) among the Hough ``segments``, each as the
    slope and offset of the line fitted to a group's pieces (``_fitted_line``)."""
    along = np.radians(direction_deg)
    groups = _collinear_groups(segments, direction_deg)
    fits = [_fitted_line(group, direction_deg) for group in groups]
    projections = [group[:, [0, 2]] * np.cos(along) + group[:, [1, 3]] * np.sin(along) for group in groups]
    spanning = [float(np.ptp(projection)) >= span_px for projection in projections]
    if sum(spanning) < 2:
        return [fit for fit, spans in zip(fits, spanning) if spans]
    page_angle = float(np.median([np.arctan(slope) for (slope, _), spans in zip(fits, spanning) if spans]))
    return [(slope, offset) for (slope, offset), spans in zip(fits, spanning)
            if spans or abs(np.degrees(np.arctan(slope) - page_angle)) <= PARALLEL_MAX_DEG]


def _fitted_line(group: np.ndarray, direction_deg: float) -> tuple[float, float]:
    """The line through a group of segments (x0, y0, x1, y1) that fits their end points best (least squares, each end
    point's square weighing as its segment's length): y = slope * x + offset across (``direction_deg`` 0),
    x = slope * y + offset down."""
    along, across = ([0, 2], [1, 3]) if direction_deg == 0 else ([1, 3], [0, 2])
    u, v = group[:, along].ravel(), group[:, across].ravel()
    weights = np.repeat(np.hypot(group[:, 2] - group[:, 0], group[:, 3] - group[:, 1]), 2)
    total = weights.sum()  # weighted means as np.average takes them, without its checks (a page has dozens of groups)
    mean_u, mean_v = (u * weights).sum() / total, (v * weights).sum() / total
    spread = ((u - mean_u) ** 2 * weights).sum() / total
    slope = ((u - mean_u) * (v - mean_v) * weights).sum() / total / spread if spread > 0 else 0.0
    return float(slope), float(mean_v - slope * mean_u)


def _collinear_groups(segments: np.ndarray, direction_deg: float) -> list[np.ndarray]:
    """Segments (x0, y0, x1, y1) within ``SLANT_MAX_DEG`` of ``direction_deg``, grouped by the line they lie on
    (angles within ``COLLINEAR_MAX_DEG``, offsets within ``COLLINEAR_MAX_OFFSET_PX``)."""
    dx, dy = segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1]
    angles = np.degrees(np.arctan2(dy, dx)) % 180
    off = np.abs((angles - direction_deg + 90) % 180 - 90)
    kept = segments[off <= SLANT_MAX_DEG]
    angles = angles[off <= SLANT_MAX_DEG]
    normal = np.radians(angles + 90)
    offsets = ((kept[:, 0] + kept[:, 2]) / 2) * np.cos(normal) + ((kept[:, 1] + kept[:, 3]) / 2) * np.sin(normal)
    groups: list[list[int]] = []
    for index in np.argsort(offsets):
        for group in groups:
            last = group[-1]
            same_line = abs(offsets[index] - offsets[last]) <= COLLINEAR_MAX_OFFSET_PX
            if same_line and abs(angles[index] - angles[last]) <= COLLINEAR_MAX_DEG:
                group.append(index)
                break
        else:
            groups.append([index])
    return [kept[group] for group in groups]


def _dilated(binary: np.ndarray, along: tuple[int, int], length_px: int) -> np.ndarray:
    """Morphological dilation of a 0/1 image by a 1-pixel-thick run of ``length_px`` (odd) along x or y.

    A running sum costs the same for any length, where ``cv2.dilate`` costs in proportion to it:
    line finding uses runs of hundreds of pixels.
    """
    ink_near = cv2.boxFilter(binary, -1, _kernel(along, length_px | 1), normalize=False, borderType=cv2.BORDER_CONSTANT)
    return cv2.threshold(ink_near, 0, 1, cv2.THRESH_BINARY)[1]  # the 8-bit sums saturate at 255: still "some ink"


def _eroded(binary: np.ndarray, along: tuple[int, int], length_px: int) -> np.ndarray:
    """Erosion by the same run; beyond the border counts as ink, as with ``cv2.erode``."""
    return 1 - _dilated(1 - binary, along, length_px)


def _closed(binary: np.ndarray, along: tuple[int, int], length_px: int) -> np.ndarray:
    """Morphological closing by the run: gaps shorter than it along a stroke filled."""
    return _eroded(_dilated(binary, along, length_px), along, length_px)


def _long_runs(binary: np.ndarray, along: tuple[int, int], gap_px: int, length_px: int) -> np.ndarray:
    """What lies on a run along x or y at least ``length_px`` long once gaps shorter than ``gap_px`` are closed:
    a closing, then an opening, by runs. The closing's erosion and the opening's are done as one (an erosion by
    a run of g pixels, then by one of l, is one by a run of g + l - 1 pixels, however near the border)."""
    if along == (0, 1):  # running sums down the columns cost more than along the rows: done on the picture turned
        return cv2.transpose(_long_runs(cv2.transpose(binary), (1, 0), gap_px, length_px))
    gap, length = gap_px | 1, length_px | 1
    return _dilated(_eroded(_dilated(binary, along, gap), along, gap + length - 1), along, length)


def _kernel(along: tuple[int, int], length_px: int) -> tuple[int, int]:
    """A 1-pixel-thick kernel size (width, height) for a run along x ``(1, 0)`` or along y ``(0, 1)``."""
    return (length_px, 1) if along == (1, 0) else (1, length_px)


def _is_line_remains(blob: _Blob, shape: tuple[int, int], single: bool) -> bool:
    """A thin sliver at the border: what is left of a grid line or frame after ``_lines``.

    In a picture of several digits it must also be straight: a ``6`` or ``7`` of a cheque amount
    touching the border is as thin for its length, but not straight. In a photographed cell
    (``CELL_MIN_SIDE_PX`` or more) a sliver near the border counts too: a cell cut with a margin
    holds the grid's corner a few pixels in.
    """
    height, width = shape
    length = max(blob.width, blob.height)
    margin_px = REMAINS_MARGIN_FRACTION * min(height, width) if single and min(height, width) >= CELL_MIN_SIDE_PX else 0
    at_border = (blob.x0 <= margin_px or blob.y0 <= margin_px
                 or blob.x1 >= width - margin_px or blob.y1 >= height - margin_px)
    straight = single or min(blob.width, blob.height) * LINE_MIN_ASPECT <= length
    return at_border and straight and length * length >= LINE_MIN_ASPECT * blob.area


def _blob_of(label: int, stat: np.ndarray) -> _Blob:
    x, y, width, height, area = (int(v) for v in stat)
    return _Blob(x, y, x + width, y + height, frozenset({label}), area, width >= FLAT_ASPECT * height)


def _merged(a: _Blob, b: _Blob, labels: np.ndarray | None = None) -> _Blob:
    """``a`` and ``b`` as one candidate; ``labels`` is needed where either is a part cut along a loop."""
    merged = _Blob(min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1), a.labels | b.labels, a.area + b.area,
                   a.flat and b.flat)
    if a.own_ink is None and b.own_ink is None:
        return merged
    own_ink = np.zeros((merged.height, merged.width), bool)
    for part in (a, b):
        own_ink[part.y0 - merged.y0: part.y1 - merged.y0, part.x0 - merged.x0: part.x1 - merged.x0] |= _blob_ink(part, labels)
    return replace(merged, own_ink=own_ink)


def _x_overlap(a: _Blob, b: _Blob) -> int:
    return max(0, min(a.x1, b.x1) - max(a.x0, b.x0))


def _typical_height(blobs: list[_Blob]) -> float:
    """The height most ink belongs to (an area-weighted median), so many specks cannot drag it down."""
    ordered = sorted(blobs, key=lambda blob: blob.height)
    cumulative = np.cumsum([blob.area for blob in ordered])
    return float(ordered[int(np.searchsorted(cumulative, cumulative[-1] / 2))].height)


def _read_lines(blobs: list[_Blob], labels: np.ndarray, digits_fill_height: bool, ink: np.ndarray,
                judge: Judge | None) -> list[list[_Blob]]:
    blobs = [blob for blob in blobs if blob.height >= MIN_DIGIT_HEIGHT_PX or blob.width >= MIN_DIGIT_HEIGHT_PX]
    if not blobs:
        return []
    if _looks_segmented(blobs):
        blobs = _joined_segments(blobs)
    typical_height = _typical_height(blobs)
    blobs = [
        blob for blob in _join_pieces(blobs, typical_height)
        if not _is_cut_off(blob, typical_height, labels.shape[0], digits_fill_height)
        and not _is_grid_rule(blob, typical_height, labels)
    ]
    if not blobs:
        return []
    grouped = _group_lines(blobs)
    whole = [line for line in grouped if not _is_cut_off_line(line, labels.shape[0]) and not _is_flat_line(line)]
    if whole and not digits_fill_height:
        grouped = whole
    tallest = max(_typical_height(line) for line in grouped)
    lines = []
    for line in grouped:
        lone_and_short = len(line) == 1 and line[0].height < SHORT_FRACTION * tallest
        if _typical_height(line) < MIN_LINE_HEIGHT_FRACTION * tallest or lone_and_short:
            continue
        digits = _without_separators(line, labels, digits_fill_height)
        flat_line = _typical_height(line) < tallest and _is_flat_line(line)
        if digits and not flat_line:
            pieces = sorted(_split_touching(digits, labels, ink, judge), key=lambda blob: blob.x0)
            if judge is not None:
                pieces = _without_end_marks(_rejoined_broken(pieces, labels, ink, judge), labels, ink, judge)
            if pieces:
                lines.append(pieces)
    return lines


def _rejoined_broken(line: list[_Blob], labels: np.ndarray, ink: np.ndarray, judge: Judge) -> list[_Blob]:
    """Join neighbouring pieces of one digit that broke apart side by side (a ``5`` whose bar was drawn
    apart, a ``1``'s lead-in stroke): two pieces close together, of separate ink, that together are no
    wider than tall, and that the judge finds a whole digit, more whole than the less whole of them.
    The pair that gains most is joined first, then the line is looked at again."""
    digit_height = _typical_height(line)
    while len(line) > 1:
        pairs = [
            (i, _merged(a, b, labels)) for i, (a, b) in enumerate(zip(line, line[1:]))
            if not a.labels & b.labels and b.x0 - a.x1 <= REJOIN_GAP_FRACTION * digit_height
            and max(a.x1, b.x1) - a.x0 <= max(a.y1, b.y1) - min(a.y0, b.y0)
        ]
        if not pairs:
            return line
        crops = [_crop(blob, ink, labels, (1.0, 1.0), 0).ink for i, merged in pairs for blob in (line[i], line[i + 1], merged)]
        scores = judge(crops).reshape(-1, 3)
        gains = [whole - min(left, right) if whole >= REJOIN_MIN_WHOLENESS else 0.0 for left, right, whole in scores]
        best = int(np.argmax(gains))
        if gains[best] <= 0.0:
            return line
        i, merged = pairs[best]
        line = line[:i] + [merged] + line[i + 2:]
    return line


def _without_end_marks(line: list[_Blob], labels: np.ndarray, ink: np.ndarray, judge: Judge) -> list[_Blob]:
    """Drop a mark at either end of a line: shorter than the line's digits and far from a whole digit
    to the judge (a tick or dash after an amount, what is left of a currency sign before it). Short
    pieces inside the line stay: they are more often a digit written small than a mark."""
    if len(line) < 2:
        return line
    digit_height = _typical_height(line)
    short_ends = sorted({index for index in (0, len(line) - 1) if line[index].height < MARK_HEIGHT_FRACTION * digit_height})
    if not short_ends:
        return line  # nothing to ask the judge
    scores = judge([_crop(line[index], ink, labels, (1.0, 1.0), 0).ink for index in short_ends])
    marks = {index for index, score in zip(short_ends, scores) if score < MARK_MAX_WHOLENESS}
    return [blob for index, blob in enumerate(line) if index not in marks]


def _is_cut_off(blob: _Blob, digit_height: float, image_height: int, digits_fill_height: bool) -> bool:
    """Part of a neighbouring line or of a grid that the picture cut off: a short piece at the top or bottom
    border, or a thin upright sliver reaching it. Where digits fill the picture's height (a cheque amount),
    only a short piece touching the border is."""
    short = blob.height < SHORT_FRACTION * digit_height
    if digits_fill_height:
        return short and (blob.y0 == 0 or blob.y1 == image_height)
    near_px = NEAR_BORDER_FRACTION * image_height
    near_border = blob.y0 <= near_px or blob.y1 >= image_height - near_px
    return near_border and (short or blob.width * LINE_MIN_ASPECT <= blob.height)


def _is_grid_rule(blob: _Blob, digit_height: float, labels: np.ndarray) -> bool:
    """A piece of a grid line between cells, broken off where it crossed another: upright, thin, straight,
    as a pen's ``1`` (slanted, bending) is not, and far taller than the digits or reaching the picture's
    top or bottom edge (the cell's side, cut where the strip was cut)."""
    if blob.width * UPRIGHT_SLIVER_ASPECT > blob.height:
        return False
    at_edge = blob.y0 == 0 or blob.y1 == labels.shape[0]
    if blob.height < RULE_HEIGHT_FRACTION * digit_height and not at_edge:
        return False
    ink = _blob_ink(blob, labels)
    rows = ink.any(axis=1)
    centres = (ink * np.arange(blob.width)).sum(axis=1)[rows] / ink.sum(axis=1)[rows]
    low, high = np.percentile(centres, [5, 95])
    return high - low <= max(RULE_MAX_WANDER_PX, RULE_MAX_WANDER_FRACTION * blob.height)


def _is_flat_line(line: list[_Blob]) -> bool:
    """A "line" of pieces mostly far wider than tall: the remains of a ruled or grid line, not digits."""
    return float(np.median([blob.width / blob.height for blob in line])) > FLAT_LINE_ASPECT


def _is_cut_off_line(line: list[_Blob], image_height: int) -> bool:
    """A line most of whose ink is in pieces touching the top or bottom border: a neighbouring line
    that the picture cut through. Dropped where a whole line stands beside it."""
    touching = sum(blob.area for blob in line if blob.y0 == 0 or blob.y1 == image_height)
    return touching > 0.5 * sum(blob.area for blob in line)


def _bar_thickness(blob: _Blob) -> float | None:
    """A straight bar's thickness (a segment of a seven-segment digit), or None where ``blob`` is no bar:
    ``SEGMENT_BAR_ASPECT`` times longer than thick and filling most of its box."""
    short, long = sorted((blob.width, blob.height))
    if long < SEGMENT_BAR_ASPECT * short or blob.area < SEGMENT_BAR_FILL * blob.width * blob.height:
        return None
    return blob.area / long


def _looks_segmented(blobs: list[_Blob]) -> bool:
    """Whether the pieces are the separate segments of seven-segment digits (an LCD, a meter): most of them
    bars, both upright and lying, several of each."""
    bars = [blob for blob in blobs if _bar_thickness(blob) is not None]
    upright = sum(blob.height > blob.width for blob in bars)
    lying = len(bars) - upright
    return len(bars) >= SEGMENT_MIN_BAR_SHARE * len(blobs) and min(upright, lying) >= SEGMENT_MIN_BARS_EACH_WAY


def _joined_segments(blobs: list[_Blob]) -> list[_Blob]:
    """Segments joined into digits: pieces whose boxes come within ``SEGMENT_GAP_PER_THICKNESS`` of a bar's
    thickness of each other (the gaps inside a digit are narrower than a segment, those between digits wider)."""
    reach = SEGMENT_GAP_PER_THICKNESS * float(np.median([t for t in map(_bar_thickness, blobs) if t is not None]))
    return _joined_while(blobs, lambda a, b: max(a.x0 - b.x1, b.x0 - a.x1, a.y0 - b.y1, b.y0 - a.y1) <= reach)


def _joined_while(blobs: list[_Blob], belong_together: Callable[[_Blob, _Blob], bool]) -> list[_Blob]:
    """``blobs`` with pairs joined while any two belong together: the first such pair in their order, then
    the list is looked at again."""
    blobs = list(blobs)
    joined = True
    while joined:
        joined = False
        for i, a in enumerate(blobs):
            for j in range(i + 1, len(blobs)):
                if belong_together(a, blobs[j]):
                    blobs[i] = _merged(a, blobs[j])
                    del blobs[j]
                    joined = True
                    break
            if joined:
                break
    return blobs


def _join_pieces(blobs: list[_Blob], typical_height: float) -> list[_Blob]:
    """Join the pieces of one digit that broke apart: stacked in the same columns, together no taller than a digit.

    A piece of ruled line left under or over the digits is joined to none of them, or it would join
    all the digits it runs under into one.
    """
    blobs = sorted(blobs, key=lambda blob: blob.x0)
    rule_pieces = {blob for blob in blobs if _is_rule_piece(blob, blobs)}

    def stacked(a: _Blob, b: _Blob) -> bool:
        if a in rule_pieces or b in rule_pieces:
            return False
        union_height = max(a.y1, b.y1) - min(a.y0, b.y0)
        return (_x_overlap(a, b) >= JOIN_X_OVERLAP_FRACTION * min(a.width, b.width)
                and union_height <= JOIN_MAX_HEIGHT_FRACTION * max(typical_height, a.height, b.height))

    return _joined_while(blobs, stacked)


def _is_rule_piece(blob: _Blob, blobs: list[_Blob]) -> bool:
    """A piece of a ruled or grid line too short to be found as a line (a cell's width of it, under or
    over the digits): flat, and running under or over two others side by side, for most of each one's
    width. A ``2``'s base or a ``5``'s bar belongs to one digit (and the pieces of it that broke off)."""
    if blob.width < FLAT_ASPECT * blob.height:
        return False
    spanned = sorted(
        (other for other in blobs if other is not blob and _x_overlap(blob, other) >= JOIN_X_OVERLAP_FRACTION * other.width),
        key=lambda other: other.x0,
    )
    return any(
        _x_overlap(a, b) <= SIDE_BY_SIDE_OVERLAP_FRACTION * min(a.width, b.width)
        for i, a in enumerate(spanned) for b in spanned[i + 1:]
    )


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
    return sorted(_rejoined_lines(lines), key=lambda line: float(np.median([blob.centre_y for blob in line])))


def _rejoined_lines(lines: list[list[_Blob]]) -> list[list[_Blob]]:
    """Put back into a line the digits that wandered out of it: a lesser line whose candidates stand beside,
    never above or below, a greater line's and lie within its height. A handwritten digit set lower
    than its neighbours is still in their line; a second line of text stands under the first."""
    lines = sorted(lines, key=lambda line: -sum(blob.area for blob in line))
    merged: list[list[_Blob]] = []
    for line in lines:
        for greater in merged:
            top, bottom = min(blob.y0 for blob in greater), max(blob.y1 for blob in greater)
            within = all(top <= blob.centre_y <= bottom for blob in line)
            beside = all(_x_overlap(a, b) <= SIDE_BY_SIDE_OVERLAP_FRACTION * min(a.width, b.width) for a in line for b in greater)
            if within and beside:
                greater.extend(line)
                break
        else:
            merged.append(line)
    return merged


def _without_separators(line: list[_Blob], labels: np.ndarray, digits_fill_height: bool) -> list[_Blob]:
    """Drop what is not a digit: specks, separators and the remains of things cut off at the border.

    Separators are flat (``-``, the bars of ``=``, underlines, a slanted dash), unless as tall as a digit
    and looped (``000`` written in one stroke), much shorter than the line's digits,
    or short and low in the line (``.`` ``,``); a short piece touching the top or bottom border is
    part of a neighbouring line or of a grid that the crop cut off. A small digit written high or
    in the middle of the line (cents, a pen digit among printed ones) stays.
    """
    digit_height = _typical_height(line)
    image_height = labels.shape[0]
    largest_area = max(blob.area for blob in line)
    tall = [blob for blob in line if blob.height >= SHORT_FRACTION * digit_height] or line
    middle = float(np.median([blob.centre_y for blob in tall]))

    def is_digit(blob: _Blob) -> bool:
        short = blob.height < SHORT_FRACTION * digit_height
        return (
            blob.height >= SEPARATOR_HEIGHT_FRACTION * digit_height
            and blob.height >= MIN_DIGIT_HEIGHT_PX
            and blob.area >= SPECK_AREA_FRACTION * largest_area
            and not (blob.flat and (short or not _encloses_hole(blob, labels)))
            and not (short and blob.y0 >= middle)
            and not _is_cut_off(blob, digit_height, image_height, digits_fill_height)
        )

    return [blob for blob in line if is_digit(blob)]


def _encloses_hole(blob: _Blob, labels: np.ndarray) -> bool:
    """Whether the candidate's ink closes around some paper (a loop of ``0``, ``6``, ``8``, ``9``), as no dash does."""
    return bool(_holes(_blob_ink(blob, labels), min_area=0))


def _blob_ink(blob: _Blob, labels: np.ndarray) -> np.ndarray:
    """Which pixels of the candidate's box are its own ink (its components, not a neighbour's reaching in)."""
    if blob.own_ink is not None:
        return blob.own_ink
    return np.isin(labels[blob.y0: blob.y1, blob.x0: blob.x1], list(blob.labels))


def _holes(ink: np.ndarray, min_area: float) -> list[list[int]]:
    """The areas of paper that ``ink`` encloses (at least ``min_area`` pixels), as [left, right, top, bottom]."""
    _, boxes = _enclosed_paper(ink)
    return sorted(box[:4] for box in boxes.values() if box[4] >= min_area)


def _enclosed_paper(ink: np.ndarray) -> tuple[np.ndarray, dict[int, list[int]]]:
    """The paper's components over ``ink``'s box, and each enclosed one's [left, right, top, bottom, area] by its label."""
    paper = cv2.copyMakeBorder((~ink).astype(np.uint8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=1)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(paper, connectivity=4)
    boxes = {
        label: [int(x) - 1, int(x + w) - 1, int(y) - 1, int(y + h) - 1, int(area)]
        for label, (x, y, w, h, area) in enumerate(stats) if label and x > 0  # the paper outside reaches the added border at x 0
    }
    return labels[1:-1, 1:-1], boxes


def _split_touching(line: list[_Blob], labels: np.ndarray, ink: np.ndarray, judge: Judge | None) -> list[_Blob]:
    """Split candidates wider than one digit into digits, at the columns with least ink between them.

    First each candidate is cut between loops that stand side by side (``_cut_between_holes``).
    Without a judge, a candidate is then split when it is much wider than the line's digits, into as
    many parts as its width holds. With one, each candidate somewhat wider than a digit is tried whole
    and cut into every count of parts up to one more than its width suggests (the width's guess runs
    high where the line's other digits are narrow ``1``s); the judge scores every piece in one batch
    and the cut whose least digit-like piece scores best wins (the width's guess wins ties; a cut
    leaving a piece much wider than tall loses).
    """
    digit_height = _typical_height(line)
    single_widths = [blob.width for blob in line if 0.35 * blob.height <= blob.width <= 1.1 * blob.height]
    digit_width = float(np.median(single_widths)) if single_widths else DIGIT_WIDTH_PER_HEIGHT * digit_height
    pieces = []
    for blob in (part for whole in line for part in _cut_between_holes(whole, labels, ink, judge)):
        parts = round(blob.width / digit_width)
        expected = parts if blob.width > SPLIT_WIDTH_FRACTION * digit_width and parts >= 2 else 1
        if judge is not None and blob.width > JUDGE_WIDTH_FRACTION * digit_width:
            pieces.extend(_judged_split(blob, expected, labels, ink, judge))
        elif expected > 1:
            pieces.extend(_split(blob, expected, labels))
        else:
            pieces.append(blob)
    return pieces


def _cut_between_holes(blob: _Blob, labels: np.ndarray, ink: np.ndarray, judge: Judge | None) -> list[_Blob]:
    """Cut a candidate between loops that stand side by side: no digit has two holes beside each other
    (an ``8``'s are one above the other), so ``000`` written in one stroke, or an ``8`` run into a ``0``,
    holds one digit per loop.

    The straight cut runs down the column with least ink between two loops. Written zeros often overlap
    in their columns, so that any straight cut gives one a piece of its neighbour; the curved cut gives
    each pixel to the loop it is nearest. With a judge, the curved cut stands where its least whole piece
    is more whole than the straight cut's.
    """
    own_ink = _blob_ink(blob, labels)
    columns = _hole_columns(own_ink, HOLE_MIN_AREA_FRACTION * blob.height ** 2)
    if len(columns) < 2:
        return [blob]
    column_ink = own_ink.sum(axis=0)
    cuts = [0] + [_least_ink_between(column_ink, a[1], b[0]) for a, b in zip(columns, columns[1:])] + [blob.width]
    straight = [_columns_of(blob, own_ink, left, right) for left, right in zip(cuts, cuts[1:]) if own_ink[:, left:right].any()]
    if judge is None:
        return straight
    nearest = _nearest_loop(own_ink, columns)
    curved = [_part_of(blob, own_ink & (nearest == loop)) for loop in range(len(columns)) if (own_ink & (nearest == loop)).any()]
    scores = judge([_crop(piece, ink, labels, (1.0, 1.0), 0).ink for piece in straight + curved])
    return curved if scores[len(straight):].min() > scores[:len(straight)].min() else straight


def _least_ink_between(column_ink: np.ndarray, left_loop_end: int, right_loop_start: int) -> int:
    """The column with least ink between two loops, or within the columns they share where they overlap."""
    low, high = sorted((left_loop_end, right_loop_start))
    return low + int(np.argmin(column_ink[low: high + 1]))


def _nearest_loop(ink: np.ndarray, columns: list[list[int]]) -> np.ndarray:
    """For each pixel of ``ink``'s box, which group of loops (``_hole_columns``) encloses the paper nearest it."""
    paper, holes = _enclosed_paper(ink)
    distances = []
    for left, right, top, bottom in columns:
        inside = [label for label, box in holes.items() if left <= box[0] and box[1] <= right and top <= box[2] and box[3] <= bottom]
        distances.append(cv2.distanceTransform((~np.isin(paper, inside)).astype(np.uint8), cv2.DIST_L2, 3))
    return np.argmin(np.stack(distances), axis=0)


def _part_of(blob: _Blob, own_ink: np.ndarray) -> _Blob:
    """The part of ``blob`` whose ink is ``own_ink`` (a mask over its box), cut to that ink's box."""
    rows, cols = np.flatnonzero(own_ink.any(axis=1)), np.flatnonzero(own_ink.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    return _Blob(blob.x0 + left, blob.y0 + top, blob.x0 + right, blob.y0 + bottom, blob.labels, int(own_ink.sum()),
                 own_ink=own_ink[top:bottom, left:right])


def _hole_columns(ink: np.ndarray, min_area: float) -> list[list[int]]:
    """The enclosed paper areas of ``ink`` (at least ``min_area``), grouped left to right: a hole starts a
    new group when its middle lies right of the last group's columns (the loops of leaning zeros written
    close together overlap in their columns) and it stands beside that group (sharing its rows), not
    under it. Each group is [left, right, top, bottom]."""
    columns: list[list[int]] = []
    for hole in _holes(ink, min_area):
        left, right, top, bottom = hole
        if columns:
            last = columns[-1]
            shared_rows = min(bottom, last[3]) - max(top, last[2])
            if (left + right) / 2 < last[1] or shared_rows < HOLE_SHARED_ROWS_FRACTION * min(bottom - top, last[3] - last[2]):
                columns[-1] = [last[0], max(last[1], right), min(last[2], top), max(last[3], bottom)]
                continue
        columns.append(hole)
    return columns


def _columns_of(blob: _Blob, ink: np.ndarray, left: int, right: int) -> _Blob:
    """The part of ``blob`` in its columns [left, right), cut to the rows its ink there spans."""
    rows = np.flatnonzero(ink[:, left:right].any(axis=1))
    own_ink = ink[rows[0]: rows[-1] + 1, left:right] if blob.own_ink is not None else None
    return _Blob(blob.x0 + left, blob.y0 + int(rows[0]), blob.x0 + right, blob.y0 + int(rows[-1]) + 1,
                 blob.labels, int(ink[:, left:right].sum()), own_ink=own_ink)


def _judged_split(blob: _Blob, expected: int, labels: np.ndarray, ink: np.ndarray, judge: Judge) -> list[_Blob]:
    """The best of the ways of cutting ``blob`` tried: whole, then each count of parts up to one more than
    the width's guess ``expected``, two ways (``_split``). A way whose least whole piece the judge finds
    more whole wins; the expected count gets a bonus; a way leaving a piece much wider than tall, or
    cutting through the middle of a loop, loses."""
    loops = _holes(_blob_ink(blob, labels), HOLE_MIN_AREA_FRACTION * blob.height ** 2)
    tries = [(1, [blob])]
    for count in range(2, min(MAX_SPLIT_PARTS, expected + 1) + 1):
        tries += [(count, _split(blob, count, labels)), (count, _split(blob, count, labels, evenly=True))]
    counts, splits = [count for count, _ in tries], [split for _, split in tries]
    crops = [_crop(piece, ink, labels, (1.0, 1.0), 0).ink for split in splits for piece in split]
    scores = judge(crops)
    best_score, best_split, start = -1.0, splits[0], 0
    for count, split in zip(counts, splits):
        score = float(np.min(scores[start: start + len(split)])) + (EXPECTED_SPLIT_BONUS if count == expected else 0.0)
        if any(piece.width > MAX_DIGIT_ASPECT * piece.height for piece in split):
            score -= 1.0  # no digit is that much wider than tall, however sure the network is ("000" squeezed reads as 0)
        if _cuts_through_a_loop(blob, split, loops):
            score -= 1.0  # the halves of a 0 pass for a 1 and a 7, or a 2 and a 5, and the judge may take them
        start += len(split)
        if split and score > best_score:
            best_score, best_split = score, split
    return best_split


def _cuts_through_a_loop(blob: _Blob, split: list[_Blob], loops: list[list[int]]) -> bool:
    """Whether a cut between the pieces of ``split`` runs through the middle of one of ``blob``'s loops
    (its enclosed paper, [left, right, top, bottom] in the blob's box). A loop is one digit's, so no cut
    between digits runs through it; only through its outer parts, where neighbouring zeros overlap."""
    cuts = [piece.x0 - blob.x0 for piece in split[1:]]
    for left, right, _, _ in loops:
        margin = LOOP_CUT_MARGIN_FRACTION * (right - left)
        if any(left + margin < cut < right - margin for cut in cuts):
            return True
    return False


def _split(blob: _Blob, parts: int, labels: np.ndarray, evenly: bool = False) -> list[_Blob]:
    """``blob`` cut into ``parts``: near equal widths, at the columns with least ink (a gap between two
    digits), or, ``evenly``, at equal widths (round digits run together, ``00``, touch where their
    columns hold the most ink)."""
    ink = _blob_ink(blob, labels)
    column_ink = ink.sum(axis=0).astype(np.float32)
    step = blob.width / parts
    search = 0 if evenly else max(1, int(step * SPLIT_SEARCH_FRACTION))
    cuts = [0]
    for k in range(1, parts):
        guess = int(round(k * step))
        low, high = max(cuts[-1] + 1, guess - search), min(blob.width - 1, guess + search)
        cuts.append(low + int(np.argmin(column_ink[low: high + 1])) if high >= low else guess)
    cuts.append(blob.width)
    return [_columns_of(blob, ink, left, right) for left, right in zip(cuts, cuts[1:]) if ink[:, left:right].any()]


def _central_group(blobs: list[_Blob], shape: tuple[int, int]) -> _Blob | None:
    """The one digit of a crop: its largest, most central component plus the pieces that belong with it.

    What lies entirely in a band along the crop's border, or touches the border and is small,
    is the remains of grid lines or of a neighbouring digit, and is left out.
    """
    height, width = shape
    inner = [blob for blob in blobs if not _in_border_band(blob, shape, BORDER_BAND_FRACTION)]
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


def _in_border_band(blob: _Blob, shape: tuple[int, int], band_fraction: float) -> bool:
    height, width = shape
    band_x, band_y = band_fraction * width, band_fraction * height
    return blob.x1 <= band_x or blob.x0 >= width - band_x or blob.y1 <= band_y or blob.y0 >= height - band_y


def _crop(blob: _Blob, ink: np.ndarray, labels: np.ndarray, scale_xy: tuple[float, float], line: int) -> DigitCrop:
    region = (slice(blob.y0, blob.y1), slice(blob.x0, blob.x1))
    crop = np.where(_blob_ink(blob, labels), ink[region], 0.0).astype(np.float32)
    scale_x, scale_y = scale_xy
    box = (round(blob.x0 / scale_x), round(blob.y0 / scale_y), round(blob.width / scale_x), round(blob.height / scale_y))
    return DigitCrop(box=box, ink=crop, line=line)
