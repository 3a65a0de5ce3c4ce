"""Classifier: an averaged network's first member answers alone where it is sure, the average elsewhere."""
from __future__ import annotations

import numpy as np
import pytest

from digitrec.backend import keras
from digitrec.classifier import CASCADE_CONFIDENCE, Classifier
from digitrec.model import averaged

TINY = 1e-9


def _network_of(answer: dict[int, float]):
    """A network that answers these probabilities (digit -> probability, the rest near 0) whatever it is shown."""
    probabilities = np.full(10, TINY, np.float32)
    for digit, probability in answer.items():
        probabilities[digit] = probability
    network = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    kernel, _ = network.layers[-1].get_weights()
    network.layers[-1].set_weights([np.zeros_like(kernel), np.log(probabilities)])
    return network


def _classify(first: dict[int, float], second: dict[int, float]) -> np.ndarray:
    classifier = Classifier(model=averaged([_network_of(first), _network_of(second)]))
    return classifier.predict_proba(np.zeros((3, 28, 28), np.float32))


def test_a_sure_first_member_answers_alone():
    sure = min(1.0, CASCADE_CONFIDENCE + 0.005)
    probabilities = _classify({7: sure, 1: 1 - sure}, {1: 1.0})
    assert probabilities.argmax(axis=1).tolist() == [7, 7, 7]
    assert probabilities[:, 7] == pytest.approx(sure, abs=1e-4)


def test_an_unsure_first_member_is_outvoted_by_the_average():
    probabilities = _classify({7: 0.6, 1: 0.4}, {1: 1.0})
    assert probabilities.argmax(axis=1).tolist() == [1, 1, 1]
    assert probabilities[:, 1] == pytest.approx(0.7, abs=1e-4)


def test_an_averaged_network_survives_saving_and_loading(tmp_path):
    path = tmp_path / "averaged.keras"
    averaged([_network_of({3: 0.5, 5: 0.5}), _network_of({3: 1.0})]).save(path)
    probabilities = Classifier(path).predict_proba(np.zeros((1, 28, 28), np.float32))
    assert probabilities[0, 3] == pytest.approx(0.75, abs=1e-4)
