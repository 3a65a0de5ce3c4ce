"""The public API on pictures made in the test: text, boxes, order, confidences, JSON, drawing."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image


def number_photo(text: str = "2026", dark_ground: bool = False) -> np.ndarray:
    paper, ink = ((30, 35, 45), (240, 240, 235)) if dark_ground else ((235, 232, 225), (25, 25, 35))
    image = np.full((160, 90 + 70 * len(text), 3), paper, np.uint8)
    cv2.putText(image, text, (30, 115), cv2.FONT_HERSHEY_SIMPLEX, 3, ink, 8, cv2.LINE_AA)
    return image


def test_import_digitrec_does_not_load_tensorflow():
    import subprocess
    import sys

    code = "import sys, digitrec; print('tensorflow' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_reads_a_printed_number_in_order_with_boxes(recognizer):
    reading = recognizer.read(number_photo("2026"))
    assert reading.text == "2026"
    xs = [digit.box[0] for digit in reading.digits]
    assert xs == sorted(xs)
    assert all(digit.input.shape == (28, 28) and digit.probabilities.shape == (10,) for digit in reading.digits)
    assert set(reading.timings_ms) == {"decode", "segment", "classify", "total"}


@pytest.mark.parametrize("source_kind", ["path", "bytes", "pil", "array"])
def test_accepts_paths_bytes_pil_images_and_arrays(recognizer, tmp_path, source_kind):
    image = number_photo("47", dark_ground=True)
    path = tmp_path / "number.png"
    cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    source = {"path": path, "bytes": path.read_bytes(), "pil": Image.fromarray(image), "array": image}[source_kind]
    assert recognizer.read(source).text == "47"


@pytest.mark.parametrize("degrees", [-18, 18])
def test_a_number_photographed_at_an_angle_reads_as_held_level(recognizer, degrees):
    image = np.full((600, 900, 3), (235, 232, 225), np.uint8)
    cv2.putText(image, "8675319", (80, 340), cv2.FONT_HERSHEY_SIMPLEX, 4, (25, 25, 35), 10, cv2.LINE_AA)
    turn = cv2.getRotationMatrix2D((450, 300), degrees, 1.0)
    photo = cv2.warpAffine(image, turn, (900, 600), borderValue=(235, 232, 225))
    assert recognizer.read(photo).text == "8675319"


def test_blank_page_reads_as_no_digits(recognizer):
    reading = recognizer.read(np.full((200, 300, 3), 240, np.uint8))
    assert reading.digits == [] and reading.text == ""


def test_two_lines_give_lines_in_json(recognizer):
    image = np.full((300, 300, 3), 235, np.uint8)
    cv2.putText(image, "12", (30, 110), cv2.FONT_HERSHEY_SIMPLEX, 3, (20, 20, 20), 8)
    cv2.putText(image, "345", (30, 250), cv2.FONT_HERSHEY_SIMPLEX, 3, (20, 20, 20), 8)
    result = json.loads(recognizer.read(image, name="two.png").to_json())
    assert result["text"] == "12\n345"
    assert [len(line) for line in result["lines"]] == [2, 3]
    assert list(result) == ["file", "text", "digits", "lines", "timings_ms"]


def test_json_shape_for_one_line(recognizer):
    result = recognizer.read(number_photo("38"), name="n.png").to_dict()
    assert list(result) == ["file", "text", "digits", "timings_ms"] and result["file"] == "n.png"
    digit = result["digits"][0]
    assert list(digit) == ["digit", "confidence", "box", "top3"]
    assert len(digit["box"]) == 4 and len(digit["top3"]) == 3 and digit["top3"][0][0] == digit["digit"]


def test_min_confidence_drops_unsure_digits(recognizer):
    from digitrec import Recognizer

    image = number_photo("2026")
    cv2.line(image, (330, 40), (380, 120), (25, 25, 35), 8)  # an X: not a digit, so read with less confidence
    cv2.line(image, (380, 40), (330, 120), (25, 25, 35), 8)
    confidences = sorted(digit.confidence for digit in recognizer.read(image).digits)
    threshold = confidences[len(confidences) // 2]
    kept = Recognizer(min_confidence=threshold).read(image).digits
    assert sorted(digit.confidence for digit in kept) == [c for c in confidences if c >= threshold]
    with pytest.raises(ValueError, match="min_confidence"):
        Recognizer(min_confidence=2)


def test_read_digit_reads_a_crop_and_refuses_a_blank_one(recognizer):
    from digitrec.recognize import NoDigitError

    assert recognizer.read_digit(number_photo("7")).value == 7
    with pytest.raises(NoDigitError):
        recognizer.read_digit(np.full((50, 50, 3), 255, np.uint8))


def meter_window(digit: int, frame_px: int) -> np.ndarray:
    """A meter's drum window: a light digit on a dark window inside a lighter frame, whose light edges
    make the light class look like the ground and the dark window like ink."""
    image = np.full((64, 44, 3), 200, np.uint8)
    image[frame_px: 64 - frame_px, frame_px // 2: 44 - frame_px // 2] = 40
    cv2.putText(image, str(digit), (5, 49), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (225, 225, 225), 3, cv2.LINE_AA)
    return image


@pytest.mark.parametrize("digit, frame_px", [(1, 10), (8, 14)])
def test_an_unsure_single_crop_is_read_again_in_the_other_polarity(recognizer, digit, frame_px):
    image = meter_window(digit, frame_px)
    assert recognizer.read(image, single=True).text == str(digit)
    assert recognizer.read_digit(image).value == digit


def counter_strip(text: str, seed: int) -> np.ndarray:
    """A counter's row of white drums with dark digits, in a black frame whose bars are 10 px wide: the
    drums' wide white faces look like the ground's open spaces, so the white is taken for ink."""
    rng = np.random.default_rng(seed)
    frame_px, drum_width_px, drum_height_px = 10, 44, 64
    image = np.full((drum_height_px + 2 * frame_px, len(text) * (drum_width_px + frame_px) + frame_px), 20, np.uint8)
    for index, digit in enumerate(text):
        left = frame_px + index * (drum_width_px + frame_px)
        image[frame_px:frame_px + drum_height_px, left:left + drum_width_px] = 235
        cv2.putText(image, digit, (left + 5, frame_px + 49), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 30, 3, cv2.LINE_AA)
    noisy = np.clip(image + rng.normal(0, 3, image.shape), 0, 255).astype(np.uint8)
    return cv2.cvtColor(noisy, cv2.COLOR_GRAY2RGB)


@pytest.mark.parametrize("text, seed", [("92653", 4), ("32384", 6), ("62643", 7)])
def test_an_unsure_picture_of_several_digits_is_read_again_in_the_other_polarity(recognizer, text, seed):
    assert recognizer.read(counter_strip(text, seed)).text == text


@pytest.fixture
def turned(monkeypatch) -> list[bool]:
    """Whether each segmentation the reader asks for takes the other polarity, in order."""
    import digitrec.recognize as recognize

    calls = []
    find_digits = recognize.find_digits

    def recording(*args, **kwargs):
        calls.append(kwargs.get("other_polarity", False))
        return find_digits(*args, **kwargs)

    monkeypatch.setattr(recognize, "find_digits", recording)
    return calls


def test_a_sure_picture_of_several_digits_is_not_read_again(recognizer, turned):
    recognizer.read(number_photo("2026"))
    assert turned and not any(turned)


def test_only_a_crop_that_is_not_black_and_white_is_read_in_the_other_polarity(recognizer, turned, monkeypatch):
    import digitrec.recognize as recognize

    monkeypatch.setattr(recognize, "OTHER_POLARITY_BELOW_CONFIDENCE", 1.01)  # every reading is unsure
    bitmap = np.where(number_photo("3")[..., :1] < 128, 0, 255).astype(np.uint8).repeat(3, axis=2)
    recognizer.read(bitmap, single=True)
    assert turned and not any(turned)
    recognizer.read(meter_window(3, 10), single=True)
    assert turned[-1]


def blank_cell_photo(seed: int, grain: float, blur: float, size: tuple[int, int] = (90, 80)) -> np.ndarray:
    """A photo of an empty cell or window: paper grain, light falling off to one corner, maybe out of focus."""
    rng = np.random.default_rng(seed)
    height, width = size
    light = 170 + np.linspace(0, 50, width)[None, :] + np.linspace(0, -30, height)[:, None]
    grey = np.clip(light + rng.normal(0, grain, size), 0, 255).astype(np.uint8)
    if blur:
        grey = cv2.GaussianBlur(grey, (0, 0), blur)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)


@pytest.mark.parametrize("seed, grain, blur", [(1, 2.0, 0.0), (2, 3.0, 1.5), (3, 6.0, 3.0)])
def test_a_blank_cell_photo_read_as_one_digit_holds_none(recognizer, seed, grain, blur):
    from digitrec.recognize import NoDigitError

    image = blank_cell_photo(seed, grain, blur)
    assert recognizer.read(image, single=True).digits == []
    with pytest.raises(NoDigitError):
        recognizer.read_digit(image)


@pytest.mark.parametrize("seed", [24, 26, 27, 37])
def test_an_empty_cell_inside_its_grid_lines_read_as_one_digit_holds_none(recognizer, seed):
    """Lit from the right: turned, the lighter side would be taken for ink."""
    rng = np.random.default_rng(seed)
    grey = 220 + rng.normal(0, 3, (60, 60)) + np.linspace(0, 30, 60)[None, :]
    grey[[0, -1], :] -= 60
    grey[:, [0, -1]] -= 60
    image = cv2.cvtColor(np.clip(grey, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2RGB)
    assert recognizer.read(image, single=True).digits == []


def test_a_faint_digit_in_such_a_photo_is_still_read(recognizer):
    image = blank_cell_photo(2, 3.0, 1.5).astype(np.int16)
    digit = np.zeros(image.shape[:2], np.uint8)
    cv2.putText(digit, "4", (22, 70), cv2.FONT_HERSHEY_SIMPLEX, 2.2, 1, 5, cv2.LINE_AA)
    image[digit > 0] -= 30
    assert recognizer.read(np.clip(image, 0, 255).astype(np.uint8), single=True).text == "4"


def test_plot_draws_boxes_and_writes_the_file(recognizer, tmp_path):
    image = number_photo("5")
    reading = recognizer.read(image)
    drawn = reading.plot(tmp_path / "out" / "five.png")
    assert drawn.shape == image.shape and (drawn != image).any()
    assert cv2.imread(str(tmp_path / "out" / "five.png")) is not None


def test_boxes_of_a_large_jpeg_are_in_its_own_pixels(recognizer, tmp_path):
    """A 12-megapixel photo is decoded reduced for speed; boxes still refer to the photo as stored."""
    photo = np.full((3000, 4000, 3), 235, np.uint8)
    cv2.putText(photo, "5", (1800, 1900), cv2.FONT_HERSHEY_SIMPLEX, 20, (25, 25, 35), 50)
    path = tmp_path / "photo.jpg"
    cv2.imwrite(str(path), photo, [cv2.IMWRITE_JPEG_QUALITY, 90])
    reading = recognizer.read(path)
    [digit] = reading.digits
    x, y, w, h = digit.box
    assert digit.value == 5
    assert 1780 <= x <= 1880 and 1400 <= y <= 1520 and 280 <= w <= 480 and 400 <= h <= 560
    assert max(reading.image.shape) < 4000 and reading.plot().shape == reading.image.shape


def synthetic_reading(boxes: list[tuple[int, int, int, int]], size: tuple[int, int], values: list[int] | None = None):
    """A Reading of digits at ``boxes`` on a black picture of ``size`` (width, height), without a model."""
    from digitrec.recognize import Digit, Reading

    values = values or list(range(len(boxes)))
    digits = [Digit(value=value, confidence=0.987, box=box, probabilities=np.full(10, 0.1), input=np.zeros((28, 28)))
              for value, box in zip(values, boxes)]
    return Reading(file=None, digits=digits, lines=[digits], timings_ms={}, image=np.zeros((size[1], size[0], 3), np.uint8))


def label_text_pixels(canvas: np.ndarray) -> int:
    """Pixels of the labels' white text (boxes and label grounds are red, the picture black)."""
    return int((canvas[..., 1] > 100).sum())


def test_labels_of_close_digits_neither_overlap_nor_leave_the_picture():
    """Digits at the top edge, side by side and at the right edge: every label is drawn whole."""
    boxes = [(2, 1, 22, 32), (26, 1, 22, 32), (50, 1, 22, 32), (74, 1, 22, 32), (176, 60, 22, 32)]
    alone = [label_text_pixels(synthetic_reading([(200, 200, w, h)], (500, 500), [value]).plot())
             for value, (_, _, w, h) in enumerate(boxes)]
    together = synthetic_reading(boxes, (200, 100)).plot()
    assert label_text_pixels(together) == sum(alone) > 0


def test_labels_on_a_small_picture_are_small():
    canvas = synthetic_reading([(4, 4, 20, 20)], (28, 28)).plot()
    drawn = (canvas != 0).any(axis=2)
    assert drawn.mean() < 0.6
    tall = synthetic_reading([(40, 100, 200, 300)], (500, 500)).plot()
    assert label_text_pixels(tall) > 10 * label_text_pixels(canvas)


def test_reads_the_phone_photo_on_lined_paper(recognizer):
    """Ballpoint on ruled paper, photographed at an angle with a shadow: the lines cross the digits."""
    photo = Path(__file__).resolve().parents[1] / "examples" / "phone-2026.jpg"
    assert recognizer.read(photo).text == "2026"


def test_touching_zeros_are_read_one_by_one(recognizer):
    """A cheque's 5000 with the three zeros run together: the network's judgement picks the cut into three."""
    image = np.full((120, 420, 3), 235, np.uint8)
    cv2.putText(image, "5", (20, 95), cv2.FONT_HERSHEY_SIMPLEX, 3, (25, 25, 35), 8)
    for x in (140, 196, 252):
        cv2.ellipse(image, (x + 28, 62), (28, 38), 0, 0, 360, (25, 25, 35), 8)
    assert recognizer.read(image).text == "5000"


@pytest.mark.parametrize("digit, thickness_px, scale, origin", [
    ("4", 30, 4.2, (0, 99)), ("8", 30, 4.2, (0, 99)), ("9", 30, 4.2, (0, 99)),
    ("0", 34, 4.4, (-4, 102)), ("4", 34, 4.4, (-4, 102)), ("8", 34, 4.4, (-4, 102)),
])
def test_a_bold_digit_filling_a_sign_is_read_whole(recognizer, digit, thickness_px, scale, origin):
    """Strokes bolder than the light-evening window (house numbers, plates) must not come out hollow."""
    sign = np.full((100, 100, 3), (40, 60, 150), np.uint8)
    cv2.putText(sign, digit, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (235, 235, 235), thickness_px, cv2.LINE_AA)
    sign = cv2.GaussianBlur(sign, (0, 0), 1.5)
    assert recognizer.read(sign, single=True).text == digit
    assert recognizer.read_digit(sign).value == int(digit)


@pytest.mark.parametrize("bar_width_px", [40, 44, 48])
def test_a_bold_one_that_is_a_solid_bar_is_read_as_one(recognizer, bar_width_px):
    """A plate's bold ``1`` is a solid bar filling its box, as the paper inside a cell's grid lines does; it is
    taller than wide, a cell is not. Hollowed out by the light-evening window it read ``0`` or ``5``."""
    sign = np.full((100, 100, 3), (70, 70, 75), np.uint8)
    left = 50 - bar_width_px // 2
    cv2.rectangle(sign, (left, 12), (left + bar_width_px, 88), (225, 225, 220), -1)
    sign = cv2.GaussianBlur(sign, (0, 0), 2.0)
    assert recognizer.read_digit(sign).value == 1


@pytest.mark.parametrize("text", ["4281", "2026", "5849"])
@pytest.mark.parametrize("dark_ink", [True, False])
def test_bold_printed_digits_cropped_tight_are_read_whole(recognizer, text, dark_ink):
    """A house number or price cut out close around its digits: their strokes are bolder than the light
    window a photo is evened out with, and came out hollow (``4281`` read ``1881``)."""
    paper, ink = ((235, 232, 225), (30, 30, 40)) if dark_ink else ((30, 40, 90), (240, 240, 230))
    image = np.full((200, 600, 3), paper, np.uint8)
    cv2.putText(image, text, (20, 150), cv2.FONT_HERSHEY_SIMPLEX, 3.5, ink, 14, cv2.LINE_AA)
    drawn = np.abs(image.astype(int) - paper).sum(axis=2) > 60
    rows, columns = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    tight = image[rows[0] - 3: rows[-1] + 4, columns[0] - 2: columns[-1] + 3]
    assert recognizer.read(tight).text == text


def test_a_close_up_of_bold_printed_digits_is_read_whole(recognizer):
    """The same at a size no longer small: digits that fill the picture's height are read for bold strokes too."""
    image = np.full((500, 1400, 3), (235, 232, 225), np.uint8)
    cv2.putText(image, "5849", (40, 380), cv2.FONT_HERSHEY_SIMPLEX, 10, (30, 30, 40), 40, cv2.LINE_AA)
    drawn = np.abs(image.astype(int) - (235, 232, 225)).sum(axis=2) > 60
    rows, columns = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    close_up = image[rows[0] - 8: rows[-1] + 9, columns[0] - 4: columns[-1] + 5]
    assert min(close_up.shape[:2]) > 200
    assert recognizer.read(close_up).text == "5849"  # read "1518911601" before


def test_an_unsure_digit_standing_alone_is_read_again_as_a_cell(recognizer):
    """A printed 3 whose right half fades, in a row of dark pen digits: read in the row's light and
    threshold the network was 86% sure of it; read again in its own cell, it is sure."""
    paper = np.array((225, 222, 215), np.float32)
    row = np.full((90, 600, 3), (225, 222, 215), np.uint8)
    for k, digit in enumerate("74 916"):
        cv2.putText(row, digit.strip(), (25 + k * 95, 72), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (20, 20, 120), 4, cv2.LINE_AA)
    cell = np.full((90, 95, 3), (225, 222, 215), np.uint8)
    cv2.putText(cell, "3", (25, 72), cv2.FONT_HERSHEY_DUPLEX, 2.0, (60, 60, 60), 5, cv2.LINE_AA)
    ink = paper - cell.astype(np.float32)
    ink[:, 47:] *= 0.3
    row[:, 190:285] = np.clip(cv2.GaussianBlur(paper - ink, (0, 0), 1.2), 0, 255).astype(np.uint8)
    reading = recognizer.read(row)
    assert reading.text == "743916"
    assert reading.digits[2].confidence > 0.95


def _row_of_cells(text: str, faint_index: int | None = None, grid: bool = False) -> np.ndarray:
    """Nine cells of a Sudoku row: dark pen digits, one faint blurred printed digit, spaces for empty cells."""
    row = np.full((90, 9 * 95, 3), (225, 222, 215), np.uint8)
    for k, digit in enumerate(text):
        if k == faint_index:
            cell = np.full((90, 95, 3), (225, 222, 215), np.uint8)
            cv2.putText(cell, digit, (25, 70), cv2.FONT_HERSHEY_DUPLEX, 2.0, (170, 170, 170), 5, cv2.LINE_AA)
            row[:, k * 95:(k + 1) * 95] = cv2.GaussianBlur(cell, (0, 0), 1.5)
        elif digit != " ":
            cv2.putText(row, digit, (k * 95 + 25, 72), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (20, 20, 120), 4, cv2.LINE_AA)
    for k in range(10 if grid else 0):
        cv2.line(row, (k * 95, 0), (k * 95, 89), (120, 120, 120), 2)
    return row


@pytest.mark.parametrize("faint_index", [0, 4, 8])
def test_a_faint_printed_digit_in_a_row_of_cells_is_found(recognizer, faint_index):
    """The threshold the dark pen digits set loses the faint one entirely (``73521846``); its empty cell is read."""
    assert recognizer.read(_row_of_cells("735291846", faint_index)).text == "735291846"


def test_an_empty_cell_in_a_row_stays_empty(recognizer):
    assert recognizer.read(_row_of_cells("73529 846", grid=True)).text == "73529846"


def _with_grid_line_piece(row: np.ndarray, x: int) -> np.ndarray:
    """``row`` with a blurred bit of bold grid line drawn at ``x``, as a photo breaks one up."""
    sliver = np.zeros(row.shape[:2], np.uint8)
    cv2.line(sliver, (x, 28), (x + 2, 68), 255, 4)
    darkening = 0.6 * cv2.GaussianBlur(sliver, (0, 0), 1.5).astype(np.float32)[..., None] / 255
    return (row * (1 - darkening)).astype(np.uint8)


@pytest.mark.parametrize("x", [285, 475, 665])
def test_a_piece_of_grid_line_between_two_cells_is_not_a_one(recognizer, x):
    """A blurred bit of a bold grid line, left between two cells of a row, read as ``1`` (``7351291846``)."""
    assert recognizer.read(_with_grid_line_piece(_row_of_cells("735291846"), x)).text == "735291846"


@pytest.mark.parametrize(("text", "x"), [("735 91846", 284), ("73  91846", 189), ("7352 1 46", 569),
                                         (" 35291 46", 569), ("73529184 ", 759)])
def test_a_piece_of_grid_line_beside_an_empty_cell_is_not_a_one(recognizer, text, x):
    """On the edge between a digit's cell and an empty one, the piece is half a cell from the digit: not
    closer than that, as between two digits, but on a cell's edge all the same (read ``735191846`` before)."""
    assert recognizer.read(_with_grid_line_piece(_row_of_cells(text), x)).text == text.replace(" ", "")


def test_a_rows_cell_width_counts_its_empty_cells():
    """Six digits in nine cells 48 px wide, three cells empty: their gaps' median (56 px) is a digit's offset
    in its cell off; the row's span over the cells it crosses is the width."""
    from digitrec.recognize import _row_spacing

    assert _row_spacing([25, 70, 216, 272, 318, 410]) == pytest.approx(48.1, abs=0.1)
    assert _row_spacing([10.0 + 95 * k for k in range(9)]) == pytest.approx(95)


def test_a_row_whose_digits_share_a_line_with_a_blot_at_the_edge_is_not_read_blank(recognizer, realworld_dev, monkeypatch):
    """A real Sudoku row with three cells painted out (as benchmarks/empty_cells.py does): one digit merged
    with its cell's grid lines into a blot touching the top edge holds most of the line's ink, so the line
    counted as cut off; a piece of ruled line, the only line left, gave no digit, and the row read blank."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from empty_cells import with_cells_emptied

    row = cv2.imread(str(realworld_dev / "sudoku_rows" / "images" / "image211_row8.png"))  # 157934682
    emptied = cv2.cvtColor(with_cells_emptied(row, [1, 4, 7]), cv2.COLOR_BGR2RGB)
    assert recognizer.read(emptied).text.startswith("179462")


def _stroke_crops(segments: list[tuple[tuple[int, int], tuple[int, int]]], size: tuple[int, int] = (120, 60)):
    """A picture with each segment drawn as one pen stroke, and one crop per stroke as segmentation gives it."""
    from digitrec.imageio import DecodedImage
    from digitrec.pieces import DigitCrop

    height, width = size
    crops = []
    for start, end in segments:
        ink = np.zeros((height, width), np.float32)
        cv2.line(ink, start, end, 1.0, 4, cv2.LINE_AA)
        rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        box = (int(columns[0]), int(rows[0]), int(columns[-1] - columns[0] + 1), int(rows[-1] - rows[0] + 1))
        crops.append(DigitCrop(box=box, ink=ink[rows[0]: rows[-1] + 1, columns[0]: columns[-1] + 1], line=0))
    picture = np.full((height, width, 3), 235, np.uint8)
    return crops, DecodedImage(rgb=picture, full_size=(width, height))


def test_a_one_drawn_in_two_strokes_is_read_as_one_one(recognizer):
    """A slanted 1 whose stroke broke where the pen ran dry: both pieces read as 1s (``16346`` read ``116346``)."""
    crops, decoded = _stroke_crops([((22, 100), (30, 62)), ((30, 62), (40, 20))])
    digits = recognizer._classify(crops, decoded)
    assert [digit.value for digit in digits] == [1, 1]
    joined, read = recognizer._split_ones_joined(crops, digits, decoded)
    assert len(joined) == 1 and read[0].value == 1
    assert joined[0].box == (crops[0].box[0], crops[1].box[1], crops[1].box[0] + crops[1].box[2] - crops[0].box[0],
                             crops[0].box[1] + crops[0].box[3] - crops[1].box[1])


def test_two_ones_written_side_by_side_stay_two(recognizer):
    crops, decoded = _stroke_crops([((15, 20), (15, 100)), ((42, 20), (42, 100))])
    digits = recognizer._classify(crops, decoded)
    assert [digit.value for digit in digits] == [1, 1]
    kept, read = recognizer._split_ones_joined(crops, digits, decoded)
    assert [digit.value for digit in read] == [1, 1] and kept == crops


def _digit_at(box: tuple[int, int, int, int], confidence: float, value: int = 5):
    from digitrec.recognize import Digit

    probabilities = np.full(10, (1 - confidence) / 9, np.float32)
    probabilities[value] = confidence
    return Digit(value=value, confidence=confidence, box=box, probabilities=probabilities, input=np.zeros((28, 28), np.float32))


def test_a_short_unsure_digit_closing_a_line_is_dropped_as_a_mark():
    """An ``=`` closing a cheque's amount, read as a ``5`` at 0.28: short beside the digits and unsure, it goes."""
    from digitrec.recognize import _without_marks_at_ends

    digits = [_digit_at((10 + 40 * i, 10, 30, 60), 0.99) for i in range(4)] + [_digit_at((170, 40, 25, 20), 0.28)]
    kept = _without_marks_at_ends([(0, digit) for digit in digits])
    assert [digit for _, digit in kept] == digits[:4]
    opening = [_digit_at((0, 40, 25, 20), 0.3)] + digits[:4]
    assert [digit for _, digit in _without_marks_at_ends([(0, digit) for digit in opening])] == digits[:4]


def test_a_short_digit_is_kept_where_it_is_sure_and_upright_inside_the_line_or_in_a_short_line():
    from digitrec.recognize import _without_marks_at_ends

    tall = [_digit_at((10 + 40 * i, 10, 30, 60), 0.99) for i in range(3)]
    sure_end = tall + [_digit_at((130, 40, 15, 20), 0.9)]
    unsure_middle = tall[:2] + [_digit_at((90, 40, 25, 20), 0.2)] + tall[2:]
    unsure_tall_end = tall + [_digit_at((130, 10, 30, 60), 0.2)]
    short_line = tall[:1] + [_digit_at((50, 40, 25, 20), 0.2)]
    for digits in (sure_end, unsure_middle, unsure_tall_end, short_line):
        assert [digit for _, digit in _without_marks_at_ends([(0, digit) for digit in digits])] == digits
    two_lines = [(0, digit) for digit in tall] + [(1, _digit_at((10, 110, 30, 60), 0.99)), (1, _digit_at((50, 140, 25, 20), 0.2))]
    assert _without_marks_at_ends(two_lines) == two_lines  # the second line has too few digits to judge by


def test_a_short_flat_mark_closing_a_line_is_dropped_however_sure_unless_read_as_a_looped_digit():
    """``3.296-``: the dash, half as tall as the digits and as wide as tall, read as a ``2`` at 1.0 (before: ``32962``).
    A small flat ``0`` closing a line (``14.000``'s last zero written small) stays."""
    from digitrec.recognize import _without_marks_at_ends

    digits = [_digit_at((10 + 40 * i, 10, 30, 60), 0.99) for i in range(4)]
    dash = _digit_at((170, 40, 32, 30), 1.0, value=2)
    assert [digit for _, digit in _without_marks_at_ends([(0, digit) for digit in digits + [dash]])] == digits
    small_zero = _digit_at((170, 40, 32, 30), 0.99, value=0)
    kept = digits + [small_zero]
    assert [digit for _, digit in _without_marks_at_ends([(0, digit) for digit in kept])] == kept


def _crop_at(box: tuple[int, int, int, int], line: int = 0):
    from digitrec.pieces import DigitCrop

    return DigitCrop(box=box, ink=np.zeros((box[3], box[2]), np.float32), line=line)


def test_where_the_bold_reading_found_the_same_digits_each_is_taken_from_the_surer_reading():
    """A cheque's looped ``2`` read right by one reading and its ``0``s by the other: digit by digit, the surer
    where they differ; where they agree, the usual reading's digit, not the higher of two confidences."""
    from digitrec.recognize import _surer_reading

    usual = [_crop_at((10 + 40 * i, 10, 30, 60)) for i in range(3)]
    bold = [_crop_at((12 + 40 * i, 11, 28, 58)) for i in range(3)]
    usual_digits = [_digit_at(usual[0].box, 0.55, 9), _digit_at(usual[1].box, 0.99, 0), _digit_at(usual[2].box, 0.98, 0)]
    bold_digits = [_digit_at(bold[0].box, 0.9, 2), _digit_at(bold[1].box, 0.6, 8), _digit_at(bold[2].box, 0.99, 0)]
    crops, digits = _surer_reading([usual, bold], usual_digits + bold_digits)
    assert [digit.value for digit in digits] == [2, 0, 0]
    assert crops == [bold[0], usual[1], usual[2]]
    assert digits[2] is usual_digits[2]  # both read 0: the bold reading's 0.99 is no reason to be surer


def test_readings_that_found_other_digits_are_weighed_whole():
    """Where the two readings differ in count, line or place, one stands whole: the bold one only where surer on
    average by the margin."""
    from digitrec.recognize import BOLD_READING_MARGIN, _surer_reading

    usual = [_crop_at((10 + 40 * i, 10, 30, 60)) for i in range(3)]
    usual_digits = [_digit_at(crop.box, 0.8, 1) for crop in usual]
    unlike = {
        "one digit fewer": usual[:2],
        "another line": [usual[0], usual[1], _crop_at(usual[2].box, line=1)],
        "another place": [usual[0], usual[1], _crop_at((200, 10, 30, 60))],
    }
    for name, bold in unlike.items():
        for gain, bold_wins in ((BOLD_READING_MARGIN / 2, False), (2 * BOLD_READING_MARGIN, True)):
            bold_digits = [_digit_at(crop.box, 0.8 + gain, 7) for crop in bold]
            crops, digits = _surer_reading([usual, bold], usual_digits + bold_digits)
            assert (crops, digits) == ((bold, bold_digits) if bold_wins else (usual, usual_digits)), name


def test_a_panel_is_read_alone_only_where_the_reading_found_nothing_but_its_pieces():
    """A dark panel read with its light room is a blot whose pieces spill over its edges; a reading of nothing, one
    inside the panel (a meter's LCD), or one with a digit wholly outside it (a row's other cells) stands."""
    from digitrec.recognize import _only_pieces_of

    panel = (100, 100, 300, 100)
    spilling = [_digit_at((90, 95, 60, 110), 0.9), _digit_at((200, 120, 40, 60), 0.9)]
    inside = [_digit_at((120 + 50 * i, 120, 40, 60), 0.99) for i in range(4)]
    one_outside = inside[:3] + [_digit_at((450, 120, 40, 60), 0.99)]
    assert _only_pieces_of([(0, digit) for digit in spilling], panel)
    for digits in ([], inside, one_outside, spilling + one_outside[3:]):
        assert not _only_pieces_of([(0, digit) for digit in digits], panel)
