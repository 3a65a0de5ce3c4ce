"""Line finding: the running-sum morphology that finds long straight runs of ink, whatever their length."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from digitrec.lines import _dilated, _eroded, _long_runs


@pytest.mark.parametrize("along", [(1, 0), (0, 1)])
def test_long_runs_are_a_closing_then_an_opening_even_at_the_border(along: tuple[int, int]) -> None:
    """The closing's and the opening's erosions are done as one; on ink touching every side the result is the same."""
    rng = np.random.default_rng(7)
    for _ in range(60):
        height, width = (int(side) for side in rng.integers(5, 120, 2))
        binary = (rng.random((height, width)) < rng.uniform(0.3, 0.97)).astype(np.uint8)
        length_px = int(rng.integers(3, max(4, min(height, width))))
        gap_px = max(3, length_px // 8)
        closed = _eroded(_dilated(binary, along, gap_px), along, gap_px)
        expected = _dilated(_eroded(closed, along, length_px), along, length_px)
        assert np.array_equal(_long_runs(binary, along, gap_px, length_px), expected)


def test_long_runs_find_a_line_across_and_one_down() -> None:
    binary = np.zeros((60, 80), np.uint8)
    cv2.line(binary, (0, 20), (79, 20), 1, 1)
    cv2.line(binary, (40, 0), (40, 59), 1, 1)
    binary[20, 30:33] = 0  # a gap the closing bridges
    across = _long_runs(binary, (1, 0), 5, 60)
    down = _long_runs(binary, (0, 1), 5, 50)
    assert across[20].all() and across.sum() == 80
    assert down[:, 40].all() and down.sum() == 60
