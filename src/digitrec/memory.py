"""Keep freed photo-sized arrays' memory in the process, for the next picture's arrays to reuse.

Reading a photo makes a few dozen arrays of 1-12 MB and frees them. With its default thresholds,
glibc's malloc takes each from fresh pages of the kernel (mapped for it, or the heap's top after it
was handed back) and returns them when the array is freed, so every read pays a page fault for
every 4 kB it touches: about 5 ms of a 1000x750 photo's 38 ms (docs/benchmarks.md, "Reading speed").
With arrays up to ``MMAP_THRESHOLD_BYTES`` kept on the heap and up to ``TRIM_THRESHOLD_BYTES`` of free
heap kept, the next read reuses the same pages. Elsewhere than glibc (macOS, musl) nothing changes.
"""
from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1  # glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024  # glibc's largest: more than a 1000x1000x3 float32 array (12 MB)
TRIM_THRESHOLD_BYTES = 64 * 1024 * 1024


def keep_freed_memory() -> bool:
    """Raise glibc's thresholds for mapping and trimming (once per process; later calls repeat the same
    settings). True where they were set, False where this C library has no ``mallopt``."""
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        return False
    if mallopt is None:
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
