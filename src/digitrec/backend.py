"""Keras on TensorFlow, imported once and quietly; and how many threads it runs networks on.

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

__all__ = ["keras", "tf", "networks_on_one_thread"]


def networks_on_one_thread() -> bool:
    """Have TensorFlow run each network call wholly in the calling thread: for commands that only read pictures.

    A reading hands the networks a few crops at a time; spread over TensorFlow's own thread pools, such a call
    costs more in handing over than the work it spreads: on a 2-core Xeon a phone photo's network calls took
    7.3 ms instead of 9.7, and the web server spent 12.5 ms of CPU on a 28x28 drawing instead of 15, with the
    same readings to the last digit (docs/benchmarks.md, "Reading speed" and "Web server load"). Training wants
    the pools, so this is not made for a library user. It must come before TensorFlow runs anything: True where
    it was set, False where TensorFlow had already started (it then runs as it did).
    """
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        return False
    return True
