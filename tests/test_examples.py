"""The example images of `make demo`: made by tools/make_examples.py, reproducible, labelled."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
GENERATOR = REPO_ROOT / "tools" / "make_examples.py"
EXAMPLES = REPO_ROOT / "examples"
MAX_FOLDER_BYTES = 1_500_000
MAX_MEAN_PIXEL_DIFFERENCE = 2.0  # grey levels, 0..255


def read_labels(folder: Path) -> list[dict[str, str]]:
    with open(folder / "labels.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def generate(out_dir: Path) -> Path:
    subprocess.run([sys.executable, str(GENERATOR), str(out_dir)], check=True,
                   capture_output=True, timeout=120)
    return out_dir


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("examples"))


def check_folder(folder: Path) -> None:
    """labels.csv names every image in the folder and nothing else, with valid labels and kinds."""
    rows = read_labels(folder)
    assert rows, f"{folder / 'labels.csv'} lists no images"
    listed = {row["file"] for row in rows}
    on_disk = {p.name for p in folder.iterdir() if p.name != "labels.csv"}
    assert listed == on_disk
    for row in rows:
        assert row["label"] == "" or row["label"].isdigit(), row
        assert row["kind"] in {"single", "multi"}, row
        if row["kind"] == "single":
            assert len(row["label"]) == 1, row
    assert sum(p.stat().st_size for p in folder.iterdir()) < MAX_FOLDER_BYTES


def test_generator_writes_every_labelled_image(generated: Path) -> None:
    check_folder(generated)
    for row in read_labels(generated):
        image = cv2.imread(str(generated / row["file"]), cv2.IMREAD_UNCHANGED)
        assert image is not None, f"OpenCV cannot decode {row['file']}"
        assert min(image.shape[:2]) >= 100


def test_examples_cover_the_hard_cases(generated: Path) -> None:
    rows = read_labels(generated)
    kinds = {row["kind"] for row in rows}
    assert kinds == {"single", "multi"}
    assert any(row["label"] == "" for row in rows), "a blank picture must be among the examples"
    assert any(len(row["label"]) >= 4 for row in rows), "a whole number must be among the examples"
    suffixes = {Path(row["file"]).suffix for row in rows}
    assert {".png", ".jpg"} <= suffixes


def test_generator_is_deterministic(generated: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again")
    pngs = sorted(p.name for p in generated.glob("*.png"))
    assert pngs
    for name in pngs + ["labels.csv"]:
        assert (generated / name).read_bytes() == (again / name).read_bytes(), name


def test_committed_examples_match_their_labels(generated: Path) -> None:
    check_folder(EXAMPLES)
    assert read_labels(EXAMPLES) == read_labels(generated)


def test_committed_examples_are_what_the_generator_makes(generated: Path) -> None:
    """Regenerate examples/ after changing the generator (small differences from other
    OpenCV, NumPy or FreeType versions are tolerated)."""
    for row in read_labels(EXAMPLES):
        committed = cv2.imread(str(EXAMPLES / row["file"]), cv2.IMREAD_UNCHANGED)
        fresh = cv2.imread(str(generated / row["file"]), cv2.IMREAD_UNCHANGED)
        assert committed.shape == fresh.shape, row["file"]
        assert cv2.absdiff(committed, fresh).mean() < MAX_MEAN_PIXEL_DIFFERENCE, row["file"]


def test_the_reader_reads_every_example_as_labelled(recognizer) -> None:
    """`make demo` shows these: each must read as its label says (the twenty-second session's grid-rule change read
    the meter's frame bars as 1s, `1048171`, and no test read the examples)."""
    for row in read_labels(EXAMPLES):
        reading = recognizer.read(EXAMPLES / row["file"], single=row["kind"] == "single")
        assert "".join(reading.text.split()) == row["label"], row["file"]
