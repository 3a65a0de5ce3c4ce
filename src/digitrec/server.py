"""The web page and the JSON API: a thin FastAPI layer over ``Recognizer``.

``create_app`` builds the application (the model is loaded once, at start-up, unless a
recognizer is passed in), ``serve`` runs it under uvicorn for ``digitrec serve``.

What a user sends stays in memory: the body is read chunk by chunk up to ``max_body_bytes``
(413 beyond it), a multipart upload is parsed in memory (Starlette's own form parser spills
files above 1 MB to a temporary file), and nothing is written to disk.
"""
from __future__ import annotations

import base64
import os
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import cv2
import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.exceptions import HTTPException

from digitrec import __version__
from digitrec.imageio import MAX_IMAGE_PIXELS, ImageDecodeError, ImageTooLargeError, check_image_size
from digitrec.recognize import Reading, Recognizer

MAX_BODY_BYTES = 10 * 1024 * 1024
UPLOAD_FIELD = "file"
UPLOAD_NAME = "upload"
STATIC_DIR = Path(__file__).parent / "static"
# Readings run in worker threads; more of them than cores only makes each request slower.
READ_THREADS = max(2, os.cpu_count() or 1)

READ_DESCRIPTION = f"""
Read the digits in one image and return the same JSON as `digitrec predict --json`:
`{{"file", "text", "digits": [{{"digit", "confidence", "box": [x, y, w, h], "top3"}}], "timings_ms"}}`
(and `"lines"` when the image holds several lines of digits).

Send the image either as a multipart form field named `{UPLOAD_FIELD}` or as the raw request body.
The body may be at most the configured limit (default {MAX_BODY_BYTES // (1024 * 1024)} MB) and the
image at most the configured number of pixels (default {MAX_IMAGE_PIXELS:,}).

* `single=true` treats the whole image as one digit (a crop) instead of finding digits in it.
* `inputs=true` adds what the page shows: each digit's 28x28 network input as a base64 PNG
  (`digits[i].input_png`) and the image with boxes drawn on it (`annotated_png`).

Errors are JSON `{{"error": "..."}}`: 400 no image sent, 413 body or image too large,
422 not a decodable image.
"""

READ_REQUEST_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {UPLOAD_FIELD: {"type": "string", "format": "binary"}},
                "required": [UPLOAD_FIELD],
            }
        },
        "image/*": {"schema": {"type": "string", "format": "binary"}},
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    },
}


class BodyTooLargeError(Exception):
    """The request body is above the server's limit."""


def create_app(
    recognizer: Recognizer | None = None,
    model_path: str | os.PathLike | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
) -> FastAPI:
    """The application; pass a ready ``recognizer`` (tests) or let start-up load ``model_path``."""
    limiter = anyio.CapacityLimiter(READ_THREADS)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.recognizer is None:
            app.state.recognizer = await anyio.to_thread.run_sync(Recognizer, model_path)
        await anyio.to_thread.run_sync(_warm_up, app.state.recognizer)
        yield

    app = FastAPIOffline(
        title="digitrec",
        version=__version__,
        description="Read digits from images with a convolutional network trained on MNIST.",
        lifespan=lifespan,
    )
    app.state.recognizer = recognizer

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_parameter(request: Request, error: RequestValidationError) -> JSONResponse:
        return _error(422, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()))

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        return _error(500, f"the server failed to read this image ({type(error).__name__}); the log has the details")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    @app.get("/healthz", summary="Liveness: the server answers and the model is loaded")
    async def healthz() -> dict:
        return {"status": "ok", "model_loaded": app.state.recognizer is not None, "version": __version__}

    @app.post(
        "/api/v1/read",
        summary="Read the digits in an image",
        description=READ_DESCRIPTION,
        openapi_extra={"requestBody": READ_REQUEST_BODY},
    )
    async def read(request: Request, single: bool = False, inputs: bool = False) -> JSONResponse:
        try:
            data, name = await _receive_image(request, max_body_bytes)
        except BodyTooLargeError:
            return _error(413, f"request body is above the limit of {max_body_bytes:,} bytes; send a smaller image")
        if data is None:
            return _error(400, f"no image: send it as the multipart field '{UPLOAD_FIELD}' or as the request body")
        try:
            result = await anyio.to_thread.run_sync(
                _read_image, app.state.recognizer, data, name, single, inputs, max_pixels, limiter=limiter
            )
        except ImageTooLargeError as error:
            return _error(413, str(error))
        except ImageDecodeError as error:
            return _error(422, str(error))
        return JSONResponse(result)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _error(status_code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status_code)


async def _receive_image(request: Request, max_body_bytes: int) -> tuple[bytes | None, str]:
    """The image bytes (None if there are none) and a name for messages, read within the limit."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_body_bytes:
        raise BodyTooLargeError
    content_type, options = parse_options_header(request.headers.get("content-type"))
    upload = _MultipartUpload(options.get(b"boundary", b"")) if content_type == b"multipart/form-data" else None
    body = bytearray()
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > max_body_bytes:
            raise BodyTooLargeError
        if upload is None:
            body += chunk
        else:
            upload.write(chunk)
    if upload is not None:
        return upload.data, upload.filename or UPLOAD_NAME
    return (bytes(body) if body else None), UPLOAD_NAME


class _MultipartUpload:
    """Collects the field named ``UPLOAD_FIELD`` of a multipart body, in memory."""

    def __init__(self, boundary: bytes):
        self.data: bytes | None = None
        self.filename = ""
        self._parts: list[bytes] = []
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._wanted = False
        self._parser = MultipartParser(boundary, {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_name_piece,
            "on_header_value": self._header_value_piece,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }) if boundary else None

    def write(self, chunk: bytes) -> None:
        if self._parser is not None:
            try:
                self._parser.write(chunk)
            except MultipartParseError:  # a malformed body holds no usable file: answered like a missing one
                self._parser = None

    def _part_begin(self) -> None:
        self._disposition = b""
        self._wanted = False
        self._parts = []

    def _header_name_piece(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_piece(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._wanted = self.data is None and options.get(b"name") == UPLOAD_FIELD.encode()
        if self._wanted:
            self.filename = options.get(b"filename", b"").decode("utf-8", "replace")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._wanted:
            self._parts.append(data[start:end])

    def _part_end(self) -> None:
        if self._wanted:
            self.data = b"".join(self._parts)
            self._wanted = False


def _read_image(
    recognizer: Recognizer, data: bytes, name: str, single: bool, inputs: bool, max_pixels: int
) -> dict:
    """Read one image from its encoded bytes (in a worker thread); the response's JSON object.

    The server's pixel limit is checked from the header first; the reader then decodes the bytes
    itself, a large JPEG at reduced size. The reader's own limit, ``MAX_IMAGE_PIXELS``, applies too.
    """
    check_image_size(data, name=name, max_pixels=max_pixels)
    reading = recognizer.read(data, single=single, name=name)
    result = reading.to_dict()
    if inputs:
        _add_images(result, reading)
    return result


def _warm_up(recognizer: Recognizer) -> None:
    """Read one small picture, so the first user does not wait for lazy imports (Pillow's plugins, ~0.5 s)."""
    paper = np.full((28, 28), 255, np.uint8)
    cv2.putText(paper, "8", (7, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, thickness=2)
    _read_image(recognizer, cv2.imencode(".png", paper)[1].tobytes(), "warm-up", False, True, MAX_IMAGE_PIXELS)


def _add_images(result: dict, reading: Reading) -> None:
    for entry, digit in zip(result["digits"], reading.digits):
        entry["input_png"] = _png_base64(np.round(digit.input * 255).astype(np.uint8))
    result["annotated_png"] = _png_base64(cv2.cvtColor(reading.plot(), cv2.COLOR_RGB2BGR))


def _png_base64(image: np.ndarray) -> str:
    _, encoded = cv2.imencode(".png", image)
    return base64.b64encode(encoded.tobytes()).decode("ascii")


def serve(host: str = "127.0.0.1", port: int = 8000, model_path: str | os.PathLike | None = None,
          max_body_bytes: int = MAX_BODY_BYTES) -> int:
    """Run the page and API under uvicorn (one process) until Ctrl-C; the exit status."""
    import uvicorn

    recognizer = Recognizer(model_path)
    app = create_app(recognizer, max_body_bytes=max_body_bytes)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    shown_host = f"[{shown_host}]" if ":" in shown_host else shown_host
    print(f"digitrec {__version__}: open http://{shown_host}:{port}/ in a browser (API docs at /docs; Ctrl-C to stop)",
          flush=True)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info"))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    return 0 if server.started else 1
