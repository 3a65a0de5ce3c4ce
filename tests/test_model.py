"""Architectures: each named one builds, takes 28x28x1 and gives ten probabilities."""
from __future__ import annotations

import numpy as np
import pytest

from digitrec.model import ARCHITECTURES, averaged, build_model, members_of


@pytest.mark.parametrize("arch", sorted(ARCHITECTURES))
def test_each_architecture_maps_a_digit_to_ten_probabilities(arch):
    model = build_model(arch)
    probabilities = np.asarray(model(np.zeros((3, 28, 28, 1), np.float32), training=False))
    assert probabilities.shape == (3, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_baseline_is_the_keras_example_network():
    layer_types = [type(layer).__name__ for layer in build_model("baseline").layers]
    assert layer_types == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense"]
    assert build_model("baseline").count_params() == 34826


def test_default_uses_batch_norm_and_dropout():
    layer_types = {type(layer).__name__ for layer in build_model("default").layers}
    assert {"BatchNormalization", "Dropout", "Conv2D"} <= layer_types


def test_unknown_architecture_names_the_choices():
    with pytest.raises(ValueError, match="choose one of: baseline, default, fast"):
        build_model("vgg")


def test_an_averaged_network_answers_its_members_mean(constant_network):
    network = averaged([constant_network({0: 0.7, 1: 0.3}), constant_network({0: 0.1, 1: 0.9})])
    answer = np.asarray(network(np.zeros((2, 28, 28, 1), np.float32), training=False))
    np.testing.assert_allclose(answer[:, :2], [[0.4, 0.6], [0.4, 0.6]], atol=1e-5)
    assert [member.name for member in members_of(network)] == ["member_0", "member_1"]


def test_a_plain_network_has_no_members():
    assert members_of(build_model("fast")) == []


def test_an_average_of_one_network_is_refused():
    with pytest.raises(ValueError, match="at least two"):
        averaged([build_model("fast")])
