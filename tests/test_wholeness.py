"""The wholeness judge: is a crop one whole digit, or what cutting a string wrongly leaves?"""
from __future__ import annotations

import numpy as np
import pytest

from digitrec.wholeness import NEGATIVE_KINDS, bundled_wholeness_path, make_examples, score_by_kind


def _digits(count: int) -> np.ndarray:
    """Stand-in digits: rings and bars of varied size, bright ink on black, 28x28 like MNIST's."""
    import cv2

    rng = np.random.default_rng(0)
    digits = np.zeros((count, 28, 28), np.float32)
    for image in digits:
        if rng.random() < 0.5:
            cv2.ellipse(image, (14, 14), (int(rng.integers(5, 8)), 9), 0, 0, 360, 1.0, 2)
        else:
            cv2.line(image, (int(rng.integers(10, 18)), 5), (14, 23), 1.0, 2)
    return digits


def test_examples_are_the_wholes_and_as_many_negatives_of_every_kind_in_mnist_form():
    examples = make_examples(_digits(40), 400, np.random.default_rng(1))
    assert examples.images.shape == (440, 28, 28) and examples.images.dtype == np.float32
    assert examples.labels.sum() == 40 and (examples.kinds == "whole").sum() == 40
    assert set(examples.kinds[examples.labels == 0]) == set(NEGATIVE_KINDS)
    assert 0.0 <= examples.images.min() and examples.images.max() <= 1.0
    assert (examples.images.reshape(440, -1).max(axis=1) > 0.5).all()  # every example has ink


def test_examples_are_the_same_for_the_same_seed():
    first = make_examples(_digits(10), 50, np.random.default_rng(3))
    second = make_examples(_digits(10), 50, np.random.default_rng(3))
    assert np.array_equal(first.images, second.images) and np.array_equal(first.kinds, second.kinds)


def test_a_pair_is_squeezed_into_the_box_of_one_digit():
    """A pair enters the network as a digit would, 20 px on its longer side: wider than one digit, no taller."""
    examples = make_examples(_digits(20), 200, np.random.default_rng(4))

    def median_extent(kind: str, axis: int) -> float:
        images = examples.images[examples.kinds == kind] > 0.1
        return float(np.median(images.any(axis=axis).sum(axis=1)))

    assert median_extent("pair", 1) > 1.5 * median_extent("whole", 1)  # columns with ink
    assert median_extent("pair", 2) <= median_extent("whole", 2) + 1  # rows with ink


def test_score_by_kind_counts_right_and_wrong_judgements():
    examples = make_examples(_digits(4), 4, np.random.default_rng(5))
    perfect = score_by_kind(examples.labels.astype(np.float32), examples)
    assert all(row["accuracy"] == 1.0 for row in perfect.values())
    inverted = score_by_kind(1.0 - examples.labels.astype(np.float32), examples)
    assert all(row["accuracy"] == 0.0 for row in inverted.values())


def test_the_bundled_judge_tells_whole_digits_from_pairs_and_parts_it_never_saw(mnist_path):
    """Examples made from MNIST's test digits, which its training never used."""
    from digitrec.classifier import Classifier
    from digitrec.data import load_mnist

    judge = Classifier(bundled_wholeness_path(), outputs=1)
    _, (x_test, _) = load_mnist(mnist_path)
    held_out = make_examples(x_test[-1000:].astype(np.float32) / 255.0, 1000, np.random.default_rng(9))
    scores = score_by_kind(judge.predict_proba(held_out.images)[:, 0], held_out)
    assert scores["whole"]["accuracy"] > 0.95
    assert scores["pair"]["accuracy"] > 0.95 and scores["part"]["accuracy"] > 0.95 and scores["mark"]["accuracy"] > 0.95


def test_a_model_with_the_wrong_number_of_outputs_is_refused(bundled_model):
    from digitrec.classifier import Classifier, ModelLoadError

    with pytest.raises(ModelLoadError, match="1 outputs"):
        Classifier(bundled_model, outputs=1)


def test_a_trained_judge_is_saved_whole_with_its_report(tmp_path):
    import argparse
    import json

    from digitrec.classifier import Classifier
    from digitrec.wholeness import save_judge, wholeness_network

    args = argparse.Namespace(out=tmp_path / "judge.keras", report=tmp_path / "report.json", epochs=3, seed=7)
    save_judge(wholeness_network(), args, {"whole": {"n": 1, "mean_p_whole": 0.5, "accuracy": 1.0}})
    assert Classifier(args.out, outputs=1).predict_proba(np.zeros((2, 28, 28), np.float32)).shape == (2, 1)
    assert json.loads(args.report.read_text()) == {"epochs": 3, "seed": 7, "held_out": {"whole": {"n": 1, "mean_p_whole": 0.5, "accuracy": 1.0}}}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["judge.keras", "report.json"]
