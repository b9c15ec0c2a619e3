#!/usr/bin/env python3
"""Overwrite-heavy workload on `odas-sim serve --state-dir`: is a PUT O(object size)?

Starts `odas-sim serve` with a fresh state directory, then with one boto3
client (default settings) overwrites one 1 MiB key --overwrites times (default
150) in a versioned bucket and in an unversioned one, timing each PutObject.
Reports, per bucket, the first overwrite, the median of the first 10, the
150th and the median of the last 10, in ms, and the ratio last-10 / first-10.
Exits 1 if a ratio exceeds --max-ratio (default 2: issue 16's acceptance).

    swift build -c release && python3 Benchmarks/serve_overwrite.py

The server binds only 127.0.0.1 and is stopped by its PID at the end.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

REGION = "us-west-2"
CREDENTIALS = ("AKIAODASSIMDEVELOPER", "odas-sim-dev-secret-key")


def start_serve(binary, scenario, workdir):
    ready = workdir / "ready.json"
    log = open(workdir / "serve.log", "wb")
    proc = subprocess.Popen([str(binary), "serve", str(scenario), "--port", "0", "--ready-file", str(ready),
                             "--state-dir", str(workdir / "state")], stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"odas-sim serve exited with {proc.returncode}: {(workdir / 'serve.log').read_text()}")
        try:
            return proc, json.loads(ready.read_text())["aws"]
        except (OSError, ValueError, KeyError):
            time.sleep(0.01)
    proc.kill()
    raise SystemExit("odas-sim serve did not start within 30 s")


def overwrite_timings(s3, bucket, overwrites, size):
    body = os.urandom(size)
    timings = []
    for i in range(overwrites):
        payload = body[:-8] + i.to_bytes(8, "big")
        start = time.perf_counter()
        s3.put_object(Bucket=bucket, Key="hot-key", Body=payload)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--odas-sim", type=Path, default=Path(".build/release/odas-sim"))
    parser.add_argument("--scenario", type=Path, default=Path("scenarios/local-dev.yaml"))
    parser.add_argument("--overwrites", type=int, default=150)
    parser.add_argument("--size", type=int, default=1 << 20, help="object size in bytes (default 1 MiB)")
    parser.add_argument("--max-ratio", type=float, default=2.0)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="odas-overwrite-"))
    proc, url = start_serve(args.odas_sim, args.scenario, workdir)
    failed = False
    try:
        s3 = boto3.client("s3", endpoint_url=url, region_name=REGION, aws_access_key_id=CREDENTIALS[0],
                          aws_secret_access_key=CREDENTIALS[1])
        results = {}
        for bucket, versioned in [("overwrite-versioned", True), ("overwrite-plain", False)]:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
            if versioned:
                s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
            timings = overwrite_timings(s3, bucket, args.overwrites, args.size)
            first10, last10 = statistics.median(timings[:10]), statistics.median(timings[-10:])
            results[bucket] = {"first_ms": round(timings[0], 2), "first10_median_ms": round(first10, 2),
                               "last_ms": round(timings[-1], 2), "last10_median_ms": round(last10, 2),
                               "ratio": round(last10 / first10, 2)}
            failed |= last10 / first10 > args.max_ratio
        for bucket, row in results.items():
            print(f"{bucket:22} first {row['first_ms']:8.2f} ms  first-10 median {row['first10_median_ms']:8.2f} ms  "
                  f"#{args.overwrites} {row['last_ms']:8.2f} ms  last-10 median {row['last10_median_ms']:8.2f} ms  "
                  f"ratio {row['ratio']:.2f}")
        print(json.dumps({"overwrites": args.overwrites, "size": args.size, "results": results}, sort_keys=True))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
