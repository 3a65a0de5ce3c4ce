"""The figures the notebook and the docs add to digitrec.plots: each writes a readable PNG."""
from __future__ import annotations

import numpy as np
from PIL import Image

from digitrec import plots


def png_size(path) -> tuple[int, int]:
    with Image.open(path) as image:
        assert image.format == "PNG"
        return image.size


def test_class_balance_draws_every_split(tmp_path):
    labels = {"train": np.repeat(np.arange(10), 6), "test": np.arange(10)}
    assert png_size(plots.class_balance(labels, tmp_path / "balance.png"))[0] > 0


def test_mean_digits_accepts_uint8_images(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(30, 28, 28), dtype=np.uint8)
    assert png_size(plots.mean_digits(images, np.arange(30) % 10, tmp_path / "means.png"))[0] > 0


def test_image_panels_wraps_rows_and_mixes_rgb_and_grey(tmp_path):
    rgb = np.zeros((40, 60, 3), np.uint8)
    grey = np.ones((20, 10), np.float32)
    one_row = png_size(plots.image_panels([rgb, grey], ["rgb", "grey"], tmp_path / "row.png"))
    two_rows = png_size(plots.image_panels([rgb, grey, grey], ["a", "b", "c"], tmp_path / "rows.png", columns=2))
    assert two_rows[1] > one_row[1]


def test_network_inputs_draws_captions_and_copes_with_none(tmp_path):
    inputs = np.zeros((3, 28, 28), np.float32)
    assert png_size(plots.network_inputs(inputs, ["1", "2", "3"], tmp_path / "inputs.png", title="seen"))[0] > 0
    assert png_size(plots.network_inputs(np.zeros((0, 28, 28)), [], tmp_path / "none.png", title="none"))[0] > 0


def test_reliability_diagram_draws_each_way_of_stating_confidence_even_with_empty_ranges(tmp_path):
    from digitrec.evaluate import reliability

    confidences = np.array([0.2, 0.6, 0.97, 0.999, 1.0])
    correct = np.array([False, True, True, True, True])
    figures = {"reported": reliability(confidences, correct), "network's own": reliability(np.sqrt(confidences), correct)}
    assert png_size(plots.reliability_diagram(figures, tmp_path / "reliability.png"))[0] > 0
