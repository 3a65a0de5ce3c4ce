"""The network architectures, by name. Each takes a 28x28x1 image scaled to [0, 1] and returns
ten softmax probabilities. Nothing here trains or loads; see ``train`` and ``classifier``."""
from __future__ import annotations

from collections.abc import Callable

from digitrec.backend import keras

layers = keras.layers

INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
MEMBER_PREFIX = "member_"  # the names of an averaged network's members


def conv_bn(
    filters: int, kernel_size: int, strides: int = 1, padding: str = "valid", momentum: float = 0.99
) -> list[layers.Layer]:
    """Convolution without bias (batch norm supplies it), batch norm, ReLU.

    ``momentum`` is batch norm's moving-average memory: 0.99 (Keras' default) averages over ~100
    steps, 0.9 over ~10, which suits a network trained for only a few hundred steps.
    """
    return [
        layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=False),
        layers.BatchNormalization(momentum=momentum),
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
    """A small CNN (29k weights) that reaches 99% in little more than one pass over the data.

    Unpadded 3x3 convolutions and pooling shrink the image quickly (28, 26, 13, 11, 5, 3 pixels),
    so a step costs less than the baseline's. The first, largest layer has no batch norm, which
    saves time per step; the two after it have batch norm with a short memory, so the network
    learns, and can be judged, within a few hundred steps. Recipe: ``train.RECIPES["fast"]``.
    """
    return keras.Sequential(
        [keras.Input(INPUT_SHAPE), *fast_features(), layers.Dense(NUM_CLASSES, activation="softmax")],
        name="fast",
    )


def fast_features() -> list[layers.Layer]:
    """The ``fast`` network up to its flattened features, for networks that answer other questions (``wholeness``)."""
    return [
        layers.Conv2D(16, 3, activation="relu"),
        layers.MaxPooling2D(2),
        *conv_bn(32, 3, momentum=0.9),
        layers.MaxPooling2D(2),
        *conv_bn(64, 3, momentum=0.9),
        layers.Flatten(),
    ]


ARCHITECTURES: dict[str, Callable[[], keras.Model]] = {
    "baseline": baseline,
    "default": default,
    "fast": fast,
}


def averaged(members: list[keras.Model]) -> keras.Model:
    """One network whose answer is the mean of its ``members``' probabilities.

    Networks trained alike from different seeds err on different pictures, so their mean errs
    less: on real pictures more than on MNIST (docs/training.md). The members are renamed
    ``member_0``, ``member_1``, ... in the order given; ``Classifier`` asks the first alone where it
    is sure.
    """
    if len(members) < 2:
        raise ValueError(f"an average needs at least two networks, got {len(members)}")
    for index, member in enumerate(members):
        member.name = f"{MEMBER_PREFIX}{index}"
    inputs = keras.Input(INPUT_SHAPE)
    return keras.Model(inputs, layers.Average()([member(inputs) for member in members]), name="averaged")


def members_of(model: keras.Model) -> list[keras.Model]:
    """The networks an ``averaged`` model averages, in order; none for any other model."""
    if not isinstance(model.layers[-1], layers.Average):
        return []
    return [layer for layer in model.layers if layer.name.startswith(MEMBER_PREFIX) and isinstance(layer, keras.Model)]


def networks_of(model: keras.Model) -> list[keras.Model]:
    """An averaged model's networks, or the model itself alone. Averaging averages flat keeps the
    cascade (``Classifier``): the first network answers alone where it is sure."""
    return members_of(model) or [model]


def build_model(arch: str) -> keras.Model:
    """Return a fresh, uncompiled model of the named architecture."""
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; choose one of: {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[arch]()
