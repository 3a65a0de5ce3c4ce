"""Train one ``digitrec train`` run on Keras' JAX backend, for a GPU machine that has JAX but no TensorFlow.

    KERAS_BACKEND=jax DIGITREC_MNIST=mnist.npz FONT_ROOT=/tmp/fonts/usr/share/fonts RUNS=/tmp/runs \\
        python tools/train_on_jax.py NAME SEED ELASTIC_PX RHO_NINES HOOKED_NINES [HANDWRITING_FONT_DIGITS]

It trains the sixth session's reader recipe (``--photographed 30000 --lead-in-ones 4000
--lead-in-longest 0.7 --stemmed-nines 4000 --stretched 6000``) with the given seed, elastic strength
rho-shaped and hooked nines, and digits drawn in handwriting fonts (none if not given), into the run folder RUNS/NAME, through ``train.train_run`` itself:
the same data, batches, checkpoints and resume. Three things differ from ``digitrec train``:
digitrec's backend module (which imports TensorFlow) is replaced by one holding Keras alone; the
fonts come from FONT_ROOT (a copy of this machine's font files, since the GPU machine has other
fonts); and the network is asked through ``predict_on_batch`` instead of a ``tf.function``. Its run
folders load and resume on TensorFlow (``digitrec train --resume``). The eighth session ran eight of
these side by side on one H200 (docs/training.md, "The reader model", eighth session); the Python
there rendered the printed and photographed digits slightly differently, so their data differ from
this machine's (the hash of seed 1's training set differs).

How the eighth session drove it there (the machine reaches no network, so what it needs travels
with the working tree): Keras 3.15.1, namex and optree as cp312 wheels, installed with
``pip install --no-index --no-deps --target /tmp/site``; the font files ``find_digit_fonts()``
lists here, as a tar.xz (18 MB); and the MNIST file. Then one process per run, each under
``timeout`` so that the run folders could be packed and fetched before the machine's time ran out::

    while read name seed elastic rho hooked; do
        timeout -s TERM $BUDGET python3 tools/train_on_jax.py $name $seed $elastic $rho $hooked > $RUNS/$name.log 2>&1 &
    done < runs.txt      # "v1-1 1 0 0 0", "el-1 1 34 0 0", ... one run a line
    wait

A run stopped that way resumes from its last finished epoch, there or here. Pack the run folders
into one file under $OUT before the command ends (``tar -cf $OUT/runs.tar -C $RUNS .``): the device
sends back only a few files from a shallow tree, and the ninth session lost six runs' checkpoints
by writing them straight into $OUT.
"""
import hashlib
import os
import sys
import time
from pathlib import Path
from types import ModuleType, SimpleNamespace

os.environ["KERAS_BACKEND"] = "jax"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import keras  # noqa: E402
import numpy as np  # noqa: E402

backend = ModuleType("digitrec.backend")  # digitrec's own imports TensorFlow, which that machine lacks
backend.keras = keras
backend.tf = SimpleNamespace(__version__="absent (Keras on JAX)",
                             config=SimpleNamespace(experimental=SimpleNamespace(enable_op_determinism=lambda: None)))
sys.modules["digitrec.backend"] = backend

from digitrec import printed  # noqa: E402

printed.find_digit_fonts.__defaults__ = ((Path(os.environ["FONT_ROOT"]),), False)

import digitrec.classifier as classifier  # noqa: E402

classifier._compiled = lambda model: (lambda batch: model.predict_on_batch(batch))
classifier._in_batches = lambda forward, images: np.concatenate(
    [np.asarray(forward(images[i:i + classifier.BATCH_SIZE])) for i in range(0, len(images), classifier.BATCH_SIZE)])

from digitrec import train  # noqa: E402
from digitrec.augment import Augmentation  # noqa: E402
from digitrec.files import write_json  # noqa: E402

original_prepare_data = train.prepare_data


def prepare_data_and_say_its_hash(config):
    """The run's data as ``train.prepare_data`` makes it, with a hash to compare with another machine's."""
    started = time.time()
    splits = original_prepare_data(config)
    digest = hashlib.sha256()
    for array in (splits.x_train, splits.y_train, splits.x_val, splits.y_val):
        digest.update(np.ascontiguousarray(array).tobytes())
    print(f"DATA seed {config.seed}: {digest.hexdigest()[:16]} {splits.x_train.shape} in {time.time() - started:.0f} s", flush=True)
    return splits


train.prepare_data = prepare_data_and_say_its_hash


def main() -> None:
    name, seed, elastic_px, rho_nines, hooked_nines = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    handwriting_font_digits = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    config = train.recipe("default", photographed=30000, lead_in_ones=4000, lead_in_longest=0.7, stemmed_nines=4000,
                          stretched=6000, rho_nines=rho_nines, hooked_nines=hooked_nines, seed=seed,
                          handwriting_font_digits=handwriting_font_digits, augmentation=Augmentation(elastic_alpha_px=elastic_px))
    run_dir = Path(os.environ.get("RUNS", "runs")) / name
    if not (run_dir / train.CONFIG_FILE).exists():
        run_dir.mkdir(parents=True, exist_ok=True)
        environment = {**train.environment_info(), "backend": "jax", "command": " ".join(["tools/train_on_jax.py", *sys.argv[1:]])}
        environment["fonts"] = sorted(path.name for path in printed.find_digit_fonts())
        if handwriting_font_digits:
            environment["handwriting_fonts"] = sorted(path.name for path in printed.find_digit_fonts(handwriting=True))
        write_json(run_dir / train.CONFIG_FILE, {**config.to_dict(), "environment": environment})
    started = time.time()
    metrics = train.train_run(run_dir, verbose=False)
    print(f"DONE {name}: test accuracy {metrics['accuracy']} in {time.time() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
