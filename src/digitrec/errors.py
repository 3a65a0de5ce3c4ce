"""The kinds of user mistake digitrec reports as one line (and an exit code) instead of a traceback."""
from __future__ import annotations

from digitrec.classifier import ModelLoadError
from digitrec.data import DatasetError
from digitrec.imageio import ImageDecodeError
from digitrec.printed import FontsError

USER_ERRORS: tuple[type[Exception], ...] = (DatasetError, ModelLoadError, FontsError, ImageDecodeError, ValueError)
