"""Shared test helpers: where the shared data lives, and skips where it is absent."""
from __future__ import annotations

import os
from pathlib import Path

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
