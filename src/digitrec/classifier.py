"""A trained network loaded for fast inference, and where the bundled one lives.

``model.predict`` costs ~45 ms per call on this CPU whatever the batch size, because it builds
a data pipeline each time; calling the model inside a ``tf.function`` costs well under a
millisecond. Everything that classifies digits goes through ``Classifier.predict_proba``.
"""
from __future__ import annotations

import contextlib
import inspect
import os
import threading
from importlib import resources
from pathlib import Path

import numpy as np

from digitrec.backend import keras, tf
from digitrec.model import members_of

BUNDLED_MODEL_NAME = "digitrec-default.keras"  # the MNIST model: 99.71% on MNIST's test set
READER_MODEL_NAME = "digitrec-reader.keras"  # the same recipe plus photographed digits: reads real pictures
BATCH_SIZE = 1024
CASCADE_CONFIDENCE = 0.999  # an averaged network's first member answers alone where it is at least this sure


class ModelLoadError(Exception):
    """A model file is missing, unreadable or not a digit classifier."""


def bundled_model_path() -> Path:
    return Path(str(resources.files("digitrec") / "models" / BUNDLED_MODEL_NAME))


def bundled_reader_path() -> Path:
    """The network ``Recognizer`` reads pictures with unless given another (see docs/training.md)."""
    return Path(str(resources.files("digitrec") / "models" / READER_MODEL_NAME))


def load_keras_model(path: str | os.PathLike, outputs: int = 10) -> keras.Model:
    """Load a ``.keras`` file with ``safe_mode`` on (no arbitrary code, never a pickle): a 28x28x1 -> ``outputs`` network."""
    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"{path}: no such model file; give a .keras file written by 'digitrec train'")
    try:
        with _sequential_networks_built_once():
            model = keras.models.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many kinds for a bad archive
        raise ModelLoadError(f"{path}: cannot be loaded as a Keras model ({error})") from error
    if tuple(model.input_shape[1:]) != (28, 28, 1) or model.output_shape[-1] != outputs:
        raise ModelLoadError(f"{path}: expected a 28x28x1 -> {outputs} outputs model, got {model.input_shape} -> {model.output_shape}")
    return model


_LOADING = threading.Lock()


@contextlib.contextmanager
def _sequential_networks_built_once():
    """Keras 3 rebuilds a ``Sequential`` network after each layer its ``from_config`` adds, so loading
    one costs its depth squared: more than half the time the six-network reader took to load (2.3 s
    against 1.0 s, docs/benchmarks.md "Loading the reader"). Added without rebuilding, the network
    is built once, at the end of ``from_config``, from the input shape saved with it: the same layers
    and weights. A Keras whose ``Sequential.add`` has no ``rebuild`` argument is left alone."""
    sequential = keras.Sequential
    add = sequential.add
    if "rebuild" not in inspect.signature(add).parameters:
        yield
        return

    def add_without_rebuilding(self, layer, rebuild=True):
        return add(self, layer, rebuild=False)

    with _LOADING:
        sequential.add = add_without_rebuilding
        try:
            yield
        finally:
            sequential.add = add


class Classifier:
    """Ten-class probabilities for 28x28 digits in [0, 1] (white ink on black, MNIST form); with
    ``outputs=1``, a one-probability network's answer (``wholeness``).

    An averaged network (``model.averaged``) costs each of its members' time. Where its first member
    alone is ``CASCADE_CONFIDENCE`` sure, the average almost never answers otherwise, so only the
    other digits are asked of them all: a clear photo costs what one network costs.
    """

    def __init__(self, model_path: str | os.PathLike | None = None, *, model: keras.Model | None = None, outputs: int = 10):
        """Load ``model_path`` (default: the bundled model), or wrap an in-memory ``model``."""
        if model is None:
            self.model_path = Path(model_path) if model_path is not None else bundled_model_path()
            model = load_keras_model(self.model_path, outputs)
        else:
            self.model_path = None
        self.model = model
        self.outputs = outputs
        self._forward = _compiled(model)
        members = members_of(model)
        self._first_member = _compiled(members[0]) if members else None

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """N x 28 x 28 (or N x 28 x 28 x 1) float images -> N x 10 probabilities (N x ``outputs``)."""
        images = np.asarray(images, np.float32).reshape(-1, 28, 28, 1)
        if len(images) == 0:
            return np.zeros((0, self.outputs), np.float32)
        if self._first_member is None:
            return _in_batches(self._forward, images)
        probabilities = _in_batches(self._first_member, images)
        unsure = probabilities.max(axis=1) < CASCADE_CONFIDENCE
        if unsure.any():
            probabilities[unsure] = _in_batches(self._forward, images[unsure])
        return probabilities


def _compiled(model: keras.Model):
    """``model``'s inference as one traced graph over float32 N x 28 x 28 x 1 batches: the ``tf.function``'s
    concrete function, which skips matching its arguments to a signature on every call (0.1 ms of ~0.5)."""
    function = tf.function(lambda batch: model(batch, training=False),
                           input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)])
    return function.get_concrete_function()


def _in_batches(forward, images: np.ndarray) -> np.ndarray:
    chunks = [forward(tf.constant(images[i: i + BATCH_SIZE])).numpy() for i in range(0, len(images), BATCH_SIZE)]
    return np.concatenate(chunks)
