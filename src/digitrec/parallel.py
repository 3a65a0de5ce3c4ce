"""Independent steps of one photo's segmentation, run side by side on the machine's cores.

OpenCV lets go of Python's lock while it works, so two of its calls on a photo run at once in two
threads: finding the ruled lines across and down a 1000x750 photo takes about two thirds of the time
it takes one after the other (docs/benchmarks.md, "Reading speed"). Each step computes exactly what
it computed run alone: only the order in time changes. Handing a step to another thread costs a
fraction of a millisecond, more than a small crop's whole work, so pictures under
``MIN_PARALLEL_PIXELS`` run everything in the calling thread.

Steps handed to the worker threads never wait for the workers: a step that is itself split runs its
parts in its own thread. So the pool cannot block itself, however many threads read pictures at once
(the web server reads several).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

MIN_PARALLEL_PIXELS = 200_000  # a 500x400 picture; Sudoku cells, meter crops and cheque strips are far smaller
WORKERS = max(2, os.cpu_count() or 1)

_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None
_pool_lock = threading.Lock()
_this_thread = threading.local()


def side_by_side(pixels: int, *steps: Callable[[], Any]) -> list[Any]:
    """The results of ``steps`` (functions of no arguments), in their order.

    On a picture of ``pixels`` at least ``MIN_PARALLEL_PIXELS``, every step but the last runs on the
    worker threads while the calling thread runs the last; on a worker thread, all run in it.
    """
    if pixels < MIN_PARALLEL_PIXELS or len(steps) < 2 or _on_a_worker():
        return [step() for step in steps]
    pool = _workers()
    handed_off = [pool.submit(step) for step in steps[:-1]]
    last = steps[-1]()
    return [future.result() for future in handed_off] + [last]


def either(pixels: int, condition: Callable[[], bool], if_true: Callable[[], Any], if_false: Callable[[], Any],
           likely: bool) -> Any:
    """``if_true()`` where ``condition()`` holds, else ``if_false()``.

    On a picture of ``pixels`` at least ``MIN_PARALLEL_PIXELS``, the condition is decided on a worker
    thread while the calling thread runs the branch that ``likely`` names: where the guess was right,
    the decision cost no time; where it was wrong, the other branch runs after it, as it would have
    without the guess.
    """
    if pixels < MIN_PARALLEL_PIXELS or _on_a_worker():
        return if_true() if condition() else if_false()
    decision = _workers().submit(condition)
    guessed = (if_true if likely else if_false)()
    if decision.result() == likely:
        return guessed
    return if_false() if likely else if_true()


def in_bands(shape: tuple[int, ...], step: Callable[[slice], None]) -> None:
    """``step(band)`` for bands of rows that together cover a picture of ``shape``, side by side on a large picture:
    for a step that works pixel by pixel, the same as one ``step(slice(0, rows))``. No band is empty."""
    rows, columns = shape[:2]
    if rows * columns < MIN_PARALLEL_PIXELS or rows < 2:
        step(slice(0, rows))
        return
    middle = rows // 2
    side_by_side(rows * columns, partial(step, slice(0, middle)), partial(step, slice(middle, rows)))


def _on_a_worker() -> bool:
    return getattr(_this_thread, "is_worker", False)


def _mark_as_worker() -> None:
    _this_thread.is_worker = True


def _workers() -> ThreadPoolExecutor:
    """The process's worker threads, made on first use (and again in a forked child, which has none)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="digitrec-segment", initializer=_mark_as_worker)
            _pool_pid = os.getpid()
        return _pool
