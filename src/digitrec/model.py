"""The network architectures, by name. Each takes a 28x28x1 image scaled to [0, 1] and returns
ten softmax probabilities. Nothing here trains or loads; see ``train`` and ``classifier``."""
from __future__ import annotations

from collections.abc import Callable

from digitrec.backend import keras

layers = keras.layers

INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10


def conv_bn(filters: int, kernel_size: int, strides: int = 1, padding: str = "valid") -> list[layers.Layer]:
    """Convolution without bias (batch norm supplies it), batch norm, ReLU."""
    return [
        layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=False),
        layers.BatchNormalization(),
        layers.ReLU(),
    ]


def baseline() -> keras.Model:
    """The classic Keras example (keras-io ``mnist_convnet``): about 99.2% on MNIST."""
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="baseline",
    )


def default() -> keras.Model:
    """The stronger CNN: batch-normalised 3x3 stacks, learned strided down-sampling, dropout.

    Shaped after the well-known Kaggle MNIST CNN (two blocks of conv-conv-strided conv, then a
    4x4 conv to a 128-vector); with augmentation and a cosine schedule it reaches 99.7%.
    """
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            *conv_bn(32, 3),
            *conv_bn(32, 3),
            *conv_bn(32, 5, strides=2, padding="same"),
            layers.Dropout(0.4),
            *conv_bn(64, 3),
            *conv_bn(64, 3),
            *conv_bn(64, 5, strides=2, padding="same"),
            layers.Dropout(0.4),
            *conv_bn(128, 4),
            layers.Flatten(),
            layers.Dropout(0.4),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="default",
    )


def fast() -> keras.Model:
    """A small batch-normalised CNN that reaches 99% in about one pass over the data."""
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            *conv_bn(24, 3, padding="same"),
            layers.MaxPooling2D(2),
            *conv_bn(48, 3, padding="same"),
            layers.MaxPooling2D(2),
            *conv_bn(96, 3),
            layers.GlobalAveragePooling2D(),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="fast",
    )


ARCHITECTURES: dict[str, Callable[[], keras.Model]] = {
    "baseline": baseline,
    "default": default,
    "fast": fast,
}


def build_model(arch: str) -> keras.Model:
    """Return a fresh, uncompiled model of the named architecture."""
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; choose one of: {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[arch]()
