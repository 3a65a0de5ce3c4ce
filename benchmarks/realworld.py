"""How well digitrec reads real-world digit images, next to two references measured in the same run.

For each source folder of labelled pictures (``../shared/data/realworld-dev/`` by default):

- **digitrec**: ``digitrec.evaluate.evaluate_images`` with the bundled model (what
  ``digitrec evaluate --images`` reports);
- **naive**: the pipeline most MNIST tutorials use: greyscale, resize the whole picture to 28x28,
  no inversion, straight into the same network. It reads one digit per picture, so on multi-digit
  items it is simply wrong; it is reported as it is;
- **tesseract**: Tesseract 5 (the ``tesseract`` binary), digits only, ``--psm 10`` (one character)
  for single items and ``--psm 7`` (one line) for the others. Skipped, with a note, where the
  binary is absent (``apt-get install tesseract-ocr``).

All three read the same items and are scored by the same code. Prints a markdown table, or one
JSON object with ``--json``; progress bars go to stderr.

    python benchmarks/realworld.py [--images DIR] [--limit N] [--model PATH] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import cv2  # noqa: E402
from tqdm import tqdm  # noqa: E402

from digitrec.classifier import Classifier, ModelLoadError, bundled_reader_path  # noqa: E402
from digitrec.data import DatasetError, LabelledItem, load_labelled_folders  # noqa: E402
from digitrec.evaluate import ItemResult, evaluate_images, read_items, score_results  # noqa: E402
from digitrec.imageio import ImageDecodeError, load_image  # noqa: E402
from digitrec.recognize import Recognizer  # noqa: E402
from machine import describe_machine  # noqa: E402

DEFAULT_IMAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "realworld-dev"
TESSERACT_TIMEOUT_S = 30
TESSERACT_WORKERS = 2
TESSERACT_BATCH = 50
TESSERACT_PAGE_SEPARATOR = "\f"
TESSERACT_DIGITS = "tessedit_char_whitelist=0123456789"
TESSERACT_PSM = {"single": "10", "multi": "7"}
NAIVE_SIZE_PX = 28

# What each source of the development set is, and the accuracy issue 3 asks for on it.
TARGETS = {
    "semeion": ("single, handwritten", 0.97),
    "optdigits_orig_windep": ("single, handwritten", 0.97),
    "sudoku_handwritten_cells": ("single, handwritten", 0.97),
    "sudoku_printed_cells": ("single, printed", 0.95),
    "meter_digits_jomjol": ("single, printed", 0.95),
    "chars74k_img_digits": ("single, printed", 0.95),
    "sudoku_rows": ("multi, mixed", 0.85),
    "orand_car_a": ("multi, handwritten", 0.85),
}


LEARNT_FROM_THEM = ("the bundled reader learnt from realworld-dev's pictures (docs/training.md, fifteenth session), so on"
                    " that set its figures are not held out: benchmarks/finetune_heldout.py measures it fairly")


def _learnt_from(model_path: Path, sources: dict[str, list]) -> bool:
    """Whether the model is the bundled reader and the folders read include sources of the development set it
    learnt from (not pictures made by a synthetic benchmark)."""
    return Path(model_path).resolve() == bundled_reader_path().resolve() and any(name in TARGETS for name in sources)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    machine = describe_machine()
    try:
        sources = load_labelled_folders(args.images, limit=args.limit)
        recognizer = Recognizer(args.model)
    except (DatasetError, ModelLoadError) as error:
        print(f"realworld.py: error: {error}", file=sys.stderr)
        return 2
    classifier = recognizer.classifier  # the naive pipeline feeds the very same network
    scores, seconds = {}, {}

    started = time.perf_counter()
    scores["digitrec"] = evaluate_images(recognizer, args.images, limit=args.limit)
    seconds["digitrec"] = time.perf_counter() - started

    started = time.perf_counter()
    scores["naive"] = score_results(read_items(sources, lambda item: read_naively(classifier, item), description="naive"))
    seconds["naive"] = time.perf_counter() - started

    tesseract = tesseract_version()
    if tesseract:
        started = time.perf_counter()
        scores["tesseract"] = score_results(read_with_tesseract(sources))
        seconds["tesseract"] = time.perf_counter() - started

    about = {
        "images": str(args.images),
        "limit": args.limit,
        "model": str(classifier.model_path),
        "machine": machine,
        "tesseract": tesseract or "not installed: apt-get install tesseract-ocr",
        "note": LEARNT_FROM_THEM if _learnt_from(classifier.model_path, sources) else None,
    }
    report = _report(sources, scores, seconds, about)
    print(json.dumps(report) if args.json else _markdown(report))
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=Path, default=DEFAULT_IMAGES, help=f"labelled folders (default: {DEFAULT_IMAGES})")
    parser.add_argument("--limit", type=int, help="read only the first N items of each source (quick runs)")
    parser.add_argument("--model", type=Path, help="a .keras model (default: the bundled reader model)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a markdown table")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error(f"--limit must be at least 1, got {args.limit}")
    return args


def read_naively(classifier: Classifier, item: LabelledItem) -> str:
    """The tutorial pipeline: grey, the whole picture squashed to 28x28, no inversion, one digit."""
    grey = cv2.cvtColor(load_image(item.file), cv2.COLOR_RGB2GRAY)
    small = cv2.resize(grey, (NAIVE_SIZE_PX, NAIVE_SIZE_PX), interpolation=cv2.INTER_AREA)
    return str(int(classifier.predict_proba(small[None] / 255.0)[0].argmax()))


def tesseract_version() -> str | None:
    """``"tesseract 5.3.0"``, or None where the binary is not installed."""
    if shutil.which("tesseract") is None:
        return None
    output = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=TESSERACT_TIMEOUT_S)
    return (output.stdout or output.stderr).splitlines()[0].strip()


def read_with_tesseract(sources: dict[str, list[LabelledItem]]) -> dict[str, list[ItemResult]]:
    """Run Tesseract on every item, then hand its outputs to the shared scorer.

    Tesseract loads its model for each call (~0.2 s), so items go in batches through its
    file-list mode (same output as one call per image, checked on this set); a batch that fails
    (an unreadable image stops Tesseract) is redone one image at a time to find the culprit.
    """
    items = [item for source_items in sources.values() for item in source_items]
    batches = [
        batch_items[start: start + TESSERACT_BATCH]
        for psm in sorted(set(TESSERACT_PSM.values()))
        for batch_items in [[item for item in items if _psm(item) == psm]]
        for start in range(0, len(batch_items), TESSERACT_BATCH)
    ]
    outputs: dict[LabelledItem, str | ImageDecodeError] = {}
    with ThreadPoolExecutor(TESSERACT_WORKERS) as pool, tqdm(total=len(items), desc="tesseract", unit="image", file=sys.stderr) as bar:
        for batch, texts in zip(batches, pool.map(_tesseract_batch, batches)):
            outputs.update(zip(batch, texts))
            bar.update(len(batch))

    def read(item: LabelledItem) -> str:
        if isinstance(outputs[item], ImageDecodeError):
            raise outputs[item]
        return outputs[item]

    return read_items(sources, read, progress=False)


def _psm(item: LabelledItem) -> str:
    return TESSERACT_PSM["single" if item.kind == "single" else "multi"]


def _tesseract_batch(batch: list[LabelledItem]) -> list[str | ImageDecodeError]:
    """The digits Tesseract reads in each picture of ``batch`` (all of one page segmentation mode)."""
    if len(batch) == 1:
        output = _tesseract(str(batch[0].file), _psm(batch[0]), TESSERACT_TIMEOUT_S)
        return [output if isinstance(output, ImageDecodeError) else "".join(output.split())]
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as listing:
        listing.write("".join(f"{item.file}\n" for item in batch))
        listing.flush()
        pages = _tesseract(listing.name, _psm(batch[0]), TESSERACT_TIMEOUT_S * len(batch))
    if isinstance(pages, str) and pages.count(TESSERACT_PAGE_SEPARATOR) == len(batch) - 1:
        return ["".join(page.split()) for page in pages.split(TESSERACT_PAGE_SEPARATOR)]
    return [text for item in batch for text in _tesseract_batch([item])]


def _tesseract(image_or_listing: str, psm: str, timeout_s: float) -> str | ImageDecodeError:
    command = ["tesseract", image_or_listing, "stdout", "--psm", psm, "-c", TESSERACT_DIGITS]
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, env=environment)
    except subprocess.TimeoutExpired:
        return ImageDecodeError(f"{image_or_listing}: tesseract took longer than {timeout_s:g} s")
    if done.returncode != 0:
        return ImageDecodeError(f"{image_or_listing}: tesseract failed ({' '.join(done.stderr.split())[-200:]})")
    return done.stdout


def _report(sources: dict, scores: dict, seconds: dict, about: dict) -> dict:
    rows = {}
    for source, items in sources.items():
        kinds = sorted({item.kind or "unknown" for item in items})
        kind, target = TARGETS.get(source, (", ".join(kinds), None))
        accuracy = scores["digitrec"]["sources"][source]["accuracy"]
        rows[source] = {
            "kind": kind,
            "n": len(items),
            "target": target,
            "met": None if target is None or accuracy is None else accuracy >= target,
            **{reader: result["sources"][source] for reader, result in scores.items()},
        }
    return {
        **about,
        "seconds": {reader: round(value, 1) for reader, value in seconds.items()},
        "sources": rows,
        "overall": {reader: result["overall"] for reader, result in scores.items()},
    }


def _markdown(report: dict) -> str:
    has_tesseract = "tesseract" in report["overall"]
    lines = [
        "| source | kind | n | digitrec acc | digitrec digit-acc | naive acc | Tesseract acc | target |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for source, row in report["sources"].items():
        verdict = "" if row["met"] is None else (" met" if row["met"] else " **missed**")
        target = "n/a" if row["target"] is None else f"{row['target']:.0%}{verdict}"
        lines.append(_table_row(source, row["kind"], row["n"], row, has_tesseract) + f" {target} |")
    overall = report["overall"]
    lines.append(_table_row("**overall**", "", overall["digitrec"]["n"], overall, has_tesseract) + " |")
    notes = [
        "",
        f"Images: `{report['images']}`" + (f" (first {report['limit']} per source)" if report["limit"] else ""),
        f"Model: {report['model']}; Tesseract: {report['tesseract']}",
        f"Machine: {report['machine']}",
        "Seconds per reader: " + ", ".join(f"{reader} {value}" for reader, value in report["seconds"].items()),
    ] + ([f"Note: {report['note']}"] if report.get("note") else [])
    return "\n".join(lines + notes)


def _table_row(name: str, kind: str, n: int, scores: dict, has_tesseract: bool) -> str:
    tesseract = _percent(scores["tesseract"]["accuracy"]) if has_tesseract else "not run"
    return (
        f"| {name} | {kind} | {n} | {_percent(scores['digitrec']['accuracy'])} | "
        f"{_percent(scores['digitrec']['digit_accuracy'])} | {_percent(scores['naive']['accuracy'])} | {tesseract} |"
    )


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.1%}"


if __name__ == "__main__":
    sys.exit(main())
