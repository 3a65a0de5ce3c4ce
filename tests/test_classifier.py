"""Classifier: an averaged network's first member answers alone where it is sure, the average elsewhere."""
from __future__ import annotations

import numpy as np
import pytest

from digitrec.classifier import CASCADE_CONFIDENCE, Classifier
from digitrec.model import averaged


@pytest.fixture
def classify(constant_network):
    """The probabilities an averaged network of two constant networks gives three blank images."""

    def run(first: dict[int, float], second: dict[int, float]) -> np.ndarray:
        classifier = Classifier(model=averaged([constant_network(first), constant_network(second)]))
        return classifier.predict_proba(np.zeros((3, 28, 28), np.float32))

    return run


def test_a_sure_first_member_answers_alone(classify):
    sure = (CASCADE_CONFIDENCE + 1.0) / 2
    probabilities = classify({7: sure, 1: 1 - sure}, {1: 1.0})
    assert probabilities.argmax(axis=1).tolist() == [7, 7, 7]
    assert probabilities[:, 7] == pytest.approx(sure, abs=1e-4)


def test_an_unsure_first_member_is_outvoted_by_the_average(classify):
    probabilities = classify({7: 0.6, 1: 0.4}, {1: 1.0})
    assert probabilities.argmax(axis=1).tolist() == [1, 1, 1]
    assert probabilities[:, 1] == pytest.approx(0.7, abs=1e-4)


def test_a_first_member_99_5_percent_sure_is_still_checked_by_the_average(classify):
    """With six networks, a first member 99% sure was outvoted by the others on 4 development pictures."""
    probabilities = classify({7: 0.995, 1: 0.005}, {1: 1.0})
    assert probabilities.argmax(axis=1).tolist() == [1, 1, 1]


def test_an_averaged_network_survives_saving_and_loading(tmp_path, constant_network):
    path = tmp_path / "averaged.keras"
    averaged([constant_network({3: 0.5, 5: 0.5}), constant_network({3: 1.0})]).save(path)
    probabilities = Classifier(path).predict_proba(np.zeros((1, 28, 28), np.float32))
    assert probabilities[0, 3] == pytest.approx(0.75, abs=1e-4)


def test_a_saved_network_is_built_once_when_loaded_and_answers_the_same(tmp_path, monkeypatch):
    """Keras rebuilds a Sequential network after each layer it loads (its depth squared in time);
    ``load_keras_model`` has it built once, with the same weights, and leaves Keras as it was."""
    from digitrec.backend import keras
    from digitrec.classifier import load_keras_model
    from digitrec.model import build_model

    network = build_model("default")
    path = tmp_path / "network.keras"
    network.save(path)
    builds = []
    build = keras.Sequential.build
    add = keras.Sequential.add

    def counted_build(self, *args, **kwargs):
        builds.append(self.name)
        return build(self, *args, **kwargs)

    monkeypatch.setattr(keras.Sequential, "build", counted_build)
    loaded = load_keras_model(path)
    assert builds.count(network.name) == 1
    assert keras.Sequential.add is add
    images = np.random.default_rng(0).random((8, 28, 28, 1), np.float32)
    np.testing.assert_array_equal(np.asarray(loaded(images)), np.asarray(network(images)))
