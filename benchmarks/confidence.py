"""How far a digit's confidence can be trusted, and what ``--min-confidence`` keeps, on labelled pictures.

Every labelled picture is read as ``digitrec evaluate --images`` reads it. Each digit read is matched
to the label's digit in the same place (a single digit, or a string read with as many digits as its
label; the digits of a string read with too many or too few cannot be matched one by one and are
counted apart). For ranges of confidence the script prints how many digits were read that sure and
how many of them were right, and the expected calibration error (ECE: the gap between the two,
averaged over the digits); then, for a few ``--min-confidence`` thresholds, how many digits each
keeps, how many of those are right, and how many of the wrong ones it drops; then the same for whole
strings, by their least sure digit. The reference, in the same run: the network's own confidence
(its top probability), before the digitness judge weighs it into the confidence the reader reports.

The bundled reader has learnt from the development set's pictures, so reading that set with it
is no fair test. ``--heldout WORK`` reads each source with the fold model that never saw it, as
``benchmarks/finetune_heldout.py`` writes them to WORK (give the same ``--last-blocks`` and
``--networks``; it says which models are missing and the command that makes them).

    python benchmarks/confidence.py [--images DIR] [--model PATH | --heldout WORK --last-blocks N --networks I...] [--plot PNG] [--json] [--limit N]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from digitrec.data import LabelledItem, load_labelled_folders  # noqa: E402
from digitrec.evaluate import digit_outcomes, kept_at, read_item, read_items, reliability  # noqa: E402
from digitrec.plots import reliability_diagram  # noqa: E402
from digitrec.recognize import Reading, Recognizer  # noqa: E402
from finetune_heldout import add_reader_arguments, models_for, models_line  # noqa: E402
from machine import describe_machine  # noqa: E402
from tables import aligned_rows  # noqa: E402

THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99)
SOURCE_THRESHOLD = 0.9  # each source's row: the digits read at least this sure
WAYS = {"reported": 0, "network's own": 1}  # which confidence of ``digit_outcomes``' triples


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_reader_arguments(parser)
    parser.add_argument("--plot", type=Path, default=Path("runs/confidence/reliability.png"), help="where the figure goes")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="the first N items of each folder")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    if args.heldout and args.model:
        parser.error("give --model or --heldout, not both")
    return args


def readings_of(sources: dict[str, list[LabelledItem]], models: dict[str, Path]) -> tuple[dict[Path, Reading], list[str]]:
    """Every picture's reading by its source's model (``read_items``: a progress bar for each model, and a picture
    it cannot read reported while the run goes on), and the errors of the pictures it could not read."""
    readings: dict[Path, Reading] = {}

    def reader(recognizer: Recognizer):
        def read(item: LabelledItem) -> str:
            readings[item.file] = read_item(recognizer, item)
            return readings[item.file].text
        return read

    unread = []
    for model in dict.fromkeys(models.values()):
        group = {source: items for source, items in sources.items() if models[source] == model}
        results = read_items(group, reader(Recognizer(model)), description=f"reading with {model.name}")
        unread += [result.error for source_results in results.values() for result in source_results if result.error]
    return readings, unread


def outcomes(sources: dict[str, list[LabelledItem]], models: dict[str, Path]) -> dict:
    """Every matched digit's (reported confidence, network's own, right?), each string's least sure digit, whether it
    was read exactly and whether its digits could be matched, and how many digits could not be matched or pictures
    not read."""
    readings, unread = readings_of(sources, models)
    digits, digit_sources, strings, unmatched_items, unmatched = [], [], [], 0, 0
    for source, item in ((source, item) for source, items in sources.items() for item in items if item.file in readings):
        reading = readings[item.file]
        matched = digit_outcomes(item.label, reading)
        digits.extend(matched or [])
        digit_sources.extend([source] * len(matched or []))
        unmatched_items += matched is None
        unmatched += 0 if matched is not None else len(reading.digits)
        if len(item.label) > 1:
            least = min((digit.confidence for digit in reading.digits), default=0.0)
            strings.append((least, "".join(reading.text.split()) == item.label, matched is not None))
    return {"digits": np.array(digits, np.float64).reshape(-1, 3), "sources": np.array(digit_sources, str),
            "strings": np.array(strings, np.float64).reshape(-1, 3), "unmatched_items": unmatched_items,
            "unmatched": unmatched, "unread": unread}


def figures(found: dict) -> dict:
    digits, strings = found["digits"], found["strings"]
    right = digits[:, 2].astype(bool)
    return {
        "digits": len(digits), "unmatched_items": found["unmatched_items"], "unmatched_digits": found["unmatched"],
        "unread": found["unread"],
        "reliability": {way: reliability(digits[:, column], right) for way, column in WAYS.items()},
        "min_confidence": {way: kept_at(digits[:, column], right, THRESHOLDS) for way, column in WAYS.items()},
        "strings": {"n": len(strings), "kept": kept_at(strings[:, 0], strings[:, 1].astype(bool), THRESHOLDS),
                    "wrong_kept_miscounted": wrong_kept_miscounted(strings)},
        "sources": {source: source_figures(digits[found["sources"] == source]) for source in dict.fromkeys(found["sources"])},
    }


def source_figures(digits: np.ndarray) -> dict:
    """One source's digits: how many, the share right, the ECE, and what ``SOURCE_THRESHOLD`` keeps of them."""
    right = digits[:, 2].astype(bool)
    kept = kept_at(digits[:, 0], right, (SOURCE_THRESHOLD,))[0]
    return {"n": len(digits), "accuracy": float(right.mean()), "ece": reliability(digits[:, 0], right)["ece"],
            "kept": kept["kept"], "kept_accuracy": kept["accuracy"], "wrong_dropped": kept["wrong_dropped"]}


def wrong_kept_miscounted(strings: np.ndarray) -> list[list[int]]:
    """Per threshold, the wrong strings kept, and how many of them were read with more or fewer digits than their label
    (a digit missed, split or joined: what no digit's confidence can say)."""
    wrong_kept = [(strings[:, 0] >= threshold) & (strings[:, 1] == 0) for threshold in THRESHOLDS]
    return [[int(kept.sum()), int((kept & (strings[:, 2] == 0)).sum())] for kept in wrong_kept]


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def print_tables(result: dict) -> None:
    print(f"{result['digits']} digits matched to their labels; {result['unmatched_items']} pictures read with more or fewer "
          f"digits than their label (their {result['unmatched_digits']} digits left out); {len(result['unread'])} pictures not read")
    reported, own = (result["reliability"][way] for way in WAYS)
    print("\nConfidence ranges (reported; the network's own in brackets):")
    rows = [[f"{a['low']:g}-{a['high']:g}", f"{a['n']} ({b['n']})",
             f"{percent(a['confidence'])} ({percent(b['confidence'])})", f"{percent(a['accuracy'])} ({percent(b['accuracy'])})"]
            for a, b in zip(reported["bins"], own["bins"])]
    print("\n".join(aligned_rows(["confidence", "digits", "mean confidence", "right"], rows)))
    print(f"ECE: reported {reported['ece']:.4f}, the network's own {own['ece']:.4f}")
    for way in WAYS:
        print(f"\n--min-confidence, by the {way} confidence:")
        rows = [[f"{row['threshold']:g}", percent(row["kept"]), percent(row["accuracy"]), percent(row["wrong_dropped"]),
                 percent(row["right_dropped"])] for row in result["min_confidence"][way]]
        print("\n".join(aligned_rows(["threshold", "digits kept", "right among kept", "wrong dropped", "right dropped"], rows)))
    print(f"\nStrings ({result['strings']['n']}), kept where their least sure digit reaches the threshold:")
    rows = [[f"{row['threshold']:g}", percent(row["kept"]), percent(row["accuracy"]), f"{wrong} ({miscounted})"]
            for row, (wrong, miscounted) in zip(result["strings"]["kept"], result["strings"]["wrong_kept_miscounted"])]
    print("\n".join(aligned_rows(["threshold", "strings kept", "exact among kept", "wrong kept (digits miscounted)"], rows)))
    print(f"\nPer source, reported confidence (--min-confidence {SOURCE_THRESHOLD:g}):")
    rows = [[source, str(row["n"]), percent(row["accuracy"]), f"{row['ece']:.3f}", percent(row["kept"]), percent(row["kept_accuracy"]),
             percent(row["wrong_dropped"])] for source, row in result["sources"].items()]
    print("\n".join(aligned_rows(["source", "digits", "right", "ECE", "kept", "right among kept", "wrong dropped"], rows)))
    for error in result["unread"]:
        print(f"not read: {error}")


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    if not args.images.is_dir():
        print(f"no labelled pictures at {args.images}; give --images DIR", file=sys.stderr)
        return 2
    sources = load_labelled_folders(args.images, limit=args.limit)
    models = models_for(args, list(sources))
    result = figures(outcomes(sources, models))
    if not result["digits"]:
        print("no digit could be matched to its label: nothing to measure", file=sys.stderr)
        return 1
    args.plot.parent.mkdir(parents=True, exist_ok=True)
    reliability_diagram(result["reliability"], args.plot)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"machine: {describe_machine()}")
    print(models_line(models, args.heldout))
    print_tables(result)
    print(f"\nfigure: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
