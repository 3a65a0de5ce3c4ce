"""Load on the web API: N concurrent clients on loopback for T seconds, then throughput and latency.

    python benchmarks/load_server.py [--clients 8] [--seconds 10] [--model PATH | --url URL] [--check]

Starts `digitrec serve` on a free loopback port (or uses --url, which must be a loopback
address), then runs two workloads one after the other, each for --seconds:

* drawings: 28x28 drawings of single digits (dark ink on white, as a small canvas sends them);
* mixed:    three drawings to one photo-like picture (640x480 JPEG: a 4-digit number on uneven,
            noisy paper).

Each client keeps one HTTP/1.1 connection open and posts the raw image to /api/v1/read as fast
as answers come back. Prints requests per second, p50/p99 latency and errors per workload, and
the server's CPU time per request (a figure that other load on the machine barely changes).
--check exits 1 when the drawings workload misses the target (at least 100 requests/s,
p99 under 100 ms) or when any request fails.
"""
from __future__ import annotations

import argparse
import http.client
import ipaddress
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import cv2
import numpy as np

TARGET_REQUESTS_PER_S = 100
TARGET_P99_MS = 100
MAX_CLIENTS = 64
MAX_SECONDS = 300
START_TIMEOUT_S = 120
REQUEST_TIMEOUT_S = 30
WARM_UP_REQUESTS = 20
PHOTOS_EVERY = 4  # in the mixed workload, every 4th request is a photo


def drawings() -> list[bytes]:
    """One 28x28 PNG per digit, drawn with a round pen the way a small canvas would send it."""
    images = []
    for digit in range(10):
        paper = np.full((28, 28), 255, np.uint8)
        cv2.putText(paper, str(digit), (7, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, thickness=2, lineType=cv2.LINE_AA)
        images.append(cv2.imencode(".png", paper)[1].tobytes())
    return images


def photos(count: int = 4) -> list[bytes]:
    """Photo-like JPEGs: a 4-digit number in dark ink on unevenly lit, noisy paper."""
    rng = np.random.default_rng(0)
    images = []
    for index in range(count):
        height, width = 480, 640
        light = np.linspace(150, 230, width)[None, :] + np.linspace(0, 20, height)[:, None]
        paper = np.clip(light + rng.normal(0, 6, (height, width)), 0, 255).astype(np.uint8)
        paper = cv2.cvtColor(paper, cv2.COLOR_GRAY2BGR)
        number = "".join(str(d) for d in rng.integers(0, 10, 4))
        cv2.putText(paper, number, (90 + 10 * index, 300), cv2.FONT_HERSHEY_SIMPLEX, 4, (60, 40, 30), thickness=10)
        images.append(cv2.imencode(".jpg", paper, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes())
    return images


def mix(drawn: list[bytes], photographed: list[bytes]) -> list[bytes]:
    """Drawings with every PHOTOS_EVERY-th request a photo, each photo and drawing used alike."""
    count = PHOTOS_EVERY * len(drawn) * len(photographed)
    return [photographed[i // PHOTOS_EVERY % len(photographed)] if i % PHOTOS_EVERY == 0 else drawn[i % len(drawn)]
            for i in range(count)]


class Client(threading.Thread):
    """Posts images round-robin on one keep-alive connection until the deadline."""

    def __init__(self, host: str, port: int, bodies: list[bytes], deadline: float, offset: int):
        super().__init__(daemon=True)
        self.host, self.port, self.bodies, self.deadline, self.offset = host, port, bodies, deadline, offset
        self.latencies_s: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT_S)
        index = self.offset
        while time.perf_counter() < self.deadline:
            body = self.bodies[index % len(self.bodies)]
            index += 1
            started = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/read", body=body, headers={"Content-Type": "application/octet-stream"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    self.errors.append(f"HTTP {response.status}")
                    continue
            except (OSError, http.client.HTTPException) as error:
                self.errors.append(f"{type(error).__name__}: {error}")
                connection.close()
                continue
            self.latencies_s.append(time.perf_counter() - started)
        connection.close()


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process so far (Linux /proc); NaN where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_workload(host: str, port: int, bodies: list[bytes], clients: int, seconds: float, server_pid: int | None) -> dict:
    cpu_before = cpu_seconds(server_pid)
    deadline = time.perf_counter() + seconds
    threads = [Client(host, port, bodies, deadline, offset) for offset in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    server_cpu_s = cpu_seconds(server_pid) - cpu_before
    latencies_ms = np.array([s for t in threads for s in t.latencies_s]) * 1000
    errors = [e for t in threads for e in t.errors]
    return {
        "requests": len(latencies_ms),
        "requests_per_s": len(latencies_ms) / elapsed,
        "p50_ms": float(np.percentile(latencies_ms, 50)) if len(latencies_ms) else float("nan"),
        "p99_ms": float(np.percentile(latencies_ms, 99)) if len(latencies_ms) else float("nan"),
        "server_cpu_ms": 1000 * server_cpu_s / max(1, len(latencies_ms)),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen | None) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            sys.exit(f"digitrec serve exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} did not answer /healthz within {START_TIMEOUT_S} s")


def loopback_address(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme != "http" or not loopback:
        sys.exit(f"--url must be http:// on a loopback address (127.0.0.1, ::1 or localhost), got {url}")
    return host, parts.port or 80


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help=f"concurrent clients, 1-{MAX_CLIENTS} (default: 8)")
    parser.add_argument("--seconds", type=float, default=10, help=f"duration of each workload, at most {MAX_SECONDS} (default: 10)")
    parser.add_argument("--model", help="model for the server this script starts (default: the bundled reader model)")
    parser.add_argument("--url", help="use a running server on loopback instead, e.g. http://127.0.0.1:8000")
    parser.add_argument("--check", action="store_true", help="exit 1 if the drawings target is missed or any request fails")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be between 1 and {MAX_CLIENTS}, got {args.clients}")
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be above 0 and at most {MAX_SECONDS}, got {args.seconds}")
    if args.url and args.model:
        parser.error("--model applies only to the server this script starts; leave it out with --url")
    return args


def main() -> int:
    args = parse_args()
    server = None
    if args.url:
        url = args.url.rstrip("/")
    else:
        port = free_loopback_port()
        url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "digitrec.cli", "serve", "--port", str(port)]
        command += ["--model", args.model] if args.model else []
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    try:
        host, port = loopback_address(url)
        wait_until_healthy(url, server)
        drawn, photographed = drawings(), photos()
        for body in (drawn + photographed) * (WARM_UP_REQUESTS // len(drawn + photographed) + 1):
            request = urllib.request.Request(f"{url}/api/v1/read", data=body, method="POST")
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:
                response.read()
        server_pid = server.pid if server is not None else None
        results = {
            "28x28 drawings": run_workload(host, port, drawn, args.clients, args.seconds, server_pid),
            f"mixed (1 photo in {PHOTOS_EVERY})": run_workload(host, port, mix(drawn, photographed), args.clients, args.seconds,
                                                               server_pid),
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    print(f"{args.clients} clients, {args.seconds:g} s per workload, {url}")
    print(f"{'workload':<22} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'server CPU ms/req':>18}")
    for name, result in results.items():
        print(f"{name:<22} {result['requests']:>8} {result['requests_per_s']:>8.1f} {result['p50_ms']:>8.1f} "
              f"{result['p99_ms']:>8.1f} {result['errors']:>7} {result['server_cpu_ms']:>18.2f}")
        if result["first_error"]:
            print(f"  first error: {result['first_error']}")
    if not args.check:
        return 0
    drawings_result = results["28x28 drawings"]
    misses = []
    if drawings_result["requests_per_s"] < TARGET_REQUESTS_PER_S:
        misses.append(f"drawings: {drawings_result['requests_per_s']:.1f} requests/s, target at least {TARGET_REQUESTS_PER_S}")
    if not drawings_result["p99_ms"] < TARGET_P99_MS:
        misses.append(f"drawings: p99 {drawings_result['p99_ms']:.1f} ms, target under {TARGET_P99_MS}")
    misses += [f"{name}: {result['errors']} failed requests" for name, result in results.items() if result["errors"]]
    for miss in misses:
        print(f"target missed: {miss}", file=sys.stderr)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
