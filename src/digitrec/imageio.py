"""Decoding user images safely: any common file, bytes, PIL image or array -> one RGB uint8 array.

Everything a user can hand us goes through ``load_image``, so this is the one place that knows
about formats, EXIF orientation, bit depths, transparency and decompression bombs. Every failure
is an ``ImageDecodeError`` whose message is one line: ``"<name>: <what is wrong>; <what to do>"``.
"""
from __future__ import annotations

import glob
import io
import math
import os
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_PIXELS = 50_000_000
IMAGE_SUFFIXES: frozenset[str] = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif"}
)
SUPPORTED_FORMATS = "PNG, JPEG, BMP, TIFF, WebP or GIF"
PILLOW_FORMATS = ("PNG", "JPEG", "BMP", "TIFF", "WEBP", "GIF")
"""Only these Pillow plugins may open user data: fewer parsers to attack, and none that runs an
outside program (Pillow's EPS plugin calls Ghostscript). Camera JPEGs that Pillow calls MPO still open."""
RESAVE_HINT = "re-save or re-download the image"
DOWNSCALE_HINT = "downscale the image before reading it"
WHITE = 255
GLOB_CHARACTERS = "*?["
JPEG_FORMATS = ("JPEG", "MPO")
SIDEWAYS_ORIENTATIONS = (5, 6, 7, 8)
JPEG_END_MARKER = b"\xff\xd9"
OPENCV_JPEG_SCALES = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
                      8: cv2.IMREAD_REDUCED_COLOR_8}  # how many times smaller Pillow's draft decodes -> OpenCV's flag

ImageSource = str | os.PathLike | bytes | bytearray | memoryview | Image.Image | np.ndarray


class ImageDecodeError(Exception):
    """An image could not be read; the message names it, says what is wrong and what to do."""


def unreadable_message(path: str | os.PathLike, error: Exception) -> str:
    """One line for a picture a batch could not read: the decoder's own message, or for anything else
    (a bug in digitrec, not in the picture) the file, the error and what to do, so the batch goes on."""
    if isinstance(error, ImageDecodeError):
        return str(error)
    return f"{path}: could not be read ({type(error).__name__}: {error}); this is a bug in digitrec, please report it with the picture"


class ImageTooLargeError(ImageDecodeError):
    """The image has more pixels than allowed (a decompression bomb, or simply too big to read)."""


@dataclass(frozen=True)
class DecodedImage:
    """An image as decoded, and the size it has as stored: ``rgb`` is smaller when a large JPEG was decoded reduced."""

    rgb: np.ndarray  # HxWx3 uint8, upright
    full_size: tuple[int, int]  # (width, height) of the whole image, upright

    @property
    def reduction(self) -> tuple[float, float]:
        """How many pixels of the whole image one pixel of ``rgb`` stands for, along x and along y."""
        height, width = self.rgb.shape[:2]
        return self.full_size[0] / width, self.full_size[1] / height


def load_image(
    source: ImageSource, name: str | None = None, max_pixels: int = MAX_IMAGE_PIXELS, max_side_px: int | None = None
) -> np.ndarray:
    """Decode ``source`` into an HxWx3 uint8 RGB array, the form the rest of digitrec expects.

    ``source`` is a path (str/PathLike), encoded bytes, a ``PIL.Image.Image``, or a numpy array
    (HxW grey, HxWx1, HxWx3 RGB or HxWx4 RGBA; uint8, uint16, or float in [0, 1]; arrays from
    ``cv2.imread`` are BGR and must be converted by the caller). EXIF orientation is applied,
    16-bit is scaled to 8-bit, palettes are expanded, transparency is composited onto white
    (transparent = paper), grey is replicated to 3 channels and a multi-frame file gives its first
    frame. ``name`` appears in error messages (default: the path, or ``"<bytes>"``/``"<image>"``).
    The pixel count is checked against ``max_pixels`` from the header, before pixels are decoded.
    With ``max_side_px``, a JPEG larger than that is decoded at 1/2, 1/4 or 1/8 of its size (several
    times faster), never below ``max_side_px`` on its longer side; ``decode_image`` also says the full size.
    """
    return decode_image(source, name, max_pixels, max_side_px).rgb


def decode_image(
    source: ImageSource, name: str | None = None, max_pixels: int = MAX_IMAGE_PIXELS, max_side_px: int | None = None
) -> DecodedImage:
    """``load_image``, keeping the size of the whole image, for mapping positions found in a reduced one back."""
    if max_side_px is not None and max_side_px < 1:
        raise ValueError(f"max_side_px must be a positive number of pixels or None, got {max_side_px}")
    if isinstance(source, (str, os.PathLike)):
        name = name or os.fspath(source)
        return _decode_encoded(_open_path(source, name), name, max_pixels, max_side_px)
    if isinstance(source, (bytes, bytearray, memoryview)):
        name = name or "<bytes>"
        return _decode_encoded(_open_bytes(source, name), name, max_pixels, max_side_px)
    name = name or "<image>"
    if isinstance(source, Image.Image):
        _check_pixels(*source.size, name, max_pixels)
        return _whole(_pil_to_rgb8(source, name))
    if isinstance(source, np.ndarray):
        if source.ndim >= 2:
            _check_pixels(source.shape[1], source.shape[0], name, max_pixels)
        return _whole(_array_to_rgb8(source, name))
    raise TypeError(
        "load_image: source must be a path, bytes, a PIL image or a numpy array, "
        f"not {type(source).__name__}"
    )


def check_image_size(data: bytes | bytearray | memoryview, name: str | None = None,
                     max_pixels: int = MAX_IMAGE_PIXELS) -> None:
    """Refuse encoded ``data`` above ``max_pixels`` (``ImageTooLargeError``) from its header alone: no pixel is decoded.

    For a caller with a lower limit than the decoder's own; errors are those of ``load_image``.
    """
    name = name or "<bytes>"
    with _open_bytes(data, name) as stream, _open_lazily(stream, name) as image:
        _check_pixels(*image.size, name, max_pixels)


def _whole(rgb: np.ndarray) -> DecodedImage:
    return DecodedImage(rgb, (rgb.shape[1], rgb.shape[0]))


def find_images(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Expand command-line arguments into image files, in a stable order, and one-line problems.

    Each argument is a file (kept even with an unknown suffix, so decoding can say what is wrong),
    a folder (searched recursively for ``IMAGE_SUFFIXES``, sorted) or a glob pattern (``**``
    allowed; matching folders are searched, matching files kept if they have an image suffix).
    A file reached twice is listed once.
    """
    found: list[Path] = []
    problems: list[str] = []
    for argument in paths:
        path = Path(argument)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            images = _images_in_folder(path)
            found.extend(images)
            if not images:
                problems.append(f"{argument}: no images in this folder (looked for {_suffix_list()})")
        elif any(character in argument for character in GLOB_CHARACTERS):
            found.extend(_images_matching(argument, problems))
        else:
            problems.append(f"{argument}: no such file or folder")
    return list(dict.fromkeys(found)), problems


def _suffix_list() -> str:
    return ", ".join(sorted(IMAGE_SUFFIXES))


def _is_image_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES


def _images_in_folder(folder: Path) -> list[Path]:
    """Image files under ``folder``, sorted; hidden files and folders (``.git``, macOS ``._x.png``) skipped."""
    return sorted(
        path
        for path in folder.rglob("*")
        if _is_image_file(path)
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def _images_matching(pattern: str, problems: list[str]) -> list[Path]:
    matches = [Path(match) for match in sorted(glob.glob(pattern, recursive=True))]
    if not matches:
        problems.append(f"nothing matches '{pattern}'")
        return []
    images: list[Path] = []
    for match in matches:
        if match.is_dir():
            images.extend(_images_in_folder(match))
        elif _is_image_file(match):
            images.append(match)
    if not images:
        problems.append(f"no images match '{pattern}' (looked for {_suffix_list()})")
    return images


def _open_path(source: str | os.PathLike, name: str) -> io.BufferedReader:
    """Open a file for decoding, turning each way a path can be wrong into its own message."""
    try:
        info = os.stat(source)
        if stat.S_ISDIR(info.st_mode):
            raise ImageDecodeError(f"{name}: is a folder, not an image file; pass the image files inside it")
        if info.st_size == 0:
            raise ImageDecodeError(f"{name}: empty file (0 bytes); {RESAVE_HINT}")
        return open(source, "rb")
    except FileNotFoundError as error:
        raise ImageDecodeError(f"{name}: no such file; check the path") from error
    except OSError as error:
        raise ImageDecodeError(
            f"{name}: cannot read ({error.strerror}); check the file's permissions"
        ) from error


def _open_bytes(data: bytes | bytearray | memoryview, name: str) -> io.BytesIO:
    if len(data) == 0:
        raise ImageDecodeError(f"{name}: empty data (0 bytes); {RESAVE_HINT}")
    return io.BytesIO(data)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()).rstrip(".") or type(error).__name__


def _check_pixels(width: int, height: int, name: str, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"{name}: {width}x{height} = {width * height:,} pixels is above the limit of {max_pixels:,}; "
            f"{DOWNSCALE_HINT}"
        )


def _decode_encoded(stream: io.IOBase, name: str, max_pixels: int, max_side_px: int | None) -> DecodedImage:
    """Read the header, check the size, then decode: a bomb is refused before its pixels exist."""
    with stream:
        image = _open_lazily(stream, name)
        with image:
            width, height = image.size
            _check_pixels(width, height, name, max_pixels)
            if max_side_px is not None and image.format in JPEG_FORMATS and max(width, height) > max_side_px:
                _decode_reduced(image, max_side_px)
            rgb = _plain_jpeg_by_opencv(image, stream, width)
            if rgb is None:
                rgb = _pil_to_rgb8(image, name)
            sideways = image.getexif().get(ExifTags.Base.Orientation, 1) in SIDEWAYS_ORIENTATIONS
            return DecodedImage(rgb, (height, width) if sideways else (width, height))


def _decode_reduced(jpeg: Image.Image, max_side_px: int) -> None:
    """Have the JPEG decoder scale by 1/2, 1/4 or 1/8 while decoding (Pillow's ``draft``): the longer side stays at
    least ``max_side_px``. Decoding a 12-megapixel photo at 1/4 takes a fraction of the full decode's time."""
    width, height = jpeg.size
    factor = max_side_px / max(width, height)
    jpeg.draft(jpeg.mode, (max(1, math.ceil(width * factor)), max(1, math.ceil(height * factor))))


def _plain_jpeg_by_opencv(image: Image.Image, stream: io.IOBase, full_width: int) -> np.ndarray | None:
    """An upright colour JPEG's pixels, decoded by OpenCV at the size ``_decode_reduced`` set (1/2, 1/4 or 1/8 of
    ``full_width``, or whole): the same pixels as Pillow's, in about half the time for a whole photo (Pillow hands
    its pixels over through a copy into bytes). None for any other image, which Pillow decodes: those it turns, grey
    or CMYK ones, and files that do not end where a JPEG ends (cut short: OpenCV would fill the missing part with
    grey, where Pillow says the file is truncated). A JPEG whose data is damaged but complete decodes as with
    Pillow, damage and all; OpenCV's JPEG library also says so on stderr."""
    if image.format != "JPEG" or image.mode != "RGB" or image.getexif().get(ExifTags.Base.Orientation, 1) not in (0, 1):
        return None
    flag = OPENCV_JPEG_SCALES.get(round(full_width / image.width))
    if flag is None:
        return None
    stream.seek(0)
    data = stream.read()
    if not data.endswith(JPEG_END_MARKER):
        return None
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), flag | cv2.IMREAD_IGNORE_ORIENTATION)
    if bgr is None or bgr.shape[:2] != (image.height, image.width):
        return None
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _open_lazily(stream: io.IOBase, name: str) -> Image.Image:
    """``Image.open`` reads only the header; Pillow's own bomb warning is turned into our error.

    ``catch_warnings`` is process-wide, so two threads can race on it; the worst outcome is that the
    warning is printed or stays an error; below Pillow's limit ``_check_pixels`` refuses the image anyway.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(stream, formats=PILLOW_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageTooLargeError(f"{name}: too many pixels ({_one_line(error)}); {DOWNSCALE_HINT}") from error
    except UnidentifiedImageError as error:
        raise ImageDecodeError(
            f"{name}: not an image, or a format digitrec cannot read; use {SUPPORTED_FORMATS}"
        ) from error
    except Exception as error:  # Pillow's plugins raise many types on malformed headers.
        raise ImageDecodeError(f"{name}: image header is corrupt ({_one_line(error)}); {RESAVE_HINT}") from error


def _pil_to_rgb8(image: Image.Image, name: str) -> np.ndarray:
    try:
        array = _pil_to_array(image)
    except Exception as error:  # Pillow's decoders raise many types on truncated or malformed data.
        raise ImageDecodeError(
            f"{name}: image data is truncated or corrupt ({_one_line(error)}); {RESAVE_HINT}"
        ) from error
    return _array_to_rgb8(array, name)


def _pil_to_array(image: Image.Image) -> np.ndarray:
    """Decode the (first frame of the) image upright, as uint8 RGB/RGBA or 16-bit/float grey."""
    image = _upright(image)
    if image.mode.startswith("I;16"):
        return np.asarray(image).astype(np.uint16)
    if image.mode == "I":  # 32-bit integer mode, in which Pillow holds some 16-bit greyscale files
        return np.clip(np.asarray(image), 0, 65535).astype(np.uint16)
    if image.mode == "F":
        return np.asarray(image)
    mode = "RGBA" if image.has_transparency_data else "RGB"
    return np.asarray(image if image.mode == mode else image.convert(mode))


def _upright(image: Image.Image) -> Image.Image:
    """Turn the image as its EXIF orientation says (phone photos are often stored sideways).

    ``exif_transpose`` copies the whole image even when there is nothing to turn, so it is only
    called when the tag asks for a turn.
    """
    if image.getexif().get(ExifTags.Base.Orientation, 1) in (0, 1):
        return image
    return ImageOps.exif_transpose(image)


def _array_to_rgb8(array: np.ndarray, name: str) -> np.ndarray:
    """A new, writable HxWx3 uint8 array (never a view of the caller's array or of Pillow's buffer)."""
    channels = array.shape[2] if array.ndim == 3 else 1
    if array.ndim not in (2, 3) or channels not in (1, 3, 4) or array.size == 0:
        raise ImageDecodeError(
            f"{name}: an array of shape {array.shape} is not an image; "
            "pass HxW grey, HxWx3 RGB or HxWx4 RGBA"
        )
    pixels = _to_uint8(array, name)
    if channels == 4:
        return _composite_on_white(pixels)
    if channels == 1:
        return np.repeat(pixels.reshape(pixels.shape[:2] + (1,)), 3, axis=2)
    return np.array(pixels)


def _to_uint8(array: np.ndarray, name: str) -> np.ndarray:
    """Scale uint16 (0..65535) and float (0..1) pixels to uint8 (0..255), rounding to nearest."""
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.uint16:
        return ((array.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    if np.issubdtype(array.dtype, np.floating):
        low, high = float(np.min(array)), float(np.max(array))
        if not (0.0 <= low and high <= 1.0):
            raise ImageDecodeError(
                f"{name}: float pixels span [{low:g}, {high:g}], outside [0, 1]; "
                "scale them to [0, 1] or pass uint8"
            )
        return np.rint(array * 255).astype(np.uint8)
    raise ImageDecodeError(
        f"{name}: pixels of type {array.dtype} are not supported; pass uint8, uint16 or float in [0, 1]"
    )


def _composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """Lay RGBA over white paper: a transparent background reads as blank paper, not black ink."""
    alpha = rgba[..., 3:].astype(np.uint16)
    rgb = rgba[..., :3].astype(np.uint16)
    return ((rgb * alpha + WHITE * (255 - alpha) + 127) // 255).astype(np.uint8)
