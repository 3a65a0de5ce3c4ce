"""Metrics on a labelled test set: accuracy, per-class precision/recall/F1, confusion matrix, ROC AUC."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support, roc_auc_score

NUM_CLASSES = 10


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
