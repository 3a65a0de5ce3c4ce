"""Train the bundled wholeness network (``digitrec.wholeness``) and report how it judges held-out examples.

    python tools/train_wholeness.py [--out src/digitrec/models/digitrec-wholeness.keras] [--epochs 10] [--seed 1]

Positives are MNIST's 60,000 training digits, 4,000 of its ones given a lead-in stroke
(``digitrec.handwriting``) and 12,000 font-rendered printed digits; as many negatives are made
from them (parts, digits with a neighbour's piece, pairs, marks). The figures
printed are on examples made from MNIST's test digits, which training never sees.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from digitrec.data import load_mnist
from digitrec.handwriting import lead_in_ones
from digitrec.printed import render_printed_digits
from digitrec.wholeness import bundled_wholeness_path, judge_arguments, make_examples, save_judge, score_by_kind, train_wholeness

PRINTED_COUNT = 12_000
LEAD_IN_ONES = 4_000
TEST_DIGITS = 5_000


def main() -> None:
    args = judge_arguments(__doc__.split("\n")[0], bundled_wholeness_path(), 10, Path("docs/bundled-model/wholeness.json"))
    (x_train, y_train), (x_test, _) = load_mnist()
    printed, _ = render_printed_digits(PRINTED_COUNT, seed=args.seed)
    ones = lead_in_ones(x_train[y_train == 1], LEAD_IN_ONES, np.random.default_rng([args.seed, 3]))
    digits = np.concatenate([x_train.astype(np.float32) / 255.0, ones, printed])
    examples = make_examples(digits, len(digits), np.random.default_rng([args.seed, 1]))
    held_out = make_examples(x_test[:TEST_DIGITS].astype(np.float32) / 255.0, TEST_DIGITS, np.random.default_rng([args.seed, 2]))
    model = train_wholeness(examples, args.epochs, args.seed)
    scores = score_by_kind(model.predict(held_out.images[..., None], verbose=0)[:, 0], held_out)
    save_judge(model, args, scores)
    for kind, row in scores.items():
        print(f"{kind:12s} n={row['n']:5d}  mean P(whole)={row['mean_p_whole']:.3f}  judged right={row['accuracy']:.3f}")


if __name__ == "__main__":
    main()
