"""Adapting trained networks to labelled real pictures (``digitrec finetune``).

MNIST's writers, and the digits ``digitrec train`` draws, do not cover every hand or every kind of
picture. A few thousand real digits help: read each labelled picture with the reader, take the
28x28 inputs its network saw with the digits of the label, and train each network on for a few
epochs on those, repeated, mixed into the data it was trained on (so it does not forget printed
digits). The learning rate warms up over ``warmup_steps`` and decays to zero as a cosine.

Measured on the development set with every folder read by networks that never saw it
(docs/training.md, "Fine-tuning on real pictures"): Semeion +2.2 points, cheques +3.3; training only
the last two blocks (``last_blocks=2``), about a quarter of the time: Semeion +2.6, cheques +2.8.
"""
from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from digitrec.backend import keras
from digitrec.classifier import bundled_reader_path, load_keras_model
from digitrec.data import LabelledItem, load_labelled_folders
from digitrec.evaluate import read_item
from digitrec.files import atomic_write, read_json, write_json
from digitrec.imageio import unreadable_message
from digitrec.model import averaged, networks_of
from digitrec.printed import FontsError, find_digit_fonts
from digitrec.train import TrainConfig, prepare_data, recipe, train_steps

if TYPE_CHECKING:
    from digitrec.recognize import Recognizer

# The bundled reader's members were trained with this recipe (docs/reader-model/report.md); its
# data are what each network goes on seeing while it learns the real digits.
READER_RECIPE = {"photographed": 30000, "lead_in_ones": 4000, "lead_in_longest": 0.7, "stemmed_nines": 4000, "stretched": 6000}
PARTS_SUFFIX = ".parts"  # beside the output: each finished network, so a stopped run resumes
PLAN_FILE = "finetune.json"


WHOLE_NETWORK_RATE = 3e-4  # the peak learning rate when every layer learns
LAST_BLOCKS_RATE = 1e-3  # ... and when only the last blocks do (docs/training.md, fourteenth session)


@dataclass(frozen=True)
class FinetuneConfig:
    """How the networks are trained on: ``repeat`` copies of each real digit join the recipe's data;
    network i draws its batches from ``seed + i``; the recipe's data are made with ``seed``.

    ``last_blocks`` 0 trains every layer; N trains only the last N convolutions and the layers after
    them, on what the layers before compute, once, for each picture (``train_last_blocks``).
    ``learning_rate`` None means the peak rate measured best for that choice. ``networks`` names the
    networks of an averaged model that learn (numbered from 0); the others stay as they are, so half a
    reader can learn beside half as trained (docs/training.md, fifteenth session). None: all."""

    epochs: int = 2
    repeat: int = 4
    learning_rate: float | None = None
    warmup_steps: int = 100
    batch_size: int = 128
    seed: int = 1
    last_blocks: int = 0
    networks: tuple[int, ...] | None = None

    def __post_init__(self):
        if self.networks is not None:  # in order, once each, whatever order they were given in
            object.__setattr__(self, "networks", tuple(sorted(set(self.networks))))

    @property
    def peak_rate(self) -> float:
        if self.learning_rate is not None:
            return self.learning_rate
        return LAST_BLOCKS_RATE if self.last_blocks else WHOLE_NETWORK_RATE

    def to_dict(self) -> dict:
        return {**asdict(self), "learning_rate": self.peak_rate, "networks": None if self.networks is None else list(self.networks)}

    def check_networks(self, count: int) -> None:
        """Refuse ``networks`` that name a network a model of ``count`` networks does not have."""
        if self.networks is not None and max(self.networks) >= count:
            raise FinetuneError(f"--networks {' '.join(map(str, self.networks))}: the model has {count} networks,"
                                f" numbered 0 to {count - 1}")

    def learns(self, index: int) -> bool:
        """Whether network ``index`` is trained (``networks``)."""
        return self.networks is None or index in self.networks


@dataclass
class RealDigits:
    """The real digits found in labelled pictures, as the network sees them, and what was left out."""

    x: np.ndarray  # N x 28 x 28 float32 in [0, 1]
    y: np.ndarray  # N digit labels
    items_used: int
    skipped: list[str] = field(default_factory=list)  # "file: why", one per picture left out


def finetune_on_pictures(images: Path, out: Path, config: FinetuneConfig, model_path: Path | None = None,
                         exclude: tuple[str, ...] = (), mnist_path: str | None = None, verbose: bool = True) -> RealDigits:
    """The whole of ``digitrec finetune``: the real digits of every labelled folder under ``images``
    but those named in ``exclude``, mixed into the reader recipe's data, each network of the model
    (default: the bundled reader) trained on them, the result written to ``out``."""
    from digitrec.recognize import Recognizer

    model_path = Path(model_path) if model_path else bundled_reader_path()
    sources = kept_folders(load_labelled_folders(images), exclude)
    network = load_keras_model(model_path)
    networks = networks_of(network)
    config.check_networks(len(networks))  # bad settings said now, not after the pictures have been read
    if config.last_blocks:
        for member in networks:
            first_trained_layer(member, config.last_blocks)
    if not find_digit_fonts():  # the same
        raise FontsError("no font with digits found; the reader recipe's printed and photographed digits need some"
                         " (e.g. apt-get install fonts-dejavu fonts-liberation)")
    real = real_digits(sources, Recognizer(model_path), progress=verbose)
    if not len(real.y):
        raise FinetuneError(f"{images}: no picture was read with as many digits as its label has; nothing to learn from")
    plan = {"model": str(model_path), "images": str(images), "folders": list(sources), "real_digits": len(real.y),
            "config": config.to_dict()}
    if verbose:
        print(f"{len(real.y)} real digits from {real.items_used} pictures; making the reader recipe's data (about a"
              " minute)", file=sys.stderr)
    x, y = mixed(recipe_digits(config.seed, mnist_path), real, config.repeat)
    finetune(network, x, y, config, out, plan, verbose)
    return real


def kept_folders(sources: dict[str, list[LabelledItem]], exclude: tuple[str, ...]) -> dict[str, list[LabelledItem]]:
    """``sources`` less the folders named in ``exclude`` (held out, to measure on them afterwards)."""
    unknown = sorted(set(exclude) - set(sources))
    if unknown:
        raise FinetuneError(f"--exclude {' '.join(unknown)}: no such labelled folder; the folders are: {', '.join(sources)}")
    kept = {name: items for name, items in sources.items() if name not in exclude}
    if not kept:
        raise FinetuneError("--exclude leaves no labelled folder to learn from")
    return kept


def real_digits(sources: dict[str, list[LabelledItem]], recognizer: Recognizer, progress: bool = True) -> RealDigits:
    """Read every labelled picture as ``digitrec evaluate --images`` does and pair the inputs the
    network saw with the label's digits. A picture read with more or fewer digits than its label has
    is left out (which digit is which is then unknown), as is one that cannot be decoded."""
    inputs, labels, skipped, used = [], [], [], 0
    items = [item for folder in sources.values() for item in folder]
    for item in tqdm(items, desc="reading labelled pictures", unit="image", file=sys.stderr, disable=not progress):
        try:
            reading = read_item(recognizer, item)
        except Exception as error:  # a broken picture, or a bug on one picture: left out, the others are read
            skipped.append(unreadable_message(item.file, error))
            continue
        digits = [digit for line in reading.lines for digit in line]
        if len(digits) != len(item.label):
            skipped.append(f"{item.file}: read {len(digits)} digits, the label has {len(item.label)}")
            continue
        used += 1
        inputs += [np.asarray(digit.input, np.float32).reshape(28, 28) for digit in digits]
        labels += [int(char) for char in item.label]
    x = np.stack(inputs) if inputs else np.zeros((0, 28, 28), np.float32)
    return RealDigits(x, np.array(labels, np.int64), used, skipped)


def joined(parts: list[RealDigits]) -> RealDigits:
    """The real digits of several readings, in order, as if their folders had been read together."""
    return RealDigits(np.concatenate([part.x for part in parts]), np.concatenate([part.y for part in parts]),
                      sum(part.items_used for part in parts), [reason for part in parts for reason in part.skipped])


def recipe_digits(seed: int, mnist_path: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The reader recipe's training data (MNIST's training split and the digits it adds), made with ``seed``."""
    splits = prepare_data(recipe("default", seed=seed, mnist_path=mnist_path, **READER_RECIPE))
    return splits.x_train, splits.y_train


def mixed(base: tuple[np.ndarray, np.ndarray], real: RealDigits, repeat: int) -> tuple[np.ndarray, np.ndarray]:
    """The base data with ``repeat`` copies of every real digit appended."""
    x_base, y_base = base
    return (np.concatenate([x_base, *[real.x] * repeat]),
            np.concatenate([y_base.astype(np.int64), *[real.y] * repeat]))


def train_on(network: keras.Model, x: np.ndarray, y: np.ndarray, config: FinetuneConfig, seed: int,
             verbose: bool = True) -> keras.Model:
    """A copy of ``network`` trained ``config.epochs`` more epochs on (x, y), with the batches and
    augmentation ``digitrec train`` draws for ``seed`` (with ``config.last_blocks``, only its last
    blocks: ``train_last_blocks``); returned without optimizer state."""
    if config.last_blocks:
        return train_last_blocks(network, x, y, config, seed, verbose)
    keras.utils.set_random_seed(seed)
    model = keras.models.clone_model(network)
    model.set_weights(network.get_weights())
    _compile(model, config, len(x))
    batches = replace(recipe("default"), seed=seed, batch_size=config.batch_size)
    for epoch in range(config.epochs):
        _train_epoch(model, x, y, batches, epoch, f"epoch {epoch + 1}/{config.epochs}", verbose)
    trained = keras.models.clone_model(network)
    trained.set_weights(model.get_weights())
    return trained


def train_last_blocks(network: keras.Model, x: np.ndarray, y: np.ndarray, config: FinetuneConfig, seed: int,
                      verbose: bool = True) -> keras.Model:
    """A copy of ``network`` whose last ``config.last_blocks`` convolutions, and the layers after
    them, are trained on (x, y); the layers before keep their weights.

    What the kept layers compute for each picture is then the same in every epoch, so it is
    computed once and the batches are drawn from it: about two minutes a network on the two-core
    Xeon of sessions 12-14 (half of it computing), where training every layer takes about nine. There is no augmentation (a feature map cannot be turned
    or thickened); what the real digits teach is how the network's late layers weigh the shapes
    its early ones already find, and on pictures never trained on that was most of the gain
    (docs/training.md, fourteenth session)."""
    start = first_trained_layer(network, config.last_blocks)
    keras.utils.set_random_seed(seed)
    kept = keras.Model(network.inputs, network.layers[start - 1].output)
    features = kept.predict(np.asarray(x, np.float32).reshape(-1, *network.input_shape[1:]), batch_size=1024, verbose=0)
    last = _copy_of_layers(network.layers[start:], features.shape[1:])
    _compile(last, config, len(x))
    with tqdm(total=len(x) * config.epochs, desc="training the last blocks", unit="image", file=sys.stderr,
              disable=not verbose) as bar:
        last.fit(features, y, batch_size=config.batch_size, epochs=config.epochs, shuffle=True, verbose=0,
                 callbacks=[_ProgressBar(bar, config.batch_size, len(x))])
    trained = keras.models.clone_model(network)
    trained.set_weights(network.get_weights())
    for layer, learnt in zip(trained.layers[start:], last.layers):
        layer.set_weights(learnt.get_weights())
    return trained


def first_trained_layer(network: keras.Model, blocks: int) -> int:
    """Index in ``network.layers`` of the first layer ``train_last_blocks`` trains: the ``blocks``-th
    convolution from the end, or the dropout just before it (so the fixed features still meet dropout)."""
    if not isinstance(network, keras.Sequential):
        raise FinetuneError(f"--last-blocks needs a network whose layers run one after another; {network.name} is not")
    convolutions = [index for index, layer in enumerate(network.layers) if isinstance(layer, keras.layers.Conv2D)]
    if not 1 <= blocks <= len(convolutions) - 1:
        raise FinetuneError(f"--last-blocks {blocks}: {network.name} has {len(convolutions)} convolutions; give 1 to"
                            f" {len(convolutions) - 1}, so that at least one is kept as it is")
    start = convolutions[-blocks]
    return start - 1 if isinstance(network.layers[start - 1], keras.layers.Dropout) else start


def _copy_of_layers(layers: list, input_shape: tuple) -> keras.Sequential:
    """New layers configured and weighted as ``layers``, one after another from ``input_shape``."""
    copies = [layer.__class__.from_config(layer.get_config()) for layer in layers]
    model = keras.Sequential([keras.Input(input_shape), *copies])
    for copy, layer in zip(copies, layers):
        copy.set_weights(layer.get_weights())
    return model


def _compile(model: keras.Model, config: FinetuneConfig, examples: int) -> None:
    """Adam with the rate warming up over ``config.warmup_steps``, then decaying to zero as a cosine."""
    steps = int(np.ceil(examples / config.batch_size)) * config.epochs
    warmup = min(config.warmup_steps, steps - 1)
    rate = config.peak_rate
    schedule = keras.optimizers.schedules.CosineDecay(rate / 100, decay_steps=steps - warmup, warmup_target=rate,
                                                      warmup_steps=warmup)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy", metrics=["accuracy"])


class _ProgressBar(keras.callbacks.Callback):
    """Moves a tqdm bar on as ``fit`` trains, with the epoch's mean loss so far."""

    def __init__(self, bar: tqdm, batch_size: int, examples: int):
        super().__init__()
        self.bar, self.batch_size, self.examples = bar, batch_size, examples

    def on_train_batch_end(self, batch, logs=None):
        self.bar.set_postfix(loss=f"{(logs or {}).get('loss', float('nan')):.4f}", refresh=False)
        self.bar.update(min(self.batch_size, self.examples - batch * self.batch_size))


def _train_epoch(model: keras.Model, x: np.ndarray, y: np.ndarray, batches: TrainConfig, epoch: int,
                 description: str, verbose: bool) -> None:
    loss_sum, seen = 0.0, 0
    with tqdm(total=len(x), desc=description, unit="image", file=sys.stderr, disable=not verbose) as bar:
        for batch_size, loss, _ in train_steps(model, x, y, batches, epoch):
            loss_sum, seen = loss_sum + loss * batch_size, seen + batch_size
            bar.set_postfix(loss=f"{loss_sum / seen:.4f}", refresh=False)
            bar.update(batch_size)


def finetune(model: keras.Model, x: np.ndarray, y: np.ndarray, config: FinetuneConfig, out: Path,
             plan: dict, verbose: bool = True) -> keras.Model:
    """Train each network of ``model`` on (x, y) in turn (an averaged model's members, else the model
    itself) and write the result to ``out``. Each finished network is kept in ``out.parts/`` until
    the end, so a stopped run, started again with the same ``plan``, goes on where it stopped."""
    out = Path(out)
    parts = out.with_name(out.name + PARTS_SUFFIX)
    _check_plan(parts, plan)
    networks = networks_of(model)
    config.check_networks(len(networks))
    trained = []
    for index, network in enumerate(networks):
        if not config.learns(index):
            trained.append(network)
            continue
        part = parts / f"network-{index}.keras"
        if part.exists():
            trained.append(keras.models.load_model(part, safe_mode=True))
            continue
        if verbose:
            print(f"Network {index + 1} of {len(networks)}", file=sys.stderr)
        trained.append(train_on(network, x, y, config, config.seed + index, verbose))
        atomic_write(part, trained[-1].save)
    result = averaged(trained) if len(trained) > 1 else trained[0]
    atomic_write(out, result.save)
    for leftover in parts.iterdir():
        leftover.unlink()
    parts.rmdir()
    return result


def _check_plan(parts: Path, plan: dict) -> None:
    """Start ``parts`` with the plan, or make sure the networks already in it were trained to the same plan."""
    plan_file = parts / PLAN_FILE
    if not plan_file.exists():
        parts.mkdir(parents=True, exist_ok=True)
        write_json(plan_file, plan)
        return
    if read_json(plan_file) != plan:
        raise FinetuneError(f"{parts}: holds networks fine-tuned with other settings or pictures ({plan_file});"
                            " delete that folder or choose another --out")


class FinetuneError(Exception):
    """A fine-tuning run cannot go on as asked; the message says why and what to do."""
