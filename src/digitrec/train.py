"""A training run: the recipe, the data it sees, checkpoints after every epoch, and resume.

A run lives in its own folder. After every completed epoch the folder holds a checkpoint
(weights, optimizer state, random-generator state) and ``progress.json`` naming it, so a run
stopped at any moment resumes from the last finished epoch and ends exactly where an
uninterrupted run would have.
"""
from __future__ import annotations

import csv
import io
import platform
import sys
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path

import numpy as np

from digitrec import __version__, plots
from digitrec.augment import NO_AUGMENTATION, Augmentation, augment_batch
from digitrec.backend import keras, tf
from digitrec.classifier import Classifier
from digitrec.data import load_mnist
from digitrec.evaluate import classification_metrics
from digitrec.files import atomic_write, fresh_run_dir, read_json, write_json, write_text
from digitrec.handwriting import (LEAD_IN_LENGTH_FRACTION, hooked_nines, lead_in_ones, looped_twos, rho_nines, stemmed_nines,
                                  stretched_digits)
from digitrec.model import build_model
from digitrec.photographed import photographed_digits
from digitrec.printed import find_digit_fonts, render_handwriting_font_digits, render_printed_digits
from digitrec.report import write_report

CHECKPOINT_DIR = "checkpoints"
PROGRESS_FILE = "progress.json"
CONFIG_FILE = "config.json"


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a run's result. Saved as ``config.json``; ``--resume`` reads it back."""

    arch: str = "default"
    epochs: int = 30
    batch_size: int = 128
    seed: int = 1
    learning_rate: float = 2e-3
    schedule: str = "cosine"
    warmup_epochs: float = 1.0
    validation_size: int = 5000
    printed: int = 20000
    photographed: int = 0
    lead_in_ones: int = 0
    lead_in_longest: float = LEAD_IN_LENGTH_FRACTION[1]
    stemmed_nines: int = 0
    stretched: int = 0
    rho_nines: int = 0
    looped_twos: int = 0
    hooked_nines: int = 0
    handwriting_font_digits: int = 0
    limit: int | None = None
    augmentation: Augmentation = field(default_factory=Augmentation)
    mnist_path: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["augmentation"] = self.augmentation.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        data = dict(data)
        data["augmentation"] = Augmentation(**data["augmentation"])
        data.setdefault("photographed", 0)  # run folders from before photographed digits had none
        data.setdefault("lead_in_ones", 0)  # nor ones with a lead-in stroke
        data.setdefault("lead_in_longest", LEAD_IN_LENGTH_FRACTION[1])  # nor a choice of its length
        data.setdefault("stemmed_nines", 0)  # nor nines drawn as a loop on a stem
        data.setdefault("stretched", 0)  # nor digits stretched to a square
        data.setdefault("rho_nines", 0)  # nor rho-shaped nines
        data.setdefault("looped_twos", 0)  # nor twos with a loop at the base
        data.setdefault("hooked_nines", 0)  # nor nines whose stem ends in a hook
        data.setdefault("handwriting_font_digits", 0)  # nor digits drawn in handwriting fonts
        return cls(**data)


RECIPES: dict[str, TrainConfig] = {
    "default": TrainConfig(),
    "baseline": TrainConfig(
        arch="baseline", epochs=15, batch_size=128, learning_rate=1e-3, schedule="constant",
        warmup_epochs=0.0, validation_size=6000, printed=0, photographed=0, augmentation=NO_AUGMENTATION,
    ),
    "fast": TrainConfig(
        arch="fast", epochs=2, batch_size=128, learning_rate=1e-2, schedule="cosine",
        warmup_epochs=0.1, validation_size=5000, printed=0, photographed=0, augmentation=NO_AUGMENTATION,
    ),
}


def recipe(arch: str, **overrides) -> TrainConfig:
    """The named architecture's default recipe with the given (non-None) fields replaced."""
    if arch not in RECIPES:
        raise ValueError(f"unknown architecture {arch!r}; choose one of: {', '.join(RECIPES)}")
    return replace(RECIPES[arch], **{k: v for k, v in overrides.items() if v is not None})


@dataclass
class Splits:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def prepare_data(config: TrainConfig) -> Splits:
    """MNIST scaled to [0, 1], a seeded validation split held out of the training set, printed and
    photographed digits, ones with a lead-in stroke, nines drawn as a loop on a stem, digits stretched
    to a square, rho-shaped nines, twos looped at the base, nines with a hooked stem and digits drawn in
    handwriting fonts added (the handwriting these are made from drawn from the training split only)."""
    (x_train, y_train), (x_test, y_test) = load_mnist(config.mnist_path)
    order = np.random.default_rng([config.seed, 1]).permutation(len(x_train))
    validation_size = config.validation_size
    if config.limit is not None:
        validation_size = min(validation_size, max(100, config.limit // 10))
    val_index, train_index = order[:validation_size], order[validation_size:]
    if config.limit is not None:
        train_index = train_index[: config.limit]
    mnist_fit = (x_train[train_index].astype(np.float32) / 255.0, y_train[train_index])
    x_fit, y_fit = (np.concatenate(arrays) for arrays in zip(mnist_fit, *_made_digits(config, *mnist_fit)))
    return Splits(
        x_fit, y_fit,
        x_train[val_index].astype(np.float32) / 255.0, y_train[val_index],
        x_test.astype(np.float32) / 255.0, y_test,
    )


def _made_digits(config: TrainConfig, x_fit: np.ndarray, y_fit: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (images, labels) the recipe adds to MNIST's training split, made from that split only, in a fixed order."""
    restyle = partial(_restyled, seed=config.seed, x_fit=x_fit, y_fit=y_fit)
    made = []
    if config.photographed:
        made.append(photographed_digits(config.photographed, config.seed, x_fit, y_fit))
    if config.lead_in_ones:
        made.append(restyle(partial(lead_in_ones, longest=config.lead_in_longest), config.lead_in_ones, 1, 1, 13))
    if config.stemmed_nines:
        made.append(restyle(stemmed_nines, config.stemmed_nines, 0, 9, 17))
    if config.stretched:
        made.append(stretched_digits(x_fit, y_fit, config.stretched, np.random.default_rng([config.seed, 19])))
    if config.printed:
        made.append(render_printed_digits(config.printed, config.seed))
    for make, count, source, label, salt in ((rho_nines, config.rho_nines, 0, 9, 23), (looped_twos, config.looped_twos, 2, 2, 29),
                                             (hooked_nines, config.hooked_nines, 0, 9, 31)):
        if count:
            made.append(restyle(make, count, source, label, salt))
    if config.handwriting_font_digits:
        made.append(render_handwriting_font_digits(config.handwriting_font_digits, config.seed))
    return made


def _restyled(make, count: int, source: int, label: int, salt: int, *, seed: int, x_fit: np.ndarray,
              y_fit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``count`` digits ``make`` draws from the training split's ``source`` digits (a one given a lead-in, a
    zero made a nine), labelled ``label``; their random numbers come from the run's seed and ``salt``."""
    images = make(x_fit[y_fit == source], count, np.random.default_rng([seed, salt]))
    return images, np.full(len(images), label, y_fit.dtype)


def steps_per_epoch(config: TrainConfig, train_size: int) -> int:
    return int(np.ceil(train_size / config.batch_size))


def compile_new_model(config: TrainConfig, train_size: int) -> keras.Model:
    keras.utils.set_random_seed(config.seed)
    model = build_model(config.arch)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate_schedule(config, train_size)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def learning_rate_schedule(config: TrainConfig, train_size: int):
    """Constant, or a linear warm-up to the peak then cosine decay to zero, counted in steps."""
    if config.schedule == "constant":
        return config.learning_rate
    if config.schedule != "cosine":
        raise ValueError(f"unknown schedule {config.schedule!r}; choose 'cosine' or 'constant'")
    steps = steps_per_epoch(config, train_size)
    warmup_steps = int(config.warmup_epochs * steps)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=config.learning_rate / 100 if warmup_steps else config.learning_rate,
        decay_steps=max(1, config.epochs * steps - warmup_steps),
        warmup_target=config.learning_rate if warmup_steps else None,
        warmup_steps=warmup_steps,
    )


def epoch_batches(x: np.ndarray, y: np.ndarray, config: TrainConfig, epoch: int):
    """Yield the (augmented) batches of one epoch; the same epoch number always gives the same batches."""
    order = np.random.default_rng([config.seed, 2, epoch]).permutation(len(x))
    for step, start in enumerate(range(0, len(x), config.batch_size)):
        index = order[start: start + config.batch_size]
        rng = np.random.default_rng([config.seed, 3, epoch, step])
        yield augment_batch(x[index], config.augmentation, rng)[..., None], y[index]


def start_run(config: TrainConfig, out: Path = Path("runs/train")) -> Path:
    """Create a fresh run folder holding the config; return it."""
    run_dir = fresh_run_dir(out, config.arch)
    environment = environment_info()
    if config.printed or config.photographed:
        environment["fonts"] = sorted(path.name for path in find_digit_fonts())
    if config.handwriting_font_digits:
        environment["handwriting_fonts"] = sorted(path.name for path in find_digit_fonts(handwriting=True))
    write_json(run_dir / CONFIG_FILE, {**config.to_dict(), "environment": environment})
    return run_dir


def environment_info() -> dict:
    """What else decides the numbers: library versions, the machine, the command."""
    return {
        "digitrec": __version__,
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "command": " ".join(["digitrec", *sys.argv[1:]]) if sys.argv else "",
    }


class RunFolderError(Exception):
    """A run folder's files are missing or damaged; the message names the file."""


def load_run_config(run_dir: Path) -> TrainConfig:
    path = Path(run_dir) / CONFIG_FILE
    try:
        data = read_json(path)
        data.pop("environment", None)
        return TrainConfig.from_dict(data)
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise RunFolderError(f"{path}: not a readable training config ({error}); start a new run instead") from error


def train_run(run_dir: Path, verbose: bool = True) -> dict:
    """Train (or go on training) the run in ``run_dir`` to its last epoch, then evaluate it.

    Returns the test-set metrics. Safe to call again after an interruption.
    """
    run_dir = Path(run_dir)
    config = load_run_config(run_dir)
    tf.config.experimental.enable_op_determinism()
    data = prepare_data(config)
    progress = _read_progress(run_dir)
    if progress["checkpoint"]:
        model = keras.models.load_model(run_dir / progress["checkpoint"], safe_mode=True)
    else:
        model = compile_new_model(config, len(data.x_train))
        plots.sample_grid(_sample_inputs(data, config), data.y_train[:40], run_dir / "samples.png")
    for epoch in range(progress["completed_epochs"], config.epochs):
        if verbose:
            print(f"Epoch {epoch + 1}/{config.epochs}", file=sys.stderr)
        row = _train_one_epoch(model, data, config, epoch, verbose)
        progress = _save_progress(run_dir, model, progress, row)
    return finish_run(run_dir, model, data, progress["history"], config)


def _sample_inputs(data: Splits, config: TrainConfig) -> np.ndarray:
    rng = np.random.default_rng([config.seed, 4])
    return augment_batch(data.x_train[:40], config.augmentation, rng)


def train_steps(model: keras.Model, x: np.ndarray, y: np.ndarray, config: TrainConfig, epoch: int):
    """Train one epoch batch by batch, yielding ``(batch_size, loss, accuracy)`` after each step.

    Between two steps the caller may do anything (draw a progress bar, measure test accuracy);
    the training itself happens only here.
    """
    for x_batch, y_batch in epoch_batches(x, y, config, epoch):
        model.reset_metrics()
        logs = model.train_on_batch(x_batch, y_batch, return_dict=True)
        yield len(y_batch), float(logs["loss"]), float(logs["accuracy"])


def _train_one_epoch(model: keras.Model, data: Splits, config: TrainConfig, epoch: int, verbose: bool) -> dict:
    steps = steps_per_epoch(config, len(data.x_train))
    _reseed_layers(model, config, epoch)
    bar = keras.utils.Progbar(steps, verbose=1 if verbose else 0)
    totals = np.zeros(2)
    for step, (batch_size, loss, accuracy) in enumerate(train_steps(model, data.x_train, data.y_train, config, epoch)):
        totals += np.array([loss, accuracy]) * batch_size
        bar.update(step + 1, values=[("loss", loss), ("accuracy", accuracy)])
    loss, accuracy = totals / len(data.x_train)
    val_loss, val_accuracy = _validate(model, data)
    row = {
        "epoch": epoch + 1,
        "loss": float(loss),
        "accuracy": float(accuracy),
        "val_loss": val_loss,
        "val_accuracy": val_accuracy,
        "learning_rate": float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)),
    }
    if verbose:
        print(f"  val_loss {row['val_loss']:.4f}  val_accuracy {row['val_accuracy']:.4%}", file=sys.stderr)
    return row


def _validate(model: keras.Model, data: Splits) -> tuple[float, float]:
    """Loss and accuracy on the validation split, through the fast inference path."""
    probabilities = Classifier(model=model).predict_proba(data.x_val)
    picked = probabilities[np.arange(len(data.y_val)), data.y_val]
    loss = float(-np.log(np.clip(picked, 1e-7, 1.0)).mean())
    return loss, float((probabilities.argmax(axis=1) == data.y_val).mean())


def _reseed_layers(model: keras.Model, config: TrainConfig, epoch: int) -> None:
    """Restart every layer's random generator (dropout) from (seed, epoch).

    Keras does not restore these generators when it loads a checkpoint, so without this a
    resumed run would drop out different units than an uninterrupted one.
    """
    states = [v for v in model.non_trainable_variables if v.path.endswith("seed_generator_state")]
    seeds = np.random.default_rng([config.seed, 5, epoch]).integers(0, 2**31, size=len(states))
    for state, seed in zip(states, seeds):
        state.assign(np.array([seed, 0], dtype=state.dtype))


def _read_progress(run_dir: Path) -> dict:
    path = run_dir / PROGRESS_FILE
    if path.exists():
        return read_json(path)
    return {"completed_epochs": 0, "checkpoint": None, "history": []}


def _save_progress(run_dir: Path, model: keras.Model, progress: dict, row: dict) -> dict:
    """Checkpoint first, then the progress file that names it: a crash between the two loses nothing."""
    checkpoint = Path(CHECKPOINT_DIR) / f"epoch-{row['epoch']:03d}.keras"
    (run_dir / CHECKPOINT_DIR).mkdir(exist_ok=True)
    atomic_write(run_dir / checkpoint, model.save)
    new_progress = {
        "completed_epochs": row["epoch"],
        "checkpoint": str(checkpoint),
        "history": [*progress["history"], row],
    }
    write_json(run_dir / PROGRESS_FILE, new_progress)
    write_text(run_dir / "history.csv", _history_csv(new_progress["history"]))
    if progress["checkpoint"]:
        (run_dir / progress["checkpoint"]).unlink(missing_ok=True)
    return new_progress


def _history_csv(history: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(history[0]))
    writer.writeheader()
    writer.writerows(history)
    return buffer.getvalue()


def inference_copy(model: keras.Model, arch: str) -> keras.Model:
    """The same weights in a fresh, uncompiled model: no optimizer state, a third of the size."""
    copy = build_model(arch)
    copy.set_weights(model.get_weights())
    return copy


def finish_run(run_dir: Path, model: keras.Model, data: Splits, history: list[dict], config: TrainConfig) -> dict:
    """Save the final model, judge it once on the test set, draw the figures and write the report."""
    final = inference_copy(model, config.arch)
    atomic_write(run_dir / "model.keras", final.save)
    probabilities = Classifier(run_dir / "model.keras").predict_proba(data.x_test)
    metrics = classification_metrics(data.y_test, probabilities)
    metrics["validation_accuracy"] = history[-1]["val_accuracy"] if history else None
    metrics["epochs"] = len(history)
    write_json(run_dir / "metrics.json", metrics)
    plots.learning_curves(history, run_dir / "learning_curves.png")
    plots.confusion_matrix_plot(metrics["confusion_matrix"], run_dir / "confusion_matrix.png")
    plots.roc_curves(data.y_test, probabilities, run_dir / "roc_curves.png")
    plots.mistakes_gallery(data.x_test, data.y_test, probabilities, run_dir / "mistakes.png")
    write_report(run_dir, config.to_dict(), metrics, history)
    for leftover in (run_dir / CHECKPOINT_DIR).glob("*.keras"):
        leftover.unlink()
    return metrics

