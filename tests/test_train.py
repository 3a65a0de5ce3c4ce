"""Training runs: the files a run leaves, fresh folders, determinism, and exact resume after a stop."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from functools import partial

import numpy as np
import pytest

from digitrec import train
from digitrec.augment import Augmentation
from digitrec.files import fresh_run_dir

RUN_FILES = (
    "model.keras", "config.json", "history.csv", "metrics.json", "report.md",
    "samples.png", "learning_curves.png", "confusion_matrix.png", "roc_curves.png", "mistakes.png",
)


def tiny_config(mnist_path, **changes) -> train.TrainConfig:
    """The default recipe (dropout, augmentation, cosine schedule) on a few hundred images."""
    base = train.recipe("default", epochs=2, batch_size=64, limit=256, printed=0, photographed=0, mnist_path=str(mnist_path))
    return replace(base, **changes)


def final_weights(run_dir) -> list[np.ndarray]:
    from digitrec.classifier import load_keras_model

    return load_keras_model(run_dir / "model.keras").get_weights()


def test_run_folder_holds_model_config_history_metrics_figures_and_report(mnist_path, tmp_path):
    config = tiny_config(mnist_path, epochs=1)
    run_dir = train.start_run(config, tmp_path)
    metrics = train.train_run(run_dir, verbose=False)
    for name in RUN_FILES:
        assert (run_dir / name).is_file(), name
    assert train.load_run_config(run_dir) == config
    assert json.loads((run_dir / "metrics.json").read_text())["accuracy"] == metrics["accuracy"]
    assert metrics["n"] == 10000 and len(metrics["confusion_matrix"]) == 10
    assert (run_dir / "history.csv").read_text().splitlines()[0].startswith("epoch,loss,accuracy,val_loss,val_accuracy")
    assert "![Confusion matrix](confusion_matrix.png)" in (run_dir / "report.md").read_text()
    assert not list((run_dir / train.CHECKPOINT_DIR).glob("*.keras"))


def test_run_folders_are_numbered_and_never_reused(tmp_path):
    first, second = fresh_run_dir(tmp_path, "default"), fresh_run_dir(tmp_path, "default")
    assert (first.name, second.name) == ("default-1", "default-2")
    (first / "model.keras").write_text("kept")
    assert fresh_run_dir(tmp_path, "default").name == "default-3"
    assert (first / "model.keras").read_text() == "kept"


def test_a_stopped_run_resumes_to_exactly_the_uninterrupted_result(mnist_path, tmp_path, monkeypatch):
    config = tiny_config(mnist_path, augmentation=Augmentation())
    straight = train.start_run(config, tmp_path / "straight")
    straight_metrics = train.train_run(straight, verbose=False)

    stopped = train.start_run(config, tmp_path / "stopped")
    real_epoch = train._train_one_epoch
    calls = []

    def stop_in_second_epoch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_epoch(*args, **kwargs)

    monkeypatch.setattr(train, "_train_one_epoch", stop_in_second_epoch)
    with pytest.raises(KeyboardInterrupt):
        train.train_run(stopped, verbose=False)
    assert json.loads((stopped / train.PROGRESS_FILE).read_text())["completed_epochs"] == 1
    monkeypatch.setattr(train, "_train_one_epoch", real_epoch)
    resumed_metrics = train.train_run(stopped, verbose=False)

    assert resumed_metrics["accuracy"] == straight_metrics["accuracy"]
    assert (stopped / "history.csv").read_text() == (straight / "history.csv").read_text()
    for resumed, uninterrupted in zip(final_weights(stopped), final_weights(straight)):
        np.testing.assert_array_equal(resumed, uninterrupted)


def test_another_seed_gives_another_model(mnist_path, tmp_path):
    runs = [train.start_run(tiny_config(mnist_path, epochs=1, seed=seed), tmp_path) for seed in (1, 2)]
    for run in runs:
        train.train_run(run, verbose=False)
    assert not np.array_equal(final_weights(runs[0])[0], final_weights(runs[1])[0])


def test_epoch_batches_depend_only_on_seed_and_epoch():
    x = np.random.default_rng(0).random((50, 28, 28), dtype=np.float32)
    y = np.arange(50) % 10
    config = replace(train.recipe("default"), batch_size=16)
    first = [b[0] for b in train.epoch_batches(x, y, config, epoch=3)]
    again = [b[0] for b in train.epoch_batches(x, y, config, epoch=3)]
    other = [b[0] for b in train.epoch_batches(x, y, config, epoch=4)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], other[0])
    assert [len(b) for b in first] == [16, 16, 16, 2]


def test_unknown_architecture_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="baseline"):
        train.recipe("resnet9000")


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "digitrec.cli", *args], capture_output=True, text=True, timeout=600, cwd=cwd
    )


def test_cli_trains_a_fresh_run_and_refuses_to_resume_a_finished_one(mnist_path, tmp_path):
    args = ["train", "--arch", "fast", "--limit", "300", "--epochs", "1", "--printed", "0", "--elastic", "20",
            "--mnist", str(mnist_path), "--out", str(tmp_path)]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert "Test accuracy" in result.stdout
    assert (tmp_path / "fast-1" / "model.keras").is_file()
    assert json.loads((tmp_path / "fast-1" / "config.json").read_text())["augmentation"]["elastic_alpha_px"] == 20.0
    again = run_cli("train", "--resume", str(tmp_path / "fast-1"))
    assert again.returncode == 0 and "already finished" in again.stderr


def test_cli_rejects_bad_arguments_in_one_line(tmp_path):
    result = run_cli("train", "--epochs", "0")
    assert result.returncode == 2 and "--epochs must be at least 1" in result.stderr
    result = run_cli("train", "--stemmed-nines", "-5")
    assert result.returncode == 2 and "--stemmed-nines cannot be negative" in result.stderr
    result = run_cli("train", "--looped-twos", "-1")
    assert result.returncode == 2 and "--looped-twos cannot be negative" in result.stderr
    result = run_cli("train", "--elastic", "-2")
    assert result.returncode == 2 and "--elastic cannot be negative" in result.stderr
    result = run_cli("train", "--lead-in-longest", "1.5")
    assert result.returncode == 2 and "--lead-in-longest must be above 0.15 and at most 1" in result.stderr
    result = run_cli("train", "--resume", str(tmp_path))
    assert result.returncode == 2 and "not a training run folder" in result.stderr
    damaged = tmp_path / "default-1"
    damaged.mkdir()
    (damaged / "config.json").write_text("{ half a file")
    result = run_cli("train", "--resume", str(damaged))
    assert result.returncode == 2 and "config.json: not a readable training config" in result.stderr
    result = run_cli("train", "--arch", "nope", "--out", str(tmp_path))
    assert result.returncode == 2 and "invalid choice: 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_photographed_digits_join_the_training_set_only(mnist_path):
    """They are added to what the network fits, never to the validation or test images it is judged on."""
    plain = train.prepare_data(tiny_config(mnist_path))
    with_photos = train.prepare_data(tiny_config(mnist_path, photographed=30))
    assert len(with_photos.x_train) == len(plain.x_train) + 30
    assert np.array_equal(with_photos.x_val, plain.x_val) and np.array_equal(with_photos.x_test, plain.x_test)


def test_a_run_folder_from_before_photographed_digits_resumes_without_them():
    old = train.recipe("default").to_dict()
    del old["photographed"]
    assert train.TrainConfig.from_dict(old).photographed == 0


@pytest.mark.parametrize("field, label", [("lead_in_ones", 1), ("stemmed_nines", 9), ("rho_nines", 9), ("looped_twos", 2),
                                          ("hooked_nines", 9)])
def test_made_handwriting_joins_the_training_set_only_with_its_label(mnist_path, field, label):
    """Ones with a lead-in stroke are labelled 1, nines drawn as a loop on a stem or as a rho 9, looped twos 2."""
    plain = train.prepare_data(tiny_config(mnist_path))
    with_made = train.prepare_data(tiny_config(mnist_path, **{field: 20}))
    assert len(with_made.x_train) == len(plain.x_train) + 20
    assert np.count_nonzero(with_made.y_train == label) == np.count_nonzero(plain.y_train == label) + 20
    assert np.array_equal(with_made.x_val, plain.x_val) and np.array_equal(with_made.x_test, plain.x_test)


def test_a_run_folder_from_before_lead_in_ones_resumes_without_them():
    old = train.recipe("default").to_dict()
    del old["lead_in_ones"]
    assert train.TrainConfig.from_dict(old).lead_in_ones == 0


def test_a_run_folder_from_before_stemmed_nines_resumes_with_the_recipe_it_had():
    old = train.recipe("default").to_dict()
    del old["stemmed_nines"], old["lead_in_longest"], old["stretched"]
    config = train.TrainConfig.from_dict(old)
    assert config.stemmed_nines == 0 and config.lead_in_longest == 0.5 and config.stretched == 0


def test_a_run_folder_from_before_rho_nines_looped_twos_and_hooked_nines_resumes_without_them():
    old = train.recipe("default").to_dict()
    del old["rho_nines"], old["looped_twos"], old["hooked_nines"]
    config = train.TrainConfig.from_dict(old)
    assert config.rho_nines == 0 and config.looped_twos == 0 and config.hooked_nines == 0


def test_a_run_folder_from_before_elastic_distortion_resumes_without_it():
    old = train.recipe("default").to_dict()
    del old["augmentation"]["elastic_alpha_px"], old["augmentation"]["elastic_sigma_px"]
    assert train.TrainConfig.from_dict(old).augmentation.elastic_alpha_px == 0.0


def test_digits_in_handwriting_fonts_join_the_training_set_only(mnist_path, fonts, monkeypatch):
    monkeypatch.setattr(train, "render_handwriting_font_digits", partial(train.render_handwriting_font_digits, fonts=fonts))
    plain = train.prepare_data(tiny_config(mnist_path))
    with_fonts = train.prepare_data(tiny_config(mnist_path, handwriting_font_digits=20))
    assert len(with_fonts.x_train) == len(plain.x_train) + 20
    assert np.bincount(with_fonts.y_train[-20:], minlength=10).tolist() == [2] * 10
    assert np.array_equal(with_fonts.x_val, plain.x_val) and np.array_equal(with_fonts.x_test, plain.x_test)


def test_a_run_folder_from_before_handwriting_font_digits_resumes_without_them():
    old = train.recipe("default").to_dict()
    del old["handwriting_font_digits"]
    assert train.TrainConfig.from_dict(old).handwriting_font_digits == 0


def test_stretched_digits_join_the_training_set_only(mnist_path):
    plain = train.prepare_data(tiny_config(mnist_path))
    with_stretched = train.prepare_data(tiny_config(mnist_path, stretched=20))
    assert len(with_stretched.x_train) == len(plain.x_train) + 20
    assert set(with_stretched.y_train[-20:]) <= set(range(10))
    assert np.array_equal(with_stretched.x_val, plain.x_val) and np.array_equal(with_stretched.x_test, plain.x_test)
