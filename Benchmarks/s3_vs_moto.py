#!/usr/bin/env python3
"""Benchmark `odas-sim serve` against moto_server on the same S3 workloads.

Measures, for each server:
  1. startup: ms from spawning the server until it answers HTTP (median of 5);
  2. a boto3 workload: one client doing --ops iterations of
     put_object (1 KiB) / get_object / list_objects_v2 / head_object /
     delete_object on unique keys, reported as operations per second;
  3. presigned GET under load: `wrk -t2 -c32 -d<seconds>s` on a presigned URL
     of a 1 KiB object, reported as requests per second.

Build odas-sim first, then run from the repository root:

    swift build -c release && python3 Benchmarks/s3_vs_moto.py

Needs Python 3.11, boto3, moto (moto_server) and wrk. Servers bind only
127.0.0.1 and are stopped by PID when the benchmark ends.
"""

import argparse
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ODAS_SIM = REPO_ROOT / ".build" / "release" / "odas-sim"
DEFAULT_SCENARIO = REPO_ROOT / "scenarios" / "local-dev.yaml"
REGION = "us-west-2"
BUCKET = "okera-data"
ODAS_CREDENTIALS = ("AKIAODASSIMDEVELOPER", "odas-sim-dev-secret-key")
MOTO_CREDENTIALS = ("testing", "testing")
START_TIMEOUT_S = 20.0
STARTUP_RUNS = 5
BODY = bytes(range(256)) * 4  # 1 KiB


class BenchError(Exception):
    """A failure that ends the benchmark with a message and exit status 1."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers_http(url):
    """True if `url` gives any HTTP response (an S3 error status counts)."""
    try:
        urllib.request.urlopen(url, timeout=1).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def spawn(argv, log_path):
    with open(log_path, "wb") as log:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT)


def wait_ready(name, proc, log_path, endpoint):
    """Poll until endpoint() returns a URL that answers HTTP; return the URL."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{name} exited with status {proc.returncode} "
                             f"before it was ready:\n{log_tail(log_path)}")
        url = endpoint()
        if url and answers_http(url):
            return url
        time.sleep(0.005)
    raise BenchError(f"{name} did not start within {START_TIMEOUT_S:.0f} s:\n"
                     f"{log_tail(log_path)}")


def log_tail(path, lines=20):
    text = Path(path).read_text(errors="replace").splitlines()[-lines:]
    return "\n".join("  | " + line for line in text) or "  (no output)"


def start_odas_sim(binary, scenario, workdir, procs):
    """Start `odas-sim serve`; return (aws URL, startup seconds)."""
    ready = Path(tempfile.mkdtemp(dir=workdir)) / "ready.json"
    log = ready.with_name("server.log")

    def endpoint():
        try:
            return json.loads(ready.read_text())["aws"]
        except (OSError, ValueError, KeyError):
            return None  # not written yet, or written only in part

    start = time.perf_counter()
    proc = spawn([str(binary), "serve", str(scenario), "--port", "0",
                  "--ready-file", str(ready)], log)
    procs.append(proc)
    url = wait_ready("odas-sim serve", proc, log, endpoint)
    return url, time.perf_counter() - start


def start_moto(workdir, procs):
    """Start moto_server on a free port; return (URL, startup seconds)."""
    log = Path(tempfile.mkdtemp(dir=workdir)) / "server.log"
    url = f"http://127.0.0.1:{free_port()}"
    start = time.perf_counter()
    proc = spawn([moto_server_path(), "-H", "127.0.0.1",
                  "-p", url.rsplit(":", 1)[1]], log)
    procs.append(proc)
    url = wait_ready("moto_server", proc, log, lambda: url)
    return url, time.perf_counter() - start


def moto_server_path():
    # Prefer the script next to this interpreter (skips pyenv/venv shims).
    beside = Path(sys.executable).parent / "moto_server"
    found = str(beside) if beside.exists() else shutil.which("moto_server")
    if not found:
        raise BenchError("moto_server not found; install it with "
                         "`pip install 'moto[server]'`")
    return found


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def median_startup_ms(start, procs):
    """Start and stop a server STARTUP_RUNS times; median startup in ms."""
    times = []
    for _ in range(STARTUP_RUNS):
        _, seconds = start()
        stop(procs.pop())
        times.append(seconds * 1000)
    return statistics.median(times)


def s3_client(url, credentials):
    return boto3.client("s3", endpoint_url=url, region_name=REGION,
                        aws_access_key_id=credentials[0],
                        aws_secret_access_key=credentials[1])


def boto3_ops_per_second(client, ops):
    """Time `ops` put/get/list/head/delete rounds on unique keys."""
    prefix = f"bench/{uuid.uuid4().hex}/"

    def round_trip(key):
        client.put_object(Bucket=BUCKET, Key=key, Body=BODY)
        if client.get_object(Bucket=BUCKET, Key=key)["Body"].read() != BODY:
            raise BenchError(f"get_object {key} returned the wrong body")
        client.list_objects_v2(Bucket=BUCKET, Prefix=prefix, MaxKeys=100)
        client.head_object(Bucket=BUCKET, Key=key)
        client.delete_object(Bucket=BUCKET, Key=key)

    round_trip(prefix + "warmup")  # connection set-up is not measured
    start = time.perf_counter()
    for i in range(ops):
        round_trip(f"{prefix}{i:06d}")
    return 5 * ops / (time.perf_counter() - start)


def presigned_get_rps(client, seconds):
    """wrk a presigned GET of a 1 KiB object; return (requests/s, problems)."""
    key = f"bench/presigned-{uuid.uuid4().hex}.bin"
    client.put_object(Bucket=BUCKET, Key=key, Body=BODY)
    url = client.generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=3600)
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    if status != 200 or body != BODY:
        raise BenchError(f"presigned GET returned {status} "
                         f"({len(body)} bytes) instead of the 1 KiB object")
    result = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", url],
        capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if result.returncode != 0 or not match:
        raise BenchError(f"wrk failed:\n{result.stdout}{result.stderr}")
    problems = re.findall(r"(Non-2xx or 3xx responses: \d+|Socket errors: .*)",
                          result.stdout)
    client.delete_object(Bucket=BUCKET, Key=key)
    return float(match.group(1)), problems


def measure(name, start, credentials, args, procs, create_bucket=False):
    try:
        return run_workloads(name, start, credentials, args, procs,
                             create_bucket)
    except (BotoCoreError, ClientError) as error:
        raise BenchError(f"{name}: {error}") from error


def run_workloads(name, start, credentials, args, procs, create_bucket):
    print(f"{name}: startup ...", file=sys.stderr)
    startup_ms = median_startup_ms(start, procs)
    url, _ = start()
    client = s3_client(url, credentials)
    if create_bucket:
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={
            "LocationConstraint": REGION})
    print(f"{name}: boto3 workload ...", file=sys.stderr)
    ops = boto3_ops_per_second(client, args.ops)
    print(f"{name}: presigned GET under wrk ...", file=sys.stderr)
    rps, problems = presigned_get_rps(client, args.seconds)
    for problem in problems:
        print(f"warning: {name} under wrk: {problem}", file=sys.stderr)
    stop(procs.pop())
    return {"startup_ms": startup_ms, "boto3_ops_per_s": ops,
            "presigned_get_rps": rps, "wrk_problems": problems}


def report(odas, moto, args):
    rows = [("startup ms (median of 5)", "startup_ms"),
            (f"boto3 ops/s ({args.ops} x 5 ops)", "boto3_ops_per_s"),
            (f"presigned GET req/s (wrk {args.seconds}s)",
             "presigned_get_rps")]
    print(f"{'metric':<32}{'odas-sim':>12}{'moto':>12}{'odas/moto':>12}")
    for label, key in rows:
        ratio = odas[key] / moto[key]
        print(f"{label:<32}{odas[key]:>12.1f}{moto[key]:>12.1f}"
              f"{ratio:>11.2f}x")
    print(json.dumps({
        "odas_sim": odas, "moto": moto, "ops": args.ops,
        "seconds": args.seconds,
        "presigned_get_ratio": odas["presigned_get_rps"]
        / moto["presigned_get_rps"]}))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--odas-sim", type=Path, default=DEFAULT_ODAS_SIM,
                        help="odas-sim binary (default: %(default)s; build "
                             "it with `swift build -c release`)")
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO,
                        help="scenario to serve (default: %(default)s)")
    parser.add_argument("--ops", type=int, default=300,
                        help="boto3 workload iterations (default: 300)")
    parser.add_argument("--seconds", type=int, default=10,
                        help="wrk duration in seconds (default: 10)")
    return parser.parse_args()


def main():
    args = parse_args()
    if not args.odas_sim.is_file():
        raise BenchError(f"odas-sim not found at {args.odas_sim}; build it "
                         f"with `swift build -c release` in {REPO_ROOT}")
    if not args.scenario.is_file():
        raise BenchError(f"scenario not found: {args.scenario}")
    if not shutil.which("wrk"):
        raise BenchError("wrk not found; install it (e.g. apt-get install wrk)")
    procs = []
    with tempfile.TemporaryDirectory(prefix="s3-vs-moto-") as workdir:
        try:
            odas = measure(
                "odas-sim",
                lambda: start_odas_sim(args.odas_sim, args.scenario,
                                       workdir, procs),
                ODAS_CREDENTIALS, args, procs)
            moto = measure("moto", lambda: start_moto(workdir, procs),
                           MOTO_CREDENTIALS, args, procs, create_bucket=True)
        finally:
            for proc in procs:
                stop(proc)
    report(odas, moto, args)


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(f"error: {error}")
