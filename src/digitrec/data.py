"""MNIST: find it, verify it, load it.

Sources are tried in order: the ``path`` argument, the ``DIGITREC_MNIST`` environment
variable, the Keras cache (``$KERAS_HOME/datasets/mnist.npz`` or ``~/.keras/datasets/mnist.npz``),
then a download from public mirrors into that cache. Every load is checked against the sha256
of each array's raw bytes, so a re-packed file is accepted and a corrupt or different one is not.

Labelled image folders (``labels.csv`` beside the pictures) are listed by ``load_labelled_folders``.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import os
import shutil
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitrec.files import atomic_write

MNIST_ENV_VAR = "DIGITREC_MNIST"

MNIST_ARRAY_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}

MNIST_NPZ_URLS = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
)
MNIST_IDX_BASE_URLS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
DOWNLOAD_TIMEOUT_S = 60

MnistArrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class DatasetError(Exception):
    """A data set could not be found, read or verified; the message says which file and what to do."""


def keras_cache_path() -> Path:
    keras_home = os.environ.get("KERAS_HOME")
    base = Path(keras_home) if keras_home else Path.home() / ".keras"
    return base / "datasets" / "mnist.npz"


def load_mnist(path: str | os.PathLike | None = None, *, download: bool = True) -> MnistArrays:
    """Return ``(x_train, y_train), (x_test, y_test)`` as verified uint8 arrays."""
    source = _find_source(path, download=download)
    arrays = _read_arrays(source)
    verify_arrays(arrays, source)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _find_source(path, *, download: bool) -> Path:
    if path is not None:
        return _existing(Path(path), "the path given")
    env_value = os.environ.get(MNIST_ENV_VAR)
    if env_value:
        return _existing(Path(env_value), f"${MNIST_ENV_VAR}")
    cache = keras_cache_path()
    if cache.exists():
        return cache
    if download:
        return download_mnist(cache)
    raise DatasetError(_not_found_message(cache, "downloading was turned off"))


def _existing(path: Path, where: str) -> Path:
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder ({where}); point it at mnist.npz or a folder of MNIST IDX files")
    return path


def _not_found_message(cache: Path, why: str) -> str:
    return (
        f"MNIST not found: set {MNIST_ENV_VAR} to an mnist.npz or a folder of IDX files; "
        f"searched ${MNIST_ENV_VAR} (unset) and {cache}, and {why}."
    )


def download_mnist(
    cache: Path,
    npz_urls: tuple[str, ...] | None = None,
    idx_base_urls: tuple[str, ...] | None = None,
) -> Path:
    """Fetch MNIST into ``cache`` (an .npz), trying each mirror in turn; return the path."""
    failures = []
    for url in MNIST_NPZ_URLS if npz_urls is None else npz_urls:
        try:
            atomic_write(cache, lambda tmp, url=url: _fetch(url, tmp))
            verify_arrays(_read_arrays(cache), cache)
            return cache
        except (OSError, urllib.error.URLError, DatasetError, ValueError) as error:
            cache.unlink(missing_ok=True)
            failures.append(f"{url}: {error}")
    for base in MNIST_IDX_BASE_URLS if idx_base_urls is None else idx_base_urls:
        try:
            arrays = {name: _parse_idx(_fetch_bytes(base + stem + ".gz"), base + stem) for name, stem in IDX_FILES.items()}
            verify_arrays(arrays, Path(base))
            atomic_write(cache, lambda tmp: _save_npz(tmp, arrays))
            return cache
        except (OSError, urllib.error.URLError, DatasetError, ValueError) as error:
            failures.append(f"{base}: {error}")
    raise DatasetError(_not_found_message(cache, "no mirror could be reached (" + "; ".join(failures) + ")"))


def _fetch(url: str, destination: Path) -> None:
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response, open(destination, "wb") as out:
        shutil.copyfileobj(response, out)


def _fetch_bytes(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
        return response.read()


def _save_npz(destination: Path, arrays: dict[str, np.ndarray]) -> None:
    with open(destination, "wb") as out:
        np.savez_compressed(out, **arrays)


def _read_arrays(source: Path) -> dict[str, np.ndarray]:
    if source.is_dir():
        return _read_idx_folder(source)
    try:
        with np.load(source, allow_pickle=False) as npz:
            missing = [name for name in MNIST_ARRAY_SHA256 if name not in npz.files]
            if missing:
                raise DatasetError(f"{source}: not a Keras-layout MNIST file (missing {', '.join(missing)}); use the original mnist.npz")
            return {name: npz[name] for name in MNIST_ARRAY_SHA256}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DatasetError(f"{source}: cannot be read as an .npz file ({error}); download it again or point {MNIST_ENV_VAR} elsewhere") from error


def _read_idx_folder(folder: Path) -> dict[str, np.ndarray]:
    arrays = {}
    for name, stem in IDX_FILES.items():
        candidates = [folder / stem, folder / f"{stem}.gz", folder / stem.replace("-idx", ".idx")]
        candidates += [c.with_name(c.name + ".gz") for c in candidates[2:]]
        found = next((c for c in candidates if c.exists()), None)
        if found is None:
            raise DatasetError(f"{folder}: no {stem}[.gz] in this folder; it needs the four MNIST IDX files")
        raw = found.read_bytes()
        if found.suffix == ".gz":
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError) as error:
                raise DatasetError(f"{found}: corrupt gzip file ({error}); download it again") from error
        arrays[name] = _parse_idx(raw, str(found))
    return arrays


def _parse_idx(raw: bytes, name: str) -> np.ndarray:
    """Decode an IDX file (uint8 data): magic 0x0000 08 NDIM, big-endian dimensions, then the data."""
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DatasetError(f"{name}: not an IDX file of unsigned bytes; download it again")
    ndim = raw[3]
    header_size = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    if len(raw) - header_size != expected:
        raise DatasetError(f"{name}: truncated IDX file ({len(raw) - header_size} bytes of data, {expected} expected); download it again")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape)


def array_sha256(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def verify_arrays(arrays: dict[str, np.ndarray], source: Path) -> None:
    """Raise DatasetError unless every array is the canonical MNIST one, byte for byte."""
    for name, expected in MNIST_ARRAY_SHA256.items():
        array = arrays[name]
        if array.dtype != np.uint8 or array_sha256(array) != expected:
            raise DatasetError(
                f"{source}: {name} is not the canonical MNIST array (sha256 or dtype differs); "
                f"the file is corrupt or a different data set: delete it and download it again"
            )


LABELS_FILE = "labels.csv"
ITEM_KINDS = ("single", "multi")
DIGITS = "0123456789"


@dataclass(frozen=True)
class LabelledItem:
    """One labelled picture: its path, the digits it shows (a string: "04817" keeps its zero; empty
    for a picture with no digits) and its kind: ``"single"`` (one digit, read without segmentation),
    ``"multi"`` or ``None`` (unknown)."""

    file: Path
    label: str
    kind: str | None


def load_labelled_folders(root: str | os.PathLike, limit: int | None = None) -> dict[str, list[LabelledItem]]:
    """The labelled pictures under ``root``, by folder name, folders in alphabetical order.

    ``root`` is either one folder with a ``labels.csv`` (columns ``file,label[,kind]``, ``file``
    relative to that folder) or a folder of such folders. ``limit`` keeps the first N items of
    each folder. A missing or malformed ``labels.csv`` raises :class:`DatasetError`.
    """
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: no such folder; give a folder holding {LABELS_FILE} or folders that each hold one")
    if (root / LABELS_FILE).is_file():
        folders = [root]
    else:
        folders = sorted(child for child in root.iterdir() if (child / LABELS_FILE).is_file())
    if not folders:
        raise DatasetError(f"{root}: no {LABELS_FILE} here nor in its sub-folders; add one with the columns file,label[,kind]")
    return {folder.name: _read_labels(folder / LABELS_FILE)[:limit] for folder in folders}


def _read_labels(labels_path: Path) -> list[LabelledItem]:
    try:
        with open(labels_path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise DatasetError(f"{labels_path}: cannot be read as a CSV file ({error}); save it as UTF-8 text with the columns file,label[,kind]") from error
    missing = [name for name in ("file", "label") if name not in columns]
    if missing:
        raise DatasetError(f"{labels_path}: no {' or '.join(missing)} column; the first line must name the columns file,label[,kind]")
    items = []
    for line_number, row in enumerate(rows, start=2):
        file, label, kind = ((row.get(name) or "").strip() for name in ("file", "label", "kind"))
        if not file or not all(char in DIGITS for char in label):
            raise DatasetError(f"{labels_path}, line {line_number}: need a file name and a label of digits 0-9 (empty for none), got file={file!r} label={label!r}")
        if kind and kind not in ITEM_KINDS:
            raise DatasetError(f"{labels_path}, line {line_number}: kind must be single, multi or empty, got {kind!r}")
        items.append(LabelledItem(labels_path.parent / file, label, kind or None))
    return items
