"""Decoding user images: every format and pixel layout comes out as upright RGB uint8, bad files as one line."""
from __future__ import annotations

import io
import math
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from digitrec import imageio
from digitrec.imageio import (
    MAX_IMAGE_PIXELS,
    ImageDecodeError,
    ImageTooLargeError,
    check_image_size,
    decode_image,
    find_images,
    load_image,
)

RED, GREEN, BLUE, WHITE, BLACK = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)


def four_colours(size_px: int = 16) -> np.ndarray:
    """An RGB image in four flat quadrants (red, green / blue, white): wrong channel order or flips show."""
    half = size_px // 2
    image = np.zeros((size_px, size_px, 3), np.uint8)
    image[:half, :half], image[:half, half:] = RED, GREEN
    image[half:, :half], image[half:, half:] = BLUE, WHITE
    return image


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width``x``height`` but carries almost no pixel data: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def assert_one_line_naming(error: pytest.ExceptionInfo, name: str) -> None:
    message = str(error.value)
    assert message.startswith(f"{name}: ")
    assert "\n" not in message and ";" in message


# --- formats and pixel layouts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "options"),
    [
        (".png", {}),
        (".bmp", {}),
        (".tif", {}),
        (".tiff", {"compression": "tiff_lzw"}),
        (".webp", {"lossless": True}),
        (".gif", {}),
    ],
)
def test_lossless_formats_decode_exactly(tmp_path: Path, suffix: str, options: dict) -> None:
    path = tmp_path / f"colours{suffix}"
    Image.fromarray(four_colours()).save(path, **options)

    decoded = load_image(path)

    assert decoded.dtype == np.uint8 and decoded.shape == (16, 16, 3)
    np.testing.assert_array_equal(decoded, four_colours())


@pytest.mark.parametrize("suffix", [".jpg", ".jpeg"])
def test_jpeg_decodes_close_to_the_original(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"colours{suffix}"
    Image.fromarray(four_colours(64)).save(path, quality=95)

    decoded = load_image(path)

    assert decoded.shape == (64, 64, 3)
    assert np.abs(decoded[4:28, 4:28].astype(int) - RED).max() < 12
    assert np.abs(decoded[36:60, 36:60].astype(int) - WHITE).max() < 12


def test_gif_gives_its_first_frame(tmp_path: Path) -> None:
    path = tmp_path / "animated.gif"
    frames = [Image.new("RGB", (8, 8), colour) for colour in (RED, BLUE, GREEN)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)

    assert (load_image(path) == RED).all()


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16_bit_grey_and_rgb_scale_to_8_bit(tmp_path: Path, suffix: str) -> None:
    grey16 = np.array([[0, 257, 32896, 65535]], np.uint16)
    rgb16 = np.stack([grey16, np.full_like(grey16, 65535), np.zeros_like(grey16)], axis=2)
    cv2.imwrite(str(tmp_path / f"grey{suffix}"), grey16)
    cv2.imwrite(str(tmp_path / f"rgb{suffix}"), rgb16[..., ::-1])  # OpenCV writes BGR

    grey = load_image(tmp_path / f"grey{suffix}")
    rgb = load_image(tmp_path / f"rgb{suffix}")

    np.testing.assert_array_equal(grey[0, :, 0], [0, 1, 128, 255])
    assert (grey == grey[..., :1]).all()
    np.testing.assert_array_equal(rgb[0, :, 0], [0, 1, 128, 255])
    assert (rgb[..., 1] == 255).all() and (rgb[..., 2] == 0).all()


def test_greyscale_is_replicated_to_three_channels(tmp_path: Path) -> None:
    grey = np.array([[0, 100], [200, 255]], np.uint8)
    Image.fromarray(grey, "L").save(tmp_path / "grey.png")

    decoded = load_image(tmp_path / "grey.png")

    np.testing.assert_array_equal(decoded, np.repeat(grey[..., None], 3, axis=2))


def test_transparent_pixels_become_white_paper(tmp_path: Path) -> None:
    rgba = np.zeros((4, 4, 4), np.uint8)  # transparent black everywhere ...
    rgba[0, 0] = (0, 0, 255, 255)  # ... except one opaque blue pixel
    rgba[0, 1] = (0, 0, 0, 128)  # and one half-transparent black one
    Image.fromarray(rgba, "RGBA").save(tmp_path / "ink.png")

    decoded = load_image(tmp_path / "ink.png")

    assert tuple(decoded[0, 0]) == BLUE
    assert tuple(decoded[0, 1]) == (127, 127, 127)
    assert (decoded[1:] == 255).all()


def test_palette_is_expanded_and_its_transparent_entry_is_paper(tmp_path: Path) -> None:
    indices = np.array([[0, 1], [2, 2]], np.uint8)
    image = Image.fromarray(indices, "P")
    image.putpalette([*RED, *GREEN, *BLACK] + [0] * (3 * 253))
    image.save(tmp_path / "palette.png")
    image.save(tmp_path / "palette.gif", transparency=2)

    np.testing.assert_array_equal(load_image(tmp_path / "palette.png"), [[RED, GREEN], [BLACK, BLACK]])
    np.testing.assert_array_equal(load_image(tmp_path / "palette.gif"), [[RED, GREEN], [WHITE, WHITE]])


@pytest.mark.parametrize(("orientation", "top_colour"), [(1, None), (6, BLACK), (8, WHITE), (3, None)])
def test_exif_orientation_is_applied(tmp_path: Path, orientation: int, top_colour: tuple | None) -> None:
    """A phone photo stored sideways (left half black, right half white) comes out the way it was held."""
    stored = np.full((32, 64, 3), 255, np.uint8)
    stored[:, :32] = BLACK
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "photo.jpg"
    Image.fromarray(stored).save(path, exif=exif.tobytes(), quality=95)

    decoded = load_image(path).astype(int)

    if orientation in (6, 8):  # rotated a quarter turn: taller than wide, halves now top and bottom
        assert decoded.shape == (64, 32, 3)
        assert np.abs(decoded[4:28] - top_colour).max() < 12
        assert np.abs(decoded[36:60] - (255 - np.array(top_colour))).max() < 12
    else:  # 1 is upright, 3 is upside down: black starts on the left or on the right
        left_colour = BLACK if orientation == 1 else WHITE
        assert decoded.shape == (32, 64, 3)
        assert np.abs(decoded[:, 4:28] - left_colour).max() < 12


@pytest.mark.parametrize(("orientation", "full_size"), [(1, (1600, 800)), (6, (800, 1600))])
def test_a_large_jpeg_is_decoded_reduced_on_request_and_keeps_its_full_size(
    tmp_path: Path, orientation: int, full_size: tuple[int, int]
) -> None:
    """A 1600x800 photo asked for at 400 px decodes at 1/4 (the JPEG decoder scales), upright, quadrants intact."""
    stored = cv2.resize(four_colours(), (1600, 800), interpolation=cv2.INTER_NEAREST)
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "photo.jpg"
    Image.fromarray(stored).save(path, exif=exif.tobytes(), quality=95)

    reduced = decode_image(path, max_side_px=400)
    whole = decode_image(path)

    assert reduced.full_size == whole.full_size == full_size
    assert reduced.rgb.shape == (full_size[1] // 4, full_size[0] // 4, 3)
    assert reduced.reduction == (4.0, 4.0) and whole.reduction == (1.0, 1.0)
    small_whole = cv2.resize(whole.rgb, (full_size[0] // 4, full_size[1] // 4), interpolation=cv2.INTER_AREA)
    assert np.abs(reduced.rgb.astype(int) - small_whole).mean() < 6
    assert load_image(path, max_side_px=400).shape == reduced.rgb.shape


def test_reduced_decoding_never_goes_below_the_size_asked_for_and_spares_other_formats(tmp_path: Path) -> None:
    Image.fromarray(np.zeros((300, 1000, 3), np.uint8)).save(tmp_path / "wide.jpg")
    Image.fromarray(np.zeros((300, 1000, 3), np.uint8)).save(tmp_path / "wide.png")

    assert decode_image(tmp_path / "wide.jpg", max_side_px=300).rgb.shape == (150, 500, 3)  # 1/4 would be 250 wide
    assert decode_image(tmp_path / "wide.jpg", max_side_px=1000).rgb.shape == (300, 1000, 3)
    assert decode_image(tmp_path / "wide.png", max_side_px=300).rgb.shape == (300, 1000, 3)
    with pytest.raises(ValueError, match="max_side_px"):
        decode_image(tmp_path / "wide.jpg", max_side_px=0)


# --- other sources: bytes, PIL images, numpy arrays ----------------------------------------------


def test_bytes_decode_like_the_file() -> None:
    data = png_bytes(Image.fromarray(four_colours()))

    np.testing.assert_array_equal(load_image(data), four_colours())
    np.testing.assert_array_equal(load_image(bytearray(data)), four_colours())


def test_pil_images_of_any_mode() -> None:
    rgb = Image.fromarray(four_colours())

    np.testing.assert_array_equal(load_image(rgb), four_colours())
    grey = rgb.convert("L")
    np.testing.assert_array_equal(load_image(grey), np.repeat(np.asarray(grey)[..., None], 3, axis=2))
    assert (load_image(Image.new("LA", (3, 3), (0, 0))) == 255).all()
    assert (load_image(Image.new("1", (3, 3), 1)) == 255).all()
    assert (load_image(Image.new("CMYK", (3, 3), (0, 0, 0, 0))) == 255).all()


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (np.array([[0, 255]], np.uint8), [[BLACK, WHITE]]),
        (np.array([[[0], [255]]], np.uint8), [[BLACK, WHITE]]),
        (np.array([[RED, BLUE]], np.uint8), [[RED, BLUE]]),
        (np.array([[[0, 0, 0, 0], [*RED, 255]]], np.uint8), [[WHITE, RED]]),
        (np.array([[0, 65535]], np.uint16), [[BLACK, WHITE]]),
        (np.array([[0.0, 0.5, 1.0]], np.float32), [[BLACK, (128, 128, 128), WHITE]]),
        (np.array([[[0.0, 0.0, 1.0]]], np.float64), [[BLUE]]),
    ],
)
def test_numpy_arrays(array: np.ndarray, expected: list) -> None:
    decoded = load_image(array)

    assert decoded.dtype == np.uint8
    np.testing.assert_array_equal(decoded, np.array(expected, np.uint8))


@pytest.mark.parametrize(
    ("array", "complaint"),
    [
        (np.zeros(5, np.uint8), "shape"),
        (np.zeros((2, 2, 2), np.uint8), "shape"),
        (np.zeros((0, 4), np.uint8), "shape"),
        (np.array([[0.0, 2.0]]), "outside [0, 1]"),
        (np.array([[np.nan, 0.5]]), "outside [0, 1]"),
        (np.array([[0, 255]], np.int64), "int64"),
    ],
)
def test_arrays_that_are_not_images_are_refused(array: np.ndarray, complaint: str) -> None:
    with pytest.raises(ImageDecodeError, match="^<image>: ") as error:
        load_image(array)

    assert complaint in str(error.value)


def test_the_result_is_a_fresh_writable_array(tmp_path: Path) -> None:
    array = four_colours()
    Image.fromarray(array).save(tmp_path / "colours.png")

    for decoded in (load_image(array), load_image(tmp_path / "colours.png")):
        decoded[0, 0] = BLACK
    assert tuple(array[0, 0]) == RED


def test_a_wrong_source_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="source must be"):
        load_image(42)  # type: ignore[arg-type]


# --- bad input: one line naming the file ---------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.png"

    with pytest.raises(ImageDecodeError, match="no such file") as error:
        load_image(path)

    assert_one_line_naming(error, str(path))


def test_empty_file_and_empty_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.touch()

    with pytest.raises(ImageDecodeError, match="0 bytes") as error:
        load_image(path)
    assert_one_line_naming(error, str(path))

    with pytest.raises(ImageDecodeError, match="0 bytes") as error:
        load_image(b"", name="upload.png")
    assert_one_line_naming(error, "upload.png")


def test_a_text_file_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("these are not pixels\n" * 20)

    with pytest.raises(ImageDecodeError, match="not an image") as error:
        load_image(path)

    assert_one_line_naming(error, str(path))


@pytest.mark.parametrize("suffix", [".ppm", ".ico", ".eps"])
def test_formats_outside_the_supported_list_are_refused(tmp_path: Path, suffix: str) -> None:
    """Pillow could read these, but user data only reaches the parsers digitrec promises to read."""
    path = tmp_path / f"other{suffix}"
    Image.new("RGB", (16, 16)).save(path)

    with pytest.raises(ImageDecodeError, match="PNG, JPEG, BMP, TIFF, WebP or GIF") as error:
        load_image(path)

    assert_one_line_naming(error, str(path))


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_truncated_images(tmp_path: Path, suffix: str) -> None:
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    whole = tmp_path / f"whole{suffix}"
    Image.fromarray(noise).save(whole)
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    with pytest.raises(ImageDecodeError, match="truncated or corrupt") as error:
        load_image(cut)

    assert_one_line_naming(error, str(cut))
    assert not isinstance(error.value, ImageTooLargeError)
    assert error.value.__cause__ is not None


def test_corrupt_png_data(tmp_path: Path) -> None:
    data = bytearray(png_bytes(Image.fromarray(four_colours(64))))
    data[60:80] = b"\xff" * 20  # inside the compressed pixels
    path = tmp_path / "corrupt.png"
    path.write_bytes(bytes(data))

    with pytest.raises(ImageDecodeError) as error:
        load_image(path)

    assert_one_line_naming(error, str(path))


def test_a_folder_is_not_an_image(tmp_path: Path) -> None:
    with pytest.raises(ImageDecodeError, match="is a folder") as error:
        load_image(tmp_path)

    assert_one_line_naming(error, str(tmp_path))


def test_a_bomb_is_refused_from_its_header_before_decoding(tmp_path: Path) -> None:
    """8000x8000 claimed, a few bytes of pixels: decoding would fail as corrupt, so only the header was read."""
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(8000, 8000))
    assert 8000 * 8000 > MAX_IMAGE_PIXELS

    with pytest.raises(ImageTooLargeError, match="8000x8000") as error:
        load_image(path)

    assert_one_line_naming(error, str(path))


def test_the_pixel_limit_applies_to_every_source(tmp_path: Path) -> None:
    image = Image.new("RGB", (100, 60))
    image.save(tmp_path / "small.png")

    for source in (tmp_path / "small.png", png_bytes(image), image, np.zeros((60, 100, 3), np.uint8)):
        with pytest.raises(ImageTooLargeError, match="100x60"):
            load_image(source, name="small", max_pixels=5999)
        assert load_image(source, max_pixels=6000).shape == (60, 100, 3)


def test_check_image_size_reads_only_the_header() -> None:
    """A bomb's header is refused although its pixels would not decode; within the limit, nothing is raised."""
    with pytest.raises(ImageTooLargeError, match="8000x8000") as error:
        check_image_size(png_header_only(8000, 8000), name="bomb.png")
    assert_one_line_naming(error, "bomb.png")

    check_image_size(png_header_only(100, 60), max_pixels=6000)
    with pytest.raises(ImageTooLargeError, match="100x60"):
        check_image_size(png_header_only(100, 60), max_pixels=5999)
    with pytest.raises(ImageDecodeError, match="0 bytes"):
        check_image_size(b"", name="upload.png")


@pytest.mark.parametrize("pillow_limit", [5000, 2000])  # warning above the limit, error above twice it
def test_pillows_own_bomb_check_maps_to_too_large(monkeypatch: pytest.MonkeyPatch, pillow_limit: int) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", pillow_limit)

    with pytest.raises(ImageTooLargeError) as error:
        load_image(png_bytes(Image.new("RGB", (100, 60))), name="big.png", max_pixels=10**9)

    assert_one_line_naming(error, "big.png")


def test_importing_imageio_does_not_load_tensorflow() -> None:
    code = "import sys, digitrec.imageio; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "False"


# --- find_images ---------------------------------------------------------------------------------


def make_files(root: Path, names: list[str]) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")


def test_a_folder_is_searched_recursively_in_sorted_order(tmp_path: Path) -> None:
    make_files(tmp_path, ["b.png", "a.JPG", "sub/c.webp", "sub/deeper/d.tiff", "notes.txt"])
    make_files(tmp_path, [".hidden/e.png", "._f.png"])  # a .git folder, macOS resource forks

    found, problems = find_images([str(tmp_path)])

    assert found == [tmp_path / name for name in ("a.JPG", "b.png", "sub/c.webp", "sub/deeper/d.tiff")]
    assert problems == []


def test_explicit_files_are_kept_whatever_their_suffix_and_listed_once(tmp_path: Path) -> None:
    make_files(tmp_path, ["scan.dat", "a.png"])
    arguments = [str(tmp_path / "scan.dat"), str(tmp_path / "a.png"), str(tmp_path)]

    found, problems = find_images(arguments)

    assert found == [tmp_path / "scan.dat", tmp_path / "a.png"]
    assert problems == []


def test_globs_match_image_files_and_folders(tmp_path: Path) -> None:
    make_files(tmp_path, ["one.png", "two.png", "three.jpg", "readme.md", "set/x.bmp"])

    assert find_images([str(tmp_path / "*.png")]) == ([tmp_path / "one.png", tmp_path / "two.png"], [])
    found, _ = find_images([str(tmp_path / "**" / "*.bmp")])
    assert found == [tmp_path / "set/x.bmp"]
    found, _ = find_images([str(tmp_path / "s*")])
    assert found == [tmp_path / "set/x.bmp"]


def test_missing_paths_and_empty_matches_are_reported(tmp_path: Path) -> None:
    make_files(tmp_path, ["ok.png", "empty/readme.md"])
    arguments = [str(tmp_path / name) for name in ("missing.png", "*.gif", "empty", "ok.png")]

    found, problems = find_images(arguments)

    assert found == [tmp_path / "ok.png"]
    assert problems == [
        f"{tmp_path / 'missing.png'}: no such file or folder",
        f"nothing matches '{tmp_path / '*.gif'}'",
        f"{tmp_path / 'empty'}: no images in this folder "
        "(looked for .bmp, .gif, .jpeg, .jpg, .png, .tif, .tiff, .webp)",
    ]


def _photo_like(height: int = 90, width: int = 120) -> np.ndarray:
    """Smooth light with a dark stroke and sensor noise: what JPEG coding of a phone photo has to carry."""
    rng = np.random.default_rng(3)
    light = np.linspace(150, 240, width)[None, :, None] * np.ones((height, 1, 3))
    cv2.line(light, (10, 10), (width - 10, height - 10), (40, 30, 90), 6)
    return np.clip(light + rng.normal(0, 6, light.shape), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("options", [
    {"quality": 92}, {"quality": 75, "subsampling": 0}, {"quality": 95, "subsampling": 1},
    {"quality": 90, "progressive": True}, {"quality": 100, "subsampling": 0, "progressive": True},
], ids=["4:2:0", "4:4:4", "4:2:2", "progressive", "progressive-4:4:4-q100"])
@pytest.mark.parametrize("after_the_end", [b"", b"appended data, as a motion photo's video"])
def test_jpegs_decode_to_the_pixels_pillow_gives(tmp_path: Path, options: dict, after_the_end: bytes) -> None:
    """Plain colour JPEGs are decoded by OpenCV, others by Pillow: either way the pixels are Pillow's own."""
    path = tmp_path / "photo.jpg"
    Image.fromarray(_photo_like()).save(path, **options)
    path.write_bytes(path.read_bytes() + after_the_end)
    with Image.open(path) as image:
        pillows = np.asarray(image.convert("RGB"))
    assert np.array_equal(load_image(path), pillows)
    assert np.array_equal(load_image(path.read_bytes()), pillows)


@pytest.mark.parametrize(("size", "max_side_px"), [((2400, 1800), 1000), ((2001, 999), 500), ((1200, 900), 140)])
def test_large_jpegs_decode_reduced_to_the_pixels_pillows_draft_gives(tmp_path: Path, size: tuple[int, int],
                                                                      max_side_px: int) -> None:
    width, height = size
    path = tmp_path / "large.jpg"
    Image.fromarray(_photo_like(height, width)).save(path, quality=90)
    factor = max_side_px / max(size)
    with Image.open(path) as image:
        image.draft("RGB", (math.ceil(width * factor), math.ceil(height * factor)))
        pillows = np.asarray(image.convert("RGB"))
    decoded = decode_image(path, max_side_px=max_side_px)
    assert max(decoded.rgb.shape[:2]) < max(size) and decoded.full_size == size
    assert np.array_equal(decoded.rgb, pillows)


def test_a_plain_jpeg_is_decoded_by_opencv_and_one_with_data_after_its_end_by_pillow(tmp_path: Path, monkeypatch) -> None:
    """OpenCV decodes a JPEG in about half Pillow's time, reduced or whole; a file that does not end where a JPEG
    ends may be cut short, which only Pillow reports (test_truncated_images)."""
    plain, large, appended = tmp_path / "plain.jpg", tmp_path / "large.jpg", tmp_path / "appended.jpg"
    Image.fromarray(_photo_like()).save(plain, quality=92)
    Image.fromarray(_photo_like(1500, 2000)).save(large, quality=92)
    appended.write_bytes(plain.read_bytes() + b"\x00\x01")

    def pillow_decode(*args, **kwargs):
        raise AssertionError("decoded by Pillow")

    monkeypatch.setattr(imageio, "_pil_to_rgb8", pillow_decode)
    assert load_image(plain).shape == (90, 120, 3)
    assert load_image(large, max_side_px=1000).shape == (750, 1000, 3)
    with pytest.raises(AssertionError, match="decoded by Pillow"):
        load_image(appended)
