"""Every figure digitrec draws: pure functions from arrays to PNG files (matplotlib, no screen)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import roc_auc_score, roc_curve  # noqa: E402

from digitrec.files import atomic_write  # noqa: E402


def _save(figure: plt.Figure, path: Path) -> Path:
    figure.tight_layout()
    atomic_write(Path(path), lambda tmp: figure.savefig(tmp, format="png", dpi=110))
    plt.close(figure)
    return Path(path)


def _image_grid(images: np.ndarray, titles: list[str], path: Path, columns: int, title: str) -> Path:
    rows = max(1, int(np.ceil(len(images) / columns)))
    figure, axes = plt.subplots(rows, columns, figsize=(columns * 1.2, rows * 1.35 + 0.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, caption in zip(axes.flat, images, titles):
        ax.imshow(np.squeeze(image), cmap="gray", vmin=0, vmax=1)
        ax.set_title(caption, fontsize=8)
    figure.suptitle(title)
    return _save(figure, path)


def sample_grid(images: np.ndarray, labels: np.ndarray, path: Path, columns: int = 10) -> Path:
    """A grid of network inputs (28x28 in [0, 1]) with their labels."""
    return _image_grid(images, [f"label {int(l)}" for l in labels], path, columns, "Sample training inputs")


def mistakes_gallery(
    images: np.ndarray, labels: np.ndarray, probabilities: np.ndarray, path: Path, limit: int = 40
) -> Path:
    """The test images the model got wrong, most confident mistakes first."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    wrong = wrong[np.argsort(-probabilities[wrong, predicted[wrong]])][:limit]
    titles = [f"true {labels[i]} → {predicted[i]}\n{probabilities[i, predicted[i]]:.0%}" for i in wrong]
    heading = f"Misclassified test images ({len(np.flatnonzero(predicted != labels))} in all; most confident first)"
    if len(wrong) == 0:
        figure, ax = plt.subplots(figsize=(4, 1))
        ax.axis("off")
        ax.text(0.5, 0.5, "No mistakes on the test set", ha="center")
        return _save(figure, path)
    return _image_grid(images[wrong], titles, path, columns=8, title=heading)


def learning_curves(history: list[dict], path: Path) -> Path:
    """Loss and accuracy per epoch, training and validation."""
    epochs = [row["epoch"] for row in history]
    figure, (loss_ax, accuracy_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for key, style in (("loss", "-o"), ("val_loss", "-s")):
        loss_ax.plot(epochs, [row[key] for row in history], style, label=key.replace("_", " "))
    for key, style in (("accuracy", "-o"), ("val_accuracy", "-s")):
        accuracy_ax.plot(epochs, [row[key] for row in history], style, label=key.replace("_", " "))
    loss_ax.set(title="Loss", xlabel="epoch", yscale="log")
    accuracy_ax.set(title="Accuracy", xlabel="epoch", ylim=(max(0.9, accuracy_ax.get_ylim()[0]), 1.0))
    for ax in (loss_ax, accuracy_ax):
        ax.grid(alpha=0.3)
        ax.legend()
    return _save(figure, path)


def confusion_matrix_plot(matrix: np.ndarray | list, path: Path, title: str = "Confusion matrix (test set)") -> Path:
    matrix = np.asarray(matrix)
    figure, ax = plt.subplots(figsize=(6.5, 5.5))
    shown = ax.imshow(np.log1p(matrix), cmap="Blues")
    for (row, col), count in np.ndenumerate(matrix):
        colour = "white" if matrix[row, col] > matrix.max() / 2 else "black"
        ax.text(col, row, str(count), ha="center", va="center", fontsize=8, color=colour)
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true", title=title)
    figure.colorbar(shown, ax=ax, label="log(1 + count)")
    return _save(figure, path)


def roc_curves(labels: np.ndarray, probabilities: np.ndarray, path: Path) -> Path:
    """One-vs-rest ROC curve of each digit, with its AUC in the legend (log false-positive axis)."""
    figure, ax = plt.subplots(figsize=(6.5, 5.5))
    for digit in range(10):
        positive = labels == digit
        if positive.all() or not positive.any():
            continue
        fpr, tpr, _ = roc_curve(positive, probabilities[:, digit])
        auc = roc_auc_score(positive, probabilities[:, digit])
        ax.plot(np.maximum(fpr, 1e-5), tpr, label=f"{digit}  AUC {auc:.5f}")
    ax.set(xscale="log", xlim=(1e-5, 1), ylim=(0.8, 1.001), xlabel="false positive rate (log)",
           ylabel="true positive rate", title="One-vs-rest ROC curves (test set)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return _save(figure, path)


def class_balance(labels_by_split: dict[str, np.ndarray], path: Path) -> Path:
    """How many images of each digit every split holds, as grouped bars."""
    figure, ax = plt.subplots(figsize=(8, 3.6))
    width = 0.8 / max(1, len(labels_by_split))
    tallest = 0
    for index, (split, labels) in enumerate(labels_by_split.items()):
        counts = np.bincount(np.asarray(labels), minlength=10)
        tallest = max(tallest, int(counts.max()))
        ax.bar(np.arange(10) + (index - (len(labels_by_split) - 1) / 2) * width, counts, width, label=f"{split} ({len(labels):,})")
    ax.set(xticks=range(10), xlabel="digit", ylabel="images", title="Class balance", ylim=(0, tallest * 1.25))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper center", ncols=len(labels_by_split))
    return _save(figure, path)


def mean_digits(images: np.ndarray, labels: np.ndarray, path: Path) -> Path:
    """The mean image of each digit 0-9 (pixel values scaled to [0, 1] per image set)."""
    images = np.asarray(images, np.float32)
    means = np.stack([images[labels == digit].mean(axis=0) for digit in range(10)])
    return _image_grid(means / max(float(means.max()), 1e-6), [f"mean {d}" for d in range(10)], path, 10, "Mean image of each digit")


def network_inputs(images: np.ndarray, captions: list[str], path: Path, title: str, columns: int = 10) -> Path:
    """28x28 network inputs in [0, 1] with a caption under each (what the network saw)."""
    return _image_grid(images, captions, path, columns, title)


def image_panels(images: list[np.ndarray], titles: list[str], path: Path, title: str = "", columns: int = 5) -> Path:
    """Pictures of any size side by side, ``columns`` to a row: RGB uint8 as they are, 2-D arrays
    in grey scaled to their range."""
    columns = max(1, min(columns, len(images)))
    rows = max(1, int(np.ceil(len(images) / columns)))
    figure, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 3.2 * rows + 0.2), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, caption in zip(axes.flat, images, titles):
        ax.imshow(image, cmap=None if image.ndim == 3 else "gray")
        ax.set_title(caption, fontsize=9)
    if title:
        figure.suptitle(title)
    return _save(figure, path)


def reliability_diagram(reliabilities: dict[str, dict], path: Path, title: str = "How often digits read this sure were right") -> Path:
    """Per range of confidence (``evaluate.reliability``), the share of digits right as bars and their mean
    confidence as a black tick on each: where tick and bar top meet, confidence means what it says. One bar per
    way of stating confidence; below, how many digits each range holds (log scale)."""
    names = list(reliabilities)
    bins = reliabilities[names[0]]["bins"]
    positions = np.arange(len(bins))
    width = 0.8 / len(names)
    figure, (share_ax, count_ax) = plt.subplots(2, 1, figsize=(8, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1.3]})
    for index, name in enumerate(names):
        rows = reliabilities[name]["bins"]
        x = positions + (index - (len(names) - 1) / 2) * width
        right = [row["accuracy"] if row["n"] else 0.0 for row in rows]
        share_ax.bar(x, right, width, label=f"{name} (ECE {reliabilities[name]['ece']:.3f})")
        said = [(position, row["confidence"]) for position, row in zip(x, rows) if row["n"]]
        share_ax.hlines([c for _, c in said], [p - width / 2 for p, _ in said], [p + width / 2 for p, _ in said], colors="black",
                        linewidth=2, label="mean confidence" if index == 0 else None)
        count_ax.bar(x, [row["n"] for row in rows], width)
    share_ax.set(ylim=(0, 1.05), ylabel="share of digits right", title=title)
    share_ax.grid(axis="y", alpha=0.3)
    share_ax.legend(loc="upper left", fontsize=8)
    count_ax.set_yscale("log", nonpositive="clip")
    count_ax.set(ylabel="digits", xlabel="confidence range")
    count_ax.set_xticks(positions, [f"{row['low']:g}-{row['high']:g}" for row in bins], fontsize=8)
    count_ax.grid(axis="y", alpha=0.3)
    return _save(figure, path)
