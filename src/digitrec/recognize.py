"""The public API: ``Recognizer`` reads an image into a ``Reading`` of ``Digit``s.

One ``Reading`` per image carries what was found (digits in reading order, their boxes and
confidences, the 28x28 inputs the network saw), how long each stage took, and knows how to
draw itself and turn itself into JSON, so the CLI, the web page and the notebook share it.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from digitrec.classifier import Classifier
from digitrec.files import atomic_write
from digitrec.imageio import ImageSource, load_image
from digitrec.preprocess import to_mnist_form
from digitrec.segment import DigitCrop, find_digits

TOP_K = 3
BOX_COLOUR_RGB = (230, 40, 40)
LABEL_COLOUR_RGB = (255, 255, 255)
LABEL_HEIGHT_FRACTION = 0.3
MIN_LABEL_SCALE = 0.4


class NoDigitError(ValueError):
    """``read_digit`` was given a picture with no ink on it."""


@dataclass
class Digit:
    """One digit read: its value, how sure the network is, and where it is in the image."""

    value: int
    confidence: float
    box: tuple[int, int, int, int]  # x, y, w, h in image pixels
    probabilities: np.ndarray  # 10 floats, one per digit 0-9
    input: np.ndarray  # the 28x28 float32 the network saw

    def top(self, k: int = TOP_K) -> list[tuple[int, float]]:
        """The ``k`` likeliest digits with their probabilities, likeliest first."""
        order = np.argsort(self.probabilities)[::-1][:k]
        return [(int(digit), float(self.probabilities[digit])) for digit in order]

    def to_dict(self) -> dict:
        return {
            "digit": self.value,
            "confidence": round(self.confidence, 4),
            "box": list(self.box),
            "top3": [[digit, round(probability, 4)] for digit, probability in self.top(TOP_K)],
        }


@dataclass
class Reading:
    """What one image holds: its digits in reading order, grouped into text lines."""

    file: str | None
    digits: list[Digit]
    lines: list[list[Digit]]
    timings_ms: dict[str, float]  # per stage: decode, segment, classify, total
    image: np.ndarray = field(repr=False)  # the decoded RGB image

    @property
    def text(self) -> str:
        """The digits read: each line's digits concatenated, lines joined with newlines."""
        return "\n".join("".join(str(digit.value) for digit in line) for line in self.lines)

    def to_dict(self) -> dict:
        result = {"file": self.file, "text": self.text, "digits": [digit.to_dict() for digit in self.digits]}
        if len(self.lines) > 1:
            result["lines"] = [[digit.to_dict() for digit in line] for line in self.lines]
        result["timings_ms"] = {stage: round(ms, 2) for stage, ms in self.timings_ms.items()}
        return result

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def plot(self, path: str | os.PathLike | None = None) -> np.ndarray:
        """The image with each digit's box and reading (``7 98%``) drawn; also written to ``path`` when given."""
        canvas = np.ascontiguousarray(self.image.copy())
        thickness = max(1, round(max(canvas.shape[:2]) / 400))
        for digit in self.digits:
            _draw_digit(canvas, digit, thickness)
        if path is not None:
            bgr = cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR)
            atomic_write(Path(path), lambda tmp: _write_image(tmp, bgr))
        return canvas


def _draw_digit(canvas: np.ndarray, digit: Digit, thickness: int) -> None:
    x, y, width, height = digit.box
    cv2.rectangle(canvas, (x, y), (x + width - 1, y + height - 1), BOX_COLOUR_RGB, thickness)
    label = f"{digit.value} {digit.confidence:.0%}"
    scale = max(MIN_LABEL_SCALE, LABEL_HEIGHT_FRACTION * height / 22)
    (label_width, label_height), baseline = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    top = y - label_height - baseline if y >= label_height + baseline else y + height
    cv2.rectangle(canvas, (x, top), (x + label_width, top + label_height + baseline), BOX_COLOUR_RGB, cv2.FILLED)
    cv2.putText(canvas, label, (x, top + label_height), cv2.FONT_HERSHEY_SIMPLEX, scale, LABEL_COLOUR_RGB, thickness, cv2.LINE_AA)


def _write_image(path: Path, bgr: np.ndarray) -> None:
    if not cv2.imwrite(str(path), bgr):
        raise OSError(f"{path}: could not write the image (unsupported suffix?)")


class Recognizer:
    """Reads digits from images with a trained network (the bundled one unless ``model_path`` is given).

    ``min_confidence`` drops digits the network is less sure of (0 keeps all).
    """

    def __init__(self, model_path: str | os.PathLike | None = None, min_confidence: float = 0.0):
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be between 0 and 1, got {min_confidence}")
        self.classifier = Classifier(model_path)
        self.classifier.predict_proba(np.zeros((1, 28, 28), np.float32))  # trace the graph now, not on the first image
        self.min_confidence = min_confidence

    def read(self, image: ImageSource, *, single: bool = False, name: str | None = None) -> Reading:
        """Read every digit in ``image`` (a path, encoded bytes, a PIL image or an RGB/grey array).

        With ``single`` the image is one digit (a crop): no segmentation into several.
        Raises ``ImageDecodeError`` for a file that is not a readable image.
        """
        started = time.perf_counter()
        if name is None and isinstance(image, (str, os.PathLike)):
            name = os.fspath(image)
        rgb = load_image(image, name=name)
        decoded = time.perf_counter()
        crops = [crop for line in find_digits(rgb, single=single) for crop in line]
        segmented = time.perf_counter()
        digits = self._classify(crops)
        classified = time.perf_counter()
        kept = [(crop.line, digit) for crop, digit in zip(crops, digits) if digit.confidence >= self.min_confidence]
        timings_ms = {
            "decode": 1000 * (decoded - started),
            "segment": 1000 * (segmented - decoded),
            "classify": 1000 * (classified - segmented),
            "total": 1000 * (classified - started),
        }
        return Reading(file=name, digits=[digit for _, digit in kept], lines=_as_lines(kept), timings_ms=timings_ms, image=rgb)

    def read_digit(self, image: ImageSource) -> Digit:
        """The one digit of a single-digit crop; ``NoDigitError`` when the crop holds no ink."""
        crops = [crop for line in find_digits(load_image(image), single=True) for crop in line]
        if not crops:
            raise NoDigitError("no digit found: the picture holds no ink that stands out from its background")
        return self._classify(crops)[0]

    def _classify(self, crops: list[DigitCrop]) -> list[Digit]:
        """All crops of one image in one batch through the network."""
        inputs = np.stack([to_mnist_form(crop.ink) for crop in crops]) if crops else np.zeros((0, 28, 28), np.float32)
        probabilities = self.classifier.predict_proba(inputs)
        return [
            Digit(value=int(np.argmax(p)), confidence=float(np.max(p)), box=crop.box, probabilities=p, input=x)
            for crop, p, x in zip(crops, probabilities, inputs)
        ]


def _as_lines(numbered: list[tuple[int, Digit]]) -> list[list[Digit]]:
    lines: dict[int, list[Digit]] = {}
    for line, digit in numbered:
        lines.setdefault(line, []).append(digit)
    return [lines[line] for line in sorted(lines)]
