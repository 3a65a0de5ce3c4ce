"""``digitrec average``: networks combined into one file that answers their mean."""
from __future__ import annotations

import numpy as np
import pytest

from digitrec.classifier import Classifier, load_keras_model
from digitrec.cli import main
from digitrec.model import averaged, members_of


def test_average_writes_a_network_answering_the_mean(tmp_path, capsys, constant_network):
    run_folder = tmp_path / "default-1"
    run_folder.mkdir()
    constant_network({0: 0.5, 4: 0.5}).save(run_folder / "model.keras")
    second = tmp_path / "other.keras"
    constant_network({0: 0.5, 9: 0.5}).save(second)
    out = tmp_path / "mean.keras"
    assert main(["average", str(run_folder), str(second), "--out", str(out)]) == 0
    probabilities = Classifier(out).predict_proba(np.zeros((1, 28, 28), np.float32))[0]
    assert probabilities[[0, 4, 9]] == pytest.approx([0.5, 0.25, 0.25], abs=1e-4)
    assert "the mean of 2 networks" in capsys.readouterr().out


def test_an_averaged_file_is_averaged_network_by_network(tmp_path, capsys, constant_network):
    """An averaged file and another network make one flat average, not an average nested in one: the
    first network still answers alone where it is sure, and each network weighs the same."""
    pair = tmp_path / "pair.keras"
    averaged([constant_network({0: 1.0}), constant_network({4: 1.0})]).save(pair)
    single = tmp_path / "single.keras"
    constant_network({9: 1.0}).save(single)
    out = tmp_path / "mean.keras"
    assert main(["average", str(pair), str(single), "--out", str(out)]) == 0
    network = load_keras_model(out)
    assert len(members_of(network)) == 3
    probabilities = np.asarray(network(np.zeros((1, 28, 28, 1), np.float32)))[0]  # all asked, not the cascade
    assert probabilities[[0, 4, 9]] == pytest.approx([1 / 3] * 3, abs=1e-4)
    assert "the mean of 3 networks" in capsys.readouterr().out


@pytest.mark.parametrize("arguments, message", [
    (["one.keras"], "two or more networks"),
    (["one.keras", "two.keras", "--out", "mean.h5"], "name a .keras file"),
    (["missing.keras", "other.keras"], "no such model file"),
])
def test_average_refuses_what_it_cannot_combine(tmp_path, capsys, constant_network, arguments, message):
    constant_network({1: 1.0}).save(tmp_path / "one.keras")
    constant_network({2: 1.0}).save(tmp_path / "two.keras")
    arguments = [str(tmp_path / a) if a.endswith(".keras") else a for a in arguments]
    if "--out" not in arguments:
        arguments += ["--out", str(tmp_path / "mean.keras")]
    assert main(["average", *arguments]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "mean.keras").exists()
