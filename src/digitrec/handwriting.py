"""Digits as much of Europe and Latin America writes them, made from MNIST's digits, for training.

MNIST's handwriting comes from American writers. Shapes common elsewhere are missing from it:

- a ``1`` started with a lead-in stroke from its top down to the left (Semeion's Italian scans,
  Chilean cheques). A network that never saw that reads such a ``1`` as a ``7``, and a wholeness
  judge that never saw it finds it not whole. Here MNIST ones get that lead-in drawn on, at the
  thickness of their own stroke. (A foot is left out: on a slanted one it makes a ``2``.)
- a ``9`` drawn as a loop on a stem: the stem hangs from the bottom of the loop rather than
  running down its right side, like a balloon on its string. A network that never saw it reads
  the loop with a stroke below it as an ``8``. Here MNIST zeros become such loops. Chilean cheques
  show another nine MNIST lacks, shaped like a rho: the stem leaves the loop's left half
  (``rho_nines``); read as an ``8`` too.
  And a nine whose stem ends in a hook curling back to the left reads as a ``3`` (``hooked_nines``).
- a ``2`` with a loop where its diagonal meets the base, read as a ``9`` (``looped_twos``).

And one way of storing digits is missing: USPS and Semeion scans stretched each digit to fill a
square box, whatever its shape. A ``1`` comes out a wide slanted bar or a solid block, which a
network trained on MNIST's kept aspect ratio reads as an ``8`` or a ``4`` (63% of MNIST's test ones
so stretched are read right; the other digits barely change). ``stretched_digits`` makes them.
"""
from __future__ import annotations

import cv2
import numpy as np

from digitrec.preprocess import crop_to_ink, stroke_width, to_mnist_form

UPSCALE = 4  # drawn on at 4x, as a pen would, then brought back to MNIST form
LEAD_IN_LENGTH_FRACTION = (0.15, 0.5)  # of the one's height; the upper end can be given
LEAD_IN_ANGLE_DEG = (25, 65)  # below the horizontal, going left: flatter than this is a 7's bar
INK_LEVEL = 0.5


LOOP_HEIGHT_FRACTION = (0.4, 0.6)  # of the nine's height
LOOP_SQUASH = (0.6, 1.0)  # the zero's height is scaled by this: loops are rounder than zeros
STEM_START = (0.0, 0.8)  # where the stem leaves the loop: from its middle (0) to its right edge (1)
RHO_STEM_START = (-0.8, 0.0)  # a rho-shaped nine's stem leaves the loop's left half
HOOK_WIDTH_FRACTION = (0.15, 0.35)  # of the nine's height: how far left the hook at the stem's foot reaches
HOOK_RISE_FRACTION = (0.05, 0.2)  # and how far back up
BASE_LOOP_RADIUS_FRACTION = (0.12, 0.22)  # of the two's height
BASE_LOOP_MIN_RADIUS_PER_THICKNESS = 1.3
STEM_LEAN = (-0.3, 0.1)  # how far right the stem's foot lies from its start, of the nine's height
STEM_BEND = (-0.08, 0.08)  # how far the stem's middle bows to the right, of the nine's height


def lead_in_ones(ones: np.ndarray, count: int, rng: np.random.Generator,
                 longest: float = LEAD_IN_LENGTH_FRACTION[1]) -> np.ndarray:
    """``count`` ones with a lead-in stroke (N x 28 x 28 float32, MNIST form), each made from a random one
    of ``ones`` (N x 28 x 28, uint8 or float in [0, 1]); the lead-in is at most ``longest`` of its height."""
    return _made_from(ones, count, lambda one: with_lead_in(one, rng, longest), rng)


def stemmed_nines(zeros: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` nines drawn as a loop on a stem (N x 28 x 28 float32, MNIST form), each made from a random
    zero of ``zeros`` (N x 28 x 28, uint8 or float in [0, 1])."""
    return _made_from(zeros, count, lambda zero: with_stem(zero, rng), rng)


def rho_nines(zeros: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` nines shaped like a rho, their stem leaving the loop's left half (N x 28 x 28 float32,
    MNIST form), each made from a random zero of ``zeros``."""
    return _made_from(zeros, count, lambda zero: with_stem(zero, rng, RHO_STEM_START), rng)


def hooked_nines(zeros: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` nines whose stem ends in a hook curling back to the left (N x 28 x 28 float32, MNIST form),
    each made from a random zero of ``zeros``."""
    return _made_from(zeros, count, lambda zero: with_stem(zero, rng, hooked=True), rng)


def looped_twos(twos: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` twos with a loop where the diagonal meets the base (N x 28 x 28 float32, MNIST form), each
    made from a random two of ``twos``."""
    return _made_from(twos, count, lambda two: with_base_loop(two, rng), rng)


def stretched_digits(images: np.ndarray, labels: np.ndarray, count: int,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random digits of ``images`` (N x 28 x 28, uint8 or float in [0, 1]) stretched to fill a square
    (N x 28 x 28 float32, MNIST form), with their ``labels``."""
    chosen = rng.integers(len(images), size=count)
    made = np.empty((count, 28, 28), np.float32)
    for i, image in enumerate(images[chosen]):
        made[i] = to_mnist_form(stretched_square(_as_unit_float(image)))
    return made, labels[chosen]


def stretched_square(digit: np.ndarray) -> np.ndarray:
    """A digit (bright ink on black) cut to its ink and stretched to a square as tall as its longer side."""
    ink = crop_to_ink(digit)
    if ink.size == 0:
        return ink
    side = max(ink.shape) * UPSCALE
    return cv2.resize(ink, (side, side), interpolation=cv2.INTER_LINEAR).clip(0, 1)


def _made_from(sources: np.ndarray, count: int, make, rng: np.random.Generator) -> np.ndarray:
    """``count`` digits in MNIST form, each ``make`` of a random one of ``sources``."""
    made = np.empty((count, 28, 28), np.float32)
    for i in range(count):
        made[i] = to_mnist_form(make(_as_unit_float(sources[rng.integers(len(sources))])))
    return made


def _as_unit_float(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float32) / 255.0 if image.dtype == np.uint8 else image


def with_base_loop(two: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A two (bright ink on black) with a loop drawn where its diagonal meets its base, at the base's left
    end, returned cut to its ink."""
    ink = cv2.resize(crop_to_ink(two), None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_CUBIC).clip(0, 1)
    height = ink.shape[0]
    rows = np.flatnonzero(ink.max(axis=1) > INK_LEVEL)
    if rows.size < 2:
        return ink
    base = ink[int(rows[-1] - 0.2 * height): int(rows[-1]) + 1]  # the bottom fifth: the base
    columns = np.flatnonzero(base.max(axis=0) > INK_LEVEL)
    corner = (float(columns[0]), float(rows[-1]))
    thickness = max(2, int(round(stroke_width(ink))))
    radius = rng.uniform(*BASE_LOOP_RADIUS_FRACTION) * height
    if radius < BASE_LOOP_MIN_RADIUS_PER_THICKNESS * thickness:
        return ink  # so bold a pen would draw a blot there, not a loop
    canvas = cv2.copyMakeBorder(ink, height, height, height, height, cv2.BORDER_CONSTANT, value=0.0)
    centre = (corner[0] + radius * rng.uniform(0.7, 1.1) + height, corner[1] - radius * rng.uniform(0.7, 1.0) + height)
    axes = (radius * rng.uniform(0.8, 1.2), radius)
    cv2.ellipse(canvas, (int(round(centre[0])), int(round(centre[1]))), (int(round(axes[0])), int(round(axes[1]))),
                rng.uniform(-30, 30), 0, 360, 1.0, thickness, cv2.LINE_AA)
    return crop_to_ink(canvas)


def with_stem(zero: np.ndarray, rng: np.random.Generator, stem_start: tuple[float, float] = STEM_START,
              hooked: bool = False) -> np.ndarray:
    """A zero (bright ink on black), made a loop with a stem hanging from its bottom, returned cut to its ink;
    the stem leaves the loop ``stem_start`` of the way from its middle to its right edge (negative: left),
    and, ``hooked``, ends in a hook curling back to the left."""
    ink = crop_to_ink(zero)
    if ink.size == 0:
        return ink
    squash = rng.uniform(*LOOP_SQUASH)
    loop = cv2.resize(ink, (ink.shape[1] * UPSCALE, max(2, int(round(ink.shape[0] * UPSCALE * squash)))),
                      interpolation=cv2.INTER_CUBIC).clip(0, 1)
    loop_height, loop_width = loop.shape
    height = loop_height / rng.uniform(*LOOP_HEIGHT_FRACTION)
    canvas = cv2.copyMakeBorder(loop, 0, int(height), int(height), int(height), cv2.BORDER_CONSTANT, value=0.0)
    start_x = loop_width / 2 + rng.uniform(*stem_start) * loop_width / 2
    column = loop[:, min(loop_width - 1, int(start_x))]
    inked = np.flatnonzero(column > INK_LEVEL)
    start_y = float(inked[-1]) if inked.size else loop_height - 1.0
    foot = (start_x + rng.uniform(*STEM_LEAN) * height, height)
    bow = rng.uniform(*STEM_BEND) * height
    middle = ((start_x + foot[0]) / 2 + bow, (start_y + foot[1]) / 2)
    thickness = max(2, int(round(stroke_width(loop))))
    points = _bezier((start_x, start_y), middle, foot)
    if hooked:
        points = np.concatenate([points, _hook(foot, height, rng)])
    points = points + np.array([height, 0.0])
    cv2.polylines(canvas, [np.round(points).astype(np.int32)], False, 1.0, thickness, cv2.LINE_AA)
    return crop_to_ink(canvas)


def _hook(foot: tuple[float, float], height: float, rng: np.random.Generator) -> np.ndarray:
    """Points of a hook from the stem's ``foot`` curling back up to the left."""
    width, rise = rng.uniform(*HOOK_WIDTH_FRACTION) * height, rng.uniform(*HOOK_RISE_FRACTION) * height
    end = (foot[0] - width, foot[1] - rise)
    control = (foot[0] - 0.4 * width, foot[1] + 0.5 * rise)  # round under, not a sharp corner
    return _bezier(foot, control, end)[1:]


def _bezier(start, control, end, steps: int = 16) -> np.ndarray:
    """Points along the quadratic curve from ``start`` to ``end`` pulled towards ``control``."""
    t = np.linspace(0.0, 1.0, steps)[:, None]
    start, control, end = (np.asarray(p, np.float64) for p in (start, control, end))
    return (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t ** 2 * end


def with_lead_in(one: np.ndarray, rng: np.random.Generator, longest: float = LEAD_IN_LENGTH_FRACTION[1]) -> np.ndarray:
    """A one (bright ink on black) with a lead-in stroke from the top of its stem down to the left,
    returned cut to its ink."""
    ink = cv2.resize(crop_to_ink(one), None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_CUBIC).clip(0, 1)
    height = ink.shape[0]
    rows = np.flatnonzero(ink.max(axis=1) > INK_LEVEL)
    if rows.size < 2:
        return ink
    canvas = cv2.copyMakeBorder(ink, height, height, height, height, cv2.BORDER_CONSTANT, value=0.0)
    thickness = max(2, int(round((ink > INK_LEVEL).sum() / rows.size)))  # the stem's width: ink per row
    top = _stem_top(ink, rows[0])
    length = rng.uniform(LEAD_IN_LENGTH_FRACTION[0], longest) * height
    angle = np.radians(rng.uniform(*LEAD_IN_ANGLE_DEG))
    _stroke(canvas, top, (top[0] - length * np.cos(angle), top[1] + length * np.sin(angle)), thickness, height)
    return crop_to_ink(canvas)


def _stem_top(ink: np.ndarray, row: int) -> tuple[float, float]:
    """Where the stem's top is: the middle of the ink in its top ``row``."""
    columns = np.flatnonzero(ink[row] > INK_LEVEL)
    return float(columns.mean()), float(row)


def _stroke(canvas: np.ndarray, start: tuple[float, float], end: tuple[float, float], thickness: int, offset: int) -> None:
    points = [(int(round(x + offset)), int(round(y + offset))) for x, y in (start, end)]
    cv2.line(canvas, points[0], points[1], 1.0, thickness, cv2.LINE_AA)
