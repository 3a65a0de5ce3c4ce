"""The JSON API and the page's files, through FastAPI's test client (no network, no browser)."""
from __future__ import annotations

import base64
import builtins
import tempfile

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from digitrec import __version__
from digitrec.server import create_app

SMALL_BODY_LIMIT_BYTES = 20_000
SMALL_PIXEL_LIMIT = 100_000


@pytest.fixture(scope="module")
def client(recognizer) -> TestClient:
    return TestClient(create_app(recognizer))


@pytest.fixture(scope="module")
def strict_client(recognizer) -> TestClient:
    """An app with small limits, so the limits can be tested with small images."""
    return TestClient(create_app(recognizer, max_body_bytes=SMALL_BODY_LIMIT_BYTES, max_pixels=SMALL_PIXEL_LIMIT))


def digits_png(text: str, height_px: int = 120, extension: str = ".png") -> bytes:
    """Dark printed digits on white paper, encoded like a file a user would send."""
    width_px = int(height_px * 0.8 * len(text)) + height_px
    image = np.full((height_px + 40, width_px), 255, np.uint8)
    scale = height_px / 30
    cv2.putText(image, text, (height_px // 2, height_px + 10), cv2.FONT_HERSHEY_SIMPLEX, scale, 0,
                thickness=max(2, height_px // 12), lineType=cv2.LINE_AA)
    return cv2.imencode(extension, image)[1].tobytes()


def decoded_png(encoded: str) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(base64.b64decode(encoded), np.uint8), cv2.IMREAD_UNCHANGED)
    assert image is not None
    return image


def assert_still_serving(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    response = client.post("/api/v1/read", files={"file": ("7.png", digits_png("7"), "image/png")})
    assert response.status_code == 200
    assert response.json()["text"] == "7"


def test_healthz_says_model_loaded_and_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "model_loaded": True, "version": __version__}


def test_model_path_is_loaded_at_start_up(bundled_model):
    with TestClient(create_app(model_path=bundled_model)) as client:
        assert client.get("/healthz").json()["model_loaded"] is True
        assert client.post("/api/v1/read", content=digits_png("3")).json()["text"] == "3"


def test_page_and_its_files_are_served_without_outside_resources(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<canvas" in page.text
    for path, kind in [("/static/app.js", "javascript"), ("/static/style.css", "text/css")]:
        response = client.get(path)
        assert response.status_code == 200 and kind in response.headers["content-type"]
        assert "http://" not in response.text and "https://" not in response.text and "@import" not in response.text
    assert "http://" not in page.text and "https://" not in page.text


def test_openapi_docs_describe_the_read_endpoint(client):
    assert client.get("/docs").status_code == 200
    read = client.get("/openapi.json").json()["paths"]["/api/v1/read"]["post"]
    assert "multipart/form-data" in read["requestBody"]["content"]
    assert "inputs=true" in read["description"]
    assert {parameter["name"] for parameter in read["parameters"]} == {"single", "inputs"}


def test_multipart_upload_is_read(client):
    response = client.post("/api/v1/read", files={"file": ("number.png", digits_png("42"), "image/png")})
    assert response.status_code == 200
    reading = response.json()
    assert reading["text"] == "42"
    assert reading["file"] == "number.png"
    assert [digit["digit"] for digit in reading["digits"]] == [4, 2]
    for digit in reading["digits"]:
        assert 0.0 <= digit["confidence"] <= 1.0
        assert len(digit["box"]) == 4 and len(digit["top3"]) == 3
        assert "input_png" not in digit
    assert "annotated_png" not in reading
    assert "timings_ms" in reading


def test_raw_body_is_read(client):
    response = client.post("/api/v1/read", content=digits_png("5", extension=".jpg"),
                           headers={"content-type": "image/jpeg"})
    assert response.status_code == 200
    assert response.json()["text"] == "5"


def test_single_treats_the_image_as_one_digit(client):
    response = client.post("/api/v1/read?single=true", content=digits_png("8"))
    assert response.status_code == 200
    assert [digit["digit"] for digit in response.json()["digits"]] == [8]


def test_inputs_adds_the_network_inputs_and_the_annotated_image(client):
    photo = digits_png("42")
    response = client.post("/api/v1/read?inputs=true", files={"file": ("42.png", photo, "image/png")})
    assert response.status_code == 200
    reading = response.json()
    for digit in reading["digits"]:
        network_input = decoded_png(digit["input_png"])
        assert network_input.shape == (28, 28) and network_input.max() > 128  # white ink on black
    annotated = decoded_png(reading["annotated_png"])
    original = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert annotated.shape[:2] == original.shape[:2]


def test_boxes_of_a_large_jpeg_upload_are_in_its_own_pixels(client):
    """A 12-megapixel photo is decoded reduced for speed; the boxes still refer to the photo as sent."""
    photo = np.full((3000, 4000, 3), 235, np.uint8)
    cv2.putText(photo, "5", (1800, 1900), cv2.FONT_HERSHEY_SIMPLEX, 20, (25, 25, 35), 50)
    body = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    response = client.post("/api/v1/read", files={"file": ("photo.jpg", body, "image/jpeg")})
    assert response.status_code == 200
    [digit] = response.json()["digits"]
    x, y, w, h = digit["box"]
    assert digit["digit"] == 5
    assert 1780 <= x <= 1880 and 1400 <= y <= 1520 and 280 <= w <= 480 and 400 <= h <= 560


TRUNCATED_PNG = digits_png("1")[:200]


@pytest.mark.parametrize(
    ("request_kwargs", "status_code", "message"),
    [
        ({"files": {"picture": ("7.png", b"...", "image/png")}}, 400, "no image"),
        ({"data": {"note": "hello"}, "files": {"other": ("x.txt", b"", "text/plain")}}, 400, "no image"),
        ({"content": b""}, 400, "no image"),
        ({"content": b"", "headers": {"content-type": "multipart/form-data; boundary=x"}}, 400, "no image"),
        ({"files": {"file": ("notes.txt", b"these are not pixels\n" * 20, "text/plain")}}, 422, "notes.txt"),
        ({"files": {"file": ("empty.png", b"", "image/png")}}, 422, "empty"),
        ({"content": TRUNCATED_PNG, "headers": {"content-type": "image/png"}}, 422, "truncated"),
        ({"files": {"file": ("cut.png", TRUNCATED_PNG, "image/png")}}, 422, "cut.png"),
    ],
    ids=["wrong-field", "no-file-field", "empty-body", "empty-multipart", "text-file", "zero-bytes",
         "truncated-raw", "truncated-multipart"],
)
def test_bad_input_gets_a_json_error_and_the_server_keeps_serving(client, request_kwargs, status_code, message):
    response = client.post("/api/v1/read", **request_kwargs)
    assert response.status_code == status_code
    assert message in response.json()["error"]
    assert_still_serving(client)


def test_bad_query_parameter_is_a_json_error(client):
    response = client.post("/api/v1/read?single=perhaps", content=digits_png("1"))
    assert response.status_code == 422
    assert "single" in response.json()["error"]


def test_unknown_path_is_a_json_error(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert "error" in response.json()


def large_png(size_bytes: int) -> bytes:
    """A valid PNG of at least ``size_bytes``: noise compresses badly."""
    side = int(np.sqrt(size_bytes / 3)) + 8
    noise = np.random.default_rng(0).integers(0, 256, (side, side, 3), np.uint8)
    encoded = cv2.imencode(".png", noise, [cv2.IMWRITE_PNG_COMPRESSION, 0])[1].tobytes()
    assert len(encoded) >= size_bytes
    return encoded


@pytest.mark.parametrize("how", ["multipart", "raw", "streamed-without-length"])
def test_body_above_the_limit_is_refused_with_413(strict_client, how):
    body = large_png(SMALL_BODY_LIMIT_BYTES + 1)
    if how == "multipart":
        response = strict_client.post("/api/v1/read", files={"file": ("big.png", body, "image/png")})
    elif how == "raw":
        response = strict_client.post("/api/v1/read", content=body)
    else:
        chunks = (body[i: i + 4096] for i in range(0, len(body), 4096))
        response = strict_client.post("/api/v1/read", content=chunks)
    assert response.status_code == 413
    assert f"{SMALL_BODY_LIMIT_BYTES:,} bytes" in response.json()["error"]
    assert_still_serving(strict_client)


def test_image_above_the_pixel_limit_is_refused_with_413(strict_client):
    wide = np.full((100, 1200), 255, np.uint8)  # 120,000 pixels, a few hundred bytes as PNG
    body = cv2.imencode(".png", wide)[1].tobytes()
    assert len(body) < SMALL_BODY_LIMIT_BYTES
    response = strict_client.post("/api/v1/read", files={"file": ("wide.png", body, "image/png")})
    assert response.status_code == 413
    assert "pixels" in response.json()["error"]
    assert_still_serving(strict_client)


def test_nothing_the_user_sends_is_written_to_disk(client, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    writes = []
    real_open = builtins.open

    def watching_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            writes.append(file)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watching_open)
    paper = np.full((1000, 800, 3), 255, np.uint8)  # an uncompressed 2.4 MB photo: above Starlette's 1 MB spool
    cv2.putText(paper, "6", (250, 700), cv2.FONT_HERSHEY_SIMPLEX, 20, (0, 0, 0), thickness=40)
    photo = cv2.imencode(".bmp", paper)[1].tobytes()
    assert len(photo) > 2_000_000

    for request_kwargs in ({"files": {"file": ("photo.bmp", photo, "image/bmp")}}, {"content": photo}):
        response = client.post("/api/v1/read?inputs=true", **request_kwargs)
        assert response.status_code == 200 and response.json()["text"] == "6"
    assert writes == []
    assert list(tmp_path.iterdir()) == []


def test_unexpected_failure_is_a_json_500_and_the_server_keeps_serving(recognizer):
    class FailingOnce:
        failed = False

        def read(self, image, *, single=False, name=None):
            if not self.failed:
                self.failed = True
                raise RuntimeError("segmentation broke")
            return recognizer.read(image, single=single, name=name)

    client = TestClient(create_app(FailingOnce()), raise_server_exceptions=False)
    response = client.post("/api/v1/read", content=digits_png("7"))
    assert response.status_code == 500
    assert "RuntimeError" in response.json()["error"]
    assert_still_serving(client)


def test_serve_refuses_a_non_positive_upload_limit(capsys):
    from digitrec.cli import main

    assert main(["serve", "--max-upload-mb", "0"]) == 2
    assert "--max-upload-mb" in capsys.readouterr().err


def test_api_docs_are_served_without_any_outside_resource(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert asset in page.text
    script = page.text.split('src="')[1].split('"')[0]
    assert client.get(script).status_code == 200
