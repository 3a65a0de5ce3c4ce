"""Keras on TensorFlow, imported once and quietly.

TensorFlow's C++ core prints start-up notices (oneDNN, absl) straight to file descriptor 2
before any logging setting applies; a command-line tool should not greet its user with them.
Import ``keras`` and ``tf`` from here, never directly, so the notices are swallowed once.
"""
from __future__ import annotations

import contextlib
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


@contextlib.contextmanager
def _stderr_silenced():
    """Point file descriptor 2 at /dev/null for the duration (Python-level errors still raise)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


with _stderr_silenced():
    import tensorflow as tf
    import keras

__all__ = ["keras", "tf"]
