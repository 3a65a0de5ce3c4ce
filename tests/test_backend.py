"""Keras on TensorFlow; the reading commands run the networks on one thread."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from digitrec import backend, recognize, server
from digitrec.cli import main


def _in_a_fresh_process(code: str) -> str:
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    return finished.stdout.strip()


def test_one_thread_is_set_before_tensorflow_starts_and_holds_after() -> None:
    printed = _in_a_fresh_process(
        "from digitrec.backend import tf, networks_on_one_thread\n"
        "first = networks_on_one_thread()\n"
        "tf.constant(1.0) + 1\n"
        "print(first, networks_on_one_thread(), tf.config.threading.get_intra_op_parallelism_threads(),"
        " tf.config.threading.get_inter_op_parallelism_threads())"
    )
    assert printed == "True True 1 1"


def test_once_tensorflow_has_started_its_threads_stay_as_they_were() -> None:
    printed = _in_a_fresh_process(
        "from digitrec.backend import tf, networks_on_one_thread\n"
        "tf.constant(1.0) + 1\n"
        "print(networks_on_one_thread(), tf.config.threading.get_intra_op_parallelism_threads())"
    )
    assert printed == "False 0"


@pytest.fixture
def calls(monkeypatch) -> list[str]:
    """The order in which a command asks for one thread and makes its recogniser (or starts its server)."""
    made: list[str] = []
    monkeypatch.setattr(backend, "networks_on_one_thread", lambda: made.append("one thread") or True)
    make_recognizer = recognize.Recognizer.__init__

    def recording_init(self, *args, **kwargs):
        made.append("recognizer")
        make_recognizer(self, *args, **kwargs)

    monkeypatch.setattr(recognize.Recognizer, "__init__", recording_init)
    monkeypatch.setattr(server, "serve", lambda **kwargs: made.append("server") or 0)
    return made


@pytest.fixture
def labelled(tmp_path) -> Path:
    folder = tmp_path / "labelled" / "numbers"
    folder.mkdir(parents=True)
    number = np.full((160, 370, 3), 235, np.uint8)
    cv2.putText(number, "2026", (30, 115), cv2.FONT_HERSHEY_SIMPLEX, 3, (25, 25, 35), 8)
    cv2.imwrite(str(folder / "number.png"), number)
    (folder / "labels.csv").write_text("file,label\nnumber.png,2026\n")
    return tmp_path / "labelled"


@pytest.mark.parametrize("command", ["predict", "evaluate", "serve"])
def test_reading_commands_ask_for_one_thread_before_tensorflow_runs(command: str, calls: list[str], labelled: Path,
                                                                    capsys) -> None:
    argv = {"predict": ["predict", str(labelled / "numbers" / "number.png")],
            "evaluate": ["evaluate", "--images", str(labelled)],
            "serve": ["serve", "--port", "8765"]}[command]
    assert main(argv) == 0
    assert calls == ["one thread", "server" if command == "serve" else "recognizer"]
