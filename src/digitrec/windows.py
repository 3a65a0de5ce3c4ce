"""What a picture's digits may be framed in: a meter's drum counter (a row of windows in a frame, one printed digit
behind each), found so that each window can be read as a single-digit crop; and a panel (a screen, a sign, a plate: a
rectangle of one shade whose holes are the digits), found so that it can be read as a picture of its own.

Read as one picture, a counter's frame bars came out as ``1``s, and dark digits in light windows on a dark frame
joined the frame: the ink map decides one polarity for the whole picture, and a counter shows both (the frame
against the housing, the digits against their drums). A window alone is what the reader knows best (the development
set's meter crops are such windows). A window is a rectangle of one shade, taller than wide (a drum shows one digit;
a Sudoku or form cell is square) inside its frame (a strip of grid cells, cut along its grid, has its cells at its
edges), and a counter's windows are alike and stand side by side apart by a frame's bar. ``Recognizer.read`` takes a
row only where every window holds a digit: a counter shows one behind each, a row of empty cells none. A window of
another shade than the rest (a red drum) may be missed: the place one pitch beyond each end of the row
(``slot_beyond``) is read too.

Light digits on a dark panel photographed with the light room round it read as nothing like themselves: the panel
is a blot of ink with the digits as its holes. A panel is a rectangle of one shade, about as wide as tall or wider,
holding two holes of the other shade or more, each a good part of its height (a row of digits).
"""
from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

WINDOW_MAX_SIDE_PX = 480  # windows are looked for at this size at most
WINDOW_BLUR_SIGMA_PX = 1.0
WINDOW_MIN_FILL = 0.85  # of its box, that a window's contour encloses
WINDOW_ASPECT = (1.15, 3.0)  # a window's height over its width
WINDOW_MIN_HEIGHT_PX = 12
WINDOW_MIN_WIDTH_PX = 6
WINDOW_HEIGHT_TOLERANCE = 0.15  # of a window's height, by which the next one's may differ
WINDOW_WIDTH_TOLERANCE = 0.3  # of its width, likewise
WINDOW_CENTRE_TOLERANCE = 0.25  # of its height, how far the next one's centre may lie higher or lower
WINDOW_GAP = (0.05, 1.0)  # of a window's width: the frame's bar between two windows
MIN_WINDOWS = 3
PANEL_MIN_AREA_FRACTION = 0.01  # of the picture, that a panel's box covers
PANEL_MIN_HOLE_FRACTION = 0.15  # of a panel's height, that something of the other shade inside it stands: a digit
PANEL_INSET_FRACTION = 0.05  # of a panel's height, taken off each side of its box: what is read is inside it
PANEL_MIN_WIDTH_PER_HEIGHT = 0.75  # a panel's upright box: a plate holding three digits with margins is about square
PANEL_MIN_DIGITS = 2  # such holes a panel holds: a row of digits (a seven-segment 0 is a rectangle round one empty hole)

Box = tuple[int, int, int, int]  # x, y, width, height


class Panel(NamedTuple):
    box: Box  # in the picture's pixels, a little inside the panel's edges
    dark: bool  # darker than the digits it holds


def window_row(rgb: np.ndarray) -> list[Box] | None:
    """The windows of the longest row of ``MIN_WINDOWS`` or more in an HxWx3 uint8 RGB picture, left to right, as boxes
    in its pixels; None where there is none."""
    blurred, scale = _search_image(rgb)
    boxes = {box for level in _levels(blurred) for box in _rectangles(blurred, level)}
    row = _longest_row(boxes)
    if row is None:
        return None
    return [_scaled(box, scale) for box in row]


def slot_beyond(row: list[Box], after: bool) -> Box:
    """The box where the window after the last of a counter's ``row`` stands (``after``), or the one before its first:
    one pitch further (the median distance between neighbouring windows' centres), as wide and tall as the row's
    windows are (their medians), its centre on the line through theirs (a counter photographed turned). A counter's
    window that ``window_row`` missed (a red drum among black ones, a glare across it) is most often at an end: the
    row stops there."""
    centres_x = np.array([x + width / 2 for x, _, width, _ in row])
    centres_y = np.array([y + height / 2 for _, y, _, height in row])
    pitch = float(np.median(np.diff(centres_x)))
    slope = float(np.polyfit(centres_x, centres_y, 1)[0])
    width, height = (float(np.median([box[side] for box in row])) for side in (2, 3))
    end = -1 if after else 0
    step = pitch if after else -pitch
    centre_x, centre_y = centres_x[end] + step, centres_y[end] + slope * step
    return int(round(centre_x - width / 2)), int(round(centre_y - height / 2)), int(round(width)), int(round(height))


def panel_box(rgb: np.ndarray) -> Panel | None:
    """The box, in the picture's pixels, and the shade of the largest panel of an HxWx3 uint8 RGB picture: a region of
    one shade at Otsu's level that fills ``WINDOW_MIN_FILL`` of the smallest rectangle round it (a panel photographed
    turned a few degrees fills less of its upright box), its upright box ``PANEL_MIN_WIDTH_PER_HEIGHT`` as wide as
    tall or wider, touching no edge, covering ``PANEL_MIN_AREA_FRACTION`` of the picture or more, and holding
    ``PANEL_MIN_DIGITS`` holes of the other shade ``PANEL_MIN_HOLE_FRACTION`` of its height tall or more (light digits
    on a dark screen, sign or counter in a light room, or the other way round); None where there is none."""
    blurred, scale = _search_image(rgb)
    levels = _levels(blurred)
    if not levels:
        return None
    _, binary = cv2.threshold(blurred, levels[0], 255, cv2.THRESH_BINARY)
    panels = [Panel(box, dark) for dark, shade in ((False, binary), (True, 255 - binary)) for box in _panels(shade, blurred)]
    if not panels:
        return None
    (x, y, width, height), dark = max(panels, key=lambda panel: panel.box[2] * panel.box[3])
    inset = int(round(PANEL_INSET_FRACTION * height))  # a turned panel's box holds the room at its corners
    return Panel(_scaled((x + inset, y + inset, width - 2 * inset, height - 2 * inset), scale), dark)


def _panels(binary: np.ndarray, grey: np.ndarray) -> list[Box]:
    """The boxes of ``binary``'s pieces that ``panel_box`` takes for panels (``grey``: the picture ``binary`` was
    thresholded from)."""
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    links = hierarchy[0]  # per contour: next, previous, first child, parent; a piece's children are its holes
    panels = []
    for index, contour in enumerate(contours):
        x, y, width, height = box = cv2.boundingRect(contour)
        if (links[index][3] != -1 or x == 0 or y == 0 or x + width == binary.shape[1] or y + height == binary.shape[0]
                or width < PANEL_MIN_WIDTH_PER_HEIGHT * height or width * height < PANEL_MIN_AREA_FRACTION * binary.size
                or not _fills_a_rectangle(contour)):
            continue
        digits = [hole for hole in _children(links, index) if cv2.boundingRect(contours[hole])[3] >= PANEL_MIN_HOLE_FRACTION * height]
        if len(digits) >= PANEL_MIN_DIGITS or _digits_at_own_level(grey, contour, box) >= PANEL_MIN_DIGITS:
            panels.append(box)
    return panels


def _fills_a_rectangle(contour: np.ndarray) -> bool:
    """Whether ``contour`` fills ``WINDOW_MIN_FILL`` of the smallest rectangle round it, turned as it may be."""
    _, (side_a, side_b), _ = cv2.minAreaRect(contour)
    return cv2.contourArea(contour) >= WINDOW_MIN_FILL * side_a * side_b


def _digits_at_own_level(grey: np.ndarray, contour: np.ndarray, box: Box) -> int:
    """How many pieces of the other shade, ``PANEL_MIN_HOLE_FRACTION`` of ``box``'s height tall or more and off its
    edges, the region inside ``contour`` holds at Otsu's level within itself: a grey panel under a glare, or faint thin
    digits on a light plate, part from their panel there, not at the level that parts the panel from the room."""
    x, y, width, height = box
    region = np.zeros((height, width), np.uint8)
    cv2.drawContours(region, [contour], -1, 255, -1, offset=(-x, -y))
    patch = grey[y: y + height, x: x + width]
    inside = region > 0
    level = _otsu(np.bincount(patch[inside], minlength=256).astype(np.float64), 0, 256)
    if level is None:
        return 0
    panel_is_light = np.count_nonzero(patch[inside] > level) * 2 > np.count_nonzero(inside)
    other_shade = inside & ((patch <= level) if panel_is_light else (patch > level))
    count, _, stats, _ = cv2.connectedComponentsWithStats(other_shade.astype(np.uint8), connectivity=8)
    left, top, piece_width, piece_height = (stats[1:, field] for field in range(4))
    off_edges = (left > 0) & (top > 0) & (left + piece_width < width) & (top + piece_height < height)
    return int(np.count_nonzero(off_edges & (piece_height >= PANEL_MIN_HOLE_FRACTION * height)))


def _children(links: np.ndarray, index: int) -> list[int]:
    """The contours whose parent is contour ``index`` (``cv2.findContours`` hierarchy ``links``)."""
    children, child = [], links[index][2]
    while child != -1:
        children.append(int(child))
        child = links[child][0]
    return children


def _search_image(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """The grey picture blurred, at most ``WINDOW_MAX_SIDE_PX`` on its longer side, and how much it was scaled."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    scale = min(1.0, WINDOW_MAX_SIDE_PX / max(grey.shape))
    if scale < 1.0:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)  # blurred next; area averaging costs 1 ms
    return cv2.GaussianBlur(grey, (0, 0), WINDOW_BLUR_SIGMA_PX), scale


def _scaled(box: Box, scale: float) -> Box:
    return tuple(int(round(value / scale)) for value in box)


def _levels(grey: np.ndarray) -> list[float]:
    """Otsu's level of ``grey``, and Otsu's level within each of the two classes it parts: a frame's shade can lie near
    the first (light falling off across a counter turns one end of its frame to the housing's side), not near all."""
    counts = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel().astype(np.float64)
    level = _otsu(counts, 0, 256)
    if level is None:
        return []  # one shade: a blank picture
    return [float(level)] + [float(part) for part in (_otsu(counts, 0, level + 1), _otsu(counts, level + 1, 256)) if part is not None]


def _otsu(counts: np.ndarray, low: int, high: int) -> int | None:
    """The grey level in [low, high) that parts the histogram ``counts`` there with the most variance between the two
    classes (Otsu's); None where those levels hold fewer than two shades."""
    levels = np.arange(low, high, dtype=np.float64)
    weights = counts[low:high]
    if np.count_nonzero(weights) < 2:
        return None
    below = np.cumsum(weights)
    mass_below = np.cumsum(weights * levels)
    total, mass = below[-1], mass_below[-1]
    above = total - below
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mass_below * total - mass * below) ** 2 / (below * above)
    return low + int(np.nanargmax(np.where(above > 0, between, np.nan)))


def _rectangles(grey: np.ndarray, level: float) -> list[Box]:
    """The boxes of the window-shaped regions of ``grey`` thresholded at ``level``: a contour that fills
    ``WINDOW_MIN_FILL`` of its box, shaped as ``WINDOW_ASPECT`` allows, touching no edge. Windows lighter than the level
    are the outer contours of its pieces, windows darker the contours of their holes (a hole's contour runs round
    it on the pixels beside it, a pixel wider each way), so both polarities come from one search."""
    _, binary = cv2.threshold(grey, level, 255, cv2.THRESH_BINARY)
    contours, _ = cv2.findContours(binary, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    boxes = []
    for contour in contours:
        x, y, width, height = cv2.boundingRect(contour)
        if height < WINDOW_MIN_HEIGHT_PX or width < WINDOW_MIN_WIDTH_PX:
            continue
        if x == 0 or y == 0 or x + width == grey.shape[1] or y + height == grey.shape[0]:
            continue  # a window sits in its frame; a strip of grid cells is cut along the grid, its cells at its edges
        if WINDOW_ASPECT[0] <= height / width <= WINDOW_ASPECT[1] and cv2.contourArea(contour) >= WINDOW_MIN_FILL * width * height:
            boxes.append((x, y, width, height))
    return boxes


def _longest_row(boxes: set[Box]) -> list[Box] | None:
    """The longest chain, left to right, of windows each the next of the one before (``_next_window``), if it holds
    ``MIN_WINDOWS`` or more. A window found at several levels starts a chain of its own beside
    the one it could have joined."""
    rows: list[list[Box]] = []
    for box in sorted(boxes):
        row = next((row for row in rows if _next_window(row[-1], box)), None)
        if row is None:
            rows.append([box])
        else:
            row.append(box)
    longest = max(rows, key=len, default=[])
    return longest if len(longest) >= MIN_WINDOWS else None


def _next_window(window: Box, other: Box) -> bool:
    """Whether ``other`` could be the window right of ``window`` on its counter: alike in size, level with it, and a
    frame's bar away."""
    x, y, width, height = window
    gap = other[0] - (x + width)
    return (abs(other[3] - height) <= WINDOW_HEIGHT_TOLERANCE * height
            and abs(other[2] - width) <= WINDOW_WIDTH_TOLERANCE * width
            and abs((other[1] + other[3] / 2) - (y + height / 2)) <= WINDOW_CENTRE_TOLERANCE * height
            and WINDOW_GAP[0] * width <= gap <= WINDOW_GAP[1] * width)
