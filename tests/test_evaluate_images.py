"""Judging the reader on labelled pictures: the scores, how far its confidence holds, and ``digitrec evaluate --images``."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from digitrec.cli import main
from digitrec.evaluate import digit_accuracy, digit_outcomes, evaluate_images, kept_at, levenshtein, reliability
from digitrec.imageio import load_image

REPO_ROOT = Path(__file__).resolve().parents[1]


def draw_digits(path: Path, text: str) -> None:
    """Dark digits on white paper, as a printer or a thick pen would make them."""
    width = 90 * len(text) + 40
    image = np.full((140, width), 255, np.uint8)
    cv2.putText(image, text, (20, 110), cv2.FONT_HERSHEY_SIMPLEX, 3.5, 0, 12, cv2.LINE_AA)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), image)


@pytest.fixture
def labelled_tree(tmp_path: Path) -> Path:
    """Three sources: single digits; numbers (one with a leading zero) and a file that is no image;
    a blank page, labelled with no digits."""
    root = tmp_path / "pictures"
    for name, text in {"one.png": "1", "four.png": "4", "seven.png": "7"}.items():
        draw_digits(root / "cells" / name, text)
    (root / "cells" / "labels.csv").write_text("file,label,kind\none.png,1,single\nfour.png,4,single\nseven.png,7,single\n")
    draw_digits(root / "numbers" / "a.png", "47")
    draw_digits(root / "numbers" / "b.png", "07")
    (root / "numbers" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not really a picture")
    (root / "numbers" / "labels.csv").write_text("file,label,kind\na.png,47,multi\nb.png,07,\nbroken.png,12,multi\n")
    (root / "blank").mkdir()
    cv2.imwrite(str(root / "blank" / "page.png"), np.full((140, 200), 255, np.uint8))
    (root / "blank" / "labels.csv").write_text("file,label,kind\npage.png,,multi\n")
    return root


class ScriptedRecognizer:
    """Decodes each picture like the real reader, then 'reads' what the script says for its file name."""

    def __init__(self, script: dict[str, str]):
        self.script = script
        self.calls: list[tuple[str, bool]] = []

    def read(self, image, *, single: bool = False, name: str | None = None):
        load_image(image, name=name)
        self.calls.append((Path(image).name, single))
        return SimpleNamespace(text=self.script[Path(image).name])


def test_scores_count_exact_matches_digit_edits_and_unreadable_pictures(labelled_tree: Path) -> None:
    recognizer = ScriptedRecognizer(
        {"one.png": "1", "four.png": "9", "seven.png": "7", "a.png": "4\n7", "b.png": "7", "page.png": ""}
    )

    scores = evaluate_images(recognizer, labelled_tree, progress=False)

    assert sorted(recognizer.calls) == [
        ("a.png", False), ("b.png", False), ("four.png", True), ("one.png", True), ("page.png", False), ("seven.png", True)
    ]
    assert list(scores["sources"]) == ["blank", "cells", "numbers"]
    assert scores["sources"]["blank"] == {"n": 1, "accuracy": 1.0, "digit_accuracy": 1.0, "failures": [], "wrong": []}
    cells, numbers = scores["sources"]["cells"], scores["sources"]["numbers"]
    assert (cells["n"], cells["accuracy"], cells["digit_accuracy"]) == (3, pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert cells["wrong"] == [{"file": str(labelled_tree / "cells" / "four.png"), "label": "4", "read": "9"}]
    assert cells["failures"] == []
    # "4\n7" is an exact 47 (1); "7" for "07" misses the leading zero (0.5); broken.png scores 0.
    assert (numbers["n"], numbers["accuracy"], numbers["digit_accuracy"]) == (3, pytest.approx(1 / 3), pytest.approx(1.5 / 3))
    assert numbers["wrong"] == [{"file": str(labelled_tree / "numbers" / "b.png"), "label": "07", "read": "7"}]
    assert [failure["file"] for failure in numbers["failures"]] == [str(labelled_tree / "numbers" / "broken.png")]
    assert "broken.png" in numbers["failures"][0]["error"]
    assert scores["overall"] == {"n": 7, "accuracy": pytest.approx(4 / 7), "digit_accuracy": pytest.approx(4.5 / 7)}


def test_a_picture_a_bug_stumbles_on_counts_as_wrong_and_the_run_goes_on(labelled_tree: Path) -> None:
    class StumblingRecognizer(ScriptedRecognizer):
        def read(self, image, *, single: bool = False, name: str | None = None):
            if Path(image).name == "four.png":
                raise ZeroDivisionError("division by zero")
            return super().read(image, single=single, name=name)

    recognizer = StumblingRecognizer({"one.png": "1", "seven.png": "7", "a.png": "47", "b.png": "07", "page.png": ""})
    cells = evaluate_images(recognizer, labelled_tree, progress=False)["sources"]["cells"]
    assert (cells["n"], cells["accuracy"]) == (3, pytest.approx(2 / 3))
    [failure] = cells["failures"]
    assert failure["file"] == str(labelled_tree / "cells" / "four.png")
    assert "four.png" in failure["error"] and "ZeroDivisionError" in failure["error"] and "bug" in failure["error"]


@pytest.mark.parametrize(
    ("label", "read", "expected"),
    [("1234", "1234", 1.0), ("1234", "124", 0.75), ("1234", "12345", 0.75), ("1234", "1284", 0.75),
     ("04817", "4817", 0.8), ("1234", "", 0.0), ("12", "999999", 0.0), ("7", "1", 0.0), ("7", "77", 0.0),
     ("", "", 1.0), ("", "5", 0.0), ("12", "1\n2", 1.0)],
)
def test_digit_accuracy_is_one_minus_edit_distance_over_label_length(label: str, read: str, expected: float) -> None:
    assert digit_accuracy(label, read) == pytest.approx(expected)


def test_levenshtein_counts_insertions_deletions_and_substitutions() -> None:
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("", "123") == levenshtein("123", "") == 3
    assert levenshtein("2026", "2026") == 0


def test_evaluate_images_json_has_every_source_and_the_overall_scores(labelled_tree: Path, bundled_model: Path, capsys) -> None:
    status = main(["evaluate", "--images", str(labelled_tree), "--model", str(bundled_model), "--json"])

    captured = capsys.readouterr()
    assert status == 0
    scores = json.loads(captured.out)
    assert set(scores) == {"sources", "overall"}
    assert list(scores["sources"]) == ["blank", "cells", "numbers"]
    for row in scores["sources"].values():
        assert set(row) == {"n", "accuracy", "digit_accuracy", "failures", "wrong"}
    # Clean printed digits are all read right, "07" with its zero, a blank page as no digits;
    # the broken file counts as wrong.
    assert scores["sources"]["blank"]["accuracy"] == 1.0
    assert scores["sources"]["cells"]["accuracy"] == 1.0
    assert scores["sources"]["numbers"]["accuracy"] == pytest.approx(2 / 3)
    assert scores["sources"]["numbers"]["digit_accuracy"] == pytest.approx(2 / 3)
    assert scores["overall"] == {"n": 7, "accuracy": pytest.approx(6 / 7), "digit_accuracy": pytest.approx(6 / 7)}
    assert [failure["file"] for failure in scores["sources"]["numbers"]["failures"]] == [str(labelled_tree / "numbers" / "broken.png")]


def test_evaluate_images_table_lists_each_folder_and_the_unreadable_file(labelled_tree: Path, bundled_model: Path, capsys) -> None:
    status = main(["evaluate", "--images", str(labelled_tree), "--model", str(bundled_model)])

    out = capsys.readouterr().out
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["source", "n", "accuracy", "digit", "accuracy"]
    assert [line.split()[:2] for line in lines[1:5]] == [["blank", "1"], ["cells", "3"], ["numbers", "3"], ["overall", "7"]]
    assert "Unreadable pictures (1" in out and "broken.png" in out


def test_a_bad_labels_file_is_one_line_and_exit_code_2(tmp_path: Path, bundled_model: Path, capsys) -> None:
    (tmp_path / "labels.csv").write_text("picture,digits\na.png,3\n")

    status = main(["evaluate", "--images", str(tmp_path), "--model", str(bundled_model)])

    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "labels.csv" in err and "Traceback" not in err


def test_realworld_benchmark_scores_the_same_items_three_ways(labelled_tree: Path, bundled_model: Path) -> None:
    script = REPO_ROOT / "benchmarks" / "realworld.py"
    result = subprocess.run(
        [sys.executable, str(script), "--images", str(labelled_tree), "--model", str(bundled_model), "--json"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    readers = {"digitrec", "naive", "tesseract"} if shutil.which("tesseract") else {"digitrec", "naive"}
    assert set(report["overall"]) == readers
    assert report["sources"]["cells"]["digitrec"]["accuracy"] == 1.0
    assert all(report["sources"][name][reader]["n"] == 3 for name in ("cells", "numbers") for reader in readers)
    assert report["sources"]["numbers"]["naive"]["accuracy"] == 0.0, "the naive pipeline reads one digit per picture"


def test_reliability_counts_each_range_and_the_gap_between_confidence_and_share_right() -> None:
    confidences = [0.95] * 10 + [1.0] * 4 + [0.3]
    correct = [True] * 9 + [False] + [True] * 4 + [True]
    result = reliability(confidences, correct, edges=(0.0, 0.5, 0.9, 0.99, 1.0))
    assert [b["n"] for b in result["bins"]] == [1, 0, 10, 4]  # 1.0 itself falls in the last range
    assert result["bins"][1]["accuracy"] is None
    assert result["bins"][2]["confidence"] == pytest.approx(0.95) and result["bins"][2]["accuracy"] == pytest.approx(0.9)
    assert result["ece"] == pytest.approx((1 * 0.7 + 10 * 0.05 + 4 * 0.0) / 15)


def test_kept_at_says_what_a_minimum_confidence_keeps_and_drops() -> None:
    rows = kept_at([0.4, 0.6, 0.95, 0.99], [False, True, True, False], thresholds=(0.0, 0.9, 1.0))
    assert rows[0] == {"threshold": 0.0, "kept": 1.0, "accuracy": 0.5, "wrong_dropped": 0.0, "right_dropped": 0.0}
    assert rows[1] == {"threshold": 0.9, "kept": 0.5, "accuracy": 0.5, "wrong_dropped": 0.5, "right_dropped": 0.5}
    assert rows[2]["kept"] == 0.0 and rows[2]["accuracy"] is None


def test_digit_outcomes_match_digits_to_the_label_place_by_place_or_not_at_all() -> None:
    from digitrec.recognize import Digit, Reading

    def digit(value: int, network: float, weight: float) -> Digit:
        probabilities = np.full(10, (1 - network) / 9, np.float32)
        probabilities[value] = network
        return Digit(value=value, confidence=network * weight, box=(0, 0, 1, 1), probabilities=probabilities,
                     input=np.zeros((28, 28), np.float32))

    digits = [digit(1, 0.9, 0.5), digit(7, 0.8, 1.0)]
    reading = Reading(file="x", digits=digits, lines=[digits], timings_ms={}, image=np.zeros((1, 1, 3), np.uint8))
    outcomes = digit_outcomes("12", reading)
    assert [right for _, _, right in outcomes] == [True, False]
    assert outcomes[0][:2] == pytest.approx((0.45, 0.9))  # as reported, and the network's own
    assert digit_outcomes("127", reading) is None
    assert digit_outcomes("1", reading) is None
