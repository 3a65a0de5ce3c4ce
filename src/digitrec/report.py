"""``report.md`` of a training run: the headline numbers and the figures, readable on a code host."""
from __future__ import annotations

from pathlib import Path

from digitrec.files import write_text

FIGURES = (
    ("Sample training inputs", "samples.png"),
    ("Learning curves", "learning_curves.png"),
    ("Confusion matrix", "confusion_matrix.png"),
    ("ROC curves", "roc_curves.png"),
    ("Mistakes", "mistakes.png"),
)


def write_report(run_dir: Path, config: dict, metrics: dict, history: list[dict]) -> Path:
    lines = [
        f"# Training run `{Path(run_dir).name}`",
        "",
        f"- Architecture: `{config['arch']}`, {metrics['epochs']} epochs, batch {config['batch_size']}, seed {config['seed']}",
        f"- **Test accuracy: {metrics['accuracy']:.2%}** ({metrics['errors']} of {metrics['n']} wrong)",
        f"- Macro ROC AUC (one-vs-rest): {metrics['macro_roc_auc']:.5f}" if metrics["macro_roc_auc"] else "- Macro ROC AUC: n/a",
        f"- Final validation accuracy: {metrics['validation_accuracy']:.2%}" if metrics.get("validation_accuracy") is not None else "",
        "",
        "| digit | precision | recall | F1 | ROC AUC | support |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for digit, row in metrics["per_class"].items():
        auc = f"{row['roc_auc']:.5f}" if row["roc_auc"] is not None else "n/a"
        lines.append(f"| {digit} | {row['precision']:.4f} | {row['recall']:.4f} | {row['f1']:.4f} | {auc} | {row['support']} |")
    lines.append("")
    for title, name in FIGURES:
        if (Path(run_dir) / name).exists():
            lines += [f"## {title}", "", f"![{title}]({name})", ""]
    lines += ["Files: `model.keras` (the trained network), `config.json` (the recipe), `history.csv`, `metrics.json`.", ""]
    path = Path(run_dir) / "report.md"
    write_text(path, "\n".join(lines))
    return path
