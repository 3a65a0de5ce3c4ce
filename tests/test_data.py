"""MNIST loading: every source in order, verification, IDX folders, downloads from local 'mirrors'."""
from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from digitrec import data
from digitrec.data import DatasetError, load_mnist


@pytest.fixture(scope="module")
def mnist_arrays(mnist_path) -> dict[str, np.ndarray]:
    with np.load(mnist_path, allow_pickle=False) as npz:
        return {name: npz[name] for name in data.MNIST_ARRAY_SHA256}


@pytest.fixture
def no_sources(monkeypatch, tmp_path):
    """No env variable, an empty Keras cache: only the arguments and mirrors can provide MNIST."""
    monkeypatch.delenv(data.MNIST_ENV_VAR, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    return tmp_path


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def write_idx_folder(folder: Path, arrays: dict[str, np.ndarray], gzipped: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, stem in data.IDX_FILES.items():
        raw = idx_bytes(arrays[name])
        if gzipped:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(raw, compresslevel=1))
        else:
            (folder / stem).write_bytes(raw)
    return folder


def test_loads_canonical_arrays_from_a_path(mnist_path):
    (x_train, y_train), (x_test, y_test) = load_mnist(mnist_path)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == np.uint8 and y_test.dtype == np.uint8
    assert sorted(np.unique(y_train)) == list(range(10))


def test_env_variable_is_used_and_path_argument_wins(mnist_path, no_sources, monkeypatch):
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(mnist_path))
    assert load_mnist(download=False)[1][0].shape == (10000, 28, 28)
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(no_sources / "missing.npz"))
    with pytest.raises(DatasetError, match="missing.npz"):
        load_mnist(download=False)
    assert load_mnist(mnist_path, download=False)[1][0].shape == (10000, 28, 28)


def test_keras_cache_is_searched(mnist_path, no_sources):
    cache = data.keras_cache_path()
    cache.parent.mkdir(parents=True)
    cache.symlink_to(mnist_path)
    assert load_mnist(download=False)[0][0].shape == (60000, 28, 28)


@pytest.mark.parametrize("gzipped", [True, False])
def test_idx_folder_loads(mnist_arrays, tmp_path, gzipped):
    folder = write_idx_folder(tmp_path / "idx", mnist_arrays, gzipped)
    (x_train, _), (_, y_test) = load_mnist(folder)
    assert np.array_equal(x_train, mnist_arrays["x_train"])
    assert np.array_equal(y_test, mnist_arrays["y_test"])


def test_repacked_file_loads_but_altered_data_is_refused(mnist_arrays, tmp_path):
    repacked = tmp_path / "repacked.npz"
    np.savez(repacked, **mnist_arrays)
    assert load_mnist(repacked)[0][1].shape == (60000,)
    altered = dict(mnist_arrays, y_test=mnist_arrays["y_test"].copy())
    altered["y_test"][0] = (altered["y_test"][0] + 1) % 10
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, **altered)
    with pytest.raises(DatasetError, match=r"wrong\.npz: y_test is not the canonical MNIST"):
        load_mnist(wrong)


def test_corrupt_and_foreign_files_are_refused_with_the_file_name(mnist_path, tmp_path):
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(mnist_path.read_bytes()[:100_000])
    with pytest.raises(DatasetError, match="truncated.npz"):
        load_mnist(truncated)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, images=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(DatasetError, match="foreign.npz: not a Keras-layout MNIST file"):
        load_mnist(foreign)


def test_truncated_idx_file_is_refused(mnist_arrays, tmp_path):
    folder = write_idx_folder(tmp_path / "idx", mnist_arrays, gzipped=False)
    labels = folder / data.IDX_FILES["y_test"]
    labels.write_bytes(labels.read_bytes()[:-10])
    with pytest.raises(DatasetError, match="truncated IDX file"):
        load_mnist(folder)


def test_offline_without_a_copy_says_where_it_looked(no_sources, monkeypatch):
    monkeypatch.setattr(data, "MNIST_NPZ_URLS", (f"file://{no_sources}/nowhere/mnist.npz",))
    monkeypatch.setattr(data, "MNIST_IDX_BASE_URLS", (f"file://{no_sources}/nowhere/",))
    with pytest.raises(DatasetError) as caught:
        load_mnist()
    message = str(caught.value)
    assert data.MNIST_ENV_VAR in message and str(data.keras_cache_path()) in message
    assert "\n" not in message


def test_download_from_an_npz_mirror_fills_the_cache(mnist_path, no_sources, monkeypatch):
    monkeypatch.setattr(data, "MNIST_NPZ_URLS", (f"file://{no_sources}/dead-mirror.npz", mnist_path.as_uri()))
    (x_train, _), _ = load_mnist()
    assert x_train.shape == (60000, 28, 28)
    assert data.keras_cache_path().exists()


def test_download_from_an_idx_mirror_when_npz_mirrors_fail(mnist_arrays, no_sources, monkeypatch):
    mirror = write_idx_folder(no_sources / "mirror", mnist_arrays, gzipped=True)
    monkeypatch.setattr(data, "MNIST_NPZ_URLS", (f"file://{no_sources}/dead-mirror.npz",))
    monkeypatch.setattr(data, "MNIST_IDX_BASE_URLS", (mirror.as_uri() + "/",))
    (_, y_train), _ = load_mnist()
    assert np.array_equal(y_train, mnist_arrays["y_train"])
    assert load_mnist(data.keras_cache_path())[0][0].shape == (60000, 28, 28)


def test_cli_reports_a_missing_data_set_in_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "digitrec.cli", "evaluate", "--mnist", str(tmp_path / "absent.npz")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "absent.npz: no such file" in result.stderr
    assert "Traceback" not in result.stderr
