"""A form's row of boxes round digits: found among a photo's pieces of ink and its straight lines taken out, so
that the digits inside are read and the boxes are not.

A row of boxes shorter than the lines ``digitrec.lines`` takes out (most of the picture's width) is one piece of
ink holding every digit in its cells; read as it was, its cells came out as digits of their own (``0``, ``1``), and
a digit touching its box went with the box. Such a frame is told by what no digit does: its box holds the whole box
of another piece at least ``FRAME_MIN_ENCLOSED_FRACTION`` of its height. It is taken for a row of boxes where it has
``FRAME_MIN_SIDES`` upright sides or more (a side between two cells besides its ends): a panel holding a meter's
digits, or one box round a number, has two, and what straight lines would leave of a meter's body was read as
digits. Its rules, at least ``FRAME_LINE_FRACTION`` of its height long, are found by a Hough search on the frame
alone and taken out as thick as they are, then its sides by the columns they fill; what stays of it (a digit's
stroke that touched its box) stands as a piece of its own.
"""
from __future__ import annotations

import cv2
import numpy as np

FRAME_MIN_ENCLOSED_FRACTION = 0.3  # of the frame's height, that a piece inside its box has: a digit, not a speck
FRAME_MIN_PIECE_AREA_PX = 12  # pieces smaller than this are neither frames nor what they hold
FRAME_LINE_FRACTION = 0.75  # of the frame's height, that each of its rules (and an axis-aligned side) is at least long
FRAME_HOUGH_VOTES_FRACTION = 0.5  # of that length, the Hough votes a line needs
FRAME_HOUGH_GAP_PX = 3  # gaps along a line (where the print is broken) that Hough bridges
FRAME_LINE_MARGIN_PX = 1  # taken out beyond a line's half thickness: its blurred edge
FRAME_SIDE_FRACTION = 0.6  # of the frame's height, that a box's side holds between the rules taken out
FRAME_MIN_SIDES = 3  # a row of boxes has a side between two cells, besides its two ends


def without_frames(binary: np.ndarray, labels: np.ndarray, stats: np.ndarray) -> np.ndarray | None:
    """``binary`` (uint8, 1 is ink) less the straight lines of every row of boxes among its components (``labels``,
    ``stats`` from ``cv2.connectedComponentsWithStats``); None where there is none."""
    cleared = None
    for label in frame_labels(stats):
        x, y, width, height = (int(value) for value in stats[label, :4])
        box = np.s_[y: y + height, x: x + width]
        lines = _straight_lines((labels[box] == label).astype(np.uint8), height)
        if lines.any():
            cleared = binary.copy() if cleared is None else cleared
            cleared[box][lines > 0] = 0
    return cleared


def frame_labels(stats: np.ndarray) -> list[int]:
    """The components whose box holds the whole box of another component at least ``FRAME_MIN_ENCLOSED_FRACTION`` of
    its height (both at least ``FRAME_MIN_PIECE_AREA_PX``)."""
    pieces = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] >= FRAME_MIN_PIECE_AREA_PX)
    pieces = pieces[pieces > 0]  # 0 is the paper
    if len(pieces) < 2:
        return []
    left, top = stats[pieces, cv2.CC_STAT_LEFT], stats[pieces, cv2.CC_STAT_TOP]
    right, bottom = left + stats[pieces, cv2.CC_STAT_WIDTH], top + stats[pieces, cv2.CC_STAT_HEIGHT]
    height = stats[pieces, cv2.CC_STAT_HEIGHT]
    holds = ((left[:, None] < left[None, :]) & (right[None, :] < right[:, None])  # row holds column
             & (top[:, None] < top[None, :]) & (bottom[None, :] < bottom[:, None])
             & (height[None, :] >= FRAME_MIN_ENCLOSED_FRACTION * height[:, None]))
    return [int(label) for label in pieces[holds.any(axis=1)]]


def _straight_lines(own: np.ndarray, height: int) -> np.ndarray:
    """The pixels of a frame (``own``, uint8, its box) on its straight lines: Hough segments at least
    ``FRAME_LINE_FRACTION`` of its ``height`` long, each widened to the frame's half thickness (the distance to its
    edge along them) and ``FRAME_LINE_MARGIN_PX``: the rules along a row of boxes; then its upright sides
    (``_side_columns``). Nothing where it has fewer than ``FRAME_MIN_SIDES`` sides. (A straight ``1`` touching its box and
    0.6 of its height would go with them.)"""
    if cv2.connectedComponents(_side_columns(own, height))[0] - 1 < FRAME_MIN_SIDES:
        return np.zeros_like(own)  # a panel or a single box round a window: its edges are no row of cells
    rules = _hough_lines(own, FRAME_LINE_FRACTION * height)
    rest = own & (rules == 0)
    return rules | (rest & _side_columns(rest, height))


def _side_columns(ink: np.ndarray, height: int) -> np.ndarray:
    """The columns (a 1-row mask) of a frame's ``ink`` (whole, or its rules taken out) that hold ink over
    ``FRAME_SIDE_FRACTION`` of its ``height`` or more, and ``FRAME_LINE_MARGIN_PX`` beside them: a box's sides. (Hough's
    walks along the lines that cross a row of sides use up the sides' pixels before their own line is found.) A page
    held within a few degrees of level keeps a side in its columns."""
    sides = (ink.sum(axis=0) >= FRAME_SIDE_FRACTION * height).astype(np.uint8)[None, :]
    return cv2.dilate(sides, np.ones((1, 2 * FRAME_LINE_MARGIN_PX + 1), np.uint8))


def _hough_lines(own: np.ndarray, length_px: float) -> np.ndarray:
    """One search of ``_straight_lines``: the pixels of ``own`` on the segments at least ``length_px`` long, widened."""
    segments = cv2.HoughLinesP(own, 1, np.pi / 180, threshold=max(1, int(FRAME_HOUGH_VOTES_FRACTION * length_px)),
                               minLineLength=length_px, maxLineGap=FRAME_HOUGH_GAP_PX)
    lines = np.zeros_like(own)
    if segments is None:
        return lines
    for x0, y0, x1, y1 in segments.reshape(-1, 4).tolist():
        cv2.line(lines, (x0, y0), (x1, y1), 1, 1)
    on_lines = (lines > 0) & (own > 0)
    if not on_lines.any():
        return lines & own
    half_thickness = float(np.median(cv2.distanceTransform(own, cv2.DIST_L2, 3)[on_lines]))
    radius = int(np.ceil(half_thickness)) + FRAME_LINE_MARGIN_PX
    widened = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1)))
    return widened & own
