"""A whole image -> digit crops in reading order.

The network only knows MNIST: one centred digit, bright ink on black. A user's picture holds
paper, shadows, grid lines, separators and several digits, so this module turns it into ink
crops, one per digit, each with its box in the picture:

1. ``ink_map``: polarity decided per image, background (paper, shadows) estimated coarsely and
   divided out, so every pixel says how much ink it holds (0 paper .. 1 full ink) whatever the
   light, the paper or the ink colour.
2. ``ink_mask``: hysteresis threshold; long thin lines (ruled lines, grid lines, also slightly
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
from dataclasses import replace
from typing import NamedTuple

import cv2
import numpy as np

from digitrec.cells import SPECK_AREA_FRACTION, better_single_reading, central_group, stands_out, whole_bitmap
from digitrec.frames import without_frames
from digitrec.ink import MIN_INK_CONTRAST, ink_map, is_bitmap, label_type, resized, strong_ink_level
from digitrec.lines import CELL_LINE_BAND_FRACTION, CELL_MIN_SIDE_PX, LINE_MIN_ASPECT, ink_mask, is_photo
from digitrec.pieces import FLAT_ASPECT, Blob, DigitCrop, Judge, blob_ink, blob_of, crop_of, merge
from digitrec.preprocess import INK_THRESHOLD

WORK_MAX_SIDE_PX = 1000
MIN_DIGIT_HEIGHT_PX = 5
FAINT_MIN_INK_CONTRAST = 0.08  # the strong-ink floor of a single crop that stands out but holds no ink above MIN_INK_CONTRAST
MIN_PIECE_AREA_PX = 12
MIN_STRONG_SHARE = 0.2  # of the pixels of a piece at a photo's edge that reach the strong ink level: a stroke's core does
SEPARATOR_HEIGHT_FRACTION = 0.3
SHORT_FRACTION = 0.6
FLAT_LINE_ASPECT = 1.5  # a lesser "line" of pieces mostly wider than tall is a ruled line's remains
FILL_HEIGHT_FRACTION = 0.7
RULE_HEIGHT_FRACTION = 1.3  # an upright sliver this much taller than the digits is a grid line, not a 1
UPRIGHT_SLIVER_ASPECT = 3  # taller than wide by this much: a 1 or a piece of grid line
RULE_MAX_WANDER_PX = 2  # how far a grid line's middle may move sideways along it (a photo's slight tilt)
RULE_MAX_WANDER_FRACTION = 0.06
NEAR_BORDER_FRACTION = 0.05
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
SLANT_MIN_DEG = 8.0  # lines of digits slanting less than this are grouped level, as a page held nearly level reads
SLANT_MAX_DEG = 45.0  # from a digit to its neighbour in the line, at most this steeply
SLANT_NEIGHBOUR_HEIGHTS = 3.0  # how far apart two neighbours' centres lie at most, in the taller one's height
SLANT_HEIGHT_RATIO = 0.6  # the shorter of two neighbours is at least this part of the taller one's height
SLANT_MIN_PAIRS = 2
SLANT_AGREEMENT_DEG = 10.0  # of the median direction, that the directions of a line's neighbours lie within
SLANT_MIN_AGREEMENT = 2 / 3  # of the neighbour pairs, that must: a grid's remains and blots point every way
SLANT_MIN_HEIGHT_FRACTION = 0.5  # of the typical height: a candidate the slant is measured on
SLANT_MAX_ASPECT = 1.5  # and no wider than this many times its height
BOX_RULE_REACH_FRACTION = 0.5  # of a side's height (and at least BOX_RULE_REACH_PX): how far from its ends the rules lie
BOX_RULE_REACH_PX = 3
BOX_RULE_SHARE = 0.8  # of the columns over and under a side (and half its height either way), that a rule's row fills
BOX_SIDE_END_FRACTION = 0.15  # of a side's height (and at least BOX_SIDE_END_PX): how far the next side's top and bottom lie
BOX_SIDE_END_PX = 2
BOX_SIDE_MAX_GAP_HEIGHTS = 4.0  # how far apart two neighbouring sides stand at most, in their height (a side lost to a digit touching it)
BOX_MIN_SIDES = 3  # a row of boxes has a side between two cells besides its two ends


def find_digits(rgb: np.ndarray, single: bool = False, judge: Judge | None = None, bold: bool = False,
                other_polarity: bool = False, faint_look: bool = True) -> list[list[DigitCrop]]:
    """The digits of an HxWx3 uint8 RGB image as text lines, each read left to right.

    With ``single`` the image is taken as one digit (a cell or meter crop): the central group of
    ink is returned, without the grid-line bits and neighbours' remains at its borders.
    With a ``judge`` (the recogniser passes its wholeness network for strings, its classifier's
    confidence for single crops), how many digits a candidate wider than one digit holds is decided
    by how whole the judge finds the pieces of each way of cutting it, and which of a single crop's
    two readings stands by which it finds more digit-like; without one, by width alone. With ``bold`` the
    light is evened out over a wider window (``ink_map``); with ``other_polarity`` the ink is taken to be
    the other of dark and light than ``ink_map`` decides (a second opinion where the first reading is
    unsure). A blank picture gives no lines; with ``faint_look`` a single crop too faint for the strong-ink floor, but
    standing out from its grain, is looked at again with a lower one (``_faint_central_group``).
    """
    height, width = rgb.shape[:2]
    if max(height, width) > WORK_MAX_SIDE_PX:
        rgb = resized(rgb, WORK_MAX_SIDE_PX / max(height, width))
    scale_xy = (rgb.shape[1] / width, rgb.shape[0] / height)
    ink = ink_map(rgb, single, bold, other_polarity)
    if single and is_bitmap(rgb):
        return whole_bitmap(ink)
    blobs, labels = _candidates(ink, single, digits_fill_height=False)
    digits_fill_height = not single and bool(blobs) and _typical_height(blobs) >= FILL_HEIGHT_FRACTION * ink.shape[0]
    if digits_fill_height:
        blobs, labels = _candidates(ink, single, digits_fill_height=True)
    if single:
        digit = central_group(blobs, labels.shape)
        if digit is None and faint_look and not other_polarity and stands_out(rgb):
            digit, labels = _faint_central_group(ink)
        crops = [crop_of(digit, ink, labels, scale_xy, 0)] if digit else []
        chosen = better_single_reading(crops, rgb, scale_xy, judge)
        return [chosen] if chosen else []
    lines, slope = _read_lines(blobs, labels, digits_fill_height, ink, judge)
    return [
        [_levelled_crop(crop_of(blob, ink, labels, scale_xy, line_index), slope) for blob in line]
        for line_index, line in enumerate(lines)
    ]


def _levelled_crop(crop: DigitCrop, slope: float) -> DigitCrop:
    """``crop`` with its ink turned upright where its line runs at ``slope`` (``_slope_of_lines``): a digit of a number
    photographed at an angle is turned as much as its line; 25 degrees turned, a ``3`` was read ``20``. Its box stays
    the turned digit's, in the picture."""
    if slope == 0.0:
        return crop
    height, width = crop.ink.shape
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), float(np.degrees(np.arctan(slope))), 1.0)
    cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
    new_width, new_height = int(np.ceil(width * cos + height * sin)), int(np.ceil(height * cos + width * sin))
    turn[0, 2] += (new_width - width) / 2
    turn[1, 2] += (new_height - height) / 2
    upright = cv2.warpAffine(crop.ink, turn, (new_width, new_height), flags=cv2.INTER_LINEAR, borderValue=0.0)
    return replace(crop, ink=upright)


def _faint_central_group(ink: np.ndarray) -> tuple[Blob | None, np.ndarray]:
    """A single crop's digit where none of its ink reached ``MIN_INK_CONTRAST``, though the crop stands out from its grain
    (``cells.stands_out``): the ink looked for again above ``FAINT_MIN_INK_CONTRAST``. A faint, blurred print in blue
    ink on cream paper is 10-15% darker than its paper; the one-threshold reading, which does not mind contrast, takes
    such a blurred digit for a blot filling its box. The other-polarity reading does not look this low: in a first
    try it did, and a printed cell read right before was read ``1`` by it."""
    blobs, labels = _candidates(ink, single=True, digits_fill_height=False, min_contrast=FAINT_MIN_INK_CONTRAST)
    digit = central_group(blobs, labels.shape)
    if digit is None or ink[digit.y0: digit.y1, digit.x0: digit.x1][blob_ink(digit, labels)].max() <= INK_THRESHOLD:
        return None, labels  # nothing MNIST form would keep (``preprocess.crop_to_ink``): it would read an empty input
    return digit, labels


def _candidates(ink: np.ndarray, single: bool, digits_fill_height: bool,
                min_contrast: float = MIN_INK_CONTRAST) -> tuple[list["Blob"], np.ndarray]:
    """The ink's connected components, less specks, slivers of lines and faint pieces at a photo's edge; and the label
    image.

    Where a photo's light falls off towards its edge, the ground's closing cannot follow it within half its
    size of the border, and the grain there turns to faint ink. A piece of a photo (``is_photo``) touching the
    edge, fewer than ``MIN_STRONG_SHARE`` of whose pixels reach the strong ink level, is that grain where it
    touched a strong speck, not a stroke: a stroke's core is strong however faint its edges. (Lines are removed
    first, so the grain that a rule running off the edge held together stands alone by then.)
    """
    strong_level = strong_ink_level(ink, min_contrast)
    mask = ink_mask(ink, strong_level, single, digits_fill_height)
    binary = mask.astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8, ltype=label_type(cv2.countNonZero(binary)))
    unframed = without_frames(binary, labels, stats) if is_photo(ink.shape, single) else None
    if unframed is not None:
        count, labels, stats, _ = cv2.connectedComponentsWithStats(unframed, connectivity=8,
                                                                   ltype=label_type(cv2.countNonZero(unframed)))
    along_border = _share_in_border_band(labels, count) >= ALONG_BORDER_SHARE if single else np.ones(count, bool)
    faint_at_edge = _faint_at_edge(labels, count, stats, ink, strong_level) if is_photo(ink.shape, single) else np.zeros(count, bool)
    blobs = [
        blob
        for label, blob in ((label, blob_of(label, stats[label])) for label in range(1, count))
        if blob.area >= MIN_PIECE_AREA_PX and not faint_at_edge[label]
        and not (along_border[label] and _is_line_remains(blob, mask.shape, single))
    ]
    return blobs, labels


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


def _is_line_remains(blob: Blob, shape: tuple[int, int], single: bool) -> bool:
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


def _x_overlap(a: Blob, b: Blob) -> int:
    return max(0, min(a.x1, b.x1) - max(a.x0, b.x0))


def _typical_height(blobs: list[Blob]) -> float:
    """The height most ink belongs to (an area-weighted median), so many specks cannot drag it down."""
    ordered = sorted(blobs, key=lambda blob: blob.height)
    cumulative = np.cumsum([blob.area for blob in ordered])
    return float(ordered[int(np.searchsorted(cumulative, cumulative[-1] / 2))].height)


def _read_lines(blobs: list[Blob], labels: np.ndarray, digits_fill_height: bool, ink: np.ndarray,
                judge: Judge | None) -> tuple[list[list[Blob]], float]:
    """The candidates that are digits, in lines top to bottom, each left to right; and the slope the lines run at
    (``_slope_of_lines``)."""
    blobs = [blob for blob in blobs if blob.height >= MIN_DIGIT_HEIGHT_PX or blob.width >= MIN_DIGIT_HEIGHT_PX]
    if not blobs:
        return [], 0.0
    if _looks_segmented(blobs):
        blobs = _joined_segments(blobs)
    typical_height = _typical_height(blobs)
    joined = _join_pieces(blobs, typical_height)
    rule_height = min(typical_height, _height_beside_slivers(joined, labels))
    box_sides = _box_sides(joined, labels, ink)
    blobs = [
        blob for blob in joined
        if not _is_cut_off(blob, typical_height, labels.shape[0], digits_fill_height)
        and not _is_grid_rule(blob, rule_height, labels) and blob not in box_sides
    ]
    if not blobs:
        return [], 0.0
    slope = _slope_of_lines(blobs) if is_photo(labels.shape, single=False) else 0.0
    grouped = _group_lines(blobs, slope)
    whole = [line for line in grouped if not _is_cut_off_line(line, labels.shape[0]) and not _is_flat_line(line)]
    if whole and not digits_fill_height:
        grouped = whole
    tallest = max(_typical_height(line) for line in grouped)
    lines = []
    for line in grouped:
        lone_and_short = len(line) == 1 and line[0].height < SHORT_FRACTION * tallest
        if _typical_height(line) < MIN_LINE_HEIGHT_FRACTION * tallest or lone_and_short:
            continue
        digits = _without_separators(line, labels, digits_fill_height, slope)
        flat_line = _typical_height(line) < tallest and _is_flat_line(line)
        if digits and not flat_line:
            pieces = sorted(_split_touching(digits, labels, ink, judge), key=lambda blob: blob.x0)
            if judge is not None:
                pieces = _without_end_marks(_rejoined_broken(pieces, labels, ink, judge), labels, ink, judge)
            if pieces:
                lines.append(pieces)
    return lines, slope


def _rejoined_broken(line: list[Blob], labels: np.ndarray, ink: np.ndarray, judge: Judge) -> list[Blob]:
    """Join neighbouring pieces of one digit that broke apart side by side (a ``5`` whose bar was drawn
    apart, a ``1``'s lead-in stroke): two pieces close together, of separate ink, that together are no
    wider than tall, and that the judge finds a whole digit, more whole than the less whole of them.
    The pair that gains most is joined first, then the line is looked at again."""
    digit_height = _typical_height(line)
    while len(line) > 1:
        pairs = [
            (i, merge(a, b, labels)) for i, (a, b) in enumerate(zip(line, line[1:]))
            if not a.labels & b.labels and b.x0 - a.x1 <= REJOIN_GAP_FRACTION * digit_height
            and max(a.x1, b.x1) - a.x0 <= max(a.y1, b.y1) - min(a.y0, b.y0)
        ]
        if not pairs:
            return line
        crops = [crop_of(blob, ink, labels, (1.0, 1.0), 0).ink for i, merged in pairs for blob in (line[i], line[i + 1], merged)]
        scores = judge(crops).reshape(-1, 3)
        gains = [whole - min(left, right) if whole >= REJOIN_MIN_WHOLENESS else 0.0 for left, right, whole in scores]
        best = int(np.argmax(gains))
        if gains[best] <= 0.0:
            return line
        i, merged = pairs[best]
        line = line[:i] + [merged] + line[i + 2:]
    return line


def _without_end_marks(line: list[Blob], labels: np.ndarray, ink: np.ndarray, judge: Judge) -> list[Blob]:
    """Drop a mark at either end of a line: shorter than the line's digits and far from a whole digit
    to the judge (a tick or dash after an amount, what is left of a currency sign before it). Short
    pieces inside the line stay: they are more often a digit written small than a mark."""
    if len(line) < 2:
        return line
    digit_height = _typical_height(line)
    short_ends = sorted({index for index in (0, len(line) - 1) if line[index].height < MARK_HEIGHT_FRACTION * digit_height})
    if not short_ends:
        return line  # nothing to ask the judge
    scores = judge([crop_of(line[index], ink, labels, (1.0, 1.0), 0).ink for index in short_ends])
    marks = {index for index, score in zip(short_ends, scores) if score < MARK_MAX_WHOLENESS}
    return [blob for index, blob in enumerate(line) if index not in marks]


def _is_cut_off(blob: Blob, digit_height: float, image_height: int, digits_fill_height: bool) -> bool:
    """Part of a neighbouring line or of a grid that the picture cut off: a short piece at the top or bottom
    border, or a thin upright sliver reaching it. Where digits fill the picture's height (a cheque amount),
    only a short piece touching the border is."""
    short = blob.height < SHORT_FRACTION * digit_height
    if digits_fill_height:
        return short and (blob.y0 == 0 or blob.y1 == image_height)
    near_px = NEAR_BORDER_FRACTION * image_height
    near_border = blob.y0 <= near_px or blob.y1 >= image_height - near_px
    return near_border and (short or blob.width * LINE_MIN_ASPECT <= blob.height)


def _height_beside_slivers(blobs: list[Blob], labels: np.ndarray) -> float:
    """The digits' height without the thin straight upright slivers (``_is_straight_sliver``), which ``_is_grid_rule``
    judges a sliver against where it is the lower: where a strip was cut with paper round its grid, the cell sides no
    longer reach its edges, and, being many and tall, they set the typical height themselves and were read as ``1``s.
    (Where the slivers are printed ``1``s shorter than the other digits, leaving them out raises the height: a meter's
    frame bars, 1.26 times the digits' height, then passed for ``1``s.) Where every piece is such a sliver, all of them
    set it."""
    others = [blob for blob in blobs if not _is_straight_sliver(blob, labels)]
    return _typical_height(others or blobs)


def _is_straight_sliver(blob: Blob, labels: np.ndarray) -> bool:
    """Upright, thin and straight: a grid line's piece, or a printed ``1``."""
    if blob.width * UPRIGHT_SLIVER_ASPECT > blob.height:
        return False
    ink = blob_ink(blob, labels)
    rows = ink.any(axis=1)
    centres = (ink * np.arange(blob.width)).sum(axis=1)[rows] / ink.sum(axis=1)[rows]
    low, high = np.percentile(centres, [5, 95])
    return high - low <= max(RULE_MAX_WANDER_PX, RULE_MAX_WANDER_FRACTION * blob.height)


def _box_sides(blobs: list[Blob], labels: np.ndarray, ink: np.ndarray) -> set[Blob]:
    """The sides of a form's row of boxes whose rules ``digitrec.lines`` took out (a row longer than
    ``digitrec.frames`` looks for): straight upright slivers with a rule's remains in the ``ink`` map just over and
    just under them (``_between_rules``), ``BOX_MIN_SIDES`` or more in a chain left to right, each next one's top and
    bottom where the one before had them. Left, they were read as ``1``s between the digits. A pen's ``1`` on ruled
    paper is seldom straight, seldom reaches the rule over it as well, and never so alike its neighbours."""
    sides = sorted((blob for blob in blobs if _is_straight_sliver(blob, labels) and _between_rules(blob, labels, ink)),
                   key=lambda blob: blob.x0)
    chains: list[list[Blob]] = []
    for side in sides:
        chain = next((chain for chain in chains if _next_box_side(chain[-1], side)), None)
        if chain is None:
            chains.append([side])
        else:
            chain.append(side)
    return {side for chain in chains if len(chain) >= BOX_MIN_SIDES for side in chain}


def _between_rules(blob: Blob, labels: np.ndarray, ink: np.ndarray) -> bool:
    """Whether a row of the ``ink`` map just over ``blob`` and one just under it hold ink across ``BOX_RULE_SHARE`` of
    its columns and half its height to its left or to its right: the rules a box's side joined (a row's end side has
    them on one side only), taken out as lines."""
    level = 0.5 * float(np.median(ink[blob.y0: blob.y1, blob.x0: blob.x1][blob_ink(blob, labels)]))
    reach = max(BOX_RULE_REACH_PX, int(BOX_RULE_REACH_FRACTION * blob.height))
    bands = (np.s_[max(0, blob.y0 - reach): blob.y0], np.s_[blob.y1: blob.y1 + reach])
    sides = (np.s_[max(0, blob.x0 - blob.height // 2): blob.x1], np.s_[blob.x0: blob.x1 + blob.height // 2])
    return all(any(_holds_a_rule(ink[rows, columns] > level) for columns in sides) for rows in bands)


def _holds_a_rule(band: np.ndarray) -> bool:
    """Whether some row of ``band`` (a mask) is ink across ``BOX_RULE_SHARE`` of its columns."""
    return band.size > 0 and bool((band.mean(axis=1) >= BOX_RULE_SHARE).any())


def _next_box_side(side: Blob, other: Blob) -> bool:
    """Whether ``other``, right of ``side``, could be the next side of its row of boxes: its top and bottom where
    ``side`` has them, and not far off."""
    tolerance = max(BOX_SIDE_END_PX, BOX_SIDE_END_FRACTION * side.height)
    return (abs(other.y0 - side.y0) <= tolerance and abs(other.y1 - side.y1) <= tolerance
            and other.x0 - side.x1 <= BOX_SIDE_MAX_GAP_HEIGHTS * side.height)


def _is_grid_rule(blob: Blob, digit_height: float, labels: np.ndarray) -> bool:
    """A piece of a grid line between cells, broken off where it crossed another: upright, thin, straight,
    as a pen's ``1`` (slanted, bending) is not, and far taller than the digits or reaching the picture's
    top or bottom edge (the cell's side, cut where the strip was cut)."""
    at_edge = blob.y0 == 0 or blob.y1 == labels.shape[0]
    if blob.height < RULE_HEIGHT_FRACTION * digit_height and not at_edge:
        return False
    return _is_straight_sliver(blob, labels)


def _is_flat_line(line: list[Blob]) -> bool:
    """A "line" of pieces mostly far wider than tall: the remains of a ruled or grid line, not digits."""
    return float(np.median([blob.width / blob.height for blob in line])) > FLAT_LINE_ASPECT


def _is_cut_off_line(line: list[Blob], image_height: int) -> bool:
    """A line most of whose ink is in pieces touching the top or bottom border: a neighbouring line
    that the picture cut through. Dropped where a whole line stands beside it."""
    touching = sum(blob.area for blob in line if blob.y0 == 0 or blob.y1 == image_height)
    return touching > 0.5 * sum(blob.area for blob in line)


def _bar_thickness(blob: Blob) -> float | None:
    """A straight bar's thickness (a segment of a seven-segment digit), or None where ``blob`` is no bar:
    ``SEGMENT_BAR_ASPECT`` times longer than thick and filling most of its box."""
    short, long = sorted((blob.width, blob.height))
    if long < SEGMENT_BAR_ASPECT * short or blob.area < SEGMENT_BAR_FILL * blob.width * blob.height:
        return None
    return blob.area / long


def _looks_segmented(blobs: list[Blob]) -> bool:
    """Whether the pieces are the separate segments of seven-segment digits (an LCD, a meter): most of them
    bars, both upright and lying, several of each."""
    bars = [blob for blob in blobs if _bar_thickness(blob) is not None]
    upright = sum(blob.height > blob.width for blob in bars)
    lying = len(bars) - upright
    return len(bars) >= SEGMENT_MIN_BAR_SHARE * len(blobs) and min(upright, lying) >= SEGMENT_MIN_BARS_EACH_WAY


def _joined_segments(blobs: list[Blob]) -> list[Blob]:
    """Segments joined into digits: pieces whose boxes come within ``SEGMENT_GAP_PER_THICKNESS`` of a bar's
    thickness of each other (the gaps inside a digit are narrower than a segment, those between digits wider)."""
    reach = SEGMENT_GAP_PER_THICKNESS * float(np.median([t for t in map(_bar_thickness, blobs) if t is not None]))
    return _joined_while(blobs, lambda a, b: max(a.x0 - b.x1, b.x0 - a.x1, a.y0 - b.y1, b.y0 - a.y1) <= reach)


def _joined_while(blobs: list[Blob], belong_together: Callable[[Blob, Blob], bool]) -> list[Blob]:
    """``blobs`` with pairs joined while any two belong together: the first such pair in their order, then
    the list is looked at again."""
    blobs = list(blobs)
    joined = True
    while joined:
        joined = False
        for i, a in enumerate(blobs):
            for j in range(i + 1, len(blobs)):
                if belong_together(a, blobs[j]):
                    blobs[i] = merge(a, blobs[j])
                    del blobs[j]
                    joined = True
                    break
            if joined:
                break
    return blobs


def _join_pieces(blobs: list[Blob], typical_height: float) -> list[Blob]:
    """Join the pieces of one digit that broke apart: stacked in the same columns, together no taller than a digit.

    A piece of ruled line left under or over the digits is joined to none of them, or it would join
    all the digits it runs under into one.
    """
    blobs = sorted(blobs, key=lambda blob: blob.x0)
    rule_pieces = {blob for blob in blobs if _is_rule_piece(blob, blobs)}

    def stacked(a: Blob, b: Blob) -> bool:
        if a in rule_pieces or b in rule_pieces:
            return False
        union_height = max(a.y1, b.y1) - min(a.y0, b.y0)
        return (_x_overlap(a, b) >= JOIN_X_OVERLAP_FRACTION * min(a.width, b.width)
                and union_height <= JOIN_MAX_HEIGHT_FRACTION * max(typical_height, a.height, b.height))

    return _joined_while(blobs, stacked)


def _is_rule_piece(blob: Blob, blobs: list[Blob]) -> bool:
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


def _slope_of_lines(blobs: list[Blob]) -> float:
    """How steeply the picture's lines of digits run (rows per column, down to the right positive): the median of
    the directions from each digit-like candidate to its nearest neighbour (``_neighbour_directions``), where at
    least ``SLANT_MIN_PAIRS`` candidates have one, the median slants ``SLANT_MIN_DEG`` or more and
    ``SLANT_MIN_AGREEMENT`` of the directions lie within ``SLANT_AGREEMENT_DEG`` of it; otherwise 0, level.

    A phone held at an angle turns a number 10-25 degrees, and where its digits stand apart a level grouping cut it
    into a line per digit or two. Looked for in photos only (``lines.is_photo``): in a strip cut round a line of
    digits (a cheque amount, a row of cells) the few pairs slant by the writing's wobble and a grid's slivers, and
    grouping along them cost cheques and rows held out (docs/benchmarks.md, "Numbers on a turned page")."""
    typical_height = _typical_height(blobs)
    digit_like = [blob for blob in blobs if blob.height >= SLANT_MIN_HEIGHT_FRACTION * typical_height
                  and blob.width <= SLANT_MAX_ASPECT * blob.height]  # not the flat remains of rules or grids
    directions_deg = _neighbour_directions(digit_like)
    if len(directions_deg) < SLANT_MIN_PAIRS:
        return 0.0
    angle_deg = float(np.median(directions_deg))
    agreeing = float(np.mean(np.abs(directions_deg - angle_deg) <= SLANT_AGREEMENT_DEG))
    if abs(angle_deg) < SLANT_MIN_DEG or agreeing < SLANT_MIN_AGREEMENT:
        return 0.0
    return float(np.tan(np.radians(angle_deg)))


def _neighbour_directions(blobs: list[Blob]) -> np.ndarray:
    """For each candidate that has one, the direction (degrees, down positive) from its centre to the centre of its
    nearest neighbour on the right: one of a like height (``SLANT_HEIGHT_RATIO``), at most ``SLANT_MAX_DEG`` off level
    and ``SLANT_NEIGHBOUR_HEIGHTS`` of the taller one's height away."""
    if len(blobs) < 2:
        return np.zeros(0)
    centre_x = np.array([_centre_x(blob) for blob in blobs])
    centre_y = np.array([blob.centre_y for blob in blobs])
    heights = np.array([blob.height for blob in blobs], np.float64)
    dx, dy = centre_x[None, :] - centre_x[:, None], centre_y[None, :] - centre_y[:, None]  # from row to column
    distance = np.hypot(dx, dy)
    taller = np.maximum(heights[:, None], heights[None, :])
    neighbours = ((dx > 0) & (np.abs(dy) <= dx * np.tan(np.radians(SLANT_MAX_DEG)))
                  & (np.minimum(heights[:, None], heights[None, :]) >= SLANT_HEIGHT_RATIO * taller)
                  & (distance <= SLANT_NEIGHBOUR_HEIGHTS * taller))
    having = np.flatnonzero(neighbours.any(axis=1))
    nearest = np.where(neighbours[having], distance[having], np.inf).argmin(axis=1)
    return np.degrees(np.arctan2(dy[having, nearest], dx[having, nearest]))


def _centre_x(blob: Blob) -> float:
    return (blob.x0 + blob.x1) / 2


class Levelled(NamedTuple):
    """A candidate's rows as if its line ran level (``_levelled``)."""

    top: float
    bottom: float
    middle: float


def _levelled(blob: Blob, slope: float) -> Levelled:
    """``blob``'s top, bottom and middle as if its line ran level: raised or lowered by the line's ``slope`` at its
    centre's column."""
    rise = slope * _centre_x(blob)
    return Levelled(blob.y0 - rise, blob.y1 - rise, blob.centre_y - rise)


def _group_lines(blobs: list[Blob], slope: float) -> list[list[Blob]]:
    """Cluster candidates into text lines, top to bottom: a candidate joins the line its vertical centre falls in,
    each line running at ``slope`` (``_slope_of_lines``)."""
    lines: list[list[Blob]] = []
    for blob in sorted(blobs, key=lambda blob: -blob.area):
        centre = _levelled(blob, slope).middle
        for line in lines:
            top = float(np.median([_levelled(member, slope).top for member in line]))
            bottom = float(np.median([_levelled(member, slope).bottom for member in line]))
            if top <= centre <= bottom:
                line.append(blob)
                break
        else:
            lines.append([blob])
    return sorted(_rejoined_lines(lines, slope), key=lambda line: float(np.median([_levelled(blob, slope).middle for blob in line])))


def _rejoined_lines(lines: list[list[Blob]], slope: float) -> list[list[Blob]]:
    """Put back into a line the digits that wandered out of it: a lesser line whose candidates stand beside,
    never above or below, a greater line's and lie within its height. A handwritten digit set lower
    than its neighbours is still in their line; a second line of text stands under the first."""
    lines = sorted(lines, key=lambda line: -sum(blob.area for blob in line))
    merged: list[list[Blob]] = []
    for line in lines:
        for greater in merged:
            top = min(_levelled(blob, slope).top for blob in greater)
            bottom = max(_levelled(blob, slope).bottom for blob in greater)
            within = all(top <= _levelled(blob, slope).middle <= bottom for blob in line)
            beside = all(_x_overlap(a, b) <= SIDE_BY_SIDE_OVERLAP_FRACTION * min(a.width, b.width) for a in line for b in greater)
            if within and beside:
                greater.extend(line)
                break
        else:
            merged.append(line)
    return merged


def _without_separators(line: list[Blob], labels: np.ndarray, digits_fill_height: bool, slope: float) -> list[Blob]:
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
    middle = float(np.median([_levelled(blob, slope).middle for blob in tall]))

    def is_digit(blob: Blob) -> bool:
        short = blob.height < SHORT_FRACTION * digit_height
        return (
            blob.height >= SEPARATOR_HEIGHT_FRACTION * digit_height
            and blob.height >= MIN_DIGIT_HEIGHT_PX
            and blob.area >= SPECK_AREA_FRACTION * largest_area
            and not (blob.flat and (short or not _encloses_hole(blob, labels)))
            and not (short and _levelled(blob, slope).top >= middle)
            and not _is_cut_off(blob, digit_height, image_height, digits_fill_height)
        )

    return [blob for blob in line if is_digit(blob)]


def _encloses_hole(blob: Blob, labels: np.ndarray) -> bool:
    """Whether the candidate's ink closes around some paper (a loop of ``0``, ``6``, ``8``, ``9``), as no dash does."""
    return bool(_holes(blob_ink(blob, labels), min_area=0))


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


def _split_touching(line: list[Blob], labels: np.ndarray, ink: np.ndarray, judge: Judge | None) -> list[Blob]:
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


def _cut_between_holes(blob: Blob, labels: np.ndarray, ink: np.ndarray, judge: Judge | None) -> list[Blob]:
    """Cut a candidate between loops that stand side by side: no digit has two holes beside each other
    (an ``8``'s are one above the other), so ``000`` written in one stroke, or an ``8`` run into a ``0``,
    holds one digit per loop.

    The straight cut runs down the column with least ink between two loops. Written zeros often overlap
    in their columns, so that any straight cut gives one a piece of its neighbour; the curved cut gives
    each pixel to the loop it is nearest. With a judge, the curved cut stands where its least whole piece
    is more whole than the straight cut's.
    """
    own_ink = blob_ink(blob, labels)
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
    scores = judge([crop_of(piece, ink, labels, (1.0, 1.0), 0).ink for piece in straight + curved])
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


def _part_of(blob: Blob, own_ink: np.ndarray) -> Blob:
    """The part of ``blob`` whose ink is ``own_ink`` (a mask over its box), cut to that ink's box."""
    rows, cols = np.flatnonzero(own_ink.any(axis=1)), np.flatnonzero(own_ink.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    return Blob(blob.x0 + left, blob.y0 + top, blob.x0 + right, blob.y0 + bottom, blob.labels, int(own_ink.sum()),
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


def _columns_of(blob: Blob, ink: np.ndarray, left: int, right: int) -> Blob:
    """The part of ``blob`` in its columns [left, right), cut to the rows its ink there spans."""
    rows = np.flatnonzero(ink[:, left:right].any(axis=1))
    own_ink = ink[rows[0]: rows[-1] + 1, left:right] if blob.own_ink is not None else None
    return Blob(blob.x0 + left, blob.y0 + int(rows[0]), blob.x0 + right, blob.y0 + int(rows[-1]) + 1,
                blob.labels, int(ink[:, left:right].sum()), own_ink=own_ink)


def _judged_split(blob: Blob, expected: int, labels: np.ndarray, ink: np.ndarray, judge: Judge) -> list[Blob]:
    """The best of the ways of cutting ``blob`` tried: whole, then each count of parts up to one more than
    the width's guess ``expected``, two ways (``_split``). A way whose least whole piece the judge finds
    more whole wins; the expected count gets a bonus; a way leaving a piece much wider than tall, or
    cutting through the middle of a loop, loses."""
    loops = _holes(blob_ink(blob, labels), HOLE_MIN_AREA_FRACTION * blob.height ** 2)
    tries = [(1, [blob])]
    for count in range(2, min(MAX_SPLIT_PARTS, expected + 1) + 1):
        tries += [(count, _split(blob, count, labels)), (count, _split(blob, count, labels, evenly=True))]
    counts, splits = [count for count, _ in tries], [split for _, split in tries]
    crops = [crop_of(piece, ink, labels, (1.0, 1.0), 0).ink for split in splits for piece in split]
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


def _cuts_through_a_loop(blob: Blob, split: list[Blob], loops: list[list[int]]) -> bool:
    """Whether a cut between the pieces of ``split`` runs through the middle of one of ``blob``'s loops
    (its enclosed paper, [left, right, top, bottom] in the blob's box). A loop is one digit's, so no cut
    between digits runs through it; only through its outer parts, where neighbouring zeros overlap."""
    cuts = [piece.x0 - blob.x0 for piece in split[1:]]
    for left, right, _, _ in loops:
        margin = LOOP_CUT_MARGIN_FRACTION * (right - left)
        if any(left + margin < cut < right - margin for cut in cuts):
            return True
    return False


def _split(blob: Blob, parts: int, labels: np.ndarray, evenly: bool = False) -> list[Blob]:
    """``blob`` cut into ``parts``: near equal widths, at the columns with least ink (a gap between two
    digits), or, ``evenly``, at equal widths (round digits run together, ``00``, touch where their
    columns hold the most ink)."""
    ink = blob_ink(blob, labels)
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


