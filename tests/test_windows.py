"""A meter's drum counter: its row of windows found, each window read as one digit; cells of grids and forms are no
such row."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from digitrec.windows import panel_box, slot_beyond, window_row

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HOUSING = (150, 150, 150)


def counter(text: str, drum=(25, 25, 25), ink=(235, 235, 225), frame=(200, 200, 200), window=(48, 76), bar=12,
            last_drum=None, first_drum=None) -> np.ndarray:
    """A 750x400 photo-sized picture of a drum counter: ``text`` printed on drums in windows of a frame, centred; the
    last and first drum perhaps of other colours."""
    width, height = window
    picture = np.full((400, 750, 3), HOUSING, np.uint8)
    left = (750 - len(text) * (width + bar) - bar) // 2
    top = (400 - height) // 2
    cv2.rectangle(picture, (left, top - bar), (left + len(text) * (width + bar) + bar, top + height + bar), frame, -1)
    for index, digit in enumerate(text):
        x = left + bar + index * (width + bar)
        colour = {len(text) - 1: last_drum, 0: first_drum}.get(index) or drum
        cv2.rectangle(picture, (x, top), (x + width - 1, top + height - 1), colour, -1)
        cv2.putText(picture, digit, (x + 8, top + height - 16), cv2.FONT_HERSHEY_SIMPLEX, 1.6, ink, 4, cv2.LINE_AA)
    return cv2.GaussianBlur(picture, (0, 0), 0.8)


def test_a_counters_windows_are_found_left_to_right_whatever_their_shade():
    for drum, ink, frame in (((25, 25, 25), (235, 235, 225), (200, 200, 200)), ((230, 230, 220), (20, 20, 20), (40, 40, 40))):
        windows = window_row(counter("048172", drum, ink, frame))
        assert windows is not None and len(windows) == 6
        lefts = [x for x, _, _, _ in windows]
        assert lefts == sorted(lefts) and all(44 <= w <= 58 and 70 <= h <= 86 for _, _, w, h in windows)


def test_square_cells_of_a_grid_or_a_form_are_no_counter():
    row = np.full((120, 760, 3), 245, np.uint8)
    for index in range(10):
        cv2.rectangle(row, (20 + index * 72, 20), (20 + (index + 1) * 72, 92), (40, 40, 40), 2)
        cv2.putText(row, str(index), (42 + index * 72, 76), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (30, 30, 30), 3)
    assert window_row(row) is None


def test_a_page_of_handwriting_has_no_counter():
    picture = cv2.cvtColor(cv2.imread(str(EXAMPLES / "phone-2026.jpg")), cv2.COLOR_BGR2RGB)
    assert window_row(picture) is None


def test_a_counter_reads_as_its_drums_digits_red_last_drum_and_all(recognizer):
    assert recognizer.read(counter("048172")).text == "048172"
    light = counter("930561", drum=(230, 230, 220), ink=(20, 20, 20), frame=(40, 40, 40), last_drum=(170, 20, 20))
    assert recognizer.read(light).text == "930561"


def test_a_drum_at_either_end_whose_window_was_missed_is_read_too(recognizer):
    """A drum of a shade between the others' and the frame's: no level parts its window from the frame, so the row of
    windows found stops short of it; the place one pitch beyond the row holds it."""
    light = {"drum": (230, 230, 220), "ink": (20, 20, 20), "frame": (40, 40, 40)}
    last = counter("930561", last_drum=(60, 60, 60), **light)
    assert len(window_row(last)) == 5
    assert recognizer.read(last).text == "930561"
    first = counter("930561", first_drum=(60, 60, 60), **light)
    assert len(window_row(first)) == 5
    assert recognizer.read(first).text == "930561"


def test_no_drum_is_added_for_a_screw_or_a_unit_beside_the_counter(recognizer):
    """The places one pitch beyond a counter's ends hold a screw each, or the unit printed after it: read unsurely or
    off the place's middle, they are not drums (taken for drums, these read ``0482762`` and ``482773``)."""
    screws = counter("4827")  # windows 48 px wide, 12 px bars: the counter spans x 249-501, y 162-238
    cv2.circle(screws, (555, 200), 10, (60, 60, 60), 3)
    cv2.circle(screws, (207, 200), 10, (60, 60, 60), 3)
    assert recognizer.read(screws).text == "4827"
    unit = counter("4827")
    cv2.putText(unit, "m3", (521, 230), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 3)
    assert recognizer.read(unit).text == "4827"


def test_the_place_beyond_a_turned_row_follows_its_line():
    row = [(100, 200, 40, 70), (160, 206, 40, 70), (220, 212, 40, 70), (280, 218, 40, 70)]  # rising 0.1 px a px
    assert slot_beyond(row, after=True) == (340, 224, 40, 70)
    assert slot_beyond(row, after=False) == (40, 194, 40, 70)


def panel_photo(text: str, panel=(20, 20, 20), ink=(235, 235, 235), room=(215, 215, 215)) -> np.ndarray:
    """A 750x500 picture of ``text`` printed on a panel (a screen, a sign) in the middle of a room of another shade."""
    picture = np.full((500, 750, 3), room, np.uint8)
    cv2.rectangle(picture, (120, 140), (650, 360), panel, -1)
    (width, height), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 3.0, 9)
    cv2.putText(picture, text, (385 - width // 2, 250 + height // 2), cv2.FONT_HERSHEY_SIMPLEX, 3.0, ink, 9, cv2.LINE_AA)
    return cv2.GaussianBlur(picture, (0, 0), 1.0)


def test_a_panel_holding_digits_is_found_with_its_shade():
    dark = panel_box(panel_photo("9141"))
    assert dark is not None and dark.dark and 110 <= dark.box[0] <= 140 and 500 <= dark.box[2] <= 530
    light = panel_box(panel_photo("9141", panel=(225, 225, 225), ink=(20, 20, 20), room=(40, 40, 40)))
    assert light is not None and not light.dark


def test_a_page_or_a_lone_seven_segment_zero_is_no_panel():
    assert panel_box(cv2.cvtColor(cv2.imread(str(EXAMPLES / "phone-2026.jpg")), cv2.COLOR_BGR2RGB)) is None
    page = np.full((500, 750, 3), 235, np.uint8)
    cv2.rectangle(page, (300, 150), (420, 350), (30, 30, 30), 14)  # one rectangle round one empty hole
    assert panel_box(page) is None


def test_light_digits_on_a_dark_panel_in_a_light_room_read_as_printed(recognizer):
    assert recognizer.read(panel_photo("9141")).text == "9141"
    assert recognizer.read(panel_photo("3075", panel=(225, 225, 225), ink=(20, 20, 20), room=(40, 40, 40))).text == "3075"


def test_a_panel_turned_a_few_degrees_is_found_and_read(recognizer):
    """Turned 4 degrees, a long panel fills only about 80% of its upright box: its fill is judged against the smallest
    rectangle round it (before: no panel, read ``121``)."""
    picture = panel_photo("7754046")
    turn = cv2.getRotationMatrix2D((375, 250), 4.0, 1.0)
    turned = cv2.warpAffine(picture, turn, (750, 500), borderValue=(215, 215, 215))
    assert panel_box(turned) is not None
    assert recognizer.read(turned).text == "7754046"


def test_faint_digits_on_a_light_plate_in_a_dark_room_are_found_at_the_plates_own_level(recognizer):
    """Grey digits (150) on a white plate (225) in a dark room (40): at the picture's Otsu level the digits go with the
    plate, so the plate holds no holes there; within the plate they part from it (before: no panel, read ``151``)."""
    plate = panel_photo("1293", panel=(225, 225, 225), ink=(150, 150, 150), room=(40, 40, 40))
    found = panel_box(plate)
    assert found is not None and not found.dark
    assert recognizer.read(plate).text == "1293"


def test_a_square_plate_of_three_digits_is_a_panel(recognizer):
    """A dark plate 200x210 holding ``376`` with margins round it, in a light room: as wide as tall, near enough (before:
    no panel, read ``0``)."""
    picture = np.full((500, 750, 3), (215, 215, 215), np.uint8)
    cv2.rectangle(picture, (275, 145), (475, 355), (25, 25, 25), -1)
    (width, height), _ = cv2.getTextSize("376", cv2.FONT_HERSHEY_SIMPLEX, 1.6, 5)
    cv2.putText(picture, "376", (375 - width // 2, 250 + height // 2), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (235, 235, 235), 5,
                cv2.LINE_AA)
    picture = cv2.GaussianBlur(picture, (0, 0), 1.0)
    assert panel_box(picture) is not None
    assert recognizer.read(picture).text == "376"
