"""The case-study notebook: it matches its generator and runs from scratch in its short mode."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook extras are not installed")
pytest.importorskip("nbclient", reason="the notebook extras are not installed")
pytest.importorskip("ipykernel", reason="the notebook extras are not installed")

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO_ROOT / "notebooks" / "digit_recognition.ipynb"
CELL_TIMEOUT_S = 900


def test_committed_notebook_matches_its_generator(load_tool):
    committed = nbformat.read(NOTEBOOK, as_version=4)
    generated = load_tool("make_notebook").build()
    assert [(c.cell_type, c.source) for c in committed.cells] == [(c.cell_type, c.source) for c in generated.cells], (
        "notebooks/digit_recognition.ipynb differs from tools/make_notebook.py; "
        "run: python tools/make_notebook.py --execute"
    )


def test_committed_notebook_has_outputs_and_no_errors():
    committed = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = [cell for cell in committed.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code_cells), "commit the notebook executed, with its outputs"
    errors = [output for cell in code_cells for output in cell.outputs if output.output_type == "error"]
    assert not errors


def test_notebook_runs_from_scratch_in_short_mode(tmp_path, monkeypatch, mnist_path, load_tool):
    make_notebook = load_tool("make_notebook")
    copy = tmp_path / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    notebook = nbformat.read(copy, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    assert any(cell.source.strip() == "FULL_RUN = False" for cell in notebook.cells)
    runs = tmp_path / "runs"
    monkeypatch.setenv("DIGITREC_MNIST", str(mnist_path))
    monkeypatch.setenv("DIGITREC_NOTEBOOK_RUNS", str(runs))

    make_notebook.execute(notebook, cwd=NOTEBOOK.parent, timeout_s=CELL_TIMEOUT_S)  # raises on any cell error

    assert (runs / "default-1" / "model.keras").is_file()
    assert (runs / "baseline-1" / "model.keras").is_file()
    images = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if "image/png" in output.get("data", {})]
    assert len(images) >= 10
