"""``digitrec average``: networks combined into one file that answers their mean."""
from __future__ import annotations

import numpy as np
import pytest

from digitrec.backend import keras
from digitrec.classifier import Classifier
from digitrec.cli import main


def _save_network(path, digit: int):
    """A network that answers ``digit`` half the time and ``0`` the other half, whatever it is shown."""
    probabilities = np.full(10, 1e-9, np.float32)
    probabilities[[0, digit]] = 0.5
    network = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    kernel, _ = network.layers[-1].get_weights()
    network.layers[-1].set_weights([np.zeros_like(kernel), np.log(probabilities)])
    network.save(path)
    return path


def test_average_writes_a_network_answering_the_mean(tmp_path, capsys):
    run_folder = tmp_path / "default-1"
    run_folder.mkdir()
    _save_network(run_folder / "model.keras", 4)
    second = _save_network(tmp_path / "other.keras", 9)
    out = tmp_path / "mean.keras"
    assert main(["average", str(run_folder), str(second), "--out", str(out)]) == 0
    probabilities = Classifier(out).predict_proba(np.zeros((1, 28, 28), np.float32))[0]
    assert probabilities[[0, 4, 9]] == pytest.approx([0.5, 0.25, 0.25], abs=1e-4)
    assert "the mean of 2 networks" in capsys.readouterr().out


@pytest.mark.parametrize("arguments, message", [
    (["one.keras"], "two or more networks"),
    (["one.keras", "two.keras", "--out", "mean.h5"], "name a .keras file"),
    (["missing.keras", "other.keras"], "no such model file"),
])
def test_average_refuses_what_it_cannot_combine(tmp_path, capsys, arguments, message):
    _save_network(tmp_path / "one.keras", 1)
    _save_network(tmp_path / "two.keras", 2)
    arguments = [str(tmp_path / a) if a.endswith(".keras") else a for a in arguments]
    if "--out" not in arguments:
        arguments += ["--out", str(tmp_path / "mean.keras")]
    assert main(["average", *arguments]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "mean.keras").exists()
