"""How much ``digitrec finetune`` helps pictures of sources the networks never saw.

The development set's sources are split into folds (the Sudoku sources together: they are cut
from the same photos). For each fold the reader's six networks are fine-tuned on every other fold
(what ``digitrec finetune --exclude`` does) and read that fold's sources only, so no source is read
by networks that learnt from it. The reader they start from (``--model``, default the bundled one)
reads every source in the same run, as the reference. A source outside the folds below is a fold
of its own. Where the reader has itself learnt from these pictures, start from one that has not.

Each fold's model is written to --work and reused when the script runs again; inside a fold each
finished network is kept, so a stopped run goes on where it stopped. The pictures are read, and the
recipe's data made, once for all folds. About 16 min a fold on the tenth session's machine (2 cores
of an AMD EPYC); ``--last-blocks N`` fine-tunes only the networks' last blocks, as ``digitrec
finetune --last-blocks N`` does, several times faster; ``--networks I...`` trains only those
networks, as ``digitrec finetune --networks`` does. (Since the fifteenth session the bundled reader is
the six-network reader with networks 3-5 fine-tuned on these very pictures: to measure it held out,
start from the six-network reader, ``--model``, with ``--last-blocks 2 --networks 3 4 5``.)
``--check`` exits 1 unless the held-out reading is at least as good overall as the reader's.

    python benchmarks/finetune_heldout.py [--images DIR] [--work DIR] [--model PATH] [--last-blocks N] [--networks I...] [--json] [--check]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from digitrec.data import load_labelled_folders  # noqa: E402
from digitrec.evaluate import item_reader, read_items, score_results  # noqa: E402
from digitrec.classifier import bundled_reader_path, load_keras_model  # noqa: E402
from digitrec.finetune import FinetuneConfig, finetune, joined, mixed, real_digits, recipe_digits  # noqa: E402
from digitrec.recognize import Recognizer  # noqa: E402
from machine import describe_machine  # noqa: E402

DEFAULT_IMAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "realworld-dev"
FOLDS = {
    "F1": ("semeion", "meter_digits_jomjol"),
    "F2": ("orand_car_a", "chars74k_img_digits"),
    "F3": ("sudoku_handwritten_cells", "sudoku_printed_cells", "sudoku_rows"),
    "F4": ("optdigits_orig_windep",),
}


def folds_for(sources: list[str]) -> dict[str, tuple[str, ...]]:
    """``FOLDS`` restricted to the sources present; each other source a fold of its own."""
    folds = {name: tuple(s for s in fold if s in sources) for name, fold in FOLDS.items()}
    folded = {s for fold in folds.values() for s in fold}
    folds.update({source: (source,) for source in sources if source not in folded})
    return {name: fold for name, fold in folds.items() if fold}


def fold_models(folds: dict[str, tuple[str, ...]], work: Path, config: FinetuneConfig) -> dict[str, Path]:
    """Where each fold's model goes in ``work``: named by the fold and by how it was fine-tuned."""
    suffix = (f"-last{config.last_blocks}" if config.last_blocks else "") + (
        f"-networks-{'-'.join(map(str, config.networks))}" if config.networks else "")
    return {name: work / f"without-{name}{suffix}.keras" for name in folds}


def readers_by_source(sources: list[str], model: Path | None, heldout: Path | None, config: FinetuneConfig) -> dict[str, Path]:
    """The model each source is read with: with ``heldout`` (a --work folder of this script), the fold model that never
    saw it; else ``model`` (default the bundled reader) for all. A missing fold model is a ``SystemExit`` naming it
    and the command that makes it."""
    if not heldout:
        return {source: model or bundled_reader_path() for source in sources}
    folds = folds_for(sources)
    models = fold_models(folds, heldout, config)
    missing = [str(path) for path in models.values() if not path.exists()]
    if missing:
        options = f"--work {heldout}" + (f" --last-blocks {config.last_blocks}" if config.last_blocks else "") + (
            f" --networks {' '.join(map(str, config.networks))}" if config.networks else "")
        raise SystemExit(f"no fold model at {', '.join(missing)}; make them with: python benchmarks/finetune_heldout.py {options}")
    return {source: models[name] for name, fold in folds.items() for source in fold}


def add_reader_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a script that reads the labelled pictures with one model or held out: ``--images``,
    ``--model``, ``--heldout WORK`` and, as given to this script, ``--last-blocks`` and ``--networks``
    (``models_for`` reads them)."""
    parser.add_argument("--images", type=Path, default=DEFAULT_IMAGES, help="labelled folders (default: the development set)")
    parser.add_argument("--model", type=Path, default=None, help="the reader (default: the bundled one)")
    parser.add_argument("--heldout", type=Path, metavar="WORK",
                        help="read each source with the fold model in WORK that never saw it (benchmarks/finetune_heldout.py --work)")
    parser.add_argument("--last-blocks", type=int, default=0, metavar="N", help="as given to finetune_heldout.py")
    parser.add_argument("--networks", type=int, nargs="+", metavar="I", help="as given to finetune_heldout.py")


def models_for(args: argparse.Namespace, sources: list[str]) -> dict[str, Path]:
    """``readers_by_source`` for the options ``add_reader_arguments`` added."""
    return readers_by_source(sources, args.model, args.heldout, FinetuneConfig(last_blocks=args.last_blocks, networks=args.networks))


def models_line(models: dict[str, Path], heldout: Path | None) -> str:
    """The line that says which models read the pictures."""
    if heldout:
        return "models: held out, " + ", ".join(sorted({path.name for path in models.values()}))
    return f"models: {next(iter(models.values()), 'none')}"


def held_out_results(sources: dict, work: Path, config: FinetuneConfig, start: Path) -> dict:
    """Every source read by the networks fine-tuned without its fold (training the missing fold models).

    The pictures are read, and the recipe's data made, once for all folds: each fold learns from the
    real digits of the sources it keeps, in the order ``digitrec finetune`` would read them."""
    folds = folds_for(list(sources))
    models = fold_models(folds, work, config)
    missing = [name for name, model in models.items() if not model.exists()]
    if missing:
        reader = Recognizer(start)
        real = {source: real_digits({source: items}, reader) for source, items in sources.items()}
        base = recipe_digits(config.seed)
    results = {}
    for name, fold in folds.items():
        if name in missing:
            print(f"Fold {name}: fine-tuning without {', '.join(fold)}", file=sys.stderr)
            kept = joined([real[source] for source in sources if source not in fold])
            plan = {"model": str(start), "without": list(fold), "real_digits": len(kept.y), "config": config.to_dict()}
            finetune(load_keras_model(start), *mixed(base, kept, config.repeat), config, models[name], plan)
        results.update(read_items({s: sources[s] for s in fold}, item_reader(Recognizer(models[name])), description=f"reading {name}"))
    return {source: results[source] for source in sources}


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=Path, default=DEFAULT_IMAGES)
    parser.add_argument("--work", type=Path, default=Path("runs/finetune-heldout"), help="where the fold models go")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--model", type=Path, default=bundled_reader_path(),
                        help="the reader to fine-tune and to compare with (default: the bundled reader)")
    parser.add_argument("--last-blocks", type=int, default=0, metavar="N",
                        help="fine-tune only each network's last N convolutions and what follows (digitrec finetune --last-blocks)")
    parser.add_argument("--networks", type=int, nargs="+", metavar="I",
                        help="fine-tune only these networks of the reader, numbered from 0 (digitrec finetune --networks)")
    parser.add_argument("--check", action="store_true", help="exit 1 unless held out reads at least as well overall")
    return parser.parse_args(argv)


def finetune_config(args: argparse.Namespace) -> FinetuneConfig:
    return FinetuneConfig(last_blocks=args.last_blocks, networks=args.networks)


def main() -> int:
    args = parse_arguments()
    if not args.images.is_dir():
        print(f"no labelled pictures at {args.images}; give --images DIR", file=sys.stderr)
        return 2
    sources = load_labelled_folders(args.images)
    reader = score_results(read_items(sources, item_reader(Recognizer(args.model)), description="the reader"))
    held = score_results(held_out_results(sources, args.work, finetune_config(args), args.model))
    if args.json:
        print(json.dumps({"reader": reader, "held_out": held}))
    else:
        print("| source | n | the reader | fine-tuned without it |\n|---|---:|---:|---:|")
        for source, row in [*reader["sources"].items(), ("overall", reader["overall"])]:
            other = held["overall"] if source == "overall" else held["sources"][source]
            print(f"| {source} | {row['n']} | {row['accuracy']:.2%} | {other['accuracy']:.2%} |")
        print(f"\nMachine: {describe_machine()}")
    return int(args.check and held["overall"]["accuracy"] < reader["overall"]["accuracy"])


if __name__ == "__main__":
    sys.exit(main())
