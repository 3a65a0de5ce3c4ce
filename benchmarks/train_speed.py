"""How long the fast recipe and the Keras example recipe each take to first reach 99.0% MNIST test accuracy.

Both recipes are trained in one run, one after the other, by the project's own code
(``train.recipe``, ``compile_new_model``, ``train_steps``): the same data split, batches,
schedule and seed that ``digitrec train --arch NAME`` uses. Test accuracy is measured every
``--check-every-images`` training images (the same interval in images for both recipes,
rounded to whole steps) and at the end of every epoch. The reported time is training wall
time only: the clock stops while test accuracy is measured. Each recipe stops at the first
check at or above the target, or after its recipe's epochs (baseline 15, fast 2); "not
reached" then says so.

    python benchmarks/train_speed.py            # both recipes, prints the table
    python benchmarks/train_speed.py --check    # exit 1 unless fast is at least 4x sooner
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from digitrec import train  # noqa: E402
from machine import describe_machine  # noqa: E402
from tables import aligned_rows  # noqa: E402

TARGET_ACCURACY = 0.99
TARGET_SPEEDUP = 4.0
CHECK_EVERY_IMAGES = 6400
EXIT_TARGET_MISSED = 1


@dataclass
class Result:
    """One recipe's race to the target accuracy."""

    recipe: str
    batch_size: int
    reached: bool
    train_s: float  # training wall time up to the deciding check, checks excluded
    steps: int
    images: int
    train_size: int
    test_accuracy: float  # at the deciding (or last) check
    best_accuracy: float
    checks: int
    check_s: float  # time spent measuring test accuracy, not part of train_s

    @property
    def epochs(self) -> float:
        return self.images / self.train_size


def time_to_accuracy(
    config: train.TrainConfig,
    target: float,
    check_every_images: int,
    max_steps: int | None = None,
) -> Result:
    """Train ``config`` until test accuracy first reaches ``target`` (or its epochs run out)."""
    data = train.prepare_data(config)
    model = train.compile_new_model(config, len(data.x_train))
    steps_per_epoch = train.steps_per_epoch(config, len(data.x_train))
    steps_per_check = max(1, round(check_every_images / config.batch_size))
    result = Result(config.arch, config.batch_size, False, 0.0, 0, 0, len(data.x_train), 0.0, 0.0, 0, 0.0)
    for epoch in range(config.epochs):
        started = time.perf_counter()
        for step, (batch_size, _, _) in enumerate(train.train_steps(model, data.x_train, data.y_train, config, epoch), 1):
            result.train_s += time.perf_counter() - started
            result.steps += 1
            result.images += batch_size
            out_of_steps = result.steps == max_steps
            if result.steps % steps_per_check == 0 or step == steps_per_epoch or out_of_steps:
                _check(model, data, result)
                if result.test_accuracy >= target:
                    result.reached = True
                    return result
            if out_of_steps:
                return result
            started = time.perf_counter()
    return result


def _check(model, data: train.Splits, result: Result) -> None:
    """Measure test accuracy into ``result`` and report it on stderr; its time is kept apart."""
    started = time.perf_counter()
    probabilities = model.predict(data.x_test[..., None], batch_size=1000, verbose=0)
    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == data.y_test))
    result.check_s += time.perf_counter() - started
    result.checks += 1
    result.test_accuracy = accuracy
    result.best_accuracy = max(result.best_accuracy, accuracy)
    print(
        f"  {result.recipe:<8} step {result.steps:>5}  epoch {result.epochs:5.2f}  "
        f"test {accuracy:.2%}  train {result.train_s:6.1f} s",
        file=sys.stderr,
        flush=True,
    )


def speedup(fast: Result, baseline: Result) -> tuple[float | None, str]:
    """baseline time / fast time, and how to print it ('>=' when only baseline missed the target)."""
    if not fast.reached:
        return None, "n/a (fast did not reach the target)"
    ratio = baseline.train_s / fast.train_s
    if not baseline.reached:
        return ratio, f">= {ratio:.1f}x (baseline did not reach the target)"
    return ratio, f"{ratio:.1f}x"


def format_table(results: list[Result], target: float, check_every_images: int) -> str:
    header = ("recipe", "batch", "reached", "train time", "steps", "epochs", "test acc", "best acc", "checks", "check time")
    rows = [
        (
            r.recipe,
            str(r.batch_size),
            "yes" if r.reached else "NOT REACHED",
            f"{r.train_s:.1f} s",
            str(r.steps),
            f"{r.epochs:.2f}",
            f"{r.test_accuracy:.2%}",
            f"{r.best_accuracy:.2%}",
            str(r.checks),
            f"{r.check_s:.1f} s",
        )
        for r in results
    ]
    lines = [
        f"Time to first reach {target:.2%} MNIST test accuracy",
        f"(test accuracy checked every ~{check_every_images} training images and at each epoch end; "
        "train time is training wall time only, the checks' time is excluded and shown apart)",
        "",
    ]
    lines += aligned_rows(header, rows)
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Time the fast recipe and the Keras example recipe (baseline) to first reach a MNIST "
        "test accuracy, in one run on this machine, and print both times and their ratio.",
    )
    parser.add_argument("--recipes", nargs="+", default=["fast", "baseline"], choices=sorted(train.RECIPES),
                        help="recipes to race, in order (default: fast baseline)")
    parser.add_argument("--target", type=float, default=TARGET_ACCURACY,
                        help=f"test accuracy to reach, as a fraction (default: {TARGET_ACCURACY})")
    parser.add_argument("--check-every-images", type=int, default=CHECK_EVERY_IMAGES,
                        help=f"measure test accuracy after this many training images (default: {CHECK_EVERY_IMAGES})")
    parser.add_argument("--max-steps", type=int, help="stop each recipe after this many steps (quick trials)")
    parser.add_argument("--limit", type=int, help="train on only the first N training images (quick trials)")
    parser.add_argument("--seed", type=int, help="random seed (default: the recipes')")
    parser.add_argument("--mnist", help="MNIST .npz or IDX folder (default: $DIGITREC_MNIST, then the Keras cache)")
    parser.add_argument("--check", action="store_true",
                        help=f"exit {EXIT_TARGET_MISSED} unless fast reaches the target at least "
                        f"{TARGET_SPEEDUP:g}x sooner than baseline")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for name in ("check_every_images", "max_steps", "limit"):
        value = getattr(args, name)
        if value is not None and value < 1:
            build_parser().error(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    tf.config.experimental.enable_op_determinism()
    machine = describe_machine()
    results = []
    for name in args.recipes:
        config = train.recipe(name, seed=args.seed, limit=args.limit, mnist_path=args.mnist)
        print(f"{name}: batch {config.batch_size}, at most {config.epochs} epochs", file=sys.stderr, flush=True)
        results.append(time_to_accuracy(config, args.target, args.check_every_images, args.max_steps))
    print(format_table(results, args.target, args.check_every_images))
    by_name = {r.recipe: r for r in results}
    met = False
    if "fast" in by_name and "baseline" in by_name:
        ratio, text = speedup(by_name["fast"], by_name["baseline"])
        met = ratio is not None and ratio >= TARGET_SPEEDUP
        print(f"\nspeed-up, baseline time / fast time: {text}; target >= {TARGET_SPEEDUP:g}x: {'met' if met else 'MISSED'}")
    print(f"machine: {machine}")
    if args.check and not met:
        return EXIT_TARGET_MISSED
    return 0


if __name__ == "__main__":
    sys.exit(main())
