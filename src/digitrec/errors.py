"""The kinds of user mistake digitrec reports as one line (and an exit code) instead of a traceback."""
from __future__ import annotations

from digitrec.classifier import ModelLoadError
from digitrec.data import DatasetError
from digitrec.finetune import FinetuneError
from digitrec.imageio import ImageDecodeError
from digitrec.printed import FontsError
from digitrec.train import RunFolderError


class UsageError(Exception):
    """Options that do not go together; the message says which and what to do instead."""


USER_ERRORS: tuple[type[Exception], ...] = (
    DatasetError, FinetuneError, ModelLoadError, FontsError, ImageDecodeError, RunFolderError, UsageError,
)
