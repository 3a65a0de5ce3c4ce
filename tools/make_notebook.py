"""Write (and optionally execute) ``notebooks/digit_recognition.ipynb`` from the cells below.

The notebook is generated so that its code is reviewable Python in the repository; the
committed ``.ipynb`` carries the outputs of the last execution so it reads well on a code host.

    python tools/make_notebook.py              # write the notebook without outputs
    python tools/make_notebook.py --execute    # write it, run it top to bottom, save the outputs

Executing needs MNIST (``$DIGITREC_MNIST``) and the notebook extras (``pip install -e '.[notebook]'``).
Run folders go to ``$DIGITREC_NOTEBOOK_RUNS`` (default ``runs/notebook``).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_PATH = REPO_ROOT / "notebooks" / "digit_recognition.ipynb"
CELL_TIMEOUT_S = 1800
KERNEL_NAME = "digitrec-notebook"

CELLS: list[tuple[str, str]] = [
    ("markdown", """\
# Reading handwritten digits with a CNN trained on MNIST

This notebook performs the whole case study with `digitrec`'s own API, top to bottom:

1. **The data**: what MNIST is, how the classes are balanced, what the digits look like.
2. **Preparing it** for the network.
3. **Building and training** the convolutional network, with its learning curves.
4. **Judging it** on the test set: accuracy, confusion matrix, ROC curves, per-class scores, mistakes.
5. **Comparing** it with the bundled model and with the classic Keras `baseline` architecture.
6. **Real pictures**: every step from a photo to the digits it shows, and why resizing a whole
   picture to 28x28 (what most tutorials do) fails.

Every figure is drawn by `digitrec.plots` and every number computed by the library, so what you
see here is exactly what `digitrec train`, `digitrec evaluate` and `digitrec predict` do.

**Short or full run.** `FULL_RUN = False` (the default) trains on 20,000 images for one epoch
(a minute or two on a laptop CPU) so the notebook runs quickly from scratch; the figures are then
those of a quickly trained network. `FULL_RUN = True` runs the project's full recipe (30 epochs
with augmentation and font-rendered printed digits, hours on a CPU), the one that reaches 99.7%."""),
    ("code", """\
FULL_RUN = False"""),
    ("code", """\
import os
import time
from pathlib import Path

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"  # keep TensorFlow's C++ log lines out of the outputs

import cv2
import numpy as np
import pandas as pd
from IPython.display import Image, display

from digitrec import Recognizer, plots, train
from digitrec.backend import keras
from digitrec.classifier import Classifier
from digitrec.data import load_mnist
from digitrec.evaluate import classification_metrics
from digitrec.imageio import load_image
from digitrec.ink import ink_map
from digitrec.model import build_model
from digitrec.segment import find_digits

STARTED = time.perf_counter()
RUNS = Path(os.environ.get("DIGITREC_NOTEBOOK_RUNS", "../runs/notebook"))  # run folders and figures go here
FIGURES = RUNS / "figures"
EXAMPLES = Path("../examples")  # the pictures the project ships (made by tools/make_examples.py)
pd.set_option("display.precision", 4)


def show(path: Path) -> None:
    display(Image(filename=str(path)))


if FULL_RUN:
    config = train.recipe("default")
    baseline_config = train.recipe("baseline")
else:
    SHORT = dict(epochs=1, limit=20_000, printed=0, batch_size=32)
    config = train.recipe("default", warmup_epochs=0.1, **SHORT)
    baseline_config = train.recipe("baseline", **SHORT)
config"""),
    ("markdown", """\
## 1. The data

`load_mnist()` finds MNIST (the `DIGITREC_MNIST` variable, the Keras cache, else a download),
checks the sha256 of every array and returns plain `uint8` arrays: 60,000 training and 10,000 test
images of 28x28 grey pixels, white ink on black, with their labels."""),
    ("code", """\
(x_train, y_train), (x_test, y_test) = load_mnist()
pd.DataFrame(
    {name: [array.shape, array.dtype, array.min(), array.max()]
     for name, array in {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}.items()},
    index=["shape", "dtype", "min", "max"],
)"""),
    ("markdown", """\
The ten classes are nearly balanced (from 5,421 fives to 6,742 ones in the training set), so plain
accuracy is a fair headline number; the per-class scores in section 4 show the rest."""),
    ("code", """\
show(plots.class_balance({"train": y_train, "test": y_test}, FIGURES / "class_balance.png"))
pd.DataFrame({"train": np.bincount(y_train), "test": np.bincount(y_test)}).T"""),
    ("code", """\
show(plots.sample_grid(x_train[:30] / 255.0, y_train[:30], FIGURES / "samples.png"))"""),
    ("markdown", """\
The mean image of each digit shows how MNIST was made: every digit was scaled so its longer side is
20 pixels and placed with its centre of mass in the middle of the 28x28 field. A picture from a
phone has to be brought into the same form before the network can read it (section 6)."""),
    ("code", """\
show(plots.mean_digits(x_train, y_train, FIGURES / "mean_digits.png"))"""),
    ("markdown", """\
## 2. Preparing the data

`train.prepare_data(config)` scales the pixels to [0, 1] as `float32`, holds a seeded validation
split out of the training set (the test set is only used for the final judgement) and, in the full
recipe, adds font-rendered printed digits. The channel axis (28x28 -> 28x28x1) is added batch by
batch, and the training batches are randomly rotated, shifted, zoomed and sheared
(`digitrec.augment`) so the network sees more handwriting than MNIST holds."""),
    ("code", """\
data = train.prepare_data(config)
pd.DataFrame(
    {split: [x.shape, x[..., None].shape, x.dtype, float(x.min()), float(x.max())]
     for split, x in {"train": data.x_train, "validation": data.x_val, "test": data.x_test}.items()},
    index=["images", "network input", "dtype", "min", "max"],
)"""),
    ("markdown", """\
One example before and after: the raw pixels of the first test image and what the network gets.
Its label as a one-hot vector is the target of categorical cross-entropy; `digitrec` keeps the
labels as integers and trains with *sparse* categorical cross-entropy, which is the same loss
without building the 10-wide matrix."""),
    ("code", """\
before, after = x_test[0], data.x_test[0][..., None]
print(f"before: {before.shape} {before.dtype}, values {before.min()}..{before.max()}, label {y_test[0]}")
print(f"after:  {after.shape} {after.dtype}, values {after.min():.1f}..{after.max():.1f}, "
      f"one-hot {keras.utils.to_categorical(y_test[0], 10).astype(int)}")
show(plots.image_panels([before, after[..., 0]], ["before: uint8 0..255", "after: float32 0..1"],
                        FIGURES / "before_after.png"))
print("the same pixels (rows 8-13, columns 10-17), before and after:")
display(pd.DataFrame(before[8:14, 10:18]), pd.DataFrame(after[8:14, 10:18, 0]).round(2))"""),
    ("markdown", """\
## 3. The network and its training

The `default` architecture: two blocks of batch-normalised 3x3 convolutions, each ending in a
learned strided down-sampling, then a 4x4 convolution to a 128-vector and a softmax over the ten
digits, with dropout between the blocks."""),
    ("code", """\
build_model(config.arch).summary()"""),
    ("markdown", """\
`start_run` creates a fresh, numbered run folder holding `config.json` (everything needed to repeat
the run); `train_run` trains it epoch by epoch with a checkpoint after each (an interrupted run
resumes exactly), then judges the final model on the test set and writes the figures and
`report.md`. The learning rate warms up, then follows a cosine decay to zero."""),
    ("code", """\
run_dir = train.start_run(config, RUNS)
metrics = train.train_run(run_dir)
print(f"run folder: {run_dir}")
pd.read_csv(run_dir / "history.csv")"""),
    ("code", """\
show(run_dir / "learning_curves.png")"""),
    ("markdown", """\
## 4. Judging it on the test set

The 10,000 test images were never seen in training nor used to choose anything."""),
    ("code", """\
print(f"test accuracy {metrics['accuracy']:.2%}: {metrics['errors']} of {metrics['n']} wrong; "
      f"macro one-vs-rest ROC AUC {metrics['macro_roc_auc']:.5f}")
show(run_dir / "confusion_matrix.png")"""),
    ("markdown", """\
One-vs-rest ROC curves: for each digit, how many true examples the network finds (true positive
rate) against how many others it would wrongly take for that digit, as the decision threshold on
that digit's probability moves. The false-positive axis is logarithmic because the curves hug
the top left corner."""),
    ("code", """\
show(run_dir / "roc_curves.png")"""),
    ("code", """\
pd.DataFrame(metrics["per_class"]).T.astype({"support": int}).rename_axis("digit")"""),
    ("markdown", """\
The most confident mistakes, with the true label, the network's answer and its confidence.
Many of them are digits a person would hesitate over too."""),
    ("code", """\
show(run_dir / "mistakes.png")"""),
    ("markdown", """\
## 5. Compared with the bundled model and the classic baseline

- **this notebook's run**: the `default` architecture trained above;
- **bundled**: the MNIST model shipped inside the package, trained by `digitrec train` with the full
  `default` recipe (see `docs/training.md`; the package also ships a *reader model*, several networks
  of the same recipe plus digits photographed into camera-like crops and handwriting styles MNIST
  lacks, trained from different seeds and averaged, which section 6 reads pictures with);
- **baseline**: the classic Keras example network (conv 32 - pool - conv 64 - pool - dropout -
  dense), trained here on the same data budget as this notebook's run."""),
    ("code", """\
baseline_dir = train.start_run(baseline_config, RUNS)
baseline_metrics = train.train_run(baseline_dir, verbose=False)
bundled = Classifier()
bundled_metrics = classification_metrics(y_test, bundled.predict_proba(data.x_test))


def summary_row(classifier: Classifier, metrics: dict, trained_on: str) -> dict:
    return {
        "architecture": classifier.model.name,
        "trained on": trained_on,
        "parameters": classifier.model.count_params(),
        "file size (MB)": classifier.model_path.stat().st_size / 1e6,
        "test accuracy": metrics["accuracy"],
        "test errors": metrics["errors"],
        "macro ROC AUC": metrics["macro_roc_auc"],
    }


def budget(config: train.TrainConfig) -> str:
    images = "all MNIST" if config.limit is None else f"{config.limit:,} MNIST"
    printed = f" + {config.printed:,} printed" if config.printed else ""
    return f"{images}{printed} images, {config.epochs} epoch{'s' if config.epochs > 1 else ''}"


pd.DataFrame({
    "this notebook's run": summary_row(Classifier(run_dir / "model.keras"), metrics, budget(config)),
    "bundled": summary_row(bundled, bundled_metrics, "the full default recipe"),
    "baseline": summary_row(Classifier(baseline_dir / "model.keras"), baseline_metrics, budget(baseline_config)),
}).T"""),
    ("markdown", """\
## 6. Real pictures

A network that scores 99.7% on MNIST still reads a phone photo wrong unless the photo is first
brought into MNIST's form. `Recognizer.read` does it in stages:

1. **decode** the file (any common format, EXIF orientation, transparency) into RGB;
2. **ink map**: decide whether the ink is darker or lighter than its ground, estimate the ground
   (paper, shadows, uneven light) at a coarse scale and divide it out, so each pixel says how much
   ink it holds whatever the light and the ink's colour;
3. **threshold** the ink map, remove ruled lines and grid lines, find connected components, join
   the pieces of a broken digit, drop specks and separators (`.` `,` `-`), split touching digits
   (where to cut is judged by a second small network: is each piece one whole digit?), and order
   the digits into lines;
4. bring each digit into **MNIST form** (crop to the ink, longer side to 20 px, even stroke width,
   centre of mass in the middle of 28x28);
5. **classify** all digits of the picture in one batch.

First, what it reads in every example picture the project ships (with the bundled reader model):"""),
    ("code", """\
recognizer = Recognizer()
examples = pd.read_csv(EXAMPLES / "labels.csv", dtype=str, keep_default_na=False)
readings = {file: recognizer.read(EXAMPLES / file) for file in examples["file"]}
pd.DataFrame([
    {
        "file": file,
        "label": label,
        "read": readings[file].text.replace("\\n", " / "),
        "right": readings[file].text.replace("\\n", "") == label,
        "confidences": " ".join(f"{digit.confidence:.2f}" for digit in readings[file].digits),
        "ms": round(readings[file].timings_ms["total"], 1),
    }
    for file, label in zip(examples["file"], examples["label"])
])"""),
    ("markdown", """\
Now step by step, for a phone photo and a chalkboard (light ink on a dark ground). The *kept ink*
panel shows what segmentation kept as digits (ruled lines, specks and separators are gone);
the last panel is `Reading.plot()`: each box with the digit read and its confidence. Under it, each
28x28 input the network saw, captioned with its answer, the confidence, and the next two guesses."""),
    ("code", """\
def kept_ink(reading, crops) -> np.ndarray:
    \"\"\"The ink of every digit found, pasted back where it was found.\"\"\"
    canvas = np.zeros(reading.image.shape[:2], np.float32)
    for crop in crops:
        x, y, width, height = crop.box
        region = canvas[y: y + height, x: x + width]
        region[...] = np.maximum(region, cv2.resize(crop.ink, (region.shape[1], region.shape[0])))
    return canvas


for file in ["phone-2026.jpg", "chalkboard-47.jpg"]:
    rgb = load_image(EXAMPLES / file)
    reading = readings[file]
    crops = [crop for line in find_digits(rgb) for crop in line]
    show(plots.image_panels(
        [rgb, cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), ink_map(rgb), kept_ink(reading, crops), reading.plot()],
        ["original", "greyscale", "ink map (ground divided out)", "kept ink (thresholded, cleaned)",
         f"read: {reading.text!r}"],
        FIGURES / f"steps-{Path(file).stem}.png",
    ))
    show(plots.network_inputs(
        np.stack([digit.input for digit in reading.digits]) if reading.digits else np.zeros((0, 28, 28)),
        [f"{digit.value} ({digit.confidence:.0%})\\n" + " ".join(f"{d}:{p:.0%}" for d, p in digit.top(3)[1:])
         for digit in reading.digits],
        FIGURES / f"inputs-{Path(file).stem}.png",
        title="what the network saw",
        columns=max(4, len(reading.digits)),
    ))
    print({stage: f"{ms:.1f} ms" for stage, ms in reading.timings_ms.items()})"""),
    ("markdown", """\
### What goes wrong with the naive approach

Most MNIST tutorials read a picture by turning it grey and resizing the whole of it to 28x28. Fed
to the very same network, that gives dark ink on light paper (MNIST is the opposite), digits a few
pixels tall or smeared across the frame, and several digits squeezed into one input: the network
answers with one digit, and usually not a right one."""),
    ("code", """\
naive_inputs = np.stack([
    cv2.resize(cv2.cvtColor(load_image(EXAMPLES / file), cv2.COLOR_RGB2GRAY), (28, 28),
               interpolation=cv2.INTER_AREA) / 255.0
    for file in examples["file"]
])
naive_probabilities = recognizer.classifier.predict_proba(naive_inputs)
show(plots.network_inputs(
    naive_inputs,
    [f"true {label or '(none)'}\\nnaive: {p.argmax()} ({p.max():.0%})"
     for label, p in zip(examples["label"], naive_probabilities)],
    FIGURES / "naive.png",
    title="The naive pipeline: whole picture, greyscale, resized to 28x28",
    columns=5,
))
pd.DataFrame({
    "file": examples["file"],
    "label": examples["label"],
    "naive": naive_probabilities.argmax(axis=1),
    "naive confidence": naive_probabilities.max(axis=1),
    "digitrec": [readings[file].text.replace("\\n", " / ") for file in examples["file"]],
})"""),
    ("code", """\
print(f"notebook ran in {time.perf_counter() - STARTED:.0f} s (FULL_RUN={FULL_RUN})")"""),
]


def build() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.update(
        kernelspec={"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        language_info={"name": "python"},
    )
    makers = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    notebook.cells = [makers[kind](source) for kind, source in CELLS]
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:02d}"
    return notebook


def execute(notebook: nbformat.NotebookNode, cwd: Path, timeout_s: int = CELL_TIMEOUT_S) -> nbformat.NotebookNode:
    """Run ``notebook`` in a kernel of this very interpreter, with ``cwd`` as working folder.

    The kernel is described by a kernelspec written to a temporary folder, so no machine-wide
    Jupyter kernel is needed or touched. It inherits this process's environment.
    """
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory() as jupyter_dir:
        spec_dir = Path(jupyter_dir) / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        (spec_dir / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": f"Python {sys.version_info.major}.{sys.version_info.minor} (digitrec)",
            "language": "python",
        }))
        saved = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [jupyter_dir, saved]))
        try:
            client = NotebookClient(
                notebook, timeout=timeout_s, kernel_name=KERNEL_NAME, coalesce_streams=True,
                resources={"metadata": {"path": str(cwd)}},
            )
            client.execute()
        finally:
            if saved is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = saved
    notebook.metadata["kernelspec"] = build().metadata["kernelspec"]
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execute", action="store_true", help="run the notebook and save it with its outputs")
    parser.add_argument("--out", type=Path, default=NOTEBOOK_PATH, help=f"where to write it (default: {NOTEBOOK_PATH.relative_to(REPO_ROOT)})")
    args = parser.parse_args(argv)
    notebook = build()
    if args.execute:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        started = time.perf_counter()
        execute(notebook, cwd=NOTEBOOK_PATH.parent)
        print(f"executed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
