"""Printed digits rendered from the fonts installed on the machine, in MNIST form.

MNIST holds only handwriting; meters, forms and Sudoku grids print their digits. Rendering
0-9 in every usable font (with random weight, size, slant and blur) gives the network
printed shapes to learn from. Debian packages such as fonts-dejavu, fonts-liberation,
fonts-freefont-ttf, fonts-urw-base35, fonts-noto-core and fonts-dseg (seven-segment) supply them.

Fonts that imitate handwriting are kept apart (``HANDWRITING_FONT_WORDS``): their digits are drawn the
ways people write them (a one with a long flag, an open four, a nine with a curled tail), so they
widen the handwriting MNIST shows rather than the printed shapes, and a run adds them only when asked
(``render_handwriting_font_digits``).
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from digitrec.preprocess import to_mnist_form

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
FONT_SUFFIXES = {".ttf", ".otf"}
SKIPPED_FONT_WORDS = ("symbol", "dingbat", "d050000l", "emoji", "math", "music", "braille", "ornament", "icon", "weather", "dseg14",
                      "femkeklaver")  # femkeklaver draws its digits in outline
# Words in the file names of the handwriting fonts Debian packages ship (HANDWRITING_FONT_PACKAGES).
HANDWRITING_FONT_WORDS = ("becausewe", "comicneue", "dancingscript", "kaushanscript", "breip", "ecolier", "dkg",
                          "humor-sans", "kleeone", "kristi", "rufscript", "yuseimagic")
HANDWRITING_FONT_PACKAGES = ("fonts-bwht fonts-comic-neue fonts-dancingscript fonts-kaushanscript fonts-breip fonts-ecolier-court "
                             "fonts-dkg-handwriting fonts-humor-sans fonts-klee fonts-kristi fonts-rufscript fonts-yusei-magic")
CANVAS_PX = 112
PROBE_SIZE_PX = 48
# What stands beside numbers on tags, plates and forms and is not a digit. Left out: letters a digit
# is often written like (O o Q D I l i j S s Z z B b G g q U u) and strokes a 1 may be (| ! / \).
SIGNS = "ACEFHJKLMNPRTVWXYacdefhkmnprtvwxy$#%&@€£¥+*?<>()[]{}°"


class FontsError(Exception):
    """No usable font was found for rendering printed digits."""


def find_digit_fonts(dirs: tuple[Path, ...] = FONT_DIRS, handwriting: bool = False) -> list[Path]:
    """Every font file under ``dirs`` that draws ten distinct, non-empty digit glyphs: the printed ones,
    or with ``handwriting`` those that imitate handwriting."""
    candidates = sorted(
        path
        for folder in dirs
        if folder.is_dir()
        for path in folder.rglob("*")
        if path.suffix.lower() in FONT_SUFFIXES and not any(w in path.name.lower() for w in SKIPPED_FONT_WORDS)
        and is_handwriting_font(path) == handwriting
    )
    return [path for path in candidates if _draws_distinct_digits(path)]


def is_handwriting_font(path: Path) -> bool:
    return any(word in path.name.lower() for word in HANDWRITING_FONT_WORDS)


def _draws_distinct_digits(path: Path) -> bool:
    try:
        font = ImageFont.truetype(str(path), PROBE_SIZE_PX)
        glyphs = [_render(str(digit), font, stroke_px=0).tobytes() for digit in range(10)]
    except OSError:
        return False
    non_empty = all(any(glyph) for glyph in glyphs)
    return non_empty and len(set(glyphs)) == 10


def _render(text: str, font: ImageFont.FreeTypeFont, stroke_px: int) -> Image.Image:
    canvas = Image.new("L", (CANVAS_PX, CANVAS_PX), 0)
    draw = ImageDraw.Draw(canvas)
    draw.text((CANVAS_PX / 2, CANVAS_PX / 2), text, fill=255, font=font, anchor="mm", stroke_width=stroke_px, stroke_fill=255)
    return canvas


def render_printed_digits(count: int, seed: int, fonts: list[Path] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``count`` printed digits (balanced over 0-9) as N x 28 x 28 float32 images and their labels."""
    fonts = find_digit_fonts() if fonts is None else fonts
    if not fonts:
        raise FontsError(
            "no font with digits found under " + ", ".join(map(str, FONT_DIRS))
            + "; install some (e.g. apt-get install fonts-dejavu fonts-liberation) or train with --printed 0"
        )
    return _rendered_digits(count, fonts, np.random.default_rng([seed, 7]))


def render_handwriting_font_digits(count: int, seed: int, fonts: list[Path] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``count`` digits (balanced over 0-9) drawn in fonts that imitate handwriting, as
    ``render_printed_digits`` draws printed ones, from a random stream of their own."""
    fonts = find_digit_fonts(handwriting=True) if fonts is None else fonts
    if not fonts:
        raise FontsError(
            "no handwriting font with digits found under " + ", ".join(map(str, FONT_DIRS))
            + f"; install some (apt-get install {HANDWRITING_FONT_PACKAGES}) or train with --handwriting-font-digits 0"
        )
    return _rendered_digits(count, fonts, np.random.default_rng([seed, 37]))


def _rendered_digits(count: int, fonts: list[Path], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    labels = np.arange(count) % 10
    rng.shuffle(labels)
    images = np.empty((count, 28, 28), np.float32)
    loaded: dict[tuple[Path, int], ImageFont.FreeTypeFont] = {}
    for i, label in enumerate(labels):
        images[i] = _drawn(str(label), fonts[rng.integers(len(fonts))], rng, loaded)
    return images, labels.astype(np.uint8)


def render_printed_signs(count: int, seed: int, fonts: list[Path] | None = None, signs: str = SIGNS) -> np.ndarray:
    """``count`` printed ``signs`` (letters, currency signs, brackets) as N x 28 x 28 float32 images in MNIST
    form, drawn like ``render_printed_digits``'s digits, each from a font that has a glyph for it."""
    fonts = find_digit_fonts() if fonts is None else fonts
    pairs = [(path, sign) for path in fonts for sign in _drawn_characters(path, signs)]
    if not pairs:
        raise FontsError(f"none of the fonts found draws any of {signs!r}; install some (e.g. apt-get install fonts-dejavu)")
    rng = np.random.default_rng([seed, 13])
    images = np.empty((count, 28, 28), np.float32)
    loaded: dict[tuple[Path, int], ImageFont.FreeTypeFont] = {}
    for i in range(count):
        path, sign = pairs[rng.integers(len(pairs))]
        images[i] = _drawn(sign, path, rng, loaded)
    return images


def _drawn(text: str, path: Path, rng: np.random.Generator, loaded: dict[tuple[Path, int], ImageFont.FreeTypeFont]) -> np.ndarray:
    """``text`` in the font at ``path`` at a random size and weight, distorted (``_distort``), in MNIST form;
    ``loaded`` keeps the fonts opened so far."""
    size = int(rng.integers(36, 72))
    font = loaded.setdefault((path, size), ImageFont.truetype(str(path), size))
    stroke_px = int(rng.choice([0, 0, 0, 1, 2]))
    glyph = np.asarray(_render(text, font, stroke_px), np.float32) / 255.0
    return to_mnist_form(_distort(glyph, rng))


def _drawn_characters(path: Path, characters: str) -> str:
    """Those of ``characters`` that the font at ``path`` has a glyph for, by its character map (for the
    others a font draws its "missing glyph" box, which looks like a ``0``)."""
    with TTFont(str(path), fontNumber=0, lazy=True) as font:
        mapped = font.getBestCmap() or {}
    return "".join(character for character in characters if ord(character) in mapped)


def _distort(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A little slant, rotation, blur and uneven width, as a camera and a printer give."""
    shear = rng.uniform(-0.2, 0.2)
    angle = rng.uniform(-6, 6)
    matrix = cv2.getRotationMatrix2D((CANVAS_PX / 2, CANVAS_PX / 2), angle, 1.0)
    matrix[0, 1] += shear
    matrix[0, 2] -= shear * CANVAS_PX / 2
    squeeze = rng.uniform(0.75, 1.15)
    matrix[0, :2] *= squeeze
    matrix[0, 2] += (1 - squeeze) * CANVAS_PX / 2
    warped = cv2.warpAffine(glyph, matrix, (CANVAS_PX, CANVAS_PX), flags=cv2.INTER_LINEAR)
    sigma = rng.uniform(0.0, 2.0)
    return cv2.GaussianBlur(warped, (0, 0), sigma) if sigma > 0.3 else warped
