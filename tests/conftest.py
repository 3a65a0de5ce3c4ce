"""Shared test fixtures: the shared data (skipped where absent), the bundled model and a reader on it."""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
SHARED_MNIST = SHARED_DATA / "mnist.npz"
REALWORLD_DEV = SHARED_DATA / "realworld-dev"


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    """The canonical MNIST file, from $DIGITREC_MNIST or ../shared; skip the test where neither exists."""
    candidate = Path(os.environ.get("DIGITREC_MNIST", SHARED_MNIST))
    if not candidate.exists():
        pytest.skip(f"MNIST not available (looked at {candidate})")
    return candidate


@pytest.fixture(scope="session")
def realworld_dev() -> Path:
    if not REALWORLD_DEV.is_dir():
        pytest.skip(f"real-world development images not available at {REALWORLD_DEV}")
    return REALWORLD_DEV


@pytest.fixture(scope="session")
def bundled_model() -> Path:
    """The model that ships in the package; never skipped: without it the package is broken."""
    from digitrec.classifier import bundled_model_path

    path = bundled_model_path()
    assert path.is_file(), f"the bundled model is missing: {path}"
    return path


@pytest.fixture(scope="session")
def recognizer(bundled_model: Path):
    """One reader on the bundled model for the whole run (loading a model takes seconds)."""
    from digitrec.recognize import Recognizer

    return Recognizer()


@pytest.fixture(scope="session")
def load_tool():
    """Import a script of tools/ as a module: ``load_tool("make_notebook")``."""

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "tools" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules.setdefault(name, module)  # a dataclass looks its module up there while it is being made
        spec.loader.exec_module(module)
        return sys.modules[name]

    return load


@pytest.fixture(scope="session")
def fonts() -> list[Path]:
    """A few of the installed fonts that draw digits; skip where the machine has none."""
    from digitrec.printed import find_digit_fonts

    found = find_digit_fonts()
    if not found:
        pytest.skip("no fonts with digits installed")
    return found[:5]


@pytest.fixture(scope="session")
def constant_network():
    """Make a network that answers the same probabilities whatever it is shown:
    ``constant_network({7: 0.6, 1: 0.4})`` (the other digits near 0). A Dense layer with only a bias."""
    import numpy as np

    from digitrec.backend import keras

    def make(answer: dict[int, float]):
        probabilities = np.full(10, 1e-9, np.float32)
        for digit, probability in answer.items():
            probabilities[digit] = probability
        network = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
        kernel, _ = network.layers[-1].get_weights()
        network.layers[-1].set_weights([np.zeros_like(kernel), np.log(probabilities)])
        return network

    return make
