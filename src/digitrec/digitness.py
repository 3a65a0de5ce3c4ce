"""Whether a crop shows a digit at all: the judge that turns down the confidence of a sign read as one.

The digit network has only ever been shown digits, so it reads what is not one as a digit, and is
sure of it: a ``$`` beside a price as a ``5`` at 1.00, a ``#`` as a ``4``, a bracket as a ``1``.
This small network (the wholeness judge's shape and training, ``wholeness.train_wholeness``) answers
one question: a digit (MNIST's, ones with a lead-in stroke, font-rendered, photographed and read
back) or a sign printed beside numbers (letters, currency signs, brackets,
``printed.render_printed_signs``)? The reader multiplies each digit's confidence by its answer, so a
sign comes out with a low confidence and ``--min-confidence`` drops it.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np

from digitrec.wholeness import WholenessExamples

BUNDLED_DIGITNESS_NAME = "digitrec-digitness.keras"


def bundled_digitness_path() -> Path:
    return Path(str(resources.files("digitrec") / "models" / BUNDLED_DIGITNESS_NAME))


def make_examples(digits: np.ndarray, signs: np.ndarray) -> WholenessExamples:
    """Digits (N x 28 x 28, MNIST form) as positives and signs (the same form) as negatives."""
    images = np.concatenate([digits, signs]).astype(np.float32)
    labels = np.concatenate([np.ones(len(digits), np.uint8), np.zeros(len(signs), np.uint8)])
    return WholenessExamples(images, labels, np.array(["digit"] * len(digits) + ["sign"] * len(signs)))
