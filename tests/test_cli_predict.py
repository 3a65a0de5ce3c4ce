"""``digitrec predict``: files, folders and globs; text and JSON output; bad files; exit codes."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from digitrec.cli import main


@pytest.fixture
def images(tmp_path) -> Path:
    folder = tmp_path / "images"
    (folder / "sub").mkdir(parents=True)
    number = np.full((160, 370, 3), 235, np.uint8)
    cv2.putText(number, "2026", (30, 115), cv2.FONT_HERSHEY_SIMPLEX, 3, (25, 25, 35), 8)
    cv2.imwrite(str(folder / "number.png"), number)
    cv2.imwrite(str(folder / "sub" / "blank.png"), np.full((100, 100, 3), 240, np.uint8))
    return folder


@pytest.fixture
def bad_files(tmp_path, images) -> list[Path]:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "notes.png"
    text.write_text("not an image\n")
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes((images / "number.png").read_bytes()[:200])
    return [empty, text, truncated]


def test_prints_digits_with_confidences_and_no_digits_for_blank(bundled_model, images, capsys):
    assert main(["predict", str(images), "--model", str(bundled_model)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert out[0].startswith(f"{images / 'number.png'}: 2026  (2 ")
    assert out[1] == f"{images / 'sub' / 'blank.png'}: no digits found"


def test_json_gives_one_object_per_image(bundled_model, images, capsys):
    assert main(["predict", str(images / "*.png"), "--json", "--model", str(bundled_model)]) == 0
    [line] = capsys.readouterr().out.splitlines()
    result = json.loads(line)
    assert result["text"] == "2026" and len(result["digits"]) == 4 and "timings_ms" in result


def test_bad_files_give_one_line_errors_and_the_batch_goes_on(bundled_model, images, bad_files, capsys):
    paths = [str(path) for path in bad_files] + [str(images / "number.png")]
    assert main(["predict", *paths, "--json", "--model", str(bundled_model)]) == 1
    captured = capsys.readouterr()
    results = [json.loads(line) for line in captured.out.splitlines()]
    assert [result.get("error") is not None for result in results] == [True, True, True, False]
    errors = captured.err.splitlines()
    for path in bad_files:
        assert sum(str(path) in line for line in errors) == 1
    assert errors[-1] == "3 of 4 files could not be read"


def test_a_picture_a_bug_stumbles_on_is_reported_and_the_batch_goes_on(bundled_model, images, monkeypatch, capsys):
    from digitrec.recognize import Recognizer

    read = Recognizer.read

    def stumbling(self, image, **kwargs):
        if Path(image).name == "number.png":
            raise ZeroDivisionError("division by zero")
        return read(self, image, **kwargs)

    monkeypatch.setattr(Recognizer, "read", stumbling)
    assert main(["predict", str(images), "--model", str(bundled_model)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [f"{images / 'sub' / 'blank.png'}: no digits found"]
    errors = captured.err.splitlines()
    assert errors[0].startswith(f"digitrec: {images / 'number.png'}: could not be read (ZeroDivisionError: division by zero)")
    assert errors[-1] == "1 of 2 files could not be read"


def test_missing_path_fails_at_the_end(bundled_model, images, capsys):
    assert main(["predict", str(images / "number.png"), "missing.png", "--model", str(bundled_model)]) == 1
    assert "missing.png" in capsys.readouterr().err


def test_save_annotated_writes_one_png_per_image(bundled_model, images, tmp_path):
    out = tmp_path / "annotated"
    assert main(["predict", str(images), "--save-annotated", str(out), "--model", str(bundled_model)]) == 0
    assert sorted(path.name for path in out.iterdir()) == ["blank.png", "number.png"]


def test_save_annotated_keeps_pictures_that_share_a_name(bundled_model, images, tmp_path, capsys):
    (images / "sub" / "number.png").write_bytes((images / "number.png").read_bytes())
    out = tmp_path / "annotated"
    assert main(["predict", str(images), "--save-annotated", str(out), "--model", str(bundled_model)]) == 0
    assert sorted(path.name for path in out.iterdir()) == ["blank.png", "number-2.png", "number.png"]
    assert f"Annotated images: {out}/" in capsys.readouterr().err


def test_single_and_min_confidence(bundled_model, images, capsys):
    assert main(["predict", str(images / "number.png"), "--single", "--min-confidence", "1", "--model", str(bundled_model)]) == 0
    assert capsys.readouterr().out.strip().endswith("no digits found")
    with pytest.raises(SystemExit):
        main(["predict", str(images), "--min-confidence", "3"])
