"""The ``digitrec`` command: argument parsing only; the work happens in the modules it calls."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from digitrec import __version__

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
PROGRESS_MIN_FILES = 5
MADE_DIGIT_OPTIONS = (  # digitrec train's options adding made digits to MNIST, each a count N
    ("--printed", "font-rendered printed digits"),
    ("--photographed", "digits photographed into camera-like crops and read back by the reader"),
    ("--lead-in-ones", "MNIST ones, given a lead-in stroke as many writers outside the US draw one,"),
    ("--stemmed-nines", "nines drawn as a loop on a stem, made from MNIST zeros,"),
    ("--stretched", "MNIST digits, stretched to fill a square as USPS and Semeion scans are,"),
    ("--rho-nines", "nines shaped like a rho (the stem leaving the loop's left half), made from MNIST zeros,"),
    ("--looped-twos", "MNIST twos given a loop where the diagonal meets the base,"),
    ("--hooked-nines", "nines whose stem ends in a hook curling back to the left, made from MNIST zeros,"),
    ("--handwriting-font-digits", "digits drawn in fonts that imitate handwriting (Debian's fonts-bwht, fonts-dkg-handwriting, ...)"),
)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return EXIT_USER_ERROR
    from digitrec.errors import USER_ERRORS

    try:
        return args.handler(args)
    except USER_ERRORS as error:
        print(f"digitrec: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digitrec",
        description="Read digits from static images with a convolutional neural network trained on MNIST.",
    )
    parser.add_argument("--version", action="version", version=f"digitrec {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_train(commands)
    _add_average(commands)
    _add_finetune(commands)
    _add_evaluate(commands)
    _add_predict(commands)
    _add_serve(commands)
    return parser


def _add_train(commands) -> None:
    train = commands.add_parser(
        "train",
        help="train a network on MNIST into a fresh run folder",
        description="Train a CNN on MNIST. Each run writes runs/train/<arch>-N: model.keras, config.json, "
        "history.csv, metrics.json, figures and report.md. Ctrl-C keeps every finished epoch; "
        "continue with --resume.",
    )
    train.add_argument("--arch", default="default", choices=["default", "baseline", "fast"],
                       help="architecture and its recipe (default: default)")
    train.add_argument("--epochs", type=int, metavar="N", help="number of epochs (default: the recipe's)")
    train.add_argument("--batch-size", type=int, metavar="N", help="images per step (default: the recipe's)")
    train.add_argument("--seed", type=int, metavar="N", help="random seed; same seed, same machine, same result (default: 1)")
    train.add_argument("--limit", type=int, metavar="N", help="train on only the first N training images (quick trials)")
    for option, what in MADE_DIGIT_OPTIONS:
        train.add_argument(option, type=int, metavar="N", help=f"how many {what} to add (default: the recipe's)")
    train.add_argument("--lead-in-longest", type=float, metavar="F",
                       help="the longest lead-in stroke, as a fraction of the one's height (default: 0.5)")
    train.add_argument("--elastic", type=float, metavar="PX",
                       help="strength of an elastic distortion added to each image's augmentation, in pixels "
                       "(Simard et al. used 34; default: 0, none)")
    train.add_argument("--mnist", metavar="PATH", help="MNIST .npz or IDX folder (default: $DIGITREC_MNIST, then the Keras cache)")
    train.add_argument("--out", type=Path, metavar="DIR", default=Path("runs/train"),
                       help="parent folder of run folders (default: runs/train)")
    train.add_argument("--resume", type=Path, metavar="DIR", help="continue the interrupted run in DIR")
    train.set_defaults(handler=_run_train)


def _made_digit_fields() -> list[str]:
    """The ``TrainConfig`` fields (and parsed argument names) of ``MADE_DIGIT_OPTIONS``."""
    return [option[2:].replace("-", "_") for option, _ in MADE_DIGIT_OPTIONS]


def _run_train(args) -> int:
    from digitrec import train

    if args.resume:
        run_dir = args.resume
        if not (run_dir / train.CONFIG_FILE).exists():
            print(f"digitrec: error: {run_dir}: not a training run folder (no {train.CONFIG_FILE})", file=sys.stderr)
            return EXIT_USER_ERROR
        if (run_dir / "metrics.json").exists():
            print(f"{run_dir}: this run has already finished; see {run_dir / 'report.md'}", file=sys.stderr)
            return 0
    else:
        for name in ("epochs", "batch_size", "limit"):
            value = getattr(args, name)
            if value is not None and value < 1:
                print(f"digitrec: error: --{name.replace('_', '-')} must be at least 1, got {value}", file=sys.stderr)
                return EXIT_USER_ERROR
        for name in _made_digit_fields():
            value = getattr(args, name)
            if value is not None and value < 0:
                print(f"digitrec: error: --{name.replace('_', '-')} cannot be negative, got {value}", file=sys.stderr)
                return EXIT_USER_ERROR
        if args.lead_in_longest is not None and not 0.15 < args.lead_in_longest <= 1.0:
            print(f"digitrec: error: --lead-in-longest must be above 0.15 and at most 1, got {args.lead_in_longest}",
                  file=sys.stderr)
            return EXIT_USER_ERROR
        if args.elastic is not None and args.elastic < 0:
            print(f"digitrec: error: --elastic cannot be negative, got {args.elastic}", file=sys.stderr)
            return EXIT_USER_ERROR
        config = train.recipe(
            args.arch, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
            limit=args.limit, lead_in_longest=args.lead_in_longest, mnist_path=args.mnist,
            **{name: getattr(args, name) for name in _made_digit_fields()},
        )
        if args.elastic:
            config = replace(config, augmentation=replace(config.augmentation, elastic_alpha_px=args.elastic))
        run_dir = train.start_run(config, args.out)
    print(f"Training run: {run_dir}", file=sys.stderr)
    try:
        metrics = train.train_run(run_dir)
    except KeyboardInterrupt:
        print(f"\nStopped. Finished epochs are saved; continue with: digitrec train --resume {run_dir}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"Test accuracy {metrics['accuracy']:.2%} ({metrics['errors']} errors). Report: {run_dir / 'report.md'}")
    return 0


def _add_average(commands) -> None:
    average = commands.add_parser(
        "average",
        help="combine trained networks into one that answers with their mean",
        description="Write one .keras network whose answer is the mean of the given networks' probabilities "
        "(networks trained alike from different seeds err on different pictures). The first is asked alone "
        "where it is sure, so reading costs about what one network costs. MODEL is a .keras file or a run folder; "
        "an averaged file is taken apart, so the answer is the mean over all the networks given.",
    )
    average.add_argument("models", nargs="+", type=Path, metavar="MODEL", help="two or more .keras files or run folders")
    average.add_argument("--out", type=Path, required=True, help="the .keras file to write")
    average.set_defaults(handler=_run_average)


def _run_average(args) -> int:
    from digitrec.classifier import load_keras_model
    from digitrec.errors import UsageError
    from digitrec.files import atomic_write
    from digitrec.model import averaged, networks_of

    if len(args.models) < 2:
        raise UsageError(f"give two or more networks to average, got {len(args.models)}")
    if args.out.suffix != ".keras":
        raise UsageError(f"--out {args.out}: name a .keras file")
    paths = [path / "model.keras" if path.is_dir() else path for path in args.models]
    networks = [network for path in paths for network in networks_of(load_keras_model(path))]  # an average of averages is flat
    atomic_write(args.out, averaged(networks).save)
    print(f"Wrote {args.out}: the mean of {len(networks)} networks ({', '.join(map(str, paths))})")
    return 0


def _add_finetune(commands) -> None:
    finetune = commands.add_parser(
        "finetune",
        help="train the reader's networks on further with labelled real pictures",
        description="Read each labelled picture with the reader, take the 28x28 inputs its network saw with the "
        "label's digits, and train each network of the model a few epochs more on them, mixed into the reader "
        "recipe's training data. A picture read with more or fewer digits than its label is left out. Each "
        "finished network is kept beside --out until the end: run the same command again to go on after a stop.",
    )
    finetune.add_argument("--images", type=Path, required=True, metavar="DIR",
                          help="labelled pictures: DIR holds labels.csv (file,label[,kind]) or folders that each hold one")
    finetune.add_argument("--out", type=Path, required=True, help="the .keras file to write")
    finetune.add_argument("--exclude", nargs="+", default=[], metavar="FOLDER",
                          help="labelled folders not to learn from (to measure on them afterwards)")
    finetune.add_argument("--model", type=Path, help="the network(s) to start from (default: the bundled reader model)")
    finetune.add_argument("--epochs", type=int, default=2, help="epochs of training per network (default: 2)")
    finetune.add_argument("--repeat", type=int, default=4, help="copies of each real digit in an epoch (default: 4)")
    finetune.add_argument("--learning-rate", type=float, help="the peak learning rate (default: 3e-4; with --last-blocks,"
                          " 1e-3)")
    finetune.add_argument("--last-blocks", type=int, default=0, metavar="N",
                          help="train only each network's last N convolutions and the layers after them, on what the"
                          " layers before compute once: several times faster, no augmentation (default: 0, every layer)")
    finetune.add_argument("--networks", type=int, nargs="+", metavar="I",
                          help="train only these networks of an averaged model, numbered from 0; the others stay as they"
                          " are (default: all)")
    finetune.add_argument("--seed", type=int, default=1, help="seed of the recipe's data and of the batches (default: 1)")
    finetune.add_argument("--mnist", help="MNIST .npz or IDX folder (default: $DIGITREC_MNIST, then the Keras cache)")
    finetune.set_defaults(handler=_run_finetune)


def _run_finetune(args) -> int:
    from digitrec.errors import UsageError
    from digitrec.finetune import FinetuneConfig, finetune_on_pictures

    if args.out.suffix != ".keras":
        raise UsageError(f"--out {args.out}: name a .keras file")
    for name in ("epochs", "repeat"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name} must be at least 1, got {getattr(args, name)}")
    if args.learning_rate is not None and not args.learning_rate > 0:
        raise UsageError(f"--learning-rate must be above 0, got {args.learning_rate}")
    if args.last_blocks < 0:
        raise UsageError(f"--last-blocks must be 0 (every layer) or more, got {args.last_blocks}")
    if args.networks is not None and min(args.networks) < 0:
        raise UsageError(f"--networks numbers the networks from 0, got {min(args.networks)}")
    config = FinetuneConfig(epochs=args.epochs, repeat=args.repeat, learning_rate=args.learning_rate, seed=args.seed,
                            last_blocks=args.last_blocks, networks=args.networks)
    try:
        real = finetune_on_pictures(args.images, args.out, config, args.model, tuple(args.exclude), args.mnist)
    except KeyboardInterrupt:
        print(f"\nStopped. Networks finished so far are kept in {args.out}.parts; run the same command again to go on.", file=sys.stderr)
        return EXIT_INTERRUPTED
    if real.skipped:
        print(f"Left out {len(real.skipped)} pictures:", file=sys.stderr)
        for reason in real.skipped:
            print(f"  {reason}", file=sys.stderr)
    print(f"Wrote {args.out}: trained on {len(real.y)} real digits from {real.items_used} pictures")
    return 0


def _add_evaluate(commands) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        help="judge a model on the MNIST test set, or the whole reader on labelled pictures",
        description="Accuracy, per-class precision/recall/F1, confusion matrix and ROC AUC on the MNIST test set; "
        "with --images, exact and digit-level accuracy of the whole reader on labelled pictures, per folder.",
    )
    evaluate.add_argument("--model", type=Path, help="a .keras model (default: the bundled MNIST model; with --images,"
                          " the bundled reader model)")
    evaluate.add_argument(
        "--images", type=Path, metavar="DIR",
        help="judge the reader on labelled pictures instead of MNIST: DIR holds labels.csv (file,label[,kind]) "
        "or folders that each hold one",
    )
    evaluate.add_argument("--min-confidence", type=float, metavar="P", help="with --images: drop digits read with a confidence below P")
    evaluate.add_argument("--mnist", help="MNIST .npz or IDX folder (default: $DIGITREC_MNIST, then the Keras cache)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    evaluate.add_argument("--out", type=Path, help="also write the figures (confusion matrix, ROC, mistakes) here")
    evaluate.set_defaults(handler=_run_evaluate)


def _run_evaluate(args) -> int:
    from digitrec.errors import UsageError

    if args.images is not None:
        return _run_evaluate_images(args)
    if args.min_confidence is not None:
        raise UsageError("--min-confidence applies to the reader: use it with --images DIR")
    from digitrec import plots
    from digitrec.classifier import Classifier
    from digitrec.data import load_mnist
    from digitrec.evaluate import classification_metrics
    from digitrec.files import write_json

    _, (x_test, y_test) = load_mnist(args.mnist)
    classifier = Classifier(args.model)
    probabilities = classifier.predict_proba(x_test.astype("float32") / 255.0)
    metrics = {"model": str(classifier.model_path), **classification_metrics(y_test, probabilities)}
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        write_json(args.out / "metrics.json", metrics)
        plots.confusion_matrix_plot(metrics["confusion_matrix"], args.out / "confusion_matrix.png")
        plots.roc_curves(y_test, probabilities, args.out / "roc_curves.png")
        plots.mistakes_gallery(x_test / 255.0, y_test, probabilities, args.out / "mistakes.png")
    if args.json:
        print(json.dumps(metrics))
    else:
        _print_metrics(metrics)
        if args.out:
            print(f"Figures written to {args.out}")
    return 0


def _run_evaluate_images(args) -> int:
    from digitrec.backend import networks_on_one_thread
    from digitrec.errors import UsageError
    from digitrec.evaluate import evaluate_images
    from digitrec.recognize import Recognizer

    if args.mnist or args.out:
        raise UsageError("--mnist and --out apply to the MNIST evaluation; leave them out with --images")
    networks_on_one_thread()
    recognizer = Recognizer(args.model, min_confidence=args.min_confidence or 0.0)
    scores = evaluate_images(recognizer, args.images)
    if args.json:
        print(json.dumps(scores))
        return 0
    print(f"{'source':<28} {'n':>6} {'accuracy':>9} {'digit accuracy':>15}")
    for name, row in [*scores["sources"].items(), ("overall", scores["overall"])]:
        print(f"{name:<28} {row['n']:>6} {_percent(row['accuracy']):>9} {_percent(row['digit_accuracy']):>15}")
    failures = [failure for row in scores["sources"].values() for failure in row["failures"]]
    if failures:
        print(f"Unreadable pictures ({len(failures)}, counted as wrong):")
        for failure in failures:
            print(f"  {failure['error']}")
    return 0


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.2%}"


def _print_metrics(metrics: dict) -> None:
    print(f"Model: {metrics['model']}")
    print(f"Accuracy: {metrics['accuracy']:.2%} ({metrics['errors']} of {metrics['n']} wrong)")
    print(f"Macro ROC AUC: {metrics['macro_roc_auc']:.5f}")
    print("digit  precision  recall  f1      support")
    for digit, row in metrics["per_class"].items():
        print(f"{digit:>5}  {row['precision']:.4f}     {row['recall']:.4f}  {row['f1']:.4f}  {row['support']}")


def _add_predict(commands) -> None:
    predict = commands.add_parser(
        "predict",
        help="read the digits in images",
        description="Read the digits in each image (a photo, a scan, a crop) in reading order, with each "
        "digit's confidence. PATH is an image file, a folder (searched recursively) or a glob.",
    )
    predict.add_argument("paths", nargs="+", metavar="PATH", help="image files, folders or globs")
    predict.add_argument("--json", action="store_true", help="print one JSON object per image on stdout")
    predict.add_argument("--save-annotated", type=Path, metavar="DIR", help="write each image with boxes and digits drawn to DIR/<name>.png")
    predict.add_argument("--min-confidence", type=_probability, default=0.0, metavar="P", help="drop digits read with less confidence than P, 0-1 (default: 0)")
    predict.add_argument("--single", action="store_true", help="each image is one digit (a crop): do not look for several")
    predict.add_argument("--model", type=Path, help="a .keras model (default: the bundled reader model)")
    predict.set_defaults(handler=_run_predict)


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text}")
    return value


def _run_predict(args) -> int:
    from tqdm import tqdm

    from digitrec.backend import networks_on_one_thread
    from digitrec.imageio import find_images, unreadable_message
    from digitrec.recognize import Recognizer

    files, problems = find_images(args.paths)
    for problem in problems:
        print(f"digitrec: {problem}", file=sys.stderr)
    networks_on_one_thread()
    recognizer = Recognizer(args.model, min_confidence=args.min_confidence)
    show_progress = len(files) > PROGRESS_MIN_FILES and sys.stderr.isatty()
    failures = 0
    annotated_names: set[str] = set()
    for path in tqdm(files, disable=not show_progress, file=sys.stderr, unit="image"):
        try:
            reading = recognizer.read(path, single=args.single, name=str(path))
        except Exception as error:  # a broken picture, or a bug on one picture: the others are still read
            failures += 1
            message = unreadable_message(path, error)
            tqdm.write(f"digitrec: {message}", file=sys.stderr)
            if args.json:
                tqdm.write(json.dumps({"file": str(path), "error": message}))
            continue
        if args.save_annotated:
            reading.plot(args.save_annotated / _unused_name(path.stem, annotated_names))
        tqdm.write(reading.to_json() if args.json else _reading_line(reading))
    if args.save_annotated and annotated_names:
        print(f"Annotated images: {args.save_annotated}/", file=sys.stderr)
    if failures:
        print(f"{failures} of {len(files)} files could not be read", file=sys.stderr)
    return 1 if failures or problems else 0


def _unused_name(stem: str, used: set[str]) -> str:
    """``stem.png``, or ``stem-2.png``... when pictures from two folders share a name."""
    name, number = f"{stem}.png", 1
    while name in used:
        number += 1
        name = f"{stem}-{number}.png"
    used.add(name)
    return name


def _reading_line(reading) -> str:
    """``photo.jpg: 2026  (2 99.8%, 0 99.1%, 2 97.0%, 6 99.9%)``; lines of text are joined with `` / ``."""
    if not reading.digits:
        return f"{reading.file}: no digits found"
    text = " / ".join("".join(str(digit.value) for digit in line) for line in reading.lines)
    confidences = ", ".join(f"{digit.value} {digit.confidence:.1%}" for digit in reading.digits)
    return f"{reading.file}: {text}  ({confidences})"


def _add_serve(commands) -> None:
    serve = commands.add_parser(
        "serve",
        help="start the web page and JSON API",
        description="Serve the drawing/upload page at / and the JSON API at /api/v1/read (FastAPI under uvicorn).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--model", type=Path, help="a .keras model (default: the bundled reader model)")
    serve.add_argument("--max-upload-mb", type=float, default=10.0,
                       help="largest request body accepted, in megabytes (default: 10)")
    serve.set_defaults(handler=_run_serve)


def _run_serve(args) -> int:
    if args.max_upload_mb <= 0:
        print(f"digitrec: error: --max-upload-mb must be above 0, got {args.max_upload_mb}", file=sys.stderr)
        return EXIT_USER_ERROR
    from digitrec import server
    from digitrec.backend import networks_on_one_thread

    networks_on_one_thread()
    return server.serve(host=args.host, port=args.port, model_path=args.model,
                        max_body_bytes=int(args.max_upload_mb * 1024 * 1024))


if __name__ == "__main__":
    sys.exit(main())
