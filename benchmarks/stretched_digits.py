"""Handwritten digits stored as USPS and Semeion store them, stretched to fill a 16x16 box, read three ways.

Not a sample of real pictures: MNIST's test digits (which no network here was trained on), cut to
their ink and written as small greyscale bitmaps, dark ink on white, in three folders holding the
same digits:

- ``mnist_28``: MNIST's own 28x28 picture (a control);
- ``kept_16``: scaled so the longer side fills 16 px, the aspect ratio kept, centred;
- ``stretched_16``: stretched to fill all 16x16, whatever the digit's shape (USPS). A ``1`` comes out
  a wide slanted bar or a solid block;
- ``stretched_16_bw``: the same, black and white at half strength (Semeion).

The folders are written to a temporary directory and read by ``realworld.py`` (digitrec, the naive
pipeline and Tesseract in the same run, the same scoring); ``--model`` compares another network.

    python benchmarks/stretched_digits.py                 # --count N, --seed S, --keep DIR, --model PATH, --json
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import cv2
import numpy as np

from digitrec.data import DatasetError, load_mnist
from digitrec.preprocess import crop_to_ink
import synthetic

COUNT = 1000
SEED = 2026
BOX_PX = 16
SETS = ("mnist_28", "kept_16", "stretched_16", "stretched_16_bw")
HALF_STRENGTH = 128


def main(argv: list[str] | None = None) -> int:
    parser = synthetic.parser(__doc__, COUNT, SEED, "digits")
    parser.add_argument("--mnist", help="MNIST .npz or IDX folder (default: $DIGITREC_MNIST, then the Keras cache)")
    parser.add_argument("--model", type=Path, help="a .keras model (default: the bundled reader model)")
    args = parser.parse_args(argv)
    try:
        _, (images, labels) = load_mnist(args.mnist)
    except DatasetError as error:
        print(f"stretched_digits.py: error: {error}", file=sys.stderr)
        return 2
    chosen = np.random.default_rng(args.seed).choice(len(images), size=min(args.count, len(images)), replace=False)
    return synthetic.read_folders(args, lambda folder: write_sets(folder, images[chosen], labels[chosen]), args.model)


def write_sets(folder: Path, images: np.ndarray, labels: np.ndarray) -> None:
    """One labelled folder per entry of ``SETS``, the same digits in each, dark on white."""
    for name in SETS:
        (folder / name / "images").mkdir(parents=True, exist_ok=True)
        with open(folder / name / "labels.csv", "w", newline="") as labels_file:
            writer = csv.writer(labels_file)
            writer.writerow(["file", "label", "kind"])
            for index, (image, label) in enumerate(zip(images, labels)):
                file = f"images/{name}-{index:05d}.png"
                cv2.imwrite(str(folder / name / file), 255 - _stored(name, image))
                writer.writerow([file, int(label), "single"])


def _stored(name: str, image: np.ndarray) -> np.ndarray:
    """The MNIST digit (bright ink on black, uint8) as the folder ``name`` stores it."""
    if name == "mnist_28":
        return image
    ink = crop_to_ink(image.astype(np.float32) / 255.0)
    if name.startswith("stretched_16"):
        stretched = _as_uint8(cv2.resize(ink, (BOX_PX, BOX_PX), interpolation=cv2.INTER_AREA))
        return np.where(stretched >= HALF_STRENGTH, 255, 0).astype(np.uint8) if name.endswith("_bw") else stretched
    height, width = ink.shape
    factor = BOX_PX / max(height, width)
    scaled = cv2.resize(ink, (max(1, round(width * factor)), max(1, round(height * factor))), interpolation=cv2.INTER_AREA)
    box = np.zeros((BOX_PX, BOX_PX), np.float32)
    top, left = (BOX_PX - scaled.shape[0]) // 2, (BOX_PX - scaled.shape[1]) // 2
    box[top: top + scaled.shape[0], left: left + scaled.shape[1]] = scaled
    return _as_uint8(box)


def _as_uint8(image: np.ndarray) -> np.ndarray:
    return (np.clip(image, 0.0, 1.0) * 255).round().astype(np.uint8)


if __name__ == "__main__":
    sys.exit(main())
