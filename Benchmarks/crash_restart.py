#!/usr/bin/env python3
"""Crash-and-restart suite for `odas-sim serve --state-dir` (issue 16), Jepsen-style.

Drives mixed S3 load (PUT, overwrite, delete, copy, multipart, SSE-KMS, in a
versioned and an unversioned bucket) with one boto3 client that records a
history, kills the server with SIGKILL at a seeded moment while requests are
in flight, restarts it on the same state directory and checks, against the
history:
  - lost:   every acknowledged write's effect is present (each acknowledged
            version id reads back its body; an unversioned key holds its last
            acknowledged value or the value of a later unacknowledged write);
  - torn:   every body read back is exactly one that was written for that key
            (and its ETag is its MD5); SSE-KMS objects are still aws:kms;
  - reused: no version id is given to two different writes, across restarts.

    python3 Benchmarks/crash_restart.py --kills 200 --seed 1 [--odas-sim .build/debug/odas-sim]

Prints one JSON line with the counts; exits 1 if any is non-zero. Binds
127.0.0.1 only; every server it starts is stopped by its PID.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-west-2"
KEY = ("AKIAODASSIMDEVELOPER", "odas-sim-dev-secret-key")
VERSIONED, PLAIN = "crash-versioned", "crash-plain"


def start(binary, scenario, state, workdir):
    ready = workdir / "ready.json"
    if ready.exists():
        ready.unlink()
    log = open(workdir / "serve.log", "ab")
    proc = subprocess.Popen([str(binary), "serve", str(scenario), "--port", "0", "--ready-file", str(ready),
                             "--state-dir", str(state)], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"serve exited with {proc.returncode}; see {workdir / 'serve.log'}")
        try:
            return proc, json.loads(ready.read_text())["aws"]
        except (OSError, ValueError, KeyError):
            time.sleep(0.01)
    proc.kill()
    raise SystemExit("serve did not start in 30 s")


def client(url):
    return boto3.client("s3", endpoint_url=url, region_name=REGION, aws_access_key_id=KEY[0],
                        aws_secret_access_key=KEY[1],
                        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))


class Model:
    """What the history says the store may hold."""

    def __init__(self):
        self.written = {}          # (bucket, key) -> set of body digests ever sent
        self.plain = {}            # key -> list of acceptable states (digest or None); first is the last acknowledged
        self.versions = {}         # version id -> (key, digest), acknowledged writes in the versioned bucket
        self.seen_ids = {}         # version id -> (key, digest) of every id the server ever returned
        self.encrypted = set()     # body digests written with SSE-KMS (bodies are unique)
        self.reused = 0

    def body(self, rng, bucket, key, size):
        data = rng.randbytes(size)
        self.written.setdefault((bucket, key), set()).add(hashlib.md5(data).hexdigest())
        return data

    def version(self, version_id, key, digest):
        if version_id in self.seen_ids and self.seen_ids[version_id] != (key, digest):
            self.reused += 1
        self.seen_ids[version_id] = (key, digest)


def one_operation(s3, rng, model, history):
    kind = rng.choice(["put", "overwrite", "delete", "copy", "multipart", "sse"])
    bucket = rng.choice([VERSIONED, PLAIN])
    key = f"k{rng.randrange(6)}"
    entry = {"op": kind, "bucket": bucket, "key": key, "ack": False}
    history.append(entry)
    if bucket == PLAIN:
        # Until acknowledged, the key may hold the old state or this op's result.
        pending = model.plain.setdefault(key, [None])
    if kind in ("put", "overwrite", "sse"):
        body = model.body(rng, bucket, key, rng.choice([10, 1000, 100_000]))
        digest = hashlib.md5(body).hexdigest()
        entry["digest"] = digest
        if bucket == PLAIN:
            pending.append(digest)
        if kind == "sse":
            model.encrypted.add(digest)  # before the request: an unacknowledged one may land too
        extra = {"ServerSideEncryption": "aws:kms"} if kind == "sse" else {}
        answer = s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)
        entry["ack"] = True
        if bucket == PLAIN:
            model.plain[key] = [digest]
        else:
            model.versions[answer["VersionId"]] = (key, digest)
            model.version(answer["VersionId"], key, digest)
        if kind == "sse":
            model.encrypted.add(digest)
    elif kind == "delete":
        if bucket == PLAIN:
            pending.append(None)
        s3.delete_object(Bucket=bucket, Key=key)
        entry["ack"] = True
        if bucket == PLAIN:
            model.plain[key] = [None]
    elif kind == "copy":
        source_digest = hashlib.md5(SOURCE).hexdigest()
        model.written.setdefault((bucket, key), set()).add(source_digest)
        if bucket == PLAIN:
            pending.append(source_digest)
        answer = s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": PLAIN, "Key": "source"})
        entry["ack"] = True
        if bucket == PLAIN:
            model.plain[key] = [source_digest]
        else:
            model.versions[answer["VersionId"]] = (key, source_digest)
            model.version(answer["VersionId"], key, source_digest)
    elif kind == "multipart":
        body = model.body(rng, bucket, key, 50_000)
        digest = hashlib.md5(body).hexdigest()
        if bucket == PLAIN:
            pending.append(digest)
        upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        part = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=body)
        answer = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload,
                                              MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        entry["ack"] = True
        if bucket == PLAIN:
            model.plain[key] = [digest]
        else:
            model.versions[answer["VersionId"]] = (key, digest)
            model.version(answer["VersionId"], key, digest)


def check(s3, model):
    """Counts (lost, torn) after a restart; resolves unacknowledged plain-bucket writes to what is observed."""
    lost = torn = 0
    for key, acceptable in list(model.plain.items()):
        try:
            got = s3.get_object(Bucket=PLAIN, Key=key)
            data = got["Body"].read()
            digest = hashlib.md5(data).hexdigest()
            etag = got["ETag"].strip('"')
            if ("-" not in etag and etag != digest) or digest not in model.written.get((PLAIN, key), set()):
                torn += 1
            if (digest in model.encrypted) != (got.get("ServerSideEncryption") == "aws:kms"):
                torn += 1
        except ClientError as error:
            if error.response["Error"]["Code"] != "NoSuchKey":
                raise
            digest = None
        if digest not in acceptable:
            lost += 1
        model.plain[key] = [digest]
    for version_id, (key, digest) in model.versions.items():
        try:
            got = s3.get_object(Bucket=VERSIONED, Key=key, VersionId=version_id)
            data = got["Body"].read()
            actual = hashlib.md5(data).hexdigest()
            if (digest in model.encrypted) != (got.get("ServerSideEncryption") == "aws:kms"):
                torn += 1
            if actual != digest:
                torn += 1 if actual not in model.written.get((VERSIONED, key), set()) else 0
                lost += 1
        except ClientError:
            lost += 1
    listed = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=VERSIONED):
        listed += [v["VersionId"] for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
    if len(listed) != len(set(listed)):
        model.reused += len(listed) - len(set(listed))
    return lost, torn


SOURCE = b"the immutable copy source " * 100


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--odas-sim", type=Path, default=Path(".build/debug/odas-sim"))
    parser.add_argument("--scenario", type=Path, default=Path("scenarios/local-dev.yaml"))
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="odas-crash-"))
    state = workdir / "state"
    model, history = Model(), []
    proc, url = start(args.odas_sim, args.scenario, state, workdir)
    totals = {"kills": 0, "operations": 0, "acknowledged": 0, "lost": 0, "torn": 0, "reused_version_ids": 0}
    try:
        s3 = client(url)
        s3.create_bucket(Bucket=VERSIONED, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=VERSIONED, VersioningConfiguration={"Status": "Enabled"})
        s3.create_bucket(Bucket=PLAIN, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_object(Bucket=PLAIN, Key="source", Body=SOURCE)
        for _ in range(args.kills):
            delay = rng.uniform(0.05, 0.6)
            victim = proc
            killer = threading.Timer(delay, lambda: os.kill(victim.pid, signal.SIGKILL))
            killer.start()
            while victim.poll() is None:
                try:
                    one_operation(s3, rng, model, history)
                except Exception:  # the kill: this operation is unacknowledged
                    break
            killer.join()
            victim.wait()
            totals["kills"] += 1
            proc, url = start(args.odas_sim, args.scenario, state, workdir)
            s3 = client(url)
            lost, torn = check(s3, model)
            totals["lost"] += lost
            totals["torn"] += torn
        totals["operations"] = len(history)
        totals["acknowledged"] = sum(1 for entry in history if entry["ack"])
        totals["reused_version_ids"] = model.reused
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    print(json.dumps({"seed": args.seed, **totals}, sort_keys=True))
    failed = totals["lost"] or totals["torn"] or totals["reused_version_ids"]
    if failed:
        print(f"state directory kept for inspection: {state}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
