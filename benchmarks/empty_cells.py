"""Sudoku rows with empty cells, read three ways: an empty cell should give no digit, its neighbours theirs.

The development set's Sudoku rows are all filled in, so the reader's rule for a row's empty cells
(``recognize.Recognizer._empty_cells_read``: a faint digit the threshold lost is read again as a cell,
and kept where the network is sure) cannot be judged on them: any loosening of it looks good there.
Here real rows are given real empty cells: in each of the development set's Sudoku rows, one
(``one_empty``) or three (``three_empty``) cells picked at random have their digit painted out
(``cv2.inpaint`` over the ink inside the cell, away from its grid lines), and the label loses those
digits. A digit read in a painted-out cell is a digit made up.

The rows are assumed to hold nine cells of equal width, as the source's do. Needs
``../shared/data/realworld-dev/sudoku_rows``; the made folders are read by ``realworld.py``
(digitrec, the naive pipeline and Tesseract in the same run, the same scoring).

    python benchmarks/empty_cells.py         # --images DIR, --count N (rows; default all), --seed S, --keep DIR, --json
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import cv2
import numpy as np

import realworld
import synthetic
from digitrec.data import load_labelled_folders

SEED = 2026
SOURCE = "sudoku_rows"
CELLS = 9
EMPTIED = {"one_empty": 1, "three_empty": 3}
MARGIN_X_FRACTION = 0.14  # of a cell's width, on each side: where its grid lines may run, left alone
MARGIN_Y_FRACTION = 0.1  # of the row's height, top and bottom
INK_SHARE = 0.3  # of the cell's darkest ink's darkness below its paper (in its darkest channel: red and blue pens too):
MIN_INK_LEVELS = 15  # the ink painted out, faint print as well as dark pen; never grain this faint
INK_GROW_PX = 3  # the ink's blurred edge, painted out with it
INPAINT_RADIUS_PX = 3


def main(argv: list[str] | None = None) -> int:
    parser = synthetic.parser(__doc__, count=0, seed=SEED, what="rows (0: all of them)")
    parser.add_argument("--images", type=Path, default=realworld.DEFAULT_IMAGES,
                        help=f"labelled folders holding {SOURCE}/ (default: {realworld.DEFAULT_IMAGES})")
    args = parser.parse_args(argv)
    rows = load_labelled_folders(args.images).get(SOURCE) if (args.images / SOURCE).is_dir() else None
    if not rows:
        print(f"{args.images / SOURCE}: not found; this benchmark needs the development set's Sudoku rows", file=sys.stderr)
        return 1
    rows = rows[: args.count] if args.count else rows
    return synthetic.read_folders(args, lambda folder: write_sets(folder, rows, np.random.default_rng(args.seed)))


def write_sets(folder: Path, rows: list, rng: np.random.Generator) -> None:
    """One labelled folder per number of cells emptied, each row once, with those cells' digits painted out."""
    for name, emptied in EMPTIED.items():
        (folder / name / "images").mkdir(parents=True, exist_ok=True)
        with open(folder / name / "labels.csv", "w", newline="") as labels:
            writer = csv.writer(labels)
            writer.writerow(["file", "label", "kind"])
            for row in rows:
                image = cv2.imread(str(row.file), cv2.IMREAD_COLOR)
                if image is None or len(row.label) != CELLS:
                    continue
                cells = sorted(int(cell) for cell in rng.choice(CELLS, emptied, replace=False))
                file = f"images/{Path(row.file).stem}-{name}.png"
                cv2.imwrite(str(folder / name / file), with_cells_emptied(image, cells))
                writer.writerow([file, "".join(d for i, d in enumerate(row.label) if i not in cells), "multi"])


def with_cells_emptied(bgr: np.ndarray, cells: list[int]) -> np.ndarray:
    """The row with the ink inside each of ``cells`` (0-8, left to right) painted out."""
    height, width = bgr.shape[:2]
    mask = np.zeros((height, width), np.uint8)
    for cell in cells:
        left, right = round(cell * width / CELLS), round((cell + 1) * width / CELLS)
        x0, x1 = left + round(MARGIN_X_FRACTION * (right - left)), right - round(MARGIN_X_FRACTION * (right - left))
        y0, y1 = round(MARGIN_Y_FRACTION * height), height - round(MARGIN_Y_FRACTION * height)
        inside = bgr[y0:y1, x0:x1].astype(np.int16)
        paper = np.median(inside.reshape(-1, 3), axis=0)
        darkness = (paper - inside).max(axis=2)
        mask[y0:y1, x0:x1] = (darkness >= max(MIN_INK_LEVELS, INK_SHARE * darkness.max())).astype(np.uint8)
    mask = cv2.dilate(mask, np.ones((2 * INK_GROW_PX + 1,) * 2, np.uint8))
    return cv2.inpaint(bgr, mask, INPAINT_RADIUS_PX, cv2.INPAINT_TELEA)


if __name__ == "__main__":
    sys.exit(main())
