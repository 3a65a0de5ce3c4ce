"""The benchmark scripts run end to end with tiny settings and print their tables (no timing asserted)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO_ROOT / "benchmarks"


def run_script(name: str, *args: str, mnist: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    if mnist is not None:
        env["DIGITREC_MNIST"] = str(mnist)
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *args],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.parametrize("name", ["train_speed.py", "inference.py", "finetune_heldout.py", "load_speed.py"])
def test_help(name):
    result = run_script(name, "--help")
    assert result.returncode == 0
    assert "--check" in result.stdout


def test_train_speed_prints_both_recipes_and_fails_check_when_target_missed(mnist_path):
    result = run_script(
        "train_speed.py", "--max-steps", "3", "--limit", "500", "--check-every-images", "256", "--check",
        mnist=mnist_path,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("fast") and "NOT REACHED" in line for line in lines)
    assert any(line.startswith("baseline") and "NOT REACHED" in line for line in lines)
    assert "speed-up, baseline time / fast time: n/a" in result.stdout
    assert "machine:" in result.stdout


def test_train_speed_rejects_a_bad_setting():
    result = run_script("train_speed.py", "--max-steps", "0")
    assert result.returncode == 2
    assert "--max-steps must be at least 1" in result.stderr


def test_inference_prints_both_ways_of_calling(mnist_path, tmp_path):
    from digitrec.model import build_model

    model_path = tmp_path / "untrained.keras"
    build_model("fast").save(model_path)
    result = run_script(
        "inference.py", "--model", str(model_path), "--limit", "64", "--batch-repeats", "1", "--repeats", "3",
        mnist=mnist_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Classifier.predict_proba" in result.stdout
    assert "model.predict(batch_size=1024)" in result.stdout
    assert "batch of 64" in result.stdout
    assert "machine:" in result.stdout


def test_load_speed_times_both_ways_on_the_same_file(tmp_path):
    from digitrec.model import build_model

    model_path = tmp_path / "untrained.keras"
    build_model("default").save(model_path)
    result = run_script("load_speed.py", "--model", str(model_path), "--repeats", "1")
    assert result.returncode == 0, result.stderr
    assert "keras.models.load_model" in result.stdout and "digitrec load_keras_model" in result.stdout
    assert "the two answer alike" in result.stdout and "machine:" in result.stdout


def test_inference_names_a_missing_model(tmp_path):
    result = run_script("inference.py", "--model", str(tmp_path / "missing.keras"))
    assert result.returncode == 2
    assert "missing.keras" in result.stderr and "--model PATH" in result.stderr


def test_read_speed_prints_a_row_per_photo():
    result = run_script("read_speed.py", "--repeats", "1")
    assert result.returncode == 0, result.stderr
    assert "photo" in result.stdout and "median ms" in result.stdout
    assert "phone-2026.jpg" in result.stdout and "phone-2026-12mp.jpg" in result.stdout
    assert "machine:" in result.stdout


def test_load_server_prints_both_workloads():
    result = run_script("load_server.py", "--seconds", "1", "--clients", "2")
    assert result.returncode == 0, result.stderr
    assert "workload" in result.stdout and "req/s" in result.stdout
    assert "28x28 drawings" in result.stdout and "mixed (1 photo in" in result.stdout


def test_realworld_prints_the_markdown_table(realworld_dev):
    result = run_script("realworld.py", "--images", str(realworld_dev), "--limit", "2")
    assert result.returncode == 0, result.stderr
    assert "| source | kind | n | digitrec acc |" in result.stdout
    assert "| **overall** |" in result.stdout
    assert "Note: the bundled reader learnt from realworld-dev's pictures" in result.stdout  # not held-out figures


def test_printed_numbers_prints_a_row_per_folder(fonts):
    result = run_script("printed_numbers.py", "--count", "3")
    assert result.returncode == 0, result.stderr
    for folder in ("loose_80", "tight_80", "tight_250", "symbols_80"):
        assert f"| {folder} | multi | 3 |" in result.stdout


def test_blank_pictures_prints_a_row_per_folder_of_empty_labels(tmp_path):
    result = run_script("blank_pictures.py", "--count", "2", "--keep", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for folder, kind in (("blank_cell", "single"), ("grid_cell", "single"), ("blank_page", "multi"),
                         ("lined_page", "multi"), ("squared_page", "multi")):
        assert f"| {folder} | {kind} | 2 |" in result.stdout
        labels = (tmp_path / folder / "labels.csv").read_text().splitlines()
        assert labels[0] == "file,label,kind" and all(line.split(",")[1] == "" for line in labels[1:])


@pytest.mark.parametrize(("script", "folders", "digits", "shape"), [
    ("ruled_photos.py", ("plain_photo", "lined_photo", "squared_photo", "turned_photo"), (2, 6), None),
    ("turned_pages.py", ("printed_level", "printed_turned", "spaced_level", "spaced_turned"), (3, 7), (750, 1000, 3)),
    ("form_boxes.py", ("boxes_page", "spaced_page"), (4, 10), (750, 1000, 3)),
    ("meter_counters.py", ("dark_drums", "light_drums"), (4, 8), (500, 750, 3)),
    ("panels.py", ("dark_panel", "light_panel"), (3, 7), (500, 750, 3)),
])
def test_photo_benchmarks_write_the_same_numbers_in_every_folder(tmp_path, script, folders, digits, shape):
    result = run_script(script, "--count", "2", "--keep", str(tmp_path))
    assert result.returncode == 0, result.stderr
    labels = {}
    for folder in folders:
        assert f"| {folder} | multi | 2 |" in result.stdout
        rows = (tmp_path / folder / "labels.csv").read_text().splitlines()[1:]
        labels[folder] = [row.split(",")[1] for row in rows]
        assert all(label.isdigit() and digits[0] <= len(label) <= digits[1] for label in labels[folder])
        photo = cv2.imread(str(tmp_path / folder / "images" / f"{folder}-0000.jpg"))
        assert photo is not None and (shape is None or photo.shape == shape)
    assert all(labels[folder] == labels[folders[0]] for folder in folders)
    assert "learnt from realworld-dev" not in result.stdout  # made pictures: the bundled reader never saw them


ROWS = ("735291846", "418763925")  # nine different digits each: which cells were emptied shows in the label


def _sudoku_rows_folder(folder: Path) -> None:
    """Two made rows of nine cells between grid lines, laid out as the development set's ``sudoku_rows``."""
    (folder / "sudoku_rows" / "images").mkdir(parents=True)
    lines = ["file,label,kind"]
    for index, text in enumerate(ROWS):
        row = np.full((90, 9 * 95, 3), (225, 222, 215), np.uint8)
        for k, digit in enumerate(text):
            cv2.putText(row, digit, (k * 95 + 25, 72), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (20, 20, 120), 4, cv2.LINE_AA)
        for k in range(10):
            cv2.line(row, (k * 95, 0), (k * 95, 89), (60, 60, 60), 3)
        cv2.imwrite(str(folder / "sudoku_rows" / "images" / f"row{index}.png"), row)
        lines.append(f"images/row{index}.png,{text},multi")
    (folder / "sudoku_rows" / "labels.csv").write_text("\n".join(lines) + "\n")


def test_empty_cells_paints_out_the_digits_of_the_cells_it_empties_and_keeps_the_grid(tmp_path):
    _sudoku_rows_folder(tmp_path / "dev")
    result = run_script("empty_cells.py", "--images", str(tmp_path / "dev"), "--keep", str(tmp_path / "made"))
    assert result.returncode == 0, result.stderr
    for folder, emptied in (("one_empty", 1), ("three_empty", 3)):
        assert f"| {folder} | multi | 2 |" in result.stdout
        for line in (tmp_path / "made" / folder / "labels.csv").read_text().splitlines()[1:]:
            file, label, kind = line.split(",")
            source = ROWS[0] if "row0" in file else ROWS[1]
            assert kind == "multi" and len(label) == 9 - emptied and label == "".join(d for d in source if d in label)
            darkness = (np.array((225, 222, 215)) - cv2.imread(str(tmp_path / "made" / folder / file)).astype(int)).max(axis=2)
            for cell, digit in enumerate(source):
                inside = darkness[8:82, cell * 95 + 12: (cell + 1) * 95 - 12]
                assert (inside.max() < 40) == (digit not in label)  # painted out, or its digit kept
            assert (darkness[:, [k * 95 for k in range(1, 9)]] > 100).all()  # the grid lines between cells stay


def test_empty_cells_says_what_it_needs_where_the_rows_are_missing(tmp_path):
    result = run_script("empty_cells.py", "--images", str(tmp_path))
    assert result.returncode == 1 and "sudoku_rows" in result.stderr and "Traceback" not in result.stderr


def test_stretched_digits_prints_a_row_per_folder(mnist_path, tmp_path):
    result = run_script("stretched_digits.py", "--count", "4", "--keep", str(tmp_path), mnist=mnist_path)
    assert result.returncode == 0, result.stderr
    for folder in ("mnist_28", "kept_16", "stretched_16", "stretched_16_bw"):
        assert f"| {folder} | single | 4 |" in result.stdout
    stretched = cv2.imread(str(next((tmp_path / "stretched_16" / "images").iterdir())), cv2.IMREAD_GRAYSCALE)
    ink = stretched < 128
    assert stretched.shape == (16, 16) and ink.any(axis=0).all() and ink.any(axis=1).all()  # the digit fills its box
    black_and_white = cv2.imread(str(next((tmp_path / "stretched_16_bw" / "images").iterdir())), cv2.IMREAD_GRAYSCALE)
    assert set(np.unique(black_and_white)) <= {0, 255}


def test_finetune_heldout_keeps_sudoku_sources_together_and_folds_the_rest_alone(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import finetune_heldout

    folds = finetune_heldout.folds_for(["semeion", "sudoku_rows", "sudoku_printed_cells", "house_numbers"])
    assert folds == {"F1": ("semeion",), "F3": ("sudoku_printed_cells", "sudoku_rows"), "house_numbers": ("house_numbers",)}


def test_finetune_heldout_reads_each_fold_with_networks_that_never_saw_it(monkeypatch, tmp_path):
    """Two folders, two folds: each model learns from the other folder's digits only, and reads its own."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import finetune_heldout
    from digitrec.classifier import bundled_reader_path
    from digitrec.data import load_labelled_folders

    for name, text in (("semeion", "7"), ("house_numbers", "406")):
        (tmp_path / name).mkdir()
        image = np.full((120, 60 + 70 * len(text), 3), 255, np.uint8)
        cv2.putText(image, text, (30, 95), cv2.FONT_HERSHEY_SIMPLEX, 3, (20, 20, 20), 9, cv2.LINE_AA)
        cv2.imwrite(str(tmp_path / name / "a.png"), image)
        (tmp_path / name / "labels.csv").write_text(f"file,label,kind\na.png,{text},{'single' if len(text) == 1 else 'multi'}\n")
    start = bundled_reader_path()  # reads the pictures as the real run does
    monkeypatch.setattr(finetune_heldout, "recipe_digits", lambda seed: (np.zeros((8, 28, 28), np.float32), np.zeros(8, np.int64)))
    learnt = {}

    def fake_finetune(model, x, y, config, out, plan, verbose=True):
        learnt[out.name] = y[8:].tolist()  # the real digits after the recipe's eight
        out.parent.mkdir(parents=True, exist_ok=True)
        model.save(out)

    monkeypatch.setattr(finetune_heldout, "finetune", fake_finetune)
    sources = load_labelled_folders(tmp_path)
    config = finetune_heldout.FinetuneConfig(last_blocks=1, repeat=1)
    results = finetune_heldout.held_out_results(sources, tmp_path / "work", config, start)
    assert list(results) == list(sources)
    assert learnt == {"without-F1-last1.keras": [4, 0, 6], "without-house_numbers-last1.keras": [7]}


def test_finetune_heldout_trains_only_the_networks_asked_for(monkeypatch):
    """``--networks 3 4 5``: each fold trains half the reader, as the bundled reader was made (fifteenth session)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import finetune_heldout

    config = finetune_heldout.finetune_config(finetune_heldout.parse_arguments(["--last-blocks", "2", "--networks", "5", "3", "4"]))
    assert (config.last_blocks, config.networks) == (2, (3, 4, 5))
    assert finetune_heldout.finetune_config(finetune_heldout.parse_arguments([])).networks is None


def test_confidence_matches_each_digit_to_its_label_and_compares_the_network_s_own_confidence(tmp_path, constant_network):
    """A network that reads everything as a 7, 60% sure: of four single digits, the three labelled 7 are right, so the
    digits read 60% sure by the network's own confidence were right 75% of the time."""
    folder = tmp_path / "pictures" / "drawn"
    folder.mkdir(parents=True)
    rows = ["file,label,kind"]
    for index, label in enumerate("7771"):
        image = np.full((60, 60), 255, np.uint8)
        cv2.putText(image, label, (12, 48), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 5, cv2.LINE_AA)
        cv2.imwrite(str(folder / f"{index}.png"), image)
        rows.append(f"{index}.png,{label},single")
    (folder / "labels.csv").write_text("\n".join(rows) + "\n")
    model = tmp_path / "sevens.keras"
    constant_network({7: 0.6, 1: 0.4}).save(model)
    plot = tmp_path / "reliability.png"
    result = run_script("confidence.py", "--images", str(tmp_path / "pictures"), "--model", str(model), "--plot", str(plot), "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["digits"] == 4 and figures["unmatched_items"] == 0
    own = figures["reliability"]["network's own"]
    in_range = [b for b in own["bins"] if b["n"]]
    assert len(in_range) == 1 and in_range[0]["n"] == 4 and in_range[0]["low"] == 0.5
    assert in_range[0]["accuracy"] == 0.75 and in_range[0]["confidence"] == pytest.approx(0.6, abs=1e-4)
    assert own["ece"] == pytest.approx(0.15, abs=1e-4)
    assert figures["sources"]["drawn"]["n"] == 4 and figures["sources"]["drawn"]["accuracy"] == 0.75
    assert plot.is_file()


def test_confidence_names_the_fold_models_it_lacks_and_how_to_make_them(tmp_path, realworld_dev):
    result = run_script("confidence.py", "--images", str(realworld_dev), "--heldout", str(tmp_path), "--last-blocks", "2", "--limit", "1")
    assert result.returncode != 0
    assert "no fold model at" in result.stderr and "finetune_heldout.py --work" in result.stderr and "--last-blocks 2" in result.stderr


def _drawn_singles(folder: Path, labels: str) -> None:
    folder.mkdir(parents=True)
    rows = ["file,label,kind"]
    for index, label in enumerate(labels):
        image = np.full((60, 60), 255, np.uint8)
        cv2.putText(image, label, (12, 48), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 5, cv2.LINE_AA)
        cv2.imwrite(str(folder / f"{index}.png"), image)
        rows.append(f"{index}.png,{label},single")
    (folder / "labels.csv").write_text("\n".join(rows) + "\n")


def test_robustness_reads_every_picture_as_stored_and_under_each_change_asked_for(tmp_path, constant_network):
    """A network that reads everything as a 7: of four single digits, the three labelled 7 are right as stored and
    under any change that leaves a digit to read; every other picture (--step 2) is read."""
    _drawn_singles(tmp_path / "pictures" / "drawn", "7717777")
    model = tmp_path / "sevens.keras"
    constant_network({7: 0.9, 1: 0.1}).save(model)
    result = run_script("robustness.py", "--images", str(tmp_path / "pictures"), "--model", str(model),
                        "--changes", "half-pixel-shift", "inverted", "--step", "2", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    drawn = figures["sources"]["drawn"]
    assert drawn["n"] == 4 and drawn["accuracy"] == 0.75
    assert set(drawn["changes"]) == {"half-pixel-shift", "inverted"}
    for change in drawn["changes"].values():
        assert change == {"accuracy": 0.75, "changed": 0.0}
    assert figures["overall"]["n"] == 4 and figures["unread"] == []


def test_robustness_prints_a_row_per_change_and_names_a_picture_it_cannot_read(tmp_path, constant_network):
    folder = tmp_path / "pictures" / "drawn"
    _drawn_singles(folder, "77")
    (folder / "1.png").write_bytes(b"not a picture")
    model = tmp_path / "sevens.keras"
    constant_network({7: 0.9, 1: 0.1}).save(model)
    result = run_script("robustness.py", "--images", str(tmp_path / "pictures"), "--model", str(model), "--changes", "jpeg-40", "shaded")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("as stored") and "50.0%" in line for line in lines)
    assert any(line.startswith("jpeg-40") and "+0.0 (0%)" in line for line in lines)
    assert any(line.startswith("shaded") for line in lines)
    assert any(line.startswith("not read:") and "1.png" in line for line in lines)
