"""Metrics on a labelled test set.

MNIST: accuracy, per-class precision/recall/F1, confusion matrix, ROC AUC (``classification_metrics``).
Labelled picture folders: exact and digit-level accuracy of the whole reader (``evaluate_images``).
Confidence: how often digits read with a given confidence are right (``reliability``), and what a
``--min-confidence`` threshold keeps (``kept_at``).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support, roc_auc_score
from tqdm import tqdm

from digitrec.data import LabelledItem, load_labelled_folders
from digitrec.imageio import unreadable_message

if TYPE_CHECKING:
    from digitrec.recognize import Reading, Recognizer

NUM_CLASSES = 10
WRONG_SHOWN = 10
CONFIDENCE_EDGES = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0)  # finer near 1, where most digits are read


def classification_metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    """Everything ``digitrec evaluate`` reports, as plain JSON-ready Python values."""
    predicted = probabilities.argmax(axis=1)
    classes = list(range(NUM_CLASSES))
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=classes, zero_division=0
    )
    one_hot = np.eye(NUM_CLASSES)[labels]
    present = one_hot.any(axis=0) & (~one_hot.astype(bool)).any(axis=0)
    auc = [float(roc_auc_score(one_hot[:, c], probabilities[:, c])) if present[c] else None for c in classes]
    known_auc = [value for value in auc if value is not None]
    return {
        "n": int(len(labels)),
        "accuracy": float((predicted == labels).mean()),
        "errors": int((predicted != labels).sum()),
        "macro_roc_auc": float(np.mean(known_auc)) if known_auc else None,
        "per_class": {
            str(c): {
                "precision": float(precision[c]),
                "recall": float(recall[c]),
                "f1": float(f1[c]),
                "support": int(support[c]),
                "roc_auc": auc[c],
            }
            for c in classes
        },
        "confusion_matrix": confusion_matrix(labels, predicted, labels=classes).tolist(),
    }


@dataclass(frozen=True)
class ItemResult:
    """What a reader made of one labelled picture: the digits it read, or why it could not."""

    item: LabelledItem
    read: str
    error: str | None = None


def evaluate_images(recognizer: Recognizer, root: str | os.PathLike, progress: bool = True, limit: int | None = None) -> dict:
    """Read every labelled picture under ``root`` with ``recognizer`` and score it per folder.

    ``root`` is laid out as ``load_labelled_folders`` expects; ``limit`` keeps the first N items of
    each folder. A ``single`` item is read as one digit (``single=True``), a ``multi`` item or one
    with no kind by the full reader. See ``score_results`` for the numbers returned.
    """
    sources = load_labelled_folders(root, limit=limit)
    return score_results(read_items(sources, item_reader(recognizer), progress=progress))


def read_item(recognizer: Recognizer, item: LabelledItem) -> Reading:
    """``recognizer``'s reading of a labelled picture: one digit for a ``single`` item, else all of them."""
    return recognizer.read(item.file, single=item.kind == "single", name=str(item.file))


def item_reader(recognizer: Recognizer) -> Callable[[LabelledItem], str]:
    """The text ``read_item`` finds, as ``read_items`` wants it."""
    return lambda item: read_item(recognizer, item).text


def read_items(
    sources: dict[str, list[LabelledItem]],
    read: Callable[[LabelledItem], str],
    progress: bool = True,
    description: str = "reading",
) -> dict[str, list[ItemResult]]:
    """Call ``read`` on every item, with a progress bar on stderr; a picture that cannot be read (one
    that cannot be decoded, or one a bug stumbles on) gives a result with the error instead of stopping
    the run."""
    results: dict[str, list[ItemResult]] = {}
    total = sum(len(items) for items in sources.values())
    with tqdm(total=total, desc=description, unit="image", file=sys.stderr, disable=not progress) as bar:
        for source, items in sources.items():
            bar.set_postfix_str(source)
            results[source] = []
            for item in items:
                try:
                    results[source].append(ItemResult(item, read(item)))
                except Exception as error:  # a broken picture, or a bug on one picture: it counts as wrong, the run goes on
                    results[source].append(ItemResult(item, "", error=unreadable_message(item.file, error)))
                bar.update()
    return results


def score_results(results: dict[str, list[ItemResult]]) -> dict:
    """Accuracy per source and overall, as plain JSON-ready values.

    - ``accuracy``: the share of items whose whole reading equals the label exactly (line breaks
      and spaces in the reading are ignored, so a two-line "12\\n34" matches "1234").
    - ``digit_accuracy``: the mean over items of ``max(0, 1 - levenshtein(label, read) / len(label))``,
      i.e. the share of the label's digits read right, where a missed, extra or wrong digit each cost
      one. For a single-digit item it is 1 or 0, the same as ``accuracy``; for an item labelled
      with no digits (a blank picture) it is 1 when nothing was read, else 0.
    - An item whose picture could not be read counts as wrong (0 for both) and is listed under
      ``failures`` with its error; ``wrong`` lists the first few misread items.
    - ``overall`` pools all items (each item weighs the same, whatever its source).
    """
    sources = {}
    for source, source_results in results.items():
        sources[source] = {
            **_accuracies(source_results),
            "failures": [{"file": str(r.item.file), "error": r.error} for r in source_results if r.error],
            "wrong": [
                {"file": str(r.item.file), "label": r.item.label, "read": r.read}
                for r in source_results
                if not r.error and not _is_exact(r)
            ][:WRONG_SHOWN],
        }
    pooled = [r for source_results in results.values() for r in source_results]
    return {"sources": sources, "overall": _accuracies(pooled)}


def _accuracies(results: list[ItemResult]) -> dict:
    if not results:
        return {"n": 0, "accuracy": None, "digit_accuracy": None}
    return {
        "n": len(results),
        "accuracy": float(np.mean([_is_exact(r) for r in results])),
        "digit_accuracy": float(np.mean([digit_accuracy(r.item.label, r.read) if not r.error else 0.0 for r in results])),
    }


def _is_exact(result: ItemResult) -> bool:
    return not result.error and _squeeze(result.read) == result.item.label


def _squeeze(text: str) -> str:
    return "".join(text.split())


def digit_accuracy(label: str, read: str) -> float:
    """``max(0, 1 - levenshtein(label, read) / len(label))``, after dropping whitespace from ``read``;
    for an empty label, 1 when nothing was read and 0 otherwise."""
    read = _squeeze(read)
    if not label:
        return float(not read)
    return max(0.0, 1.0 - levenshtein(label, read) / len(label))


def levenshtein(a: str, b: str) -> int:
    """The fewest single-character insertions, deletions and substitutions that turn ``a`` into ``b``."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def digit_outcomes(label: str, reading: Reading) -> list[tuple[float, float, bool]] | None:
    """For each digit of ``reading``: its confidence, the network's own (its top probability, before the
    digitness judge weighs it) and whether it is the label's digit in the same place. None where the reading
    has not as many digits as the label, so its digits cannot be matched to the label's one by one."""
    if len(reading.digits) != len(label):
        return None
    return [(digit.confidence, float(np.max(digit.probabilities)), str(digit.value) == wanted)
            for digit, wanted in zip(reading.digits, label)]


def reliability(confidences: np.ndarray, correct: np.ndarray, edges: tuple[float, ...] = CONFIDENCE_EDGES) -> dict:
    """How often the digits read with confidence in each range of ``edges`` were right.

    Per range: the number of digits, their mean confidence and the share right; and the expected
    calibration error (``ece``): the gap between mean confidence and share right, averaged over the ranges
    weighed by their digits. 0 means a digit read with confidence p is right p of the time. The last range
    holds 1.0 itself.
    """
    confidences, correct = np.asarray(confidences, np.float64), np.asarray(correct, bool)
    ranges = np.clip(np.searchsorted(edges, confidences, side="right") - 1, 0, len(edges) - 2)
    bins = []
    for index, (low, high) in enumerate(zip(edges[:-1], edges[1:])):
        inside = ranges == index
        count = int(inside.sum())
        bins.append({"low": low, "high": high, "n": count,
                     "confidence": float(confidences[inside].mean()) if count else None,
                     "accuracy": float(correct[inside].mean()) if count else None})
    gap = sum(b["n"] * abs(b["confidence"] - b["accuracy"]) for b in bins if b["n"])
    return {"n": int(len(confidences)), "bins": bins, "ece": gap / len(confidences) if len(confidences) else None}


def kept_at(confidences: np.ndarray, correct: np.ndarray, thresholds: tuple[float, ...]) -> list[dict]:
    """What dropping the digits read with less confidence than each threshold keeps (``--min-confidence``):
    the share of digits kept, the share right among them, and the shares of the wrong and of the right
    digits dropped."""
    confidences, correct = np.asarray(confidences, np.float64), np.asarray(correct, bool)
    rows = []
    for threshold in thresholds:
        kept = confidences >= threshold
        rows.append({"threshold": threshold, "kept": float(kept.mean()) if len(kept) else None,
                     "accuracy": float(correct[kept].mean()) if kept.any() else None,
                     "wrong_dropped": float((~kept)[~correct].mean()) if (~correct).any() else None,
                     "right_dropped": float((~kept)[correct].mean()) if correct.any() else None})
    return rows
