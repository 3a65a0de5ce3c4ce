"""The public API: ``Recognizer`` reads an image into a ``Reading`` of ``Digit``s.

One ``Reading`` per image carries what was found (digits in reading order, their boxes and
confidences, the 28x28 inputs the network saw), how long each stage took, and knows how to
draw itself and turn itself into JSON, so the CLI, the web page and the notebook share it.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from digitrec.cells import stands_out
from digitrec.classifier import Classifier, bundled_reader_path
from digitrec.digitness import bundled_digitness_path
from digitrec.files import atomic_write
from digitrec.imageio import DecodedImage, ImageSource, decode_image
from digitrec.ink import is_bilevel
from digitrec.lines import is_photo
from digitrec.memory import keep_freed_memory
from digitrec.pieces import DigitCrop
from digitrec.preprocess import to_mnist_form
from digitrec.segment import WORK_MAX_SIDE_PX, find_digits
from digitrec.wholeness import bundled_wholeness_path
from digitrec.windows import Box, panel_box, slot_beyond, window_row

TOP_K = 3
BOX_COLOUR_RGB = (230, 40, 40)
LABEL_COLOUR_RGB = (255, 255, 255)
LABEL_HEIGHT_FRACTION = 0.3
HERSHEY_HEIGHT_PX = 22  # the height of a digit of cv2.FONT_HERSHEY_SIMPLEX at scale 1
MIN_LABEL_SCALE = 0.3
BOLD_READING_MAX_SIDE_PX = 200  # a picture of several digits with a shorter side under this is also read for bold strokes
BOLD_READING_MARGIN = 0.05  # of mean confidence, by which the bold reading must beat the usual one
SAME_PLACE_OVERLAP_FRACTION = 0.5  # of the narrower box's columns that two readings' digits share where they found the same digit
BOLD_READING_FILL_FRACTION = 0.5  # of a larger picture's height, that a digit found fills: a close-up, also read for bold strokes
REREAD_BELOW_CONFIDENCE = 0.9  # a string's digit the network is less sure of is read again as a cell, where it stands alone
REREAD_MARGIN = 0.1  # of confidence, by which the cell's reading must beat the string's
REREAD_CELL_FRACTION = 1.4  # the cell's side, of the digit's longer side or the line's digit height
REREAD_MIN_CELL_PX = 8
GRID_STRIP_MAX_SIDE_PX = 200  # a picture whose shorter side is under this may be a strip of cells (a Sudoku row)
GRID_MIN_DIGITS = 6
GRID_MAX_SPACING_SPREAD = 0.1  # standard deviation of the digits' spacing, of its median: cells, not handwriting
GRID_GAP_SPACINGS = 1.6  # a gap this many spacings wide holds an empty cell
GRID_EDGE_ROOM = 0.3  # of a spacing, that a cell before the first digit or after the last needs inside the picture
GRID_CELL_MIN_CONFIDENCE = 0.95
GRID_CELL_HEIGHT_SPREAD = 0.3  # a digit found in an empty cell is within this of the line's digit height
GRID_SLIVER_SPACINGS = 0.5  # a 1 closer than this to a neighbour in a row of cells is a piece of grid line
GRID_BOUNDARY_OFFSET = 0.35  # of a spacing: a 1 this far from the cell centres its neighbours set stands on a cell's edge
ONE_PAIR_MAX_GAP = 0.05  # of the line's digit height, between two 1s that may be one 1 drawn in two strokes
ONE_PAIR_MAX_WIDTH = 0.9  # of their joined height: two 1s written side by side are wider
ONE_PAIR_MIN_CONFIDENCE = 0.6  # that the network reads the pair as a 1
END_MARK_HEIGHT_FRACTION = 0.6  # of the line's digit height: an unsure digit at a line's end shorter than this is a mark
END_MARK_MAX_CONFIDENCE = 0.5
END_MARK_MIN_LINE_DIGITS = 3  # in a shorter line, no digit height to compare with
LOOPED_DIGITS = (0, 6, 8, 9)
OTHER_POLARITY_BELOW_CONFIDENCE = 0.5  # a picture read less surely than this on average is read again with its polarity turned
OTHER_POLARITY_MIN_CONFIDENCE = 0.8  # and that reading kept where the network is at least this sure of it on average
SLOT_MIN_CONFIDENCE = 0.9  # a counter's place beyond the windows found holds a drum where its digit is read this surely
SLOT_MIDDLE = (0.25, 0.75)  # of the place's width, where the centre of that digit stands: not the frame at its side
BOX_THICKNESS_DIVISOR = 60
LABEL_PADDING_PX = 1
LABEL_SHRINK_STEPS = 4
LABEL_SHRINK_FACTOR = 0.8


class NoDigitError(ValueError):
    """``read_digit`` was given a picture with no ink on it."""


@dataclass
class Digit:
    """One digit read: its value, how sure the network is, and where it is in the image."""

    value: int
    confidence: float
    box: tuple[int, int, int, int]  # x, y, w, h in image pixels
    probabilities: np.ndarray  # 10 floats, one per digit 0-9
    input: np.ndarray  # the 28x28 float32 the network saw

    def top(self, k: int = TOP_K) -> list[tuple[int, float]]:
        """The ``k`` likeliest digits with their probabilities, likeliest first."""
        order = np.argsort(self.probabilities)[::-1][:k]
        return [(int(digit), float(self.probabilities[digit])) for digit in order]

    def to_dict(self) -> dict:
        return {
            "digit": self.value,
            "confidence": round(self.confidence, 4),
            "box": list(self.box),
            "top3": [[digit, round(probability, 4)] for digit, probability in self.top(TOP_K)],
        }


@dataclass
class Reading:
    """What one image holds: its digits in reading order, grouped into text lines."""

    file: str | None
    digits: list[Digit]
    lines: list[list[Digit]]
    timings_ms: dict[str, float]  # per stage: decode, segment, classify, total
    image: np.ndarray = field(repr=False)  # the decoded RGB image; a large JPEG is decoded reduced
    full_size: tuple[int, int] | None = None  # (width, height) of the image the boxes refer to; None: ``image``'s

    @property
    def text(self) -> str:
        """The digits read: each line's digits concatenated, lines joined with newlines."""
        return "\n".join("".join(str(digit.value) for digit in line) for line in self.lines)

    def to_dict(self) -> dict:
        result = {"file": self.file, "text": self.text, "digits": [digit.to_dict() for digit in self.digits]}
        if len(self.lines) > 1:
            result["lines"] = [[digit.to_dict() for digit in line] for line in self.lines]
        result["timings_ms"] = {stage: round(ms, 2) for stage, ms in self.timings_ms.items()}
        return result

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def plot(self, path: str | os.PathLike | None = None) -> np.ndarray:
        """``image`` with each digit's box and reading (``7 98%``) drawn; also written to ``path`` when given.

        Labels are sized to their digit's box, kept inside the picture and placed (above, below or
        inside the box) where they cover no other label.
        """
        canvas = np.ascontiguousarray(self.image.copy())
        height, width = canvas.shape[:2]
        full_width, full_height = self.full_size or (width, height)
        boxes = [_scaled_box(digit.box, width / full_width, height / full_height) for digit in self.digits]
        for box in boxes:
            x, y, box_width, box_height = box
            thickness = max(1, round(box_height / BOX_THICKNESS_DIVISOR))
            cv2.rectangle(canvas, (x, y), (x + box_width - 1, y + box_height - 1), BOX_COLOUR_RGB, thickness)
        taken: list[tuple[int, int, int, int]] = []
        for digit, box in zip(self.digits, boxes):
            taken.append(_draw_label(canvas, f"{digit.value} {digit.confidence:.0%}", box, taken))
        if path is not None:
            bgr = cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR)
            atomic_write(Path(path), lambda tmp: _write_image(tmp, bgr))
        return canvas


def _scaled_box(box: tuple[int, int, int, int], factor_x: float, factor_y: float) -> tuple[int, int, int, int]:
    x, y, width, height = box
    return round(x * factor_x), round(y * factor_y), max(1, round(width * factor_x)), max(1, round(height * factor_y))


def _draw_label(canvas: np.ndarray, label: str, box: tuple[int, int, int, int],
                taken: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    """Draw ``label`` by ``box``, inside the picture, where it covers no ``taken`` label; its rectangle.

    The font is sized to the box; where every place by the box (above, below or inside it, flush left,
    centred or flush right) would cover another label, a smaller font is tried.
    """
    scale = max(MIN_LABEL_SCALE, LABEL_HEIGHT_FRACTION * box[3] / HERSHEY_HEIGHT_PX)
    for _ in range(LABEL_SHRINK_STEPS):
        places = _label_places(canvas.shape, label, box, scale)
        best = min(places, key=lambda place: sum(_overlap(place[0], other) for other in taken))
        if not any(_overlap(best[0], other) for other in taken) or scale <= MIN_LABEL_SCALE:
            break
        scale = max(MIN_LABEL_SCALE, scale * LABEL_SHRINK_FACTOR)
    (left, top, width, height), baseline, thickness, fitted_scale = best
    cv2.rectangle(canvas, (left, top), (left + width - 1, top + height - 1), BOX_COLOUR_RGB, cv2.FILLED)
    cv2.putText(canvas, label, (left + LABEL_PADDING_PX, top + height - LABEL_PADDING_PX - baseline),
                cv2.FONT_HERSHEY_SIMPLEX, fitted_scale, LABEL_COLOUR_RGB, thickness, cv2.LINE_AA)
    return left, top, width, height


def _label_places(shape: tuple[int, ...], label: str, box: tuple[int, int, int, int],
                  scale: float) -> list[tuple[tuple[int, int, int, int], int, int, float]]:
    """Where a label at ``scale`` can go by ``box``, moved inside the picture: (rectangle, baseline, thickness,
    scale) each. On a picture narrower than the label, the font shrinks to the picture's width.
    """
    canvas_height, canvas_width = shape[:2]
    thickness = max(1, round(scale))
    (text_width, text_height), baseline = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    if text_width + 2 * LABEL_PADDING_PX > canvas_width:
        scale *= (canvas_width - 2 * LABEL_PADDING_PX) / (text_width + 2 * LABEL_PADDING_PX)
        (text_width, text_height), baseline = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    width, height = text_width + 2 * LABEL_PADDING_PX, text_height + baseline + 2 * LABEL_PADDING_PX
    x, y, box_width, box_height = box
    lefts = (x, x + (box_width - width) // 2, x + box_width - width)
    tops = (y - height, y + box_height, y, y + box_height - height)
    return [
        ((min(max(0, left), max(0, canvas_width - width)), min(max(0, top), max(0, canvas_height - height)), width, height),
         baseline, thickness, scale)
        for top in tops for left in lefts
    ]


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    """The area two rectangles (x, y, w, h) share."""
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0, width) * max(0, height)


def _write_image(path: Path, bgr: np.ndarray) -> None:
    if not cv2.imwrite(str(path), bgr):
        raise OSError(f"{path}: could not write the image (unsupported suffix?)")


class Recognizer:
    """Reads digits from images with a trained network (the bundled reader model unless ``model_path`` is given).

    A digit's confidence is the network's probability for it times the digitness judge's that it is a
    digit at all (``digitrec.digitness``): a sign read as a digit comes out unsure. ``min_confidence``
    drops digits with less confidence (0 keeps all). Making one tells the C library to keep freed
    photo-sized buffers for the next read (``digitrec.memory``).
    """

    def __init__(self, model_path: str | os.PathLike | None = None, min_confidence: float = 0.0):
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be between 0 and 1, got {min_confidence}")
        self.classifier = Classifier(model_path if model_path is not None else bundled_reader_path())
        self.wholeness = Classifier(bundled_wholeness_path(), outputs=1)
        self.digitness = Classifier(bundled_digitness_path(), outputs=1)
        for network in (self.classifier, self.wholeness, self.digitness):
            network.predict_proba(np.zeros((1, 28, 28), np.float32))  # trace the graph now, not on the first image
        self.min_confidence = min_confidence
        keep_freed_memory()

    def read(self, image: ImageSource, *, single: bool = False, name: str | None = None) -> Reading:
        """Read every digit in ``image`` (a path, encoded bytes, a PIL image or an RGB/grey array).

        With ``single`` the image is one digit (a crop): no segmentation into several.
        Raises ``ImageDecodeError`` for a file that is not a readable image.
        """
        started = time.perf_counter()
        if name is None and isinstance(image, (str, os.PathLike)):
            name = os.fspath(image)
        decoded = decode_image(image, name=name, max_side_px=WORK_MAX_SIDE_PX)
        after_decode = time.perf_counter()
        windows = None if single else window_row(decoded.rgb)
        window_digits = self._windows_read(windows, decoded) if windows else None
        panel = None if single or window_digits or not is_photo(decoded.rgb.shape[:2], single) else panel_box(decoded.rgb)
        if window_digits:
            after_segment = time.perf_counter()
            numbered = [(0, digit) for digit in window_digits]
        else:
            numbered, after_segment = self._picture_read(decoded, single)
            if panel and _only_pieces_of(numbered, _scaled_box(panel.box, *decoded.reduction)):
                numbered = self._panel_read(panel.box, decoded) or numbered
        after_classify = time.perf_counter()
        kept = [(line, digit) for line, digit in numbered if digit.confidence >= self.min_confidence]
        timings_ms = {
            "decode": 1000 * (after_decode - started),
            "segment": 1000 * (after_segment - after_decode),
            "classify": 1000 * (after_classify - after_segment),
            "total": 1000 * (after_classify - started),
        }
        return Reading(file=name, digits=[digit for _, digit in kept], lines=_as_lines(kept), timings_ms=timings_ms,
                       image=decoded.rgb, full_size=decoded.full_size)

    def _picture_read(self, decoded: DecodedImage, single: bool) -> tuple[list[tuple[int, Digit]], float]:
        """The picture's digits numbered by line, read as one picture; and when segmenting it ended."""
        readings = self._find_readings(decoded, single)
        after_segment = time.perf_counter()
        crops, digits = self._other_polarity_if_surer(*self._classified(readings, decoded), decoded, single)
        numbered = [(crop.line, digit) for crop, digit in zip(crops, digits)] if single else self._string_checked(crops, digits, decoded)
        numbered = list(zip([line for line, _ in numbered], self._weighed_by_digitness([digit for _, digit in numbered])))
        if not single:
            numbered = _without_marks_at_ends(numbered)
        return numbered, after_segment

    def _panel_read(self, panel: tuple[int, int, int, int], decoded: DecodedImage) -> list[tuple[int, Digit]]:
        """The digits of a panel (``digitrec.windows.panel_box``, in ``decoded.rgb``'s pixels) read as a picture of its
        own, its polarity decided within it, boxes in the whole image's pixels."""
        x, y, width, height = panel
        factor_x, factor_y = decoded.reduction
        crop = DecodedImage(rgb=decoded.rgb[y: y + height, x: x + width],
                            full_size=(max(1, round(width * factor_x)), max(1, round(height * factor_y))))
        numbered, _ = self._picture_read(crop, single=False)
        shift_x, shift_y = round(x * factor_x), round(y * factor_y)
        return [(line, replace(digit, box=(digit.box[0] + shift_x, digit.box[1] + shift_y, *digit.box[2:])))
                for line, digit in numbered]

    def read_digit(self, image: ImageSource) -> Digit:
        """The one digit of a single-digit crop; ``NoDigitError`` when the crop holds no ink."""
        return self._weighed_by_digitness([self._read_cell(image, polarity_checked=True)])[0]

    def _windows_read(self, windows: list[Box], decoded: DecodedImage) -> list[Digit] | None:
        """The digit behind each window of a meter's counter (``digitrec.windows``), each window read as a
        single-digit crop (``read_digit``), left to right, boxes in the whole image's pixels; None where a window
        holds no digit: a counter shows one in each, and a row of empty cells is no counter. The row goes on past
        its ends where a drum stands there (``_row_extended``)."""
        row = []
        for window in windows:
            digit = self._window_digit(window, decoded.rgb)
            if digit is None:
                return None
            row.append((window, digit))
        factor_x, factor_y = decoded.reduction
        return [replace(digit, box=_scaled_box((x + digit.box[0], y + digit.box[1], *digit.box[2:]), factor_x, factor_y))
                for (x, y, _, _), digit in self._row_extended(row, decoded.rgb)]

    def _row_extended(self, row: list[tuple[Box, Digit]], rgb: np.ndarray) -> list[tuple[Box, Digit]]:
        """A counter's windows and their digits, with the drums beyond either end that ``window_row`` missed: the place
        one pitch further (``windows.slot_beyond``), wholly in the picture, joins the row where it holds a digit read
        with ``SLOT_MIN_CONFIDENCE``, its centre in the ``SLOT_MIDDLE`` of the place's width; then the next place on.
        A counter's last drum, red on a water meter, was missed in 7 of the 15 counters misread in a look set
        (docs/benchmarks.md, twenty-fifth session)."""
        for after in (True, False):
            while True:
                slot = slot_beyond([box for box, _ in row], after)
                digit = self._window_digit(slot, rgb) if _inside(slot, rgb.shape) else None
                if digit is None or not _a_drum_in(slot, digit):
                    break
                row = row + [(slot, digit)] if after else [(slot, digit)] + row
        return row

    def _window_digit(self, window: Box, rgb: np.ndarray) -> Digit | None:
        """The digit ``read_digit`` reads in ``window`` of ``rgb``, its box in the window's pixels; None where it finds none."""
        x, y, width, height = window
        try:
            return self.read_digit(rgb[y: y + height, x: x + width])
        except NoDigitError:
            return None

    def _read_cell(self, image: ImageSource, polarity_checked: bool = False) -> Digit:
        """``read_digit`` with the network's own confidence: what the string checks compare. A string's
        cell keeps the polarity decided for it (the string was read, so it is not in doubt)."""
        decoded = decode_image(image, max_side_px=WORK_MAX_SIDE_PX)
        crops, digits = self._read_crops(decoded, single=True)
        if polarity_checked:
            crops, digits = self._other_polarity_if_surer(crops, digits, decoded, single=True)
        if not digits:
            raise NoDigitError("no digit found: the picture holds no ink that stands out from its background")
        return digits[0]

    def _read_crops(self, decoded: DecodedImage, single: bool, other_polarity: bool = False) -> tuple[list[DigitCrop], list[Digit]]:
        """The picture's digit crops and the network's reading of each, in one polarity."""
        return self._classified(self._find_readings(decoded, single, other_polarity), decoded)

    def _find_readings(self, decoded: DecodedImage, single: bool, other_polarity: bool = False) -> list[list[DigitCrop]]:
        """The picture's digit crops, and where it may hold bold printed digits cropped tight
        (``_may_be_bold_and_tight``), those found with a wider light window too."""
        judge = self._digit_likeness if single else self._wholeness
        readings = [[crop for line in find_digits(decoded.rgb, single=single, judge=judge, other_polarity=other_polarity) for crop in line]]
        if _may_be_bold_and_tight(decoded.rgb, single, readings[0]):
            readings.append([crop for line in find_digits(decoded.rgb, judge=judge, bold=True, other_polarity=other_polarity)
                             for crop in line])
        return readings

    def _classified(self, readings: list[list[DigitCrop]], decoded: DecodedImage) -> tuple[list[DigitCrop], list[Digit]]:
        """The surer of the readings (``_surer_reading``) and the network's digits for it."""
        return _surer_reading(readings, self._classify([crop for crops in readings for crop in crops], decoded))

    def _other_polarity_if_surer(self, crops: list[DigitCrop], digits: list[Digit], decoded: DecodedImage,
                                 single: bool) -> tuple[list[DigitCrop], list[Digit]]:
        """The picture's reading, or its reading with the polarity turned where the first is unsure (the
        network's mean confidence under ``OTHER_POLARITY_BELOW_CONFIDENCE``) and the second sure. A meter's
        light digits in dark windows framed by lighter edges look like dark ink on light paper, and are
        then read unsure; a black-and-white bitmap's polarity is not in doubt (docs/benchmarks.md,
        eleventh session). A single crop where nothing was found is read again too, unless nothing in
        it stands out from the grain: turned, a blank crop's lighter side (the lamp's side) would be
        taken for ink. A picture of several digits where nothing was found is left blank."""
        if (digits and _mean_confidence(digits) >= OTHER_POLARITY_BELOW_CONFIDENCE) or is_bilevel(decoded.rgb):
            return crops, digits
        if not digits and not (single and stands_out(decoded.rgb)):
            return crops, digits
        other_crops, other_digits = self._read_crops(decoded, single, other_polarity=True)
        if other_digits and _mean_confidence(other_digits) >= OTHER_POLARITY_MIN_CONFIDENCE:
            return other_crops, other_digits
        return crops, digits

    def _string_checked(self, crops: list[DigitCrop], digits: list[Digit], decoded: DecodedImage) -> list[tuple[int, Digit]]:
        """A string's digits, numbered by line, after the checks that need the network's readings: ones
        drawn in two strokes joined, and the checks that read parts of the picture as single-digit cells
        (unsure digits read again, grid slivers between cells dropped, empty cells read)."""
        crops, digits = self._split_ones_joined(crops, digits, decoded)
        digits = self._reread_unsure_alone(crops, digits, decoded.rgb)
        crops, digits = _without_cell_slivers(crops, digits, decoded.rgb.shape)
        numbered = [(crop.line, digit) for crop, digit in zip(crops, digits)]
        added = self._empty_cells_read(crops, decoded)
        if not added:
            return numbered
        return sorted(numbered + added, key=lambda line_and_digit: (line_and_digit[0], line_and_digit[1].box[0]))

    def _split_ones_joined(self, crops: list[DigitCrop], digits: list[Digit],
                           decoded: DecodedImage) -> tuple[list[DigitCrop], list[Digit]]:
        """Two neighbouring ``1``s that are one ``1`` drawn in two strokes (a lead-in stroke from its top down
        to the left, a stroke broken in two), as many writers outside the US draw it: read together as one.

        Candidates touch or nearly (``ONE_PAIR_MAX_GAP`` of the line's digit height apart) and together are
        no wider than ``ONE_PAIR_MAX_WIDTH`` of their height (two ones written side by side are wider); the
        pair stands as one digit where the network reads it as a ``1`` with ``ONE_PAIR_MIN_CONFIDENCE``.
        """
        crops, digits = list(crops), list(digits)
        digit_height = float(np.median([crop.box[3] for crop in crops])) if crops else 0.0
        index = 0
        while index + 1 < len(crops):
            left, right = crops[index], crops[index + 1]
            touching = right.box[0] - (left.box[0] + left.box[2]) <= ONE_PAIR_MAX_GAP * digit_height
            if digits[index].value == digits[index + 1].value == 1 and left.line == right.line and touching:
                joined = _joined_crop(left, right)
                if joined.box[2] <= ONE_PAIR_MAX_WIDTH * joined.box[3]:
                    one = self._classify([joined], decoded)[0]
                    if one.value == 1 and one.confidence >= ONE_PAIR_MIN_CONFIDENCE:
                        crops[index: index + 2], digits[index: index + 2] = [joined], [one]
                        continue
            index += 1
        return crops, digits

    def _reread_unsure_alone(self, crops: list[DigitCrop], digits: list[Digit], rgb: np.ndarray) -> list[Digit]:
        """Digits the network is unsure of that stand alone read again, each as a single-digit cell cut around
        it: with the cell's own light and ink threshold, which a faint printed digit beside dark pen digits
        needs (a Sudoku row). A digit stands alone where no other digit's box reaches into its cell
        (touching handwriting does not). The cell's reading stands where the network is surer of it by
        ``REREAD_MARGIN``."""
        unsure = [index for index, digit in enumerate(digits) if digit.confidence < REREAD_BELOW_CONFIDENCE]
        if not unsure:
            return digits
        digit_height = float(np.median([crop.box[3] for crop in crops]))
        reread = list(digits)
        for index in unsure:
            crop, digit = crops[index], digits[index]
            cell = _cell_around(crop.box, digit_height, rgb.shape)
            alone = not any(_overlap(cell, other.box) for other in crops[:index] + crops[index + 1:])
            if not alone or min(cell[2:]) < REREAD_MIN_CELL_PX:
                continue
            x, y, width, height = cell
            try:
                cell_digit = self._read_cell(rgb[y: y + height, x: x + width])
            except NoDigitError:
                continue
            if cell_digit.confidence > digit.confidence + REREAD_MARGIN:
                reread[index] = replace(cell_digit, box=digit.box)
        return reread

    def _empty_cells_read(self, crops: list[DigitCrop], decoded: DecodedImage) -> list[tuple[int, Digit]]:
        """Digits found in the empty cells of a strip of evenly spaced digits (a Sudoku row, boxes on a form):
        the threshold that dark pen digits set can lose a faint printed one entirely.

        In a row of cells (``_cell_spacing``), a gap of ``GRID_GAP_SPACINGS`` spacings or more between two
        digits, or a spacing's room before the first or after the last, holds cells without a digit. Each such cell, one spacing wide and the
        strip's height, is read as a single digit; one read with at least ``GRID_CELL_MIN_CONFIDENCE``, about
        as tall as the line's digits and standing inside the cell, not on its edge (the grid line beside an
        empty cell, benchmarks/empty_cells.py), is added."""
        rgb = decoded.rgb
        centres = sorted(_centre_x(crop) for crop in crops)
        spacing = _cell_spacing(centres, crops, rgb.shape)
        if spacing is None:
            return []
        digit_height = float(np.median([crop.box[3] for crop in crops]))
        # where a digit stands in its cell is judged against the row's span-based cell width; the cells' places and
        # widths keep the median gap, with which a cheque's separator gap is read as before (docs/benchmarks.md)
        row_spacing = _row_spacing(centres) or spacing
        found = []
        for centre in _empty_cell_centres(centres, spacing, rgb.shape[1]):
            left, right = max(0, int(centre - spacing / 2)), min(rgb.shape[1], int(centre + spacing / 2))
            try:
                digit = self._read_cell(rgb[:, left:right])
            except NoDigitError:
                continue
            x, y, width, height = digit.box
            off_centre = abs(left + x + width / 2 - centre) / row_spacing
            if (digit.confidence >= GRID_CELL_MIN_CONFIDENCE and abs(height / digit_height - 1) <= GRID_CELL_HEIGHT_SPREAD
                    and off_centre < GRID_BOUNDARY_OFFSET):
                found.append((crops[0].line, replace(digit, box=_scaled_box((left + x, y, width, height), *decoded.reduction))))
        return found

    def _weighed_by_digitness(self, digits: list[Digit]) -> list[Digit]:
        """``digits`` with each confidence multiplied by the digitness judge's probability that its input is a digit."""
        if not digits:
            return digits
        digitness = self.digitness.predict_proba(np.stack([digit.input for digit in digits]))[:, 0]
        return [replace(digit, confidence=digit.confidence * float(p)) for digit, p in zip(digits, digitness)]

    def _digit_likeness(self, inks: list[np.ndarray]) -> np.ndarray:
        """How sure the network is of each ink crop (its top probability): the judge between a single crop's two readings."""
        return self.classifier.predict_proba(np.stack([to_mnist_form(ink) for ink in inks])).max(axis=1)

    def _wholeness(self, inks: list[np.ndarray]) -> np.ndarray:
        """How sure the wholeness network is that each ink crop is one whole digit: the judge of where
        to cut a string (the classifier is as sure of half a 0 as of a whole one)."""
        return self.wholeness.predict_proba(np.stack([to_mnist_form(ink) for ink in inks]))[:, 0]

    def _classify(self, crops: list[DigitCrop], decoded: DecodedImage) -> list[Digit]:
        """All crops of one image in one batch through the network; boxes in the whole image's pixels."""
        inputs = np.stack([to_mnist_form(crop.ink) for crop in crops]) if crops else np.zeros((0, 28, 28), np.float32)
        probabilities = self.classifier.predict_proba(inputs)
        factor_x, factor_y = decoded.reduction
        return [
            Digit(value=int(np.argmax(p)), confidence=float(np.max(p)), box=_scaled_box(crop.box, factor_x, factor_y),
                  probabilities=p, input=x)
            for crop, p, x in zip(crops, probabilities, inputs)
        ]


def _inside(box: Box, shape: tuple[int, ...]) -> bool:
    x, y, width, height = box
    return x >= 0 and y >= 0 and x + width <= shape[1] and y + height <= shape[0]


def _a_drum_in(slot: Box, digit: Digit) -> bool:
    """Whether ``digit`` (read in ``slot``, its box in the slot's pixels) is a drum's: read surely, in the slot's middle."""
    centre_x = digit.box[0] + digit.box[2] / 2
    return digit.confidence >= SLOT_MIN_CONFIDENCE and SLOT_MIDDLE[0] * slot[2] <= centre_x <= SLOT_MIDDLE[1] * slot[2]


def _only_pieces_of(numbered: list[tuple[int, Digit]], panel: tuple[int, int, int, int]) -> bool:
    """Whether a picture's reading found only pieces of its panel (``digitrec.windows.panel_box``, in the picture's
    pixels): every digit overlapping the panel's box and one at least crossing its edge, as a dark panel in a light
    room, read with the room, is a blot of ink with the digits as its holes. Then the panel is read alone. A reading of
    nothing stands (a blank squared page, a patch of whose grid passes for a panel), as does one with its digits inside
    a panel of the paper's shade (a meter's LCD in a grey housing: read alone, its seven-segment ``7`` came out ``71``)
    or a digit wholly outside it (a light cell ringed by grid lines is no panel of a row's digits)."""
    boxes = [digit.box for _, digit in numbered]
    return bool(boxes) and all(_overlap_2d(box, panel) for box in boxes) and any(_crosses(box, panel) for box in boxes)


def _overlap_2d(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two boxes (x, y, w, h) share some area."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _crosses(box: tuple[int, int, int, int], panel: tuple[int, int, int, int]) -> bool:
    """Whether ``box`` reaches beyond one of ``panel``'s edges while overlapping it."""
    return (box[0] < panel[0] or box[1] < panel[1] or box[0] + box[2] > panel[0] + panel[2]
            or box[1] + box[3] > panel[1] + panel[3])


def _may_be_bold_and_tight(rgb: np.ndarray, single: bool, crops: list[DigitCrop]) -> bool:
    """Whether a picture of several digits may be printed digits cropped tight, whose strokes are too bold
    for the ink map's usual light window: it is small, or its first reading found digits that fill much of
    its height. It is then read a second time with a wider window."""
    if single:
        return False
    tallest_px = max((crop.box[3] for crop in crops), default=0)
    return min(rgb.shape[:2]) < BOLD_READING_MAX_SIDE_PX or tallest_px >= BOLD_READING_FILL_FRACTION * rgb.shape[0]


def _surer_reading(readings: list[list[DigitCrop]], digits: list[Digit]) -> tuple[list[DigitCrop], list[Digit]]:
    """The first reading, or the second where the network is surer of its digits on average by more than
    ``BOLD_READING_MARGIN`` (``digits`` holds both readings' digits in order). Where the two found the
    same digits in the same places (``_same_places``), a digit they read differently is taken from the
    reading surer of it: a cheque's looped ``2`` may read right in one and its ``0``s in the other. A
    digit they agree on keeps the first reading's confidence: agreeing is no reason to be surer, and a
    short mark closing a line is dropped only while unsure (docs/benchmarks.md, twenty-first session)."""
    first = (readings[0], digits[: len(readings[0])])
    if len(readings) == 1:
        return first
    second = (readings[1], digits[len(readings[0]):])
    if _same_places(first[0], second[0]):
        return _digit_by_digit(first, second)
    if _mean_confidence(second[1]) > _mean_confidence(first[1]) + BOLD_READING_MARGIN:
        return second
    return first


def _digit_by_digit(first: tuple[list[DigitCrop], list[Digit]],
                    second: tuple[list[DigitCrop], list[Digit]]) -> tuple[list[DigitCrop], list[Digit]]:
    """One reading of two that found the same digits in the same places: each crop and digit the first's,
    but where the second reads it otherwise and is surer of it."""
    chosen = []
    for crop, digit, other_crop, other in zip(*first, *second):
        second_wins = other.value != digit.value and other.confidence > digit.confidence
        chosen.append((other_crop, other) if second_wins else (crop, digit))
    return [crop for crop, _ in chosen], [digit for _, digit in chosen]


def _same_places(crops: list[DigitCrop], others: list[DigitCrop]) -> bool:
    """Whether two readings found as many digits, each in the same line as its counterpart (in reading
    order) and sharing at least ``SAME_PLACE_OVERLAP_FRACTION`` of the narrower one's columns."""
    if not crops or len(crops) != len(others):
        return False
    for crop, other in zip(crops, others):
        (x, _, width, _), (other_x, _, other_width, _) = crop.box, other.box
        shared = min(x + width, other_x + other_width) - max(x, other_x)
        if crop.line != other.line or shared < SAME_PLACE_OVERLAP_FRACTION * min(width, other_width):
            return False
    return True


def _joined_crop(left: DigitCrop, right: DigitCrop) -> DigitCrop:
    """One crop holding both crops' ink, in the picture's pixels (each ink brought to its box's size)."""
    x0, y0 = min(left.box[0], right.box[0]), min(left.box[1], right.box[1])
    x1 = max(left.box[0] + left.box[2], right.box[0] + right.box[2])
    y1 = max(left.box[1] + left.box[3], right.box[1] + right.box[3])
    canvas = np.zeros((y1 - y0, x1 - x0), np.float32)
    for crop in (left, right):
        x, y, width, height = crop.box
        ink = crop.ink if crop.ink.shape == (height, width) else cv2.resize(crop.ink, (width, height))
        region = canvas[y - y0: y - y0 + height, x - x0: x - x0 + width]
        np.maximum(region, ink, out=region)
    return DigitCrop(box=(x0, y0, x1 - x0, y1 - y0), ink=canvas, line=left.line)


def _cell_around(box: tuple[int, int, int, int], digit_height: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """A square around a digit's box (x, y, w, h), ``REREAD_CELL_FRACTION`` of the larger of its sides and the
    line's digit height on a side, within the picture."""
    x, y, width, height = box
    half = REREAD_CELL_FRACTION * max(width, height, digit_height) / 2
    centre_x, centre_y = x + width / 2, y + height / 2
    left, top = max(0, int(centre_x - half)), max(0, int(centre_y - half))
    right, bottom = min(shape[1], int(centre_x + half)), min(shape[0], int(centre_y + half))
    return left, top, right - left, bottom - top


def _cell_spacing(centres: list[float], crops: list[DigitCrop], shape: tuple[int, ...]) -> float | None:
    """The spacing of a row of cells, or None where the digits are not one: a strip (shorter side under
    ``GRID_STRIP_MAX_SIDE_PX``) holding one line of at least ``GRID_MIN_DIGITS`` digits at the sorted
    ``centres``, whose spacing (gaps of empty cells aside) varies by less than ``GRID_MAX_SPACING_SPREAD``
    of its median."""
    if len(centres) < GRID_MIN_DIGITS or len({crop.line for crop in crops}) > 1 or min(shape[:2]) >= GRID_STRIP_MAX_SIDE_PX:
        return None
    spacings = np.diff(centres)
    spacing = float(np.median(spacings))
    even = spacings[spacings < GRID_GAP_SPACINGS * spacing]
    return spacing if float(np.std(even)) <= GRID_MAX_SPACING_SPREAD * spacing else None


def _row_spacing(centres: list[float]) -> float:
    """The cell width of a row of digits at the sorted ``centres``: the row's span over the number of cells
    it crosses, each gap counted as the whole number of median spacings nearest to it. With empty cells
    a row has few gaps of one cell, and their median alone can be a digit's offset in its cell off."""
    if len(centres) < 2:
        return 0.0
    gaps = np.diff(centres)
    median = float(np.median(gaps))
    if median <= 0:
        return 0.0
    cells = np.maximum(1, np.round(gaps / median))
    return float(gaps.sum() / cells.sum())


def _without_cell_slivers(crops: list[DigitCrop], digits: list[Digit], shape: tuple[int, ...]) -> tuple[list[DigitCrop], list[Digit]]:
    """A row of cells less the ``1``s that are pieces of the grid line between two cells (a bold line broken
    up in a photo), not digits, where the row is evenly spaced without them: those within
    ``GRID_SLIVER_SPACINGS`` of a spacing from a neighbour, and those standing on a cell's edge
    (``GRID_BOUNDARY_OFFSET``), as the line beside an empty cell does (benchmarks/empty_cells.py)."""
    order = sorted(range(len(crops)), key=lambda index: _centre_x(crops[index]))
    centres = [_centre_x(crops[index]) for index in order]
    spacing = _row_spacing(centres)
    slivers = {
        index for position, index in enumerate(order)
        if digits[index].value == 1 and (
            _nearest_neighbour_gap(centres, position) < GRID_SLIVER_SPACINGS * spacing
            or _offset_from_cell_centres(centres, position, spacing) >= GRID_BOUNDARY_OFFSET)
    }
    kept = [index for index in order if index not in slivers]
    if not slivers or _cell_spacing([_centre_x(crops[index]) for index in kept], crops, shape) is None:
        return crops, digits
    return [crops[index] for index in kept], [digits[index] for index in kept]


def _nearest_neighbour_gap(centres: list[float], position: int) -> float:
    """How far the digit at ``position`` of the sorted ``centres`` stands from its nearer neighbour."""
    return min((abs(centres[position] - centres[other]) for other in (position - 1, position + 1) if 0 <= other < len(centres)),
               default=float("inf"))


def _offset_from_cell_centres(centres: list[float], position: int, spacing: float) -> float:
    """How far, in spacings (0 .. 0.5), the digit at ``position`` stands from the nearest cell centre that
    its neighbours' centres set, a whole number of spacings away: near 0 inside a cell, near 0.5 on its edge.
    The nearer neighbour's answer counts; a photo's perspective stretches the spacing along a row."""
    neighbours = [other for other in (position - 1, position + 1) if 0 <= other < len(centres)]
    if spacing <= 0 or not neighbours:
        return 0.0
    nearer = min(neighbours, key=lambda other: abs(centres[position] - centres[other]))
    steps = (centres[position] - centres[nearer]) / spacing
    return abs(steps - round(steps))


def _centre_x(crop: DigitCrop) -> float:
    return crop.box[0] + crop.box[2] / 2


def _empty_cell_centres(centres: list[float], spacing: float, width: int) -> list[float]:
    """Where cells without a digit stand in a row of evenly spaced digit ``centres``: inside each gap of
    ``GRID_GAP_SPACINGS`` spacings or more, and one spacing before the first and after the last where the
    picture has room for it."""
    empty = []
    for left, right in zip(centres, centres[1:]):
        cells = int(round((right - left) / spacing))
        if right - left >= GRID_GAP_SPACINGS * spacing:
            empty += [left + (right - left) * k / cells for k in range(1, cells)]
    return empty + [centre for centre in (centres[0] - spacing, centres[-1] + spacing)
                    if GRID_EDGE_ROOM * spacing <= centre <= width - GRID_EDGE_ROOM * spacing]


def _without_marks_at_ends(numbered: list[tuple[int, Digit]]) -> list[tuple[int, Digit]]:
    """Drop a line's first or last digit where it is short beside the line's digits and either unsure or flat: a
    dash, ``=`` or tick closing a cheque's amount that the segmenter's judge took for a digit. The network and the
    digitness judge, asked after the segmenter, doubt most of them; a flat one (``_flat_mark``) the network may read
    surely (``3.296-`` read ``32962`` at 1.0, docs/benchmarks.md, twenty-fifth session)."""
    dropped = set()
    for line_digits in _as_lines(numbered):
        if len(line_digits) < END_MARK_MIN_LINE_DIGITS:
            continue
        digit_height = float(np.median([digit.box[3] for digit in line_digits]))
        for end in (line_digits[0], line_digits[-1]):
            if end.box[3] < END_MARK_HEIGHT_FRACTION * digit_height and (end.confidence < END_MARK_MAX_CONFIDENCE
                                                                           or _flat_mark(end)):
                dropped.add(id(end))
    return [(line, digit) for line, digit in numbered if id(digit) not in dropped]


def _flat_mark(digit: Digit) -> bool:
    """Whether a short digit at a line's end is a mark: at least as wide as tall, and read as a digit without a loop
    (a small flat ``0``, ``6``, ``8`` or ``9`` may be a digit written small; a dash holds no loop)."""
    return digit.box[2] >= digit.box[3] and digit.value not in LOOPED_DIGITS


def _mean_confidence(digits: list[Digit]) -> float:
    return float(np.mean([digit.confidence for digit in digits])) if digits else 0.0


def _as_lines(numbered: list[tuple[int, Digit]]) -> list[list[Digit]]:
    lines: dict[int, list[Digit]] = {}
    for line, digit in numbered:
        lines.setdefault(line, []).append(digit)
    return [lines[line] for line in sorted(lines)]
