"""Keeping freed buffers: set where the C library offers it, a no-op where it does not."""
import ctypes
import platform

import pytest

from digitrec import memory


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_glibc_takes_the_thresholds():
    assert memory.keep_freed_memory() is True


def test_a_c_library_without_mallopt_is_left_as_it_is(monkeypatch):
    class NoMallopt:
        def __init__(self, name):
            pass

    monkeypatch.setattr(ctypes, "CDLL", NoMallopt)
    assert memory.keep_freed_memory() is False


def test_no_c_library_found_is_left_as_it_is(monkeypatch):
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert memory.keep_freed_memory() is False
