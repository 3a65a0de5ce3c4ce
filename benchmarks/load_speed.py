"""How long loading a model file takes: digitrec's ``load_keras_model`` against plain Keras.

Keras 3 rebuilds a ``Sequential`` network after each layer it deserialises, so a file of several
deep networks (the reader model averages six) loads in time that grows with each network's depth
squared. ``load_keras_model`` has each network built once (``classifier``). Both ways load the same
file in the same process, alternately, after one warm-up load each; the figure is the median
time of a load. The two loaded models must answer alike, or the run fails.

    python benchmarks/load_speed.py                 # the bundled reader model
    python benchmarks/load_speed.py --model runs/train/default-1/model.keras --repeats 9 --check
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from digitrec.backend import keras  # noqa: E402
from digitrec.classifier import bundled_reader_path, load_keras_model  # noqa: E402
from machine import describe_machine  # noqa: E402

REPEATS = 5
EXIT_SLOWER = 1


def plain_keras(path: Path) -> keras.Model:
    return keras.models.load_model(path, compile=False, safe_mode=True)


def timed_loads(path: Path, repeats: int) -> tuple[dict[str, list[float]], dict[str, keras.Model]]:
    """Seconds per load for each way, alternating, and the last model each way loaded."""
    ways = {"keras.models.load_model": plain_keras, "digitrec load_keras_model": load_keras_model}
    seconds = {name: [] for name in ways}
    models = {name: load(path) for name, load in ways.items()}  # warm-up: imports, first traces
    for _ in range(repeats):
        for name, load in ways.items():
            started = time.perf_counter()
            models[name] = load(path)
            seconds[name].append(time.perf_counter() - started)
    return seconds, models


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=bundled_reader_path(),
                        help=f"a .keras file (default: the bundled reader, {bundled_reader_path().name})")
    parser.add_argument("--repeats", type=int, default=REPEATS, help=f"timed loads each way (default: {REPEATS})")
    parser.add_argument("--check", action="store_true", help="exit 1 if digitrec's load is not faster than Keras'")
    args = parser.parse_args()
    if args.repeats < 1:
        print(f"--repeats must be at least 1, got {args.repeats}", file=sys.stderr)
        return 2
    if not args.model.is_file():
        print(f"{args.model}: no such model file; give --model PATH", file=sys.stderr)
        return 2
    seconds, models = timed_loads(args.model, args.repeats)
    images = np.random.default_rng(0).random((16, 28, 28, 1), np.float32)
    answers = [np.asarray(model(images)) for model in models.values()]
    if not np.array_equal(*answers):
        print("the two loaded models answer differently", file=sys.stderr)
        return 2
    print(f"model: {args.model}; {args.repeats} timed loads each way, alternated, after one warm-up each")
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    for name, values in seconds.items():
        print(f"{name:<28} median {medians[name]:6.2f} s   ({', '.join(f'{v:.2f}' for v in values)})")
    keras_s, digitrec_s = medians.values()
    print(f"digitrec loads in {digitrec_s / keras_s:.0%} of Keras' time; the two answer alike")
    print(f"machine: {describe_machine()}")
    return EXIT_SLOWER if args.check and digitrec_s >= keras_s else 0


if __name__ == "__main__":
    sys.exit(main())
