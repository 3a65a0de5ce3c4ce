"""The ``digitrec`` command: argument parsing only; the work happens in the modules it calls."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from digitrec import __version__

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


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
    train.add_argument("--arch", default="default", help="architecture: default, baseline or fast (default: default)")
    train.add_argument("--epochs", type=int, help="number of epochs (default: the recipe's)")
    train.add_argument("--batch-size", type=int, help="images per step (default: the recipe's)")
    train.add_argument("--seed", type=int, help="random seed; same seed, same machine, same result (default: 1)")
    train.add_argument("--limit", type=int, help="train on only the first N training images (quick trials)")
    train.add_argument("--printed", type=int, help="how many font-rendered printed digits to add (default: the recipe's)")
    train.add_argument("--mnist", help="MNIST .npz or IDX folder (default: $DIGITREC_MNIST, then the Keras cache)")
    train.add_argument("--out", type=Path, default=Path("runs/train"), help="parent folder of run folders (default: runs/train)")
    train.add_argument("--resume", type=Path, metavar="DIR", help="continue the interrupted run in DIR")
    train.set_defaults(handler=_run_train)


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
        config = train.recipe(
            args.arch, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
            limit=args.limit, printed=args.printed, mnist_path=args.mnist,
        )
        run_dir = train.start_run(config, args.out)
    print(f"Training run: {run_dir}", file=sys.stderr)
    try:
        metrics = train.train_run(run_dir)
    except KeyboardInterrupt:
        print(f"\nStopped. Finished epochs are saved; continue with: digitrec train --resume {run_dir}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"Test accuracy {metrics['accuracy']:.2%} ({metrics['errors']} errors). Report: {run_dir / 'report.md'}")
    return 0


def _add_evaluate(commands) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        help="judge a model on the MNIST test set",
        description="Accuracy, per-class precision/recall/F1, confusion matrix and ROC AUC on the MNIST test set.",
    )
    evaluate.add_argument("--model", type=Path, help="a .keras model (default: the bundled model)")
    evaluate.add_argument("--mnist", help="MNIST .npz or IDX folder (default: $DIGITREC_MNIST, then the Keras cache)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    evaluate.add_argument("--out", type=Path, help="also write the figures (confusion matrix, ROC, mistakes) here")
    evaluate.set_defaults(handler=_run_evaluate)


def _run_evaluate(args) -> int:
    from digitrec import plots
    from digitrec.classifier import Classifier
    from digitrec.data import load_mnist
    from digitrec.evaluate import classification_metrics
    from digitrec.files import write_json

    classifier = Classifier(args.model)
    _, (x_test, y_test) = load_mnist(args.mnist)
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
        help="read the digit in each image",
        description="Classify single-digit pictures with the bundled model.",
    )
    predict.add_argument("paths", nargs="+", metavar="IMAGE", help="image files")
    predict.add_argument("--model", type=Path, help="a .keras model (default: the bundled model)")
    predict.set_defaults(handler=_run_predict)


def _run_predict(args) -> int:
    import cv2
    import numpy as np

    from digitrec.classifier import Classifier
    from digitrec.preprocess import to_mnist_form

    classifier = Classifier(args.model)
    failures = 0
    for path in args.paths:
        grey = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
        if grey is None:
            print(f"{path}: error: cannot read this file as an image", file=sys.stderr)
            failures += 1
            continue
        ink = 255 - grey if grey.mean() > 127 else grey
        probabilities = classifier.predict_proba(to_mnist_form(ink)[None])[0]
        digit = int(np.argmax(probabilities))
        print(f"{path}: {digit} ({probabilities[digit]:.1%})")
    return 1 if failures else 0


def _add_serve(commands) -> None:
    serve = commands.add_parser(
        "serve",
        help="start the web page and JSON API",
        description="Serve the drawing/upload page at / and the JSON API at /api/v1/read (FastAPI under uvicorn).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--model", type=Path, help="a .keras model (default: the bundled model)")
    serve.set_defaults(handler=_run_serve)


def _run_serve(args) -> int:
    from digitrec import server

    return server.serve(host=args.host, port=args.port, model_path=args.model)


if __name__ == "__main__":
    sys.exit(main())
