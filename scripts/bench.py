"""Start-up time and POST /check latency of the real service over HTTP on loopback.

Starts `uvicorn app.main:app` on a scratch SQLite database twice (a fresh start that ingests the
seeds, then a restart that reads stored embeddings), and times sequential checks of seed claims.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = [
    "NATO gave Ukraine a membership timetable",
    "Germany committed 20 billion euros in military aid to Ukraine",
    "Poland and Romania are expected to join the framework",
    "The European Central Bank raised interest rates",
    "The United States gives Israel about $3.5 billion in military aid a year",
    "France will deliver long-range cruise missiles to Kyiv",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_service(database: Path, port: int) -> tuple[subprocess.Popen[bytes], float]:
    """Launch the service and return it with the seconds from launch until /ready answered 200."""
    env = {**os.environ, "FACTCHECK_DATABASE_URL": f"sqlite:///{database}", "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = started + 180
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the service exited with code {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return process, time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("the service did not become ready within 180 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=30)


def time_checks(port: int, rounds: int) -> list[float]:
    latencies = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for claim in CLAIMS:  # warm-up
            client.post("/check", json={"claim": claim}).raise_for_status()
        for n in range(rounds):
            began = time.perf_counter()
            client.post("/check", json={"claim": CLAIMS[n % len(CLAIMS)]}).raise_for_status()
            latencies.append((time.perf_counter() - began) * 1000)
    return latencies


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="sequential /check requests to time")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "bench.db"
        port = free_port()
        process, cold_start = start_service(database, port)
        stop(process)
        process, warm_start = start_service(database, port)
        try:
            latencies = time_checks(port, args.rounds)
        finally:
            stop(process)

    results = {
        "startup_fresh_db_s": round(cold_start, 2),
        "startup_existing_db_s": round(warm_start, 2),
        "check_requests": len(latencies),
        "check_p50_ms": round(statistics.median(latencies), 1),
        "check_p95_ms": round(percentile(latencies, 95), 1),
        "check_mean_ms": round(statistics.fmean(latencies), 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    width = max(map(len, results))
    for name, value in results.items():
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
