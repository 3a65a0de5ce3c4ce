"""The page end to end: `digitrec serve` on a free loopback port, driven in headless Chromium.

Uses the system browser (Debian's `chromium`, which `.ci/run` installs) through Playwright;
skips where either is missing. Screenshots of each state are saved in the test's tmp_path.
"""
from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import cv2
import numpy as np
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
START_TIMEOUT_S = 120
ANSWER_TIMEOUT_MS = 30_000
PHONE_VIEWPORT = {"width": 390, "height": 844}

sync_api = pytest.importorskip("playwright.sync_api")


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(bundled_model):
    port = free_loopback_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "digitrec.cli", "serve", "--port", str(port), "--model", str(bundled_model)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"digitrec serve exited with {process.returncode}:\n{process.stdout.read()}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"digitrec serve did not answer /healthz within {START_TIMEOUT_S} s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium chromium-driver)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server_url):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(server_url)
    yield page
    context.close()


def draw(page, strokes: list[list[tuple[float, float]]]) -> None:
    """Draw strokes on the canvas with the mouse; points are fractions of the canvas's width and height."""
    box = page.locator("#pad").bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=12)
        page.mouse.up()


SEVEN = [[(0.40, 0.18), (0.60, 0.18), (0.47, 0.85)]]


def wait_for_answer(page, text: str) -> None:
    sync_api.expect(page.locator("#text")).to_have_text(text, timeout=ANSWER_TIMEOUT_MS)


def test_drawn_digit_is_read(page, tmp_path):
    page.uncheck("#auto")
    draw(page, SEVEN)
    page.screenshot(path=tmp_path / "1-drawn.png", full_page=True)
    page.click("#read")
    wait_for_answer(page, "7")
    cards = page.locator("#digits li")
    sync_api.expect(cards).to_have_count(1)
    sync_api.expect(cards.locator(".bar")).to_have_count(3)
    assert page.locator("#digits img").evaluate("img => img.naturalWidth") == 28
    assert page.locator("#annotated").evaluate("img => img.naturalWidth") > 0
    page.screenshot(path=tmp_path / "2-drawing-read.png", full_page=True)

    page.click("#clear")
    sync_api.expect(page.locator("#digits li")).to_have_count(0)
    page.screenshot(path=tmp_path / "3-cleared.png", full_page=True)


def photo_of(text: str) -> bytes:
    """A PNG of dark printed digits on slightly tinted paper."""
    paper = np.full((220, 200 * len(text) + 20, 3), (235, 240, 245), np.uint8)
    cv2.putText(paper, text, (70, 170), cv2.FONT_HERSHEY_SIMPLEX, 5, (40, 30, 20), thickness=14)
    return cv2.imencode(".png", paper)[1].tobytes()


def test_uploaded_photo_is_read(page, tmp_path):
    photo = tmp_path / "forty-two.png"
    photo.write_bytes(photo_of("42"))
    page.set_input_files("#file", photo)
    wait_for_answer(page, "42")
    sync_api.expect(page.locator("#digits li")).to_have_count(2)
    page.screenshot(path=tmp_path / "4-photo-read.png", full_page=True)


def test_dropped_photo_is_read(page, tmp_path):
    dropped = page.evaluate_handle(
        """(b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
            return transfer;
        }""",
        base64.b64encode(photo_of("305")).decode("ascii"),
    )
    page.dispatch_event("#drop", "drop", {"dataTransfer": dropped})
    wait_for_answer(page, "305")
    sync_api.expect(page.locator("#summary")).to_contain_text("dropped.png")
    page.screenshot(path=tmp_path / "4b-photo-dropped.png", full_page=True)


def test_bad_file_shows_an_error_in_the_page(page, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image\n")
    page.set_input_files("#file", notes)
    error = page.locator("#error")
    sync_api.expect(error).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    sync_api.expect(error).to_contain_text("notes.txt")
    page.screenshot(path=tmp_path / "5-error.png", full_page=True)


def test_phone_sized_screen_reads_when_the_pen_lifts(browser, server_url, tmp_path):
    context = browser.new_context(viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    draw(page, SEVEN)  # "Read when I lift the pen" is on by default: no click
    wait_for_answer(page, "7")
    page.screenshot(path=tmp_path / "6-phone.png", full_page=True)
    context.close()
