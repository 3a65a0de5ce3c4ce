"""The bundled models: ship in the package, load safely with no data or network; the MNIST model scores 99.70%+,
the reader model (trained on photographed digits too) stays within a few tenths of it."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from digitrec.classifier import Classifier, ModelLoadError, bundled_model_path, bundled_reader_path, load_keras_model
from digitrec.data import load_mnist

REQUIRED_MNIST_ACCURACY = 0.9970
READER_MIN_MNIST_ACCURACY = 0.9950  # photographed digits in its training cost it a little on MNIST, never much
MAX_BYTES_PER_NETWORK = 2 * 1024 * 1024  # the reader model averages several networks, each this small
MAX_BUNDLED_BYTES = 10 * 1024 * 1024  # every bundled model together: what installing the package downloads


@pytest.mark.parametrize("path", [bundled_model_path(), bundled_reader_path()], ids=["mnist", "reader"])
def test_bundled_models_are_in_the_package_and_small(path):
    from digitrec.model import members_of

    assert path.is_file(), f"missing bundled model {path}"
    networks = max(1, len(members_of(load_keras_model(path))))
    assert path.stat().st_size < MAX_BYTES_PER_NETWORK * networks


def test_the_bundled_models_together_stay_small():
    folder = bundled_model_path().parent
    assert sum(path.stat().st_size for path in folder.glob("*.keras")) < MAX_BUNDLED_BYTES


def test_the_reader_model_reads_mnist_nearly_as_well(mnist_path):
    _, (x_test, y_test) = load_mnist(mnist_path)
    accuracy = float((Classifier(bundled_reader_path()).predict_proba(x_test / 255.0).argmax(axis=1) == y_test).mean())
    assert accuracy >= READER_MIN_MNIST_ACCURACY, f"reader model: {accuracy:.4%} on MNIST test"


def test_the_reader_uses_the_reader_model_unless_given_another(bundled_model):
    from digitrec.recognize import Recognizer

    assert Recognizer().classifier.model_path == bundled_reader_path()
    assert Recognizer(bundled_model).classifier.model_path == bundled_model


def test_bundled_model_scores_at_least_99_70_on_the_full_mnist_test_set(mnist_path):
    _, (x_test, y_test) = load_mnist(mnist_path)
    probabilities = Classifier().predict_proba(x_test / 255.0)
    accuracy = float((probabilities.argmax(axis=1) == y_test).mean())
    assert len(y_test) == 10000
    assert accuracy >= REQUIRED_MNIST_ACCURACY, f"bundled model: {accuracy:.4%} on MNIST test"


def test_evaluate_json_reports_accuracy_per_class_and_confusion_matrix(mnist_path):
    result = subprocess.run(
        [sys.executable, "-m", "digitrec.cli", "evaluate", "--json", "--mnist", str(mnist_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["accuracy"] >= REQUIRED_MNIST_ACCURACY
    assert set(report["per_class"]) == {str(d) for d in range(10)}
    assert sum(map(sum, report["confusion_matrix"])) == 10000
    assert report["macro_roc_auc"] > 0.999


def test_evaluate_out_writes_the_figures(mnist_path, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "digitrec.cli", "evaluate", "--mnist", str(mnist_path), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Accuracy:" in result.stdout
    for name in ("confusion_matrix.png", "roc_curves.png", "mistakes.png", "metrics.json"):
        assert (tmp_path / name).stat().st_size > 0


def test_a_file_that_is_not_a_model_is_refused_by_name(tmp_path):
    fake = tmp_path / "model.keras"
    fake.write_bytes(b"not a zip archive")
    with pytest.raises(ModelLoadError, match="model.keras"):
        load_keras_model(fake)
