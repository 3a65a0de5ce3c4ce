"""Whether the reader reads the same digits when the picture changes in ways that leave them plain to see.

Every labelled picture is read as stored (the reference, in the same run) and again under each change of
``digitrec.perturb``: moved half a pixel, saved as JPEG, taken at another resolution, tilted 4 degrees,
shaded, written in blue ink on cream paper, a bitmap's edges softened to grey, cut more loosely, light on dark. Per source
it prints the accuracy as stored and under each change, and how many readings a change turned into
another text at all (right or wrong): a reader that reads the digits, not the pixels of how this set
happened to be stored, changes few. The project is judged on pictures it never sees, stored otherwise.

The bundled reader has learnt from the development set's pictures; ``--heldout WORK`` reads each source
with the fold model that never saw it (``benchmarks/finetune_heldout.py``, as ``confidence.py`` does).
``--step N`` reads every Nth picture of each folder.

    python benchmarks/robustness.py [--images DIR] [--model PATH | --heldout WORK --last-blocks N --networks I...]
                                    [--changes NAME...] [--step N] [--limit N] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from digitrec.data import LabelledItem, load_labelled_folders  # noqa: E402
from digitrec.evaluate import ItemResult, read_items, score_results  # noqa: E402
from digitrec.imageio import decode_image  # noqa: E402
from digitrec.perturb import CHANGES, Change  # noqa: E402
from digitrec.recognize import Recognizer  # noqa: E402
from finetune_heldout import add_reader_arguments, models_for, models_line  # noqa: E402
from machine import describe_machine  # noqa: E402
from tables import aligned_rows  # noqa: E402

AS_STORED = "as stored"


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_reader_arguments(parser)
    parser.add_argument("--changes", nargs="+", choices=list(CHANGES), default=list(CHANGES), metavar="NAME",
                        help=f"the changes to read under (default all: {', '.join(CHANGES)})")
    parser.add_argument("--step", type=int, default=1, metavar="N", help="read every Nth picture of each folder (default 1)")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="the first N items of each folder")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    if args.heldout and args.model:
        parser.error("give --model or --heldout, not both")
    if args.step < 1:
        parser.error("--step must be at least 1")
    return args


def changed_reader(recognizer: Recognizer, change: Change | None) -> Callable[[LabelledItem], str]:
    """What ``recognizer`` reads in an item's picture after ``change`` (None: as stored), the way
    ``digitrec evaluate --images`` reads it (a ``single`` item as one digit)."""
    def read(item: LabelledItem) -> str:
        rgb = decode_image(item.file, name=str(item.file)).rgb
        picture = rgb if change is None else change(rgb)
        return recognizer.read(picture, single=item.kind == "single", name=str(item.file)).text
    return read


def results_by_change(sources: dict[str, list[LabelledItem]], models: dict[str, Path],
                      changes: list[str]) -> dict[str, dict[str, list[ItemResult]]]:
    """Each item's result as stored and under each change, by change and source; each model loaded once."""
    by_change: dict[str, dict[str, list[ItemResult]]] = {name: {} for name in [AS_STORED, *changes]}
    for model in dict.fromkeys(models.values()):
        group = {source: items for source, items in sources.items() if models[source] == model}
        recognizer = Recognizer(model)
        for name in by_change:
            reader = changed_reader(recognizer, None if name == AS_STORED else CHANGES[name])
            by_change[name].update(read_items(group, reader, description=f"{name}, {model.name}"))
    return by_change


def figures(by_change: dict[str, dict[str, list[ItemResult]]]) -> dict:
    """Per source and overall: the accuracy as stored, and under each change its accuracy and the share of readings
    whose text it changed."""
    stored = by_change[AS_STORED]
    changed = {name: results for name, results in by_change.items() if name != AS_STORED}
    pooled = lambda results: [one for source_results in results.values() for one in source_results]  # noqa: E731
    return {
        "sources": {source: _source_figures(stored[source], {name: results[source] for name, results in changed.items()})
                    for source in stored},
        "overall": _source_figures(pooled(stored), {name: pooled(results) for name, results in changed.items()}),
    }


def _source_figures(stored: list[ItemResult], changed: dict[str, list[ItemResult]]) -> dict:
    accuracy = score_results({"all": stored})["overall"]["accuracy"]
    return {"n": len(stored), "accuracy": accuracy, "changes": {
        name: {"accuracy": score_results({"all": results})["overall"]["accuracy"],
               "changed": sum(a.read != b.read for a, b in zip(stored, results)) / len(stored)}
        for name, results in changed.items()}}


def print_tables(result: dict, changes: list[str]) -> None:
    """A row per change, a column per source: the points of accuracy it cost or gained against the reading as stored,
    and in brackets the share of readings whose text it changed."""
    columns = [*result["sources"].items(), ("overall", result["overall"])]
    rows = [[AS_STORED, *(f"{row['accuracy']:.1%}" for _, row in columns)]]
    rows += [[name, *(f"{100 * (row['changes'][name]['accuracy'] - row['accuracy']):+.1f} ({row['changes'][name]['changed']:.0%})"
                      for _, row in columns)] for name in changes]
    print("Pictures: " + ", ".join(f"{source} {row['n']}" for source, row in columns))
    print("Accuracy as stored; under each change, the points it cost or gained (the share of readings it changed at all):")
    print("\n".join(aligned_rows(["", *(source for source, _ in columns)], rows)))


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    if not args.images.is_dir():
        print(f"no labelled pictures at {args.images}; give --images DIR", file=sys.stderr)
        return 2
    sources = {source: items[::args.step] for source, items in load_labelled_folders(args.images, limit=args.limit).items()}
    models = models_for(args, list(sources))
    by_change = results_by_change(sources, models, args.changes)
    result = figures(by_change)
    unread = sorted({r.error for results in by_change[AS_STORED].values() for r in results if r.error})
    result["unread"] = unread
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"machine: {describe_machine()}")
    print(models_line(models, args.heldout))
    print_tables(result, args.changes)
    for error in unread:
        print(f"not read: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
