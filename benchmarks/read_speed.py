"""How long digitrec takes to read a phone photo of a 4-digit number: file on disk -> JSON, model loaded.

Two photos of the same scene (``examples/phone-2026.jpg``: 2026 in ballpoint on lined paper,
photographed at an angle under a lamp): the example as committed (1000x750) and the same enlarged
to 12 megapixels (4000x3000) with fresh sensor noise, saved as a phone would (JPEG, quality 92).
Each is read ``--repeats`` times after a warm-up; the table gives the median and 90th percentile
of the end-to-end wall time (``Recognizer.read(path).to_json()``), the median of each stage the
``Reading`` reports, and the CPU time the process used per read (what other programs' load does not
inflate). Target: median end-to-end under 50 ms for each photo. TensorFlow runs the networks on one
thread, as `digitrec predict` and `digitrec serve` have it do (``backend.networks_on_one_thread``).

    python benchmarks/read_speed.py                 # the bundled reader model
    python benchmarks/read_speed.py --model /tmp/interim/default-partial.keras --check
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from digitrec.backend import networks_on_one_thread  # noqa: E402
from digitrec.classifier import bundled_reader_path  # noqa: E402
from digitrec.recognize import Recognizer  # noqa: E402
from machine import describe_machine  # noqa: E402

EXAMPLE_PHOTO = Path(__file__).resolve().parents[1] / "examples" / "phone-2026.jpg"
EXPECTED_TEXT = "2026"
LARGE_SIZE_PX = (4000, 3000)
SENSOR_NOISE = 3.0
PHONE_JPEG_QUALITY = 92
SEED = 2026
REPEATS = 50
WARM_UP_READS = 3
MAX_MEDIAN_MS = 50.0
EXIT_TARGET_MISSED = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Median end-to-end time (file -> JSON) to read a phone photo of a 4-digit number.",
    )
    parser.add_argument("--model", type=Path, help=f"a .keras model (default: the bundled reader, {bundled_reader_path().name})")
    parser.add_argument("--repeats", type=int, default=REPEATS, help=f"timed reads per photo (default: {REPEATS})")
    parser.add_argument("--check", action="store_true",
                        help=f"exit with status {EXIT_TARGET_MISSED} when a photo's median is {MAX_MEDIAN_MS:g} ms or more")
    return parser


def make_photos(folder: Path) -> list[Path]:
    """The committed 1000x750 example, and the same scene as a 12-megapixel phone JPEG."""
    small = cv2.imread(str(EXAMPLE_PHOTO))
    large = cv2.resize(small, LARGE_SIZE_PX, interpolation=cv2.INTER_CUBIC).astype(np.float32)
    large += np.random.default_rng(SEED).normal(0, SENSOR_NOISE, large.shape)
    large_path = folder / "phone-2026-12mp.jpg"
    cv2.imwrite(str(large_path), np.clip(large, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, PHONE_JPEG_QUALITY])
    return [EXAMPLE_PHOTO, large_path]


def time_reads(recognizer: Recognizer, path: Path, repeats: int) -> dict:
    """Wall and CPU time of ``repeats`` reads of ``path`` (file -> JSON), after warm-up reads."""
    for _ in range(WARM_UP_READS):
        recognizer.read(path).to_json()
    walls, cpus, stages, texts = [], [], [], set()
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        reading = recognizer.read(path)
        reading.to_json()
        walls.append(1000 * (time.perf_counter() - started))
        cpus.append(1000 * (time.process_time() - started_cpu))
        stages.append(reading.timings_ms)
        texts.add(reading.text)
    return {
        "median": statistics.median(walls),
        "p90": float(np.percentile(walls, 90)),
        "cpu": statistics.median(cpus),
        "stages": {stage: statistics.median(timing[stage] for timing in stages) for stage in stages[0]},
        "texts": sorted(text.replace("\n", "/") for text in texts),
    }


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.repeats < 1:
        print(f"read_speed.py: error: --repeats must be at least 1, got {args.repeats}", file=sys.stderr)
        return 2
    networks_on_one_thread()  # as the reading commands run them (`digitrec predict`, `serve`)
    recognizer = Recognizer(args.model)
    print(f"machine: {describe_machine()}")
    print(f"model: {recognizer.classifier.model_path}; {args.repeats} timed reads per photo after {WARM_UP_READS} warm-up reads")
    header = (f"{'photo':<22} {'size':>10} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>7} "
              f"{'decode':>7} {'segment':>8} {'classify':>9}  read    target {MAX_MEDIAN_MS:g} ms")
    print(header)
    met = True
    with tempfile.TemporaryDirectory() as folder:
        for path in make_photos(Path(folder)):
            with Image.open(path) as image:
                width, height = image.size
            figures = time_reads(recognizer, path, args.repeats)
            stages = figures["stages"]
            passed = figures["median"] < MAX_MEDIAN_MS
            met &= passed
            print(f"{path.name:<22} {f'{width}x{height}':>10} {figures['median']:>10.1f} {figures['p90']:>8.1f} "
                  f"{figures['cpu']:>7.1f} {stages['decode']:>7.1f} {stages['segment']:>8.1f} {stages['classify']:>9.1f}  "
                  f"{'/'.join(figures['texts']):<7} {'met' if passed else 'MISSED'}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if args.check and not met:
        return EXIT_TARGET_MISSED
    return 0


if __name__ == "__main__":
    sys.exit(main())
