"""Labelled picture folders: a labels.csv beside the images, one folder or a folder of them."""
from __future__ import annotations

from pathlib import Path

import pytest

from digitrec.data import DatasetError, LabelledItem, load_labelled_folders


def write_labels(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "labels.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_folder_of_sources_is_read_per_folder_in_order(tmp_path: Path) -> None:
    write_labels(tmp_path / "scans", "file,label,kind\na.png,7,single\nb.png,04817,multi\nc.png,12,\nblank.png,,multi\n")
    write_labels(tmp_path / "photos", "file,label\nimages/x.jpg,3\n")
    (tmp_path / "not-a-source").mkdir()

    sources = load_labelled_folders(tmp_path)

    assert list(sources) == ["photos", "scans"]
    assert sources["photos"] == [LabelledItem(tmp_path / "photos" / "images" / "x.jpg", "3", None)]
    assert sources["scans"] == [
        LabelledItem(tmp_path / "scans" / "a.png", "7", "single"),
        LabelledItem(tmp_path / "scans" / "b.png", "04817", "multi"),
        LabelledItem(tmp_path / "scans" / "c.png", "12", None),
        LabelledItem(tmp_path / "scans" / "blank.png", "", "multi"),
    ]


def test_a_single_labelled_folder_is_one_source_and_limit_keeps_the_first_items(tmp_path: Path) -> None:
    write_labels(tmp_path / "meters", "\ufefffile,label,kind\n1.png,0,single\n2.png,00,multi\n3.png,9,single\n")

    sources = load_labelled_folders(tmp_path / "meters", limit=2)

    assert {name: [item.label for item in items] for name, items in sources.items()} == {"meters": ["0", "00"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name,label\na.png,1\n", "no file column"),
        ("file,kind\na.png,single\n", "no label column"),
        ("", "no file or label column"),
        ("file,label\na.png,1a\n", "line 2"),
        ("file,label\na.png,-1\n", "line 2"),
        ("file,label\n,7\n", "line 2"),
        ("file,label,kind\na.png,1,single\nb.png,2,several\n", "line 3: kind must be single, multi or empty"),
    ],
)
def test_a_bad_labels_file_names_itself_and_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    labels = write_labels(tmp_path / "source", text)

    with pytest.raises(DatasetError, match=expected) as raised:
        load_labelled_folders(tmp_path)

    assert str(labels) in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_labels_file_that_is_not_text_is_a_dataset_error(tmp_path: Path) -> None:
    (tmp_path / "labels.csv").write_bytes(b"\xff\xfe\x00\x89PNG\x00\x00")

    with pytest.raises(DatasetError, match="cannot be read as a CSV file"):
        load_labelled_folders(tmp_path)


def test_no_labels_anywhere_says_what_to_add(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()

    with pytest.raises(DatasetError, match="no labels.csv here nor in its sub-folders"):
        load_labelled_folders(tmp_path)
    with pytest.raises(DatasetError, match="no such folder"):
        load_labelled_folders(tmp_path / "missing")
