"""The public API on pictures made in the test: text, boxes, order, confidences, JSON, drawing."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

BUNDLED_MODEL = Path(__file__).resolve().parents[1] / "src" / "digitrec" / "models" / "digitrec-default.keras"
INTERIM_MODEL = Path("/tmp/interim/fast-1/model.keras")


@pytest.fixture(scope="session")
def reader_model() -> Path:
    """The bundled model, else the interim one being trained; skip where neither exists."""
    for candidate in (BUNDLED_MODEL, INTERIM_MODEL):
        if candidate.is_file():
            return candidate
    pytest.skip(f"no trained model (looked at {BUNDLED_MODEL} and {INTERIM_MODEL})")


@pytest.fixture(scope="session")
def recognizer(reader_model):
    from digitrec import Recognizer

    return Recognizer(reader_model)


def number_photo(text: str = "2026", dark_ground: bool = False) -> np.ndarray:
    paper, ink = ((30, 35, 45), (240, 240, 235)) if dark_ground else ((235, 232, 225), (25, 25, 35))
    image = np.full((160, 90 + 70 * len(text), 3), paper, np.uint8)
    cv2.putText(image, text, (30, 115), cv2.FONT_HERSHEY_SIMPLEX, 3, ink, 8, cv2.LINE_AA)
    return image


def test_import_digitrec_does_not_load_tensorflow():
    import subprocess
    import sys

    code = "import sys, digitrec; print('tensorflow' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_reads_a_printed_number_in_order_with_boxes(recognizer):
    reading = recognizer.read(number_photo("2026"))
    assert reading.text == "2026"
    xs = [digit.box[0] for digit in reading.digits]
    assert xs == sorted(xs)
    assert all(digit.input.shape == (28, 28) and digit.probabilities.shape == (10,) for digit in reading.digits)
    assert set(reading.timings_ms) == {"decode", "segment", "classify", "total"}


@pytest.mark.parametrize("source_kind", ["path", "bytes", "pil", "array"])
def test_accepts_paths_bytes_pil_images_and_arrays(recognizer, tmp_path, source_kind):
    image = number_photo("47", dark_ground=True)
    path = tmp_path / "number.png"
    cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    source = {"path": path, "bytes": path.read_bytes(), "pil": Image.fromarray(image), "array": image}[source_kind]
    assert recognizer.read(source).text == "47"


def test_blank_page_reads_as_no_digits(recognizer):
    reading = recognizer.read(np.full((200, 300, 3), 240, np.uint8))
    assert reading.digits == [] and reading.text == ""


def test_two_lines_give_lines_in_json(recognizer):
    image = np.full((300, 300, 3), 235, np.uint8)
    cv2.putText(image, "12", (30, 110), cv2.FONT_HERSHEY_SIMPLEX, 3, (20, 20, 20), 8)
    cv2.putText(image, "345", (30, 250), cv2.FONT_HERSHEY_SIMPLEX, 3, (20, 20, 20), 8)
    result = json.loads(recognizer.read(image, name="two.png").to_json())
    assert result["text"] == "12\n345"
    assert [len(line) for line in result["lines"]] == [2, 3]
    assert list(result) == ["file", "text", "digits", "lines", "timings_ms"]


def test_json_shape_for_one_line(recognizer):
    result = recognizer.read(number_photo("38"), name="n.png").to_dict()
    assert list(result) == ["file", "text", "digits", "timings_ms"] and result["file"] == "n.png"
    digit = result["digits"][0]
    assert list(digit) == ["digit", "confidence", "box", "top3"]
    assert len(digit["box"]) == 4 and len(digit["top3"]) == 3 and digit["top3"][0][0] == digit["digit"]


def test_min_confidence_drops_unsure_digits(reader_model):
    from digitrec import Recognizer

    assert Recognizer(reader_model, min_confidence=1.0).read(number_photo("2026")).digits == []
    with pytest.raises(ValueError, match="min_confidence"):
        Recognizer(reader_model, min_confidence=2)


def test_read_digit_reads_a_crop_and_refuses_a_blank_one(recognizer):
    from digitrec.recognize import NoDigitError

    assert recognizer.read_digit(number_photo("7")).value == 7
    with pytest.raises(NoDigitError):
        recognizer.read_digit(np.full((50, 50, 3), 255, np.uint8))


def test_plot_draws_boxes_and_writes_the_file(recognizer, tmp_path):
    image = number_photo("5")
    reading = recognizer.read(image)
    drawn = reading.plot(tmp_path / "out" / "five.png")
    assert drawn.shape == image.shape and (drawn != image).any()
    assert cv2.imread(str(tmp_path / "out" / "five.png")) is not None
