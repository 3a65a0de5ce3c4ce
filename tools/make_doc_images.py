"""Draw the figures of ``docs/reading.md`` from the example pictures, with the bundled model.

    python tools/make_doc_images.py [--model PATH]

For each picture in ``EXAMPLES_SHOWN`` it writes to ``docs/images/``:
``<name>-steps.png`` (original, greyscale, ink map, boxes read), ``<name>-crops.png`` (each digit's
ink as segmentation cut it out) and ``<name>-inputs.png`` (the 28x28 inputs the network saw); plus
``annotated-phone-2026.png`` (``Reading.plot()``, the README's picture) and ``naive.png`` (the whole
picture resized to 28x28).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

from PIL import Image

from digitrec import Recognizer, plots
from digitrec.imageio import load_image
from digitrec.ink import ink_map
from digitrec.segment import find_digits

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples"
IMAGES = REPO_ROOT / "docs" / "images"
EXAMPLES_SHOWN = ("phone-2026.jpg", "chalkboard-47.jpg", "two-lines-123-456.jpg")
NAIVE_SHOWN = ("phone-2026.jpg", "chalkboard-47.jpg", "printed-3819.png", "single-3.png")
ANNOTATED_SHOWN = "phone-2026.jpg"


def draw_steps(recognizer: Recognizer, file: str) -> list[Path]:
    rgb = load_image(EXAMPLES / file)
    reading = recognizer.read(rgb, name=file)
    crops = [crop for line in find_digits(rgb) for crop in line]
    stem = Path(file).stem
    return [
        plots.image_panels(
            [rgb, cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), ink_map(rgb), reading.plot()],
            ["1. original", "greyscale", "2. ink map (ground divided out)", f"read: {reading.text!r}"],
            IMAGES / f"{stem}-steps.png",
        ),
        plots.image_panels(
            [crop.ink for crop in crops] or [np.zeros((28, 28), np.float32)],
            [f"crop {i + 1}: {crop.ink.shape[1]}x{crop.ink.shape[0]} px" for i, crop in enumerate(crops)] or ["no digits"],
            IMAGES / f"{stem}-crops.png",
            title="3. each digit's ink, as segmentation cut it out",
            columns=6,
        ),
        plots.network_inputs(
            np.stack([digit.input for digit in reading.digits]) if reading.digits else np.zeros((0, 28, 28)),
            [f"{digit.value} ({digit.confidence:.0%})" for digit in reading.digits],
            IMAGES / f"{stem}-inputs.png",
            title="4-5. MNIST form, and the answer",
            columns=max(4, len(reading.digits)),
        ),
    ]


def draw_annotated(recognizer: Recognizer, file: str) -> Path:
    """``Reading.plot()`` of one picture, as a compact PNG."""
    path = IMAGES / f"annotated-{Path(file).stem}.png"
    Image.fromarray(recognizer.read(EXAMPLES / file).plot()).save(path, optimize=True)
    return path


def draw_naive(recognizer: Recognizer) -> Path:
    """The tutorial pipeline on the same network: greyscale, whole picture resized to 28x28."""
    inputs = np.stack([
        cv2.resize(cv2.cvtColor(load_image(EXAMPLES / file), cv2.COLOR_RGB2GRAY), (28, 28), interpolation=cv2.INTER_AREA) / 255.0
        for file in NAIVE_SHOWN
    ])
    probabilities = recognizer.classifier.predict_proba(inputs)
    captions = [f"{file}\nnaive: {p.argmax()} ({p.max():.0%})" for file, p in zip(NAIVE_SHOWN, probabilities)]
    return plots.network_inputs(inputs, captions, IMAGES / "naive.png", title="The naive pipeline", columns=len(NAIVE_SHOWN))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a .keras model (default: the bundled model)")
    args = parser.parse_args(argv)
    recognizer = Recognizer(args.model)
    written = [path for file in EXAMPLES_SHOWN for path in draw_steps(recognizer, file)]
    written += [draw_annotated(recognizer, ANNOTATED_SHOWN), draw_naive(recognizer)]
    for path in written:
        print(path.relative_to(REPO_ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
