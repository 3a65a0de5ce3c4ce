"""The digitness judge: a sign printed beside a number comes out unsure, a digit does not."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from digitrec.recognize import Recognizer

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _printed(text: str, size_px: int = 80) -> np.ndarray:
    """Dark ``text`` on light paper in DejaVu Sans Bold, with a margin, slightly blurred as a photo is."""
    try:
        font = ImageFont.truetype(DEJAVU, size_px)
    except OSError:
        pytest.skip(f"font not installed: {DEJAVU} (apt-get install fonts-dejavu-core)")
    left, top, right, bottom = font.getbbox(text)
    margin = size_px // 3
    canvas = Image.new("RGB", (right - left + 2 * margin, bottom - top + 2 * margin), (236, 234, 228))
    ImageDraw.Draw(canvas).text((margin - left, margin - top), text, fill=(30, 30, 40), font=font)
    return np.asarray(canvas)


@pytest.mark.parametrize("sign", ["$", "#", "%", "€", "(", "k"])
def test_a_sign_read_as_a_digit_is_read_unsure(recognizer, sign):
    assert recognizer.read_digit(_printed(sign)).confidence < 0.5


@pytest.mark.parametrize("digit", list("0123456789"))
def test_a_printed_digit_stays_sure(recognizer, digit):
    read = recognizer.read_digit(_printed(digit))
    assert read.value == int(digit) and read.confidence > 0.9


def test_min_confidence_drops_the_currency_sign_of_a_price(recognizer):
    price = _printed("$25")
    assert recognizer.read(price).text == "525"
    assert Recognizer(min_confidence=0.5).read(price).text == "25"
