"""digitrec: read digits from static images with a convolutional neural network.

``from digitrec import Recognizer`` works, but TensorFlow is only imported when one of the
recognition names is first used, so ``import digitrec`` (and ``digitrec --help``) stays fast.
"""
__version__ = "0.1.0"
__all__ = ["Digit", "Reading", "Recognizer", "__version__"]

_RECOGNITION_NAMES = {"Digit", "Reading", "Recognizer"}


def __getattr__(name: str):
    if name in _RECOGNITION_NAMES:
        from digitrec import recognize

        return getattr(recognize, name)
    raise AttributeError(f"module 'digitrec' has no attribute {name!r}")
