"""Boxes printed round digits on a photographed page: found, and their lines taken out, the digits kept."""
from __future__ import annotations

import cv2
import numpy as np

from digitrec.frames import frame_labels, without_frames
from digitrec.segment import find_digits

PAPER = (238, 236, 230)
INK = (30, 30, 40)
BOX_INK = (120, 110, 100)


def form_page(text: str, box_px: int = 60, touching: str = "") -> np.ndarray:
    """A 1000x750 page with a row of boxes, one printed digit in each; the digits in ``touching`` stand on their box."""
    page = np.full((750, 1000, 3), PAPER, np.uint8)
    left, top = 200, 300
    cv2.rectangle(page, (left, top), (left + box_px * len(text), top + box_px), BOX_INK, 2)
    for index, digit in enumerate(text):
        x = left + index * box_px
        cv2.line(page, (x, top), (x, top + box_px), BOX_INK, 2)
        bottom = top + box_px - (1 if digit in touching else 10)
        cv2.putText(page, digit, (x + 14, bottom), cv2.FONT_HERSHEY_SIMPLEX, 1.4, INK, 4, cv2.LINE_AA)
    return page


def boxes(image: np.ndarray) -> list[list[tuple[int, int, int, int]]]:
    return [[crop.box for crop in line] for line in find_digits(image)]


def test_a_piece_whose_box_holds_a_digit_is_a_frame_and_a_digit_beside_another_is_not():
    binary = np.zeros((200, 400), np.uint8)
    cv2.rectangle(binary, (10, 10), (120, 120), 1, 2)
    cv2.putText(binary, "5", (40, 100), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 1, 5)
    cv2.putText(binary, "0", (200, 100), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 1, 5)
    cv2.circle(binary, (230, 75), 2, 1, -1)  # a speck inside the 0: too small to be held
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    frames = frame_labels(stats)
    assert len(frames) == 1 and tuple(stats[frames[0], :2]) == (9, 9)


def test_a_row_of_boxes_on_a_page_reads_as_its_digits_not_its_cells():
    lines = boxes(form_page("4071"))
    assert len(lines) == 1 and len(lines[0]) == 4
    assert all(45 <= y + h <= 370 and h < 60 for _, y, _, h in lines[0])  # no box, no side read as a digit


def test_digits_touching_their_boxes_are_kept_when_the_boxes_are_taken_out():
    lines = boxes(form_page("4071", touching="41"))
    assert [len(line) for line in lines] == [4]
    assert all(h < 55 and w < 55 for _, _, w, h in lines[0])  # each a digit, not a box or the row of them


def test_a_page_with_no_frame_is_left_as_it_was():
    binary = np.zeros((100, 300), np.uint8)
    cv2.putText(binary, "2026", (10, 80), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 1, 5)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    assert without_frames(binary, labels, stats) is None



def long_form_page(text: str, box_px: int = 40, line_px: int = 3) -> np.ndarray:
    """A 1000x750 page with a row of boxes longer than the lines ``digitrec.lines`` takes out, a printed digit 0.7 of
    the box's height in the middle of each: once the rules go, the sides are hardly taller than the digits."""
    page = np.full((750, 1000, 3), PAPER, np.uint8)
    left, top = 150, 300
    (width, height), _ = cv2.getTextSize("0", cv2.FONT_HERSHEY_SIMPLEX, 1.0, 3)
    scale = 0.7 * box_px / height
    cv2.rectangle(page, (left, top), (left + box_px * len(text), top + box_px), BOX_INK, line_px)
    for index, digit in enumerate(text):
        x = left + index * box_px
        cv2.line(page, (x, top), (x, top + box_px), BOX_INK, line_px)
        cv2.putText(page, digit, (x + int((box_px - scale * width) / 2), top + int((box_px + scale * height) / 2)),
                    cv2.FONT_HERSHEY_SIMPLEX, scale, INK, 3, cv2.LINE_AA)
    return page


def test_a_row_of_boxes_longer_than_a_line_reads_as_its_digits_without_its_sides(recognizer):
    page = long_form_page("4071825369472")  # 520 px long: its rules go with the page's lines, its sides stand alone
    assert recognizer.read(page).text == "4071825369472"


def test_ones_in_a_long_row_of_boxes_are_kept(recognizer):
    page = long_form_page("1111101111111")  # straight and alike, as the sides are, but no rule runs along their ends
    assert recognizer.read(page).text == "1111101111111"
