"""Whether a crop holds exactly one whole digit: the judge that segmentation asks where to cut.

The digit classifier is trained on whole digits only, so it is sure of itself on what is not one:
the left half of a ``0`` reads as a confident ``1``, two touching zeros squeezed into one box as a
confident ``0``, a dash as a ``1`` or ``7``. A judge built on its top probability therefore cuts
digits apart and leaves pairs together. This second, small network is trained for the question
segmentation actually asks: one whole digit (MNIST's and font-rendered digits) against what
cutting a string wrongly gives (part of a digit, a digit with a piece of its neighbour, two
digits run together) and the marks between digits (dashes, dots, ticks). Every example goes
through ``preprocess.to_mnist_form`` exactly as a crop from a picture does.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from digitrec.files import atomic_write, write_json
from digitrec.preprocess import crop_to_ink, to_mnist_form

BUNDLED_WHOLENESS_NAME = "digitrec-wholeness.keras"
PART_MIN_WIDTH_PX = 10  # a digit narrower than this (a 1) has no part that is not itself a 1
PART_FRACTION = (0.25, 0.65)  # of the digit's columns kept when it is cut apart
PIECE_FRACTION = (0.2, 0.5)  # of a neighbour's columns left attached to a whole digit
TRIM_FRACTION = 0.12  # at most this much of a digit's columns cut off, or of a neighbour's left on, by a cut
SLIVER_GAP_PX = -1  # the sliver touches the digit it was cut with
TRIMMED_SHARE = 0.3  # of the positives: as a cut through two touching digits leaves each (still one digit)
PAIR_GAP_PX = (-5, 3)  # negative: the two digits overlap
PAIR_SCALE = (0.75, 1.25)  # the second digit's height relative to the first's
PAIR_OFFSET_FRACTION = 0.2  # of the height, up or down
MARK_CANVAS_PX = 40
UPRIGHT_EXCLUSION_DEG = 25  # a stroke this near the vertical is a 1, not a mark
NEGATIVE_KINDS = ("part", "with_piece", "pair", "mark")
NEGATIVE_SHARES = (0.3, 0.2, 0.35, 0.15)
TRAIN_BATCH_SIZE = 128
TRAIN_LEARNING_RATE = 2e-3


@dataclass(frozen=True)
class WholenessExamples:
    images: np.ndarray  # N x 28 x 28 float32, MNIST form
    labels: np.ndarray  # N uint8: 1 = one whole digit, 0 = not
    kinds: np.ndarray  # N str: "whole" or one of NEGATIVE_KINDS


def bundled_wholeness_path() -> Path:
    return Path(str(resources.files("digitrec") / "models" / BUNDLED_WHOLENESS_NAME))


def make_examples(digits: np.ndarray, negatives: int, rng: np.random.Generator) -> WholenessExamples:
    """The given whole digits (N x 28 x 28, bright ink) as positives, some trimmed as a cut between
    touching digits leaves them, and ``negatives`` made from them."""
    wholes = np.stack([
        to_mnist_form(_trimmed(digit, digits, rng) if rng.random() < TRIMMED_SHARE else digit) for digit in digits
    ])
    counts = rng.multinomial(negatives, NEGATIVE_SHARES)
    makers = {"part": _part, "with_piece": _with_piece, "pair": _pair, "mark": _mark}
    made, kinds = [], []
    for kind, count in zip(NEGATIVE_KINDS, counts):
        for _ in range(count):
            made.append(to_mnist_form(makers[kind](digits, rng)))
            kinds.append(kind)
    images = np.concatenate([wholes, np.stack(made)]) if made else wholes
    labels = np.concatenate([np.ones(len(wholes), np.uint8), np.zeros(len(made), np.uint8)])
    return WholenessExamples(images.astype(np.float32), labels, np.array(["whole"] * len(wholes) + kinds))


def _ink_of(digits: np.ndarray, rng: np.random.Generator, min_width: int = 1) -> np.ndarray:
    """A random digit cut to its ink, at least ``min_width`` wide (tries a few, then takes what it has)."""
    for _ in range(20):
        ink = crop_to_ink(_as_float(digits[rng.integers(len(digits))]))
        if ink.shape[1] >= min_width and ink.size:
            return ink
    return ink


def _as_float(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float32) / 255.0 if image.dtype == np.uint8 else image.astype(np.float32)


def _trimmed(digit: np.ndarray, digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A whole digit less a few columns on one side and with a sliver of a neighbour on the other:
    cutting two touching digits apart leaves each like this, and each is still one digit."""
    ink = crop_to_ink(_as_float(digit))
    if ink.size == 0:
        return _as_float(digit)
    cut = int(ink.shape[1] * rng.uniform(0, TRIM_FRACTION))
    neighbour = _ink_of(digits, rng, PART_MIN_WIDTH_PX)
    sliver = max(1, int(neighbour.shape[1] * rng.uniform(0, TRIM_FRACTION)))
    if rng.random() < 0.5:  # cut on the left, the neighbour's sliver on the right, or the other way round
        return _side_by_side(ink[:, cut:], neighbour[:, :sliver], rng, gap=SLIVER_GAP_PX)
    return _side_by_side(neighbour[:, -sliver:], ink[:, : ink.shape[1] - cut], rng, gap=SLIVER_GAP_PX)


def _part(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The left or right part of a digit, as a cut through its middle leaves it."""
    ink = _ink_of(digits, rng, PART_MIN_WIDTH_PX)
    keep = max(2, int(round(ink.shape[1] * rng.uniform(*PART_FRACTION))))
    return ink[:, :keep] if rng.random() < 0.5 else ink[:, -keep:]


def _with_piece(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A whole digit with the nearer columns of a neighbour still attached."""
    digit, neighbour = _ink_of(digits, rng), _ink_of(digits, rng, PART_MIN_WIDTH_PX)
    keep = max(2, int(round(neighbour.shape[1] * rng.uniform(*PIECE_FRACTION))))
    on_right = rng.random() < 0.5
    piece = neighbour[:, :keep] if on_right else neighbour[:, -keep:]
    return _side_by_side(digit, piece, rng) if on_right else _side_by_side(piece, digit, rng)


def _pair(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Two digits run together or overlapping, as one box."""
    return _side_by_side(_ink_of(digits, rng), _ink_of(digits, rng), rng)


def _side_by_side(left: np.ndarray, right: np.ndarray, rng: np.random.Generator, gap: int | None = None) -> np.ndarray:
    """``right`` placed after ``left`` at a small gap or overlap (random unless given), its height and level varied a little."""
    scale = rng.uniform(*PAIR_SCALE) * left.shape[0] / max(1, right.shape[0])
    right = cv2.resize(right, (max(1, round(right.shape[1] * scale)), max(1, round(right.shape[0] * scale))))
    if gap is None:
        gap = int(rng.integers(PAIR_GAP_PX[0], PAIR_GAP_PX[1] + 1))
    offset = int(round(rng.uniform(-PAIR_OFFSET_FRACTION, PAIR_OFFSET_FRACTION) * left.shape[0]))
    top = max(0, -offset)
    height = max(top + left.shape[0], top + offset + right.shape[0])
    x_right = max(0, left.shape[1] + gap)
    canvas = np.zeros((height, max(left.shape[1], x_right + right.shape[1])), np.float32)
    canvas[top: top + left.shape[0], : left.shape[1]] = left
    region = canvas[top + offset: top + offset + right.shape[0], x_right: x_right + right.shape[1]]
    np.maximum(region, right, out=region)
    return canvas


def _mark(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A dash, the bars of ``=``, a slash or tick that is not upright enough to be a 1, or a dot."""
    canvas = np.zeros((MARK_CANVAS_PX, MARK_CANVAS_PX), np.float32)
    centre = MARK_CANVAS_PX / 2
    thickness = int(rng.integers(2, 6))
    shape = rng.choice(["stroke", "bars", "dot"], p=[0.6, 0.2, 0.2])
    if shape == "dot":
        cv2.circle(canvas, (int(centre), int(centre)), int(rng.integers(2, 6)), 1.0, -1)
        return canvas
    angle = np.radians(rng.uniform(-90 + UPRIGHT_EXCLUSION_DEG, 90 - UPRIGHT_EXCLUSION_DEG))
    half = rng.uniform(6, 18)
    dx, dy = half * np.cos(angle), half * np.sin(angle)
    spacings = (-rng.uniform(3, 7), rng.uniform(3, 7)) if shape == "bars" else (0.0,)
    for spacing in spacings:
        start = (int(centre - dx), int(centre - dy + spacing))
        end = (int(centre + dx), int(centre + dy + spacing))
        cv2.line(canvas, start, end, 1.0, thickness)
    return canvas


def wholeness_network() -> "keras.Model":
    """The ``fast`` digit network's features ending in one sigmoid: P(one whole digit)."""
    from digitrec.backend import keras
    from digitrec.model import INPUT_SHAPE, fast_features

    return keras.Sequential(
        [keras.Input(INPUT_SHAPE), *fast_features(), keras.layers.Dense(1, activation="sigmoid")], name="wholeness"
    )


def train_wholeness(examples: WholenessExamples, epochs: int, seed: int, verbose: int = 2) -> "keras.Model":
    """A fresh ``wholeness_network`` fitted to ``examples`` (Adam, cosine-decayed learning rate)."""
    from digitrec.backend import keras

    keras.utils.set_random_seed(seed)
    model = wholeness_network()
    steps = epochs * -(-len(examples.labels) // TRAIN_BATCH_SIZE)
    schedule = keras.optimizers.schedules.CosineDecay(TRAIN_LEARNING_RATE, steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="binary_crossentropy", metrics=["accuracy"])
    order = np.random.default_rng(seed).permutation(len(examples.labels))
    model.fit(examples.images[order][..., None], examples.labels[order], batch_size=TRAIN_BATCH_SIZE,
              epochs=epochs, shuffle=True, verbose=verbose)
    return model


def judge_arguments(description: str, out: Path, epochs: int, report: Path) -> argparse.Namespace:
    """The command line of a judge's training tool (``tools/train_wholeness.py``, ``tools/train_digitness.py``):
    ``--out``, ``--epochs``, ``--seed`` and ``--report``, with these defaults."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=out, help=f"the .keras file to write (default: {out})")
    parser.add_argument("--epochs", type=int, default=epochs, help=f"passes over the examples (default: {epochs})")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--report", type=Path, default=report, help=f"where the held-out figures go (default: {report})")
    return parser.parse_args()


def save_judge(model: "keras.Model", args: argparse.Namespace, scores: dict[str, dict[str, float]]) -> None:
    """Write a trained judge to ``args.out`` (whole or not at all) and its held-out ``scores`` to ``args.report``."""
    atomic_write(args.out, model.save)
    write_json(args.report, {"epochs": args.epochs, "seed": args.seed, "held_out": scores})


def score_by_kind(probabilities: np.ndarray, examples: WholenessExamples) -> dict[str, dict[str, float]]:
    """Per kind of example: how many, the mean P(whole) and the share judged right at 0.5."""
    judged_whole = probabilities > 0.5
    return {
        str(kind): {
            "n": int(chosen.sum()),
            "mean_p_whole": float(probabilities[chosen].mean()),
            "accuracy": float((judged_whole[chosen] == (examples.labels[chosen] == 1)).mean()),
        }
        for kind in np.unique(examples.kinds)
        for chosen in [examples.kinds == kind]
    }
