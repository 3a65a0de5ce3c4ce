"""Steps of one photo's segmentation run side by side: the same results as one after another, in any thread."""
from __future__ import annotations

import multiprocessing
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from digitrec import parallel
from digitrec.imageio import decode_image
from digitrec.segment import WORK_MAX_SIDE_PX, find_digits

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
LARGE = parallel.MIN_PARALLEL_PIXELS
SMALL = parallel.MIN_PARALLEL_PIXELS - 1


def _thread_name() -> str:
    return threading.current_thread().name


def test_side_by_side_gives_each_steps_result_in_order_from_other_threads_on_a_large_picture() -> None:
    results = parallel.side_by_side(LARGE, lambda: ("a", _thread_name()), lambda: ("b", _thread_name()),
                                     lambda: ("c", _thread_name()))
    assert [value for value, _ in results] == ["a", "b", "c"]
    threads = [thread for _, thread in results]
    assert threads[-1] == _thread_name()  # the last step runs in the caller's thread
    assert all(thread != _thread_name() for thread in threads[:-1])


def test_side_by_side_runs_a_small_pictures_steps_in_the_calling_thread() -> None:
    results = parallel.side_by_side(SMALL, _thread_name, _thread_name)
    assert results == [_thread_name(), _thread_name()]


def test_side_by_side_raises_a_workers_error() -> None:
    def fails() -> None:
        raise ValueError("broken step")

    with pytest.raises(ValueError, match="broken step"):
        parallel.side_by_side(LARGE, fails, lambda: None)


@pytest.mark.parametrize("pixels", [SMALL, LARGE])
@pytest.mark.parametrize("likely", [True, False])
@pytest.mark.parametrize("holds", [True, False])
def test_either_gives_the_branch_the_condition_picks_whatever_was_guessed(pixels: int, likely: bool, holds: bool) -> None:
    chosen = parallel.either(pixels, lambda: holds, lambda: "true branch", lambda: "false branch", likely=likely)
    assert chosen == ("true branch" if holds else "false branch")


def test_either_runs_only_the_chosen_branch_on_a_small_picture() -> None:
    ran = []
    parallel.either(SMALL, lambda: False, lambda: ran.append("true"), lambda: ran.append("false"), likely=True)
    assert ran == ["false"]


@pytest.mark.parametrize("rows", [1, 2, 7, 750])
@pytest.mark.parametrize("pixels", [SMALL, LARGE])
def test_in_bands_covers_every_row_once_in_bands_of_some_rows(rows: int, pixels: int) -> None:
    covered = np.zeros(rows, int)
    bands = []

    def count(band: slice) -> None:
        covered[band] += 1
        bands.append(band)

    columns = -(-pixels // rows) if pixels >= parallel.MIN_PARALLEL_PIXELS else pixels // rows  # at least, at most
    parallel.in_bands((rows, columns), count)
    assert covered.tolist() == [1] * rows
    assert all(band.stop > band.start for band in bands)
    assert len(bands) == (2 if pixels >= parallel.MIN_PARALLEL_PIXELS and rows > 1 else 1)


def _in_forked_child(queue: multiprocessing.Queue) -> None:
    queue.put(parallel.side_by_side(LARGE, lambda: 1, lambda: 2))


def test_a_forked_child_gets_workers_of_its_own() -> None:
    """A pool's threads do not survive ``fork``: a child handing steps to its parent's pool would wait forever."""
    parallel.side_by_side(LARGE, lambda: None, lambda: None)  # the parent's pool exists before the fork
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_in_forked_child, args=(queue,))
    child.start()
    child.join(timeout=30)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child's steps never ran")
    assert queue.get(timeout=5) == [1, 2]


def test_many_threads_segmenting_photos_at_once_all_finish() -> None:
    """The web server reads several pictures at once: steps handed to the workers must not wait for workers
    that all wait themselves. Run in a child process, so that a pool blocking itself fails the test, not the suite."""
    script = textwrap.dedent(f"""
        import threading
        from digitrec.imageio import decode_image
        from digitrec.segment import find_digits
        rgb = decode_image({str(EXAMPLES / "phone-2026.jpg")!r}, max_side_px=1000).rgb
        dark_on_light = lambda: [find_digits(rgb) for _ in range(3)]
        light_on_dark = lambda: [find_digits(rgb, other_polarity=True) for _ in range(3)]
        readers = [threading.Thread(target=read) for read in [dark_on_light, light_on_dark] * 3]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
        print("all read")
    """)
    try:
        finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("six threads segmenting photos at once did not finish in 60 s")
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "all read"


@pytest.mark.parametrize("name", ["phone-2026.jpg", "chalkboard-47.jpg", "two-lines-123-456.jpg", "small-305.jpg"])
def test_photos_segment_the_same_side_by_side_as_one_step_after_another(name: str, monkeypatch) -> None:
    """Photos of dark and of light ink (the guessed polarity right and wrong), with ruled lines and without."""
    rgb = decode_image(EXAMPLES / name, max_side_px=WORK_MAX_SIDE_PX).rgb
    assert rgb.shape[0] * rgb.shape[1] >= parallel.MIN_PARALLEL_PIXELS
    side_by_side = find_digits(rgb)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PIXELS", 10 ** 12)
    one_after_another = find_digits(rgb)
    assert [[crop.box for crop in line] for line in side_by_side] == [[crop.box for crop in line] for line in one_after_another]
    for line, other_line in zip(side_by_side, one_after_another):
        for crop, other in zip(line, other_line):
            assert np.array_equal(crop.ink, other.ink)
