"""Overload on loopback: more claims than the service can check within its inference timeout.

Starts the service with the verdict engine (`--verifier`) and a short `FACTCHECK_INFERENCE_TIMEOUT_SECONDS`,
runs `--clients` clients that send seed-article claims back to back for `--duration` seconds, and
reports how many were answered within the timeout (the goodput) and how many got 504. Then, with the
load gone, it times how long a lone check takes to be answered: work left behind by requests that
were already answered 504 would still be holding the model. Exits non-zero when no check at all was
answered, or when the lone check took longer than `--recovery-limit` seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from service_process import ROOT, Service, scratch_database

SEED_CLAIMS = ROOT / "tests" / "data" / "seed_claims.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--timeout", default="0.5", help="FACTCHECK_INFERENCE_TIMEOUT_SECONDS of the service")
    parser.add_argument("--verifier", default="nli", choices=["nli", "similarity"])
    parser.add_argument("--recovery-limit", type=float, default=5.0, help="seconds a lone check may take after")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "overload.json")
    args = parser.parse_args()
    claims = [json.loads(line)["claim"] for line in SEED_CLAIMS.read_text(encoding="utf-8").splitlines()]

    with scratch_database("sqlite") as url:
        service = Service(url, verifier=args.verifier, inference_timeout_seconds=args.timeout)
        try:
            service.wait_ready()
            statuses: Counter[int] = Counter()
            answered: list[float] = []
            lock = threading.Lock()
            deadline = time.monotonic() + args.duration

            def client(number: int) -> None:
                with httpx.Client(base_url=service.url, timeout=120) as http:
                    sent = number
                    while time.monotonic() < deadline:
                        started = time.perf_counter()
                        status = http.post("/check", json={"claim": claims[sent % len(claims)]}).status_code
                        with lock:
                            statuses[status] += 1
                            if status == 200:
                                answered.append(time.perf_counter() - started)
                        sent += args.clients

            threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            started = time.perf_counter()
            with httpx.Client(base_url=service.url, timeout=120) as http:
                while http.post("/check", json={"claim": claims[0]}).status_code != 200:
                    pass
            recovery = time.perf_counter() - started
        finally:
            service.terminate()

    sent = sum(statuses.values())
    result = {
        "verifier": args.verifier,
        "clients": args.clients,
        "duration_s": args.duration,
        "inference_timeout_s": float(args.timeout),
        "checks_sent": sent,
        "answered_200": statuses[200],
        "timed_out_504": statuses[504],
        "other_statuses": {str(k): v for k, v in statuses.items() if k not in (200, 504)},
        "goodput_claims_per_s": round(statuses[200] / args.duration, 2),
        "answered_p50_ms": round(statistics.median(answered) * 1000, 1) if answered else None,
        "lone_check_after_load_s": round(recovery, 2),
    }
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if statuses[200] and recovery <= args.recovery_limit else 1


if __name__ == "__main__":
    sys.exit(main())
