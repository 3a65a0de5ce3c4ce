"""Ruled lines, grid lines and borders: found in an ink map and taken out of its mask (``ink_mask``).

A line is a straight run far longer than thick, placed where a digit's stroke cannot be: along a
single-digit crop's border, across most of a larger picture, or, in a photo (``is_photo``), slanted
a little, as ruled paper photographed at an angle is. Strokes that cross a line are kept whole.
Runs are found with running sums (``_dilated``, ``_eroded``), whose cost does not grow with their
length; slanted lines with a Hough search on a reduced mask.
"""
from __future__ import annotations

from functools import partial

import cv2
import numpy as np

from digitrec.ink import label_type, resized, strong_and_connected
from digitrec.parallel import side_by_side
from digitrec.pieces import Blob, in_border_band

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
BORDER_BAND_FRACTION = 0.15
EDGE_LINE_SPAN_FRACTION = 0.8  # a grid line by a cell's edge runs along most of it, a bold 0's side does not
CELL_LINE_BAND_FRACTION = 0.25  # a cell cut a little off its grid holds the grid line further in:
CELL_LINE_SPAN_FRACTION = 0.7  # there, a line must span the cell
CELL_LINE_THICKNESS_FRACTION = 0.1  # and be thin, unlike the bold 1 of a sign,
CELL_MIN_SIDE_PX = 40  # in a photographed cell, not a digit bitmap (16x16, 32x32) that a 1 fills


def is_photo(shape: tuple[int, ...], single: bool) -> bool:
    """A picture of a page or a scene (shorter side at least ``PHOTO_MIN_SIDE_PX`` at the working size), not a strip
    or crop cut around digits."""
    return not single and min(shape[:2]) >= PHOTO_MIN_SIDE_PX


def ink_mask(ink: np.ndarray, strong_level: float, single: bool, digits_fill_height: bool = False,
             remove_lines: bool = True) -> np.ndarray:
    """Pixels that are ink: strong ink (above ``strong_level``, ``ink.strong_ink_level``) plus the fainter ink connected
    to it, minus lines (``_lines``).

    Lines are removed with a pixel of margin, so their blurred edges do not stay behind as slivers;
    where a stroke crosses a line (ink on both sides of it) the stroke is kept whole, and in a photo also where
    its ink is far stronger than the lines' (``_stronger_than_the_lines``).
    """
    if not remove_lines:
        return strong_and_connected(ink, strong_level)
    line_level = strong_level * (SINGLE_LINE_LEVEL_FRACTION if single else LINE_LEVEL_FRACTION)
    mask, lines = side_by_side(ink.size, lambda: strong_and_connected(ink, strong_level),
                               lambda: _lines(ink > line_level, single, digits_fill_height))
    if single:
        return mask & ~lines
    if not lines.any():
        return mask
    band = cv2.dilate(lines.astype(np.uint8), np.ones((3, 3), np.uint8))
    kept = mask & (band == 0)
    kept_u8 = kept.astype(np.uint8)
    bridged = side_by_side(kept.size, *(partial(_closed, kept_u8, along, CROSSING_BRIDGE_PX) for along in ((1, 0), (0, 1))))
    crossing = (bridged[0] > 0) | (bridged[1] > 0)
    if is_photo(ink.shape, single):
        crossing |= _stronger_than_the_lines(ink, lines, strong_level)
    return kept | (mask & (band > 0) & crossing)


def _stronger_than_the_lines(ink: np.ndarray, lines: np.ndarray, strong_level: float) -> np.ndarray:
    """The pixels whose ink is strong and ``LINE_CORE_FACTOR`` times the lines' mean: a pen's stroke over faint printed
    rules. Where a stroke runs along a rule or crosses it at a shallow angle, no column and no row holds its ink on
    both sides of the rule, and the crossing bridge cannot join it: a ``0`` whose bottom runs along a rule came
    apart. (One mean for all of a page's lines: a margin line crosses the rules, so it shares their pieces.)"""
    line_ink = float(ink[lines].mean(dtype=np.float64))
    return ink > max(LINE_CORE_FACTOR * line_ink, strong_level)


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
    if not is_photo(candidates.shape, single):
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
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8, ltype=label_type(cv2.countNonZero(binary)))
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
    count, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8, ltype=label_type(runs.size // length_px))
    ink = np.bincount(labels[binary.view(bool)], minlength=count) if min_ink_share else None  # ink pixels per run
    is_line = np.zeros(count, bool)
    bridged = False
    for label in range(1, count):
        x, y, run_width, run_height, area = stats[label]
        run = Blob(int(x), int(y), int(x + run_width), int(y + run_height), frozenset(), int(area))
        length = max(run_width, run_height)
        if single:
            side = height if run_height > run_width else width
            at_edge = length >= EDGE_LINE_SPAN_FRACTION * side and in_border_band(run, binary.shape, BORDER_BAND_FRACTION)
            spans_cell = (min(height, width) >= CELL_MIN_SIDE_PX and length >= CELL_LINE_SPAN_FRACTION * side
                          and area <= CELL_LINE_THICKNESS_FRACTION * side * length)
            placed_as_line = at_edge or (spans_cell and in_border_band(run, binary.shape, CELL_LINE_BAND_FRACTION))
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


def _slanted_lines(candidates: np.ndarray, length_px: int, upright_too: bool) -> np.ndarray:
    """Ruled lines photographed at a slight angle, within ``SLANT_MAX_DEG`` of the horizontal (and of the
    vertical ``upright_too``: not where a ``1`` fills the height).

    Only looked for in photos (``is_photo``): in a strip cut around a line
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
        binary = (resized(binary, 1 / step) > 0).astype(np.uint8)
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
