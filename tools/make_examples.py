"""Draw the example images that `make demo` reads, and their labels.

    .venv/bin/python tools/make_examples.py examples

Every picture is made here: handwritten digits are stroke paths drawn with OpenCV, printed ones
come from polygons or a system font, and the paper, light and camera noise are simulated. Nothing
is copied from a dataset. A fixed seed makes the folder reproducible. `labels.csv`
(`file,label,kind`) lets `digitrec evaluate --images examples` judge the reader on the same files.
"""
from __future__ import annotations

import argparse
import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

SEED = 2026
SUPERSAMPLE = 4  # ink is drawn this many times larger, then shrunk: smooth anti-aliased edges
DIGIT_ASPECT = 0.62  # width / height of a handwritten digit's box
JPEG_QUALITY = 82
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)

# How a hand draws each digit: a digit has one or more variants, a variant is a list of pen
# strokes, and a stroke is the points the pen passes through in a unit box (x to the right,
# y downwards). A smooth curve is drawn through the points; a corner is where two strokes meet.
DIGIT_STROKES: dict[str, list[list[list[tuple[float, float]]]]] = {
    "0": [
        [[(0.55, 0.02), (0.18, 0.15), (0.04, 0.5), (0.18, 0.88), (0.52, 1.0), (0.86, 0.84),
          (0.96, 0.45), (0.8, 0.1), (0.45, 0.04)]],
    ],
    "1": [
        [[(0.25, 0.22), (0.6, 0.0)], [(0.6, 0.0), (0.57, 0.5), (0.55, 1.0)]],
        [[(0.52, 0.0), (0.5, 0.5), (0.47, 1.0)]],
    ],
    "2": [
        [[(0.08, 0.25), (0.32, 0.03), (0.72, 0.04), (0.86, 0.3), (0.6, 0.62), (0.06, 0.98)],
         [(0.06, 0.98), (0.5, 0.96), (0.96, 0.97)]],
        [[(0.1, 0.2), (0.45, 0.0), (0.85, 0.22), (0.55, 0.65), (0.1, 0.95), (0.4, 0.88),
          (0.95, 0.98)]],
    ],
    "3": [
        [[(0.1, 0.14), (0.45, 0.0), (0.82, 0.16), (0.7, 0.4), (0.38, 0.48)],
         [(0.38, 0.48), (0.82, 0.62), (0.86, 0.86), (0.5, 1.0), (0.08, 0.88)]],
    ],
    "4": [
        [[(0.72, 1.0), (0.72, 0.5), (0.7, 0.0)], [(0.7, 0.0), (0.35, 0.35), (0.04, 0.68)],
         [(0.04, 0.68), (0.5, 0.67), (0.98, 0.66)]],
        [[(0.18, 0.0), (0.12, 0.35), (0.08, 0.62)], [(0.08, 0.62), (0.5, 0.6), (0.95, 0.58)],
         [(0.72, 0.12), (0.71, 0.55), (0.7, 1.0)]],
    ],
    "5": [
        [[(0.88, 0.02), (0.5, 0.03), (0.2, 0.04)], [(0.2, 0.04), (0.16, 0.46)],
         [(0.16, 0.46), (0.55, 0.38), (0.9, 0.6), (0.78, 0.92), (0.4, 1.0), (0.06, 0.88)]],
    ],
    "6": [
        [[(0.78, 0.03), (0.4, 0.18), (0.12, 0.55), (0.2, 0.9), (0.52, 1.0), (0.86, 0.82),
          (0.78, 0.55), (0.45, 0.5), (0.14, 0.68)]],
    ],
    "7": [
        [[(0.04, 0.04), (0.5, 0.02), (0.96, 0.0)], [(0.96, 0.0), (0.6, 0.5), (0.38, 1.0)]],
        [[(0.04, 0.04), (0.5, 0.02), (0.96, 0.0)], [(0.96, 0.0), (0.6, 0.5), (0.38, 1.0)],
         [(0.3, 0.52), (0.55, 0.5), (0.82, 0.48)]],
    ],
    "8": [
        [[(0.52, 0.47), (0.84, 0.24), (0.52, 0.0), (0.16, 0.2), (0.48, 0.47), (0.9, 0.76),
          (0.52, 1.0), (0.1, 0.76), (0.54, 0.46)]],
    ],
    "9": [
        [[(0.86, 0.22), (0.52, 0.0), (0.14, 0.2), (0.24, 0.46), (0.62, 0.44), (0.86, 0.2)],
         [(0.86, 0.2), (0.82, 0.6), (0.74, 1.0)]],
    ],
}

# Seven-segment displays: which segments each digit lights (a top, b top right, c bottom right,
# d bottom, e bottom left, f top left, g middle).
SEGMENTS_LIT = {
    "0": "abcdef", "1": "bc", "2": "abged", "3": "abgcd", "4": "fgbc",
    "5": "afgcd", "6": "afgedc", "7": "abc", "8": "abcdefg", "9": "abcdfg",
}


@dataclass
class Pen:
    """How a line of handwriting is drawn: stroke width in pixels and the writer's habits."""

    width_px: float
    slant: float = 0.15  # horizontal shift of the top per unit of height (italic writing)
    jitter: float = 0.03  # random displacement of each control point, in digit heights
    spacing: float = 0.25  # gap between digits, in digit heights
    pressure: float = 0.2  # how much the stroke width swells and thins (0: a felt-tip's even line)


# --- digit strokes -------------------------------------------------------------------------

def catmull_rom(points: np.ndarray, samples_per_segment: int = 16) -> np.ndarray:
    """A smooth curve through all the points (Catmull-Rom spline); two points give a line."""
    padded = np.vstack([points[:1], points, points[-1:]])
    t = np.linspace(0.0, 1.0, samples_per_segment, endpoint=False)[:, None]
    pieces = []
    for p0, p1, p2, p3 in zip(padded, padded[1:], padded[2:], padded[3:]):
        pieces.append(0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                             + (3 * p1 - p0 - 3 * p2 + p3) * t**3))
    pieces.append(points[-1:])
    return np.vstack(pieces)


def digit_strokes(digit: str, rng: np.random.Generator, pen: Pen) -> list[np.ndarray]:
    """One handwritten `digit` as curves in the unit box: a random variant, every point jittered."""
    variants = DIGIT_STROKES[digit]
    strokes = variants[rng.integers(len(variants))]
    # points that two strokes share (corners) move together, so strokes stay joined
    shift = {pt: rng.normal(0.0, pen.jitter, 2) for stroke in strokes for pt in stroke}
    return [catmull_rom(np.array([np.add(pt, shift[pt]) for pt in stroke])) for stroke in strokes]


def place(strokes: list[np.ndarray], x: float, y: float, height: float, slant: float,
          angle_deg: float) -> list[np.ndarray]:
    """Unit-box strokes -> image coordinates: a box `height` tall with its top-left at (x, y)."""
    width = height * DIGIT_ASPECT
    cos, sin = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    placed = []
    for stroke in strokes:
        u = (stroke[:, 0] - 0.5) * width + (0.5 - stroke[:, 1]) * height * slant
        v = (stroke[:, 1] - 0.5) * height
        placed.append(np.stack([x + width / 2 + cos * u - sin * v,
                                y + height / 2 + sin * u + cos * v], axis=1))
    return placed


# --- ink layers ----------------------------------------------------------------------------

class InkLayer:
    """Where ink lies on the picture, drawn SUPERSAMPLE times larger for smooth edges."""

    def __init__(self, width: int, height: int) -> None:
        self.size = (width, height)
        self.hi = np.zeros((height * SUPERSAMPLE, width * SUPERSAMPLE), np.uint8)

    def stroke(self, points: np.ndarray, width_px: float, rng: np.random.Generator,
               pressure: float = 0.2) -> None:
        """Draw one pen stroke whose width swells and thins by `pressure` (a fraction)."""
        n = len(points)
        phase = rng.uniform(0, 2 * math.pi)
        along = np.linspace(0, 1, n)
        waves = rng.uniform(0.6, 1.4)
        swell = 1 - pressure / 2 + pressure * np.sin(2 * math.pi * waves * along + phase)
        taper = np.clip(np.minimum(along, 1 - along) * 12, 0.55, 1.0)
        widths = width_px * swell * taper
        hi = np.round(points * SUPERSAMPLE).astype(np.int32)
        for a, b, w in zip(hi, hi[1:], widths):
            cv2.line(self.hi, tuple(map(int, a)), tuple(map(int, b)), 255,
                     max(1, int(round(w * SUPERSAMPLE))), cv2.LINE_AA)

    def polygon(self, points: np.ndarray) -> None:
        cv2.fillPoly(self.hi, [np.round(points * SUPERSAMPLE).astype(np.int32)], 255, cv2.LINE_AA)

    def line(self, a: tuple[float, float], b: tuple[float, float], width_px: float) -> None:
        hi_a = (int(a[0] * SUPERSAMPLE), int(a[1] * SUPERSAMPLE))
        hi_b = (int(b[0] * SUPERSAMPLE), int(b[1] * SUPERSAMPLE))
        cv2.line(self.hi, hi_a, hi_b, 255, max(1, int(round(width_px * SUPERSAMPLE))), cv2.LINE_AA)

    def coverage(self) -> np.ndarray:
        """Fraction of each pixel covered by ink, 0..1, at the picture's size."""
        return cv2.resize(self.hi, self.size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255


def handwrite(ink: InkLayer, text: str, x: float, y: float, height: float, pen: Pen,
              rng: np.random.Generator) -> None:
    """Write a line of digits (and `.` `,` `-` separators) starting at (x, y), `height` px tall."""
    for char in text:
        size = height * rng.uniform(0.92, 1.06)
        top = y + rng.normal(0, 0.03) * height
        if char in DIGIT_STROKES:
            strokes = place(digit_strokes(char, rng, pen), x, top, size,
                            pen.slant + rng.normal(0, 0.04), rng.normal(0, 2.5))
            left = min(stroke[:, 0].min() for stroke in strokes)
            strokes = [stroke - (left - x, 0) for stroke in strokes]  # ink starts at x
            for stroke in strokes:
                ink.stroke(stroke, pen.width_px * rng.uniform(0.9, 1.1), rng, pen.pressure)
            right = max(stroke[:, 0].max() for stroke in strokes)
            x = right + size * pen.spacing * rng.uniform(0.7, 1.3)
        elif char in ".,":
            tail = 0.12 if char == "," else 0.01
            dot = np.array([[x + 0.1 * height, top + 0.95 * height],
                            [x + 0.08 * height, top + (0.96 + tail) * height]])
            ink.stroke(dot, pen.width_px * 2.0, rng)
            x += height * 0.35
        elif char == "-":
            dash = np.array([[x, top + 0.5 * height], [x + 0.4 * height, top + 0.48 * height]])
            ink.stroke(dash, pen.width_px, rng)
            x += height * 0.6
        else:
            x += height * 0.6


def seven_segment(ink: InkLayer, text: str, x: float, y: float, height: float,
                  thickness: float, italic: float = 0.08) -> None:
    """Draw digits as a seven-segment display would show them, each segment a hexagon."""
    width = height * 0.55
    t = thickness / 2
    gap = thickness * 0.15
    for char in text:
        corners = {"tl": (0, 0), "tr": (width, 0), "ml": (0, height / 2),
                   "mr": (width, height / 2), "bl": (0, height), "br": (width, height)}
        ends = {"a": ("tl", "tr"), "b": ("tr", "mr"), "c": ("mr", "br"), "d": ("bl", "br"),
                "e": ("ml", "bl"), "f": ("tl", "ml"), "g": ("ml", "mr")}
        for segment in SEGMENTS_LIT[char]:
            (ax, ay), (bx, by) = (corners[end] for end in ends[segment])
            if ay == by:  # horizontal: pointed ends left and right
                hexagon = [(ax + gap, ay), (ax + gap + t, ay - t), (bx - gap - t, by - t),
                           (bx - gap, by), (bx - gap - t, by + t), (ax + gap + t, ay + t)]
            else:  # vertical: pointed ends top and bottom
                hexagon = [(ax, ay + gap), (ax + t, ay + gap + t), (bx + t, by - gap - t),
                           (bx, by - gap), (bx - t, by - gap - t), (ax - t, ay + gap + t)]
            ink.polygon(np.array([(x + px + (height - py) * italic, y + py) for px, py in hexagon]))
        x += width + height * 0.3


def print_text(ink: InkLayer, text: str, x: float, y: float, height: float,
               rng: np.random.Generator) -> None:
    """Typeset `text` with a bold system font, or handwrite it where no font is installed."""
    font_path = next((p for p in FONT_CANDIDATES if Path(p).exists()), None)
    if font_path is None:
        handwrite(ink, text, x, y, height, Pen(width_px=height * 0.12, slant=0.0, jitter=0.0), rng)
        return
    font = ImageFont.truetype(font_path, int(height * SUPERSAMPLE * 1.35))
    layer = Image.fromarray(ink.hi)
    draw = ImageDraw.Draw(layer)
    left, top, _, _ = draw.textbbox((0, 0), text, font=font)
    draw.text((x * SUPERSAMPLE - left, y * SUPERSAMPLE - top), text, font=font, fill=255)
    ink.hi = np.asarray(layer).copy()


def apply_ink(image: np.ndarray, coverage: np.ndarray, color_bgr: tuple[int, int, int],
              opacity: float | np.ndarray = 1.0) -> np.ndarray:
    """Lay ink of one colour over the picture wherever `coverage` says there is some."""
    alpha = (coverage * opacity)[..., None]
    return image * (1 - alpha) + np.array(color_bgr, np.float32) * alpha


# --- paper, light, noise -------------------------------------------------------------------

def smooth_noise(height: int, width: int, rng: np.random.Generator, cell_px: float) -> np.ndarray:
    """Random blotches about `cell_px` across, scaled to mean 0 and standard deviation 1."""
    small = rng.normal(size=(max(2, int(height / cell_px)), max(2, int(width / cell_px))))
    field = cv2.resize(small.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    return (field - field.mean()) / (field.std() + 1e-6)


def paper(height: int, width: int, color_bgr: tuple[int, int, int], rng: np.random.Generator,
          grain: float = 3.0) -> np.ndarray:
    """A sheet of paper: a base colour with large faint blotches and fine fibres."""
    texture = (smooth_noise(height, width, rng, max(height, width) / 4)
               + 0.3 * smooth_noise(height, width, rng, 10)
               + 0.5 * smooth_noise(height, width, rng, 1.5)) * grain
    return np.array(color_bgr, np.float32) + texture[..., None]


def ruled_lines(width: int, height: int, spacing_px: float, first_px: float,
                margin_px: float | None = None) -> tuple[InkLayer, InkLayer]:
    """Ruled notebook lines (one layer) and the red margin line (another layer)."""
    rules, margin = InkLayer(width, height), InkLayer(width, height)
    y = first_px
    while y < height:
        rules.line((0, y), (width, y), 1.3)
        y += spacing_px
    if margin_px is not None:
        margin.line((margin_px, 0), (margin_px, height), 1.5)
    return rules, margin


def grid_lines(width: int, height: int, spacing_px: float) -> InkLayer:
    """The squares of graph paper."""
    grid = InkLayer(width, height)
    for x in np.arange(spacing_px / 2, width, spacing_px):
        grid.line((x, 0), (x, height), 1.0)
    for y in np.arange(spacing_px / 3, height, spacing_px):
        grid.line((0, y), (width, y), 1.0)
    return grid


def uneven_light(height: int, width: int, rng: np.random.Generator, gradient: float,
                 vignette: float, shadow: float = 0.0) -> np.ndarray:
    """A brightness factor per pixel: light falling off to one side, darker corners, and
    optionally the soft-edged shadow of the phone or a hand over one corner."""
    yy, xx = np.mgrid[-1:1:height * 1j, -1:1:width * 1j].astype(np.float32)
    direction = rng.uniform(0, 2 * math.pi)
    ramp = (math.cos(direction) * xx + math.sin(direction) * yy + 1.5) / 3
    light = 1 - gradient * ramp - vignette * (xx**2 + yy**2) / 2
    if shadow:
        sx, sy = rng.choice([-1.0, 1.0], size=2)  # the corner the shadow covers
        edge = (sx * xx + sy * yy - rng.uniform(0.6, 0.9)) * (width / 2)  # px beyond the edge
        softness_px = 0.05 * width
        light -= shadow / (1 + np.exp(-edge / softness_px))
    return light


def camera(image: np.ndarray, rng: np.random.Generator, light: np.ndarray,
           tint_bgr: tuple[float, float, float] = (1.0, 1.0, 1.0), blur_px: float = 0.7,
           noise: float = 3.0, angle_deg: float = 0.0, keystone: float = 0.0) -> np.ndarray:
    """What a phone camera makes of a scene: a turned and slightly oblique view, uneven light,
    a colour cast, softness and sensor noise."""
    if angle_deg or keystone:
        image = view(image, rng, angle_deg, keystone)
    image = image * light[..., None] * np.array(tint_bgr, np.float32)
    if blur_px:
        image = cv2.GaussianBlur(image, (0, 0), blur_px)
    image = image + rng.normal(0, noise, image.shape[:2])[..., None]  # brightness noise
    image = image + rng.normal(0, noise / 2, image.shape)  # colour noise
    return to_uint8(image)


def view(image: np.ndarray, rng: np.random.Generator, angle_deg: float,
         keystone: float) -> np.ndarray:
    """Look at the scene turned by `angle_deg` and from a little off-axis: a quadrilateral inside
    it (corners pulled in by up to `keystone` of the size) is stretched onto the whole frame."""
    height, width = image.shape[:2]
    corners = np.array([(0, 0), (width, 0), (width, height), (0, height)], np.float32)
    centre = corners.mean(axis=0)
    inward = (centre - corners) * (0.06 + rng.uniform(0, keystone, (4, 1)))
    cos, sin = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    quad = (corners + inward - centre) @ np.array([[cos, -sin], [sin, cos]], np.float32) + centre
    warp = cv2.getPerspectiveTransform(quad.astype(np.float32), corners)
    return cv2.warpPerspective(image, warp, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REFLECT_101)


def to_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


# --- the examples --------------------------------------------------------------------------

def single_digit(rng: np.random.Generator) -> np.ndarray:
    """One handwritten 3, dark ink on white paper, as a clean scan."""
    ink = InkLayer(200, 200)
    handwrite(ink, "3", 52, 30, 140, Pen(width_px=9, slant=0.1), rng)
    sheet = paper(200, 200, (250, 251, 252), rng, grain=1.0)
    sheet = apply_ink(sheet, ink.coverage(), (35, 30, 30))
    return cv2.cvtColor(to_uint8(sheet), cv2.COLOR_BGR2GRAY)


def phone_photo(rng: np.random.Generator) -> np.ndarray:
    """2026 in blue ballpoint on lined notebook paper, photographed at an angle under a lamp."""
    width, height = 1000, 750
    sheet = paper(height, width, (226, 236, 240), rng)
    rules, margin = ruled_lines(width, height, spacing_px=62, first_px=95, margin_px=120)
    sheet = apply_ink(sheet, rules.coverage(), (205, 170, 140), 0.8)
    sheet = apply_ink(sheet, margin.coverage(), (120, 110, 225), 0.8)
    ink = InkLayer(width, height)
    handwrite(ink, "2026", 300, 276, 150, Pen(width_px=4.5, slant=0.18), rng)
    ballpoint = np.clip(0.85 + 0.15 * smooth_noise(height, width, rng, 2), 0, 1)
    sheet = apply_ink(sheet, ink.coverage(), (150, 70, 30), ballpoint)
    light = uneven_light(height, width, rng, gradient=0.25, vignette=0.2, shadow=0.25)
    return camera(sheet, rng, light, tint_bgr=(0.9, 0.97, 1.0), angle_deg=-4.0, keystone=0.06)


def chalkboard(rng: np.random.Generator) -> np.ndarray:
    """47 in chalk on a green board, with the smudges of earlier wiping."""
    width, height = 640, 480
    board = paper(height, width, (58, 72, 48), rng, grain=3.0)
    sweeps = cv2.blur(smooth_noise(height, width, rng, 12), (151, 7))  # sideways sponge wipes
    wiped = np.clip(sweeps / sweeps.std() - 0.3, 0, None) * 0.07
    board = apply_ink(board, wiped, (200, 210, 205))
    ink = InkLayer(width, height)
    handwrite(ink, "47", 160, 110, 250, Pen(width_px=13, slant=0.1, spacing=0.3), rng)
    grainy_chalk = np.clip(0.7 + 0.45 * smooth_noise(height, width, rng, 1.5), 0, 1)
    board = apply_ink(board, ink.coverage(), (215, 240, 245), grainy_chalk)
    light = uneven_light(height, width, rng, gradient=0.25, vignette=0.3)
    return camera(board, rng, light, angle_deg=2.0)


def price(rng: np.random.Generator) -> np.ndarray:
    """A price, 12.50, written in black pen on graph paper; the point is not a digit."""
    width, height = 800, 500
    sheet = paper(height, width, (238, 242, 242), rng)
    sheet = apply_ink(sheet, grid_lines(width, height, 40).coverage(), (200, 175, 140), 0.6)
    ink = InkLayer(width, height)
    handwrite(ink, "12.50", 170, 160, 150, Pen(width_px=5.5, slant=0.12), rng)
    sheet = apply_ink(sheet, ink.coverage(), (40, 35, 35))
    light = uneven_light(height, width, rng, gradient=0.2, vignette=0.2)
    return camera(sheet, rng, light, tint_bgr=(0.94, 0.98, 1.0), angle_deg=1.5)


def two_lines(rng: np.random.Generator) -> np.ndarray:
    """123 over 456 in pencil on cream paper."""
    width, height = 800, 600
    sheet = paper(height, width, (205, 232, 240), rng)
    ink = InkLayer(width, height)
    pen = Pen(width_px=4.0, slant=0.2)
    handwrite(ink, "123", 230, 110, 140, pen, rng)
    handwrite(ink, "456", 250, 340, 140, pen, rng)
    graphite = np.clip(0.65 + 0.25 * smooth_noise(height, width, rng, 1.5), 0, 1)
    sheet = apply_ink(sheet, ink.coverage(), (70, 68, 66), graphite)
    light = uneven_light(height, width, rng, gradient=0.2, vignette=0.3)
    return camera(sheet, rng, light, angle_deg=-1.0)


def marker(rng: np.random.Generator) -> np.ndarray:
    """A thick felt-tip 5 that fills the frame, almost touching the edges."""
    width = height = 360
    sheet = paper(height, width, (244, 246, 247), rng, grain=2.5)
    ink = InkLayer(width, height)
    handwrite(ink, "5", 95, 35, 280, Pen(width_px=26, slant=0.05, pressure=0.05), rng)
    sheet = apply_ink(sheet, ink.coverage(), (30, 25, 25), 0.95)
    light = uneven_light(height, width, rng, gradient=0.15, vignette=0.15)
    return camera(sheet, rng, light, blur_px=0.8)


def small_in_large(rng: np.random.Generator) -> np.ndarray:
    """305 written small on a big sheet, photographed from far away."""
    width, height = 1200, 900
    sheet = paper(height, width, (232, 238, 240), rng)
    ink = InkLayer(width, height)
    handwrite(ink, "305", 690, 560, 70, Pen(width_px=2.8, slant=0.15), rng)
    sheet = apply_ink(sheet, ink.coverage(), (60, 40, 30))
    light = uneven_light(height, width, rng, gradient=0.25, vignette=0.2, shadow=0.2)
    return camera(sheet, rng, light, tint_bgr=(0.92, 0.97, 1.0), angle_deg=3.0, keystone=0.05)


def printed(rng: np.random.Generator) -> np.ndarray:
    """A printed ticket number, 3819, typeset in a bold sans-serif font, as a clean scan."""
    width, height = 420, 160
    sheet = paper(height, width, (248, 250, 250), rng, grain=1.0)
    ink = InkLayer(width, height)
    print_text(ink, "3819", 60, 40, 80, rng)
    sheet = apply_ink(sheet, ink.coverage(), (25, 25, 25))
    return cv2.cvtColor(to_uint8(sheet), cv2.COLOR_BGR2GRAY)


def meter(rng: np.random.Generator) -> np.ndarray:
    """A utility meter reading 04817 on a seven-segment LCD in a grey housing."""
    width, height = 640, 300
    housing = paper(height, width, (92, 96, 98), rng, grain=3.0)
    window = InkLayer(width, height)
    window.polygon(np.array([(60, 70), (580, 70), (580, 230), (60, 230)], np.float32))
    bezel = cv2.GaussianBlur(window.coverage(), (0, 0), 6) * (1 - window.coverage())
    housing = apply_ink(housing, bezel, (30, 32, 34), 0.9)
    housing = apply_ink(housing, window.coverage(), (150, 176, 165))
    ink = InkLayer(width, height)
    seven_segment(ink, "04817", 95, 95, 110, thickness=13)
    housing = apply_ink(housing, ink.coverage(), (40, 48, 42), 0.9)
    light = uneven_light(height, width, rng, gradient=0.3, vignette=0.2)
    glare = InkLayer(width, height)
    glare.polygon(np.array([(380, 70), (450, 70), (360, 230), (290, 230)], np.float32))
    soft_glare = cv2.GaussianBlur(glare.coverage(), (0, 0), 12)
    housing = apply_ink(housing, soft_glare, (255, 255, 255), 0.25)
    return camera(housing, rng, light, angle_deg=-1.5, noise=2.5)


def blank(rng: np.random.Generator) -> np.ndarray:
    """An empty sheet of paper in uneven light: the reader must find no digits."""
    width, height = 800, 600
    sheet = paper(height, width, (230, 236, 238), rng)
    light = uneven_light(height, width, rng, gradient=0.25, vignette=0.2, shadow=0.25)
    return camera(sheet, rng, light, tint_bgr=(0.92, 0.97, 1.0), angle_deg=2.0, keystone=0.05)


# file name, label (the digits a reader should report), kind, how to draw it
EXAMPLES: list[tuple[str, str, str, Callable[[np.random.Generator], np.ndarray]]] = [
    ("single-3.png", "3", "single", single_digit),
    ("phone-2026.jpg", "2026", "multi", phone_photo),
    ("chalkboard-47.jpg", "47", "multi", chalkboard),
    ("price-12.50.jpg", "1250", "multi", price),
    ("two-lines-123-456.jpg", "123456", "multi", two_lines),
    ("marker-5.jpg", "5", "multi", marker),
    ("small-305.jpg", "305", "multi", small_in_large),
    ("printed-3819.png", "3819", "multi", printed),
    ("meter-04817.jpg", "04817", "multi", meter),
    ("blank-paper.jpg", "", "multi", blank),
]


def make_examples(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Draw every example into `out_dir` and write `labels.csv`; return the image paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, (name, _, _, draw) in enumerate(EXAMPLES):
        image = draw(np.random.default_rng([seed, index]))
        path = out_dir / name
        params = [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY] if path.suffix == ".jpg" else [
            cv2.IMWRITE_PNG_COMPRESSION, 9]
        if not cv2.imwrite(str(path), image, params):
            raise OSError(f"could not write {path}")
        paths.append(path)
    with open(out_dir / "labels.csv", "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "label", "kind"])
        writer.writerows((name, label, kind) for name, label, kind, _ in EXAMPLES)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the images and labels.csv into")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args()
    paths = make_examples(args.out_dir, args.seed)
    total_kb = sum(p.stat().st_size for p in paths) / 1024
    print(f"wrote {len(paths)} images ({total_kb:.0f} KB) and labels.csv to {args.out_dir}")


if __name__ == "__main__":
    main()
