"""Train the bundled digitness judge (``digitrec.digitness``) and report how it judges held-out examples.

    python tools/train_digitness.py [--out src/digitrec/models/digitrec-digitness.keras] [--epochs 6] [--seed 1]

Digits: MNIST's 60,000 training digits, 4,000 of its ones given a lead-in stroke
(``digitrec.handwriting``), 12,000 font-rendered printed digits and 30,000 digits photographed and
read back (``digitrec.photographed``), all in MNIST form as the reader makes it. Signs: 24,000
letters, currency signs and brackets rendered from the installed fonts. The figures printed are on
MNIST's test digits and on signs drawn with another seed, which training never sees.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from digitrec.data import load_mnist
from digitrec.digitness import bundled_digitness_path, make_examples
from digitrec.handwriting import lead_in_ones
from digitrec.photographed import photographed_digits
from digitrec.preprocess import to_mnist_form
from digitrec.printed import render_printed_digits, render_printed_signs
from digitrec.wholeness import judge_arguments, save_judge, score_by_kind, train_wholeness

PRINTED_COUNT = 12_000
PHOTOGRAPHED_COUNT = 30_000
LEAD_IN_ONES = 4_000
SIGN_COUNT = 24_000
TEST_DIGITS = 5_000
TEST_SIGNS = 2_000
TEST_SEED_OFFSET = 1000


def main() -> None:
    args = judge_arguments(__doc__.split("\n")[0], bundled_digitness_path(), 6, Path("docs/bundled-model/digitness.json"))
    (x_train, y_train), (x_test, _) = load_mnist()
    digits = np.concatenate([
        np.stack([to_mnist_form(digit) for digit in x_train]),
        lead_in_ones(x_train[y_train == 1], LEAD_IN_ONES, np.random.default_rng([args.seed, 3])),
        render_printed_digits(PRINTED_COUNT, seed=args.seed)[0],
        photographed_digits(PHOTOGRAPHED_COUNT, args.seed, x_train, y_train)[0],
    ])
    examples = make_examples(digits, render_printed_signs(SIGN_COUNT, seed=args.seed))
    held_out = make_examples(np.stack([to_mnist_form(digit) for digit in x_test[:TEST_DIGITS]]),
                             render_printed_signs(TEST_SIGNS, seed=args.seed + TEST_SEED_OFFSET))
    model = train_wholeness(examples, args.epochs, args.seed)
    scores = score_by_kind(model.predict(held_out.images[..., None], verbose=0)[:, 0], held_out)
    save_judge(model, args, scores)
    for kind, row in scores.items():
        print(f"{kind:6s} n={row['n']:5d}  mean P(digit)={row['mean_p_whole']:.3f}  judged right={row['accuracy']:.3f}")


if __name__ == "__main__":
    main()
