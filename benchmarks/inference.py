"""How fast a trained model reads digits: images per second for a batch, median latency for one image.

Both through ``Classifier.predict_proba`` (what digitrec uses: the model called inside a
``tf.function``) and, for reference, through plain ``model.predict`` on the same loaded model.
Every figure is taken after a warm-up call, so tracing and graph building are not counted.

    python benchmarks/inference.py                       # the bundled model
    python benchmarks/inference.py --model runs/train/fast-1/model.keras
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from digitrec.classifier import BATCH_SIZE, Classifier, bundled_model_path  # noqa: E402
from digitrec.data import load_mnist  # noqa: E402
from machine import describe_machine  # noqa: E402
from tables import aligned_rows  # noqa: E402

BATCH_IMAGES = 10_000
BATCH_REPEATS = 5
LATENCY_REPEATS = 200
MIN_IMAGES_PER_S = 2_000
MAX_LATENCY_MS = 10.0
EXIT_TARGET_MISSED = 1


@dataclass
class Figures:
    """One way of calling the model, timed on a batch and on single images."""

    name: str
    batch_s: float  # median time for the whole batch
    batch_images: int
    latency_s: float  # median time for one image
    latency_repeats: int

    @property
    def images_per_s(self) -> float:
        return self.batch_images / self.batch_s


def median_seconds(call: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``call`` over ``repeats`` runs, after one untimed warm-up run."""
    call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(name: str, predict: Callable[[np.ndarray], np.ndarray], images: np.ndarray,
            batch_repeats: int, latency_repeats: int) -> Figures:
    one = images[:1]
    return Figures(
        name,
        batch_s=median_seconds(lambda: predict(images), batch_repeats),
        batch_images=len(images),
        latency_s=median_seconds(lambda: predict(one), latency_repeats),
        latency_repeats=latency_repeats,
    )


def format_table(results: list[Figures], model_path: Path, accuracy: float) -> str:
    header = ("call", f"batch of {results[0].batch_images}", "images/s", f"one image (median of {results[0].latency_repeats})")
    rows = [
        (r.name, f"{r.batch_s * 1000:.0f} ms", f"{r.images_per_s:,.0f}", f"{r.latency_s * 1000:.2f} ms")
        for r in results
    ]
    lines = [f"Inference speed of {model_path} (accuracy on these test images: {accuracy:.2%})", ""]
    lines += aligned_rows(header, rows)
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Images per second for a batch of MNIST test images and the median latency for one image, "
        "through Classifier.predict_proba and, for reference, plain model.predict.",
    )
    parser.add_argument("--model", type=Path, help=f"a .keras model (default: the bundled {bundled_model_path().name})")
    parser.add_argument("--limit", type=int, default=BATCH_IMAGES,
                        help=f"images in the batch, the first N of the MNIST test set (default: {BATCH_IMAGES})")
    parser.add_argument("--batch-repeats", type=int, default=BATCH_REPEATS,
                        help=f"timed runs of the whole batch; the median counts (default: {BATCH_REPEATS})")
    parser.add_argument("--repeats", type=int, default=LATENCY_REPEATS,
                        help=f"timed runs of a single image; the median counts (default: {LATENCY_REPEATS})")
    parser.add_argument("--mnist", help="MNIST .npz or IDX folder (default: $DIGITREC_MNIST, then the Keras cache)")
    parser.add_argument("--check", action="store_true",
                        help=f"exit {EXIT_TARGET_MISSED} unless Classifier.predict_proba manages at least "
                        f"{MIN_IMAGES_PER_S:,} images/s and at most {MAX_LATENCY_MS:g} ms for one image")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("limit", "batch_repeats", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    model_path = args.model or bundled_model_path()
    if not model_path.is_file():
        parser.error(f"no model at {model_path}; train one with 'digitrec train' and give it with --model PATH")
    machine = describe_machine()
    _, (x_test, y_test) = load_mnist(args.mnist)
    images = x_test[: args.limit].astype(np.float32)[..., None] / 255.0
    classifier = Classifier(model_path)
    accuracy = float(np.mean(np.argmax(classifier.predict_proba(images), axis=1) == y_test[: args.limit]))
    results = [
        measure("Classifier.predict_proba", classifier.predict_proba, images, args.batch_repeats, args.repeats),
        measure(f"model.predict(batch_size={BATCH_SIZE})",
                lambda x: classifier.model.predict(x, batch_size=BATCH_SIZE, verbose=0),
                images, args.batch_repeats, args.repeats),
    ]
    print(format_table(results, model_path, accuracy))
    fast = results[0]
    met = fast.images_per_s >= MIN_IMAGES_PER_S and fast.latency_s * 1000 <= MAX_LATENCY_MS
    print(f"\ntargets for Classifier.predict_proba: >= {MIN_IMAGES_PER_S:,} images/s and <= {MAX_LATENCY_MS:g} ms "
          f"for one image: {'met' if met else 'MISSED'}")
    print(f"machine: {machine}")
    if args.check and not met:
        return EXIT_TARGET_MISSED
    return 0


if __name__ == "__main__":
    sys.exit(main())
