"""Hostile requests against `odas-sim serve --max-body 1048576 --control-token TOKEN`.

Usage: hostile_requests.py READY_FILE TOKEN ODAS_SIM
Each refusal must come in the endpoint's protocol (S3 error XML, an AWS query
error, a Kubernetes Status, the control API's JSON), and the server must keep
serving after every one. Raises (non-zero exit) on the first difference.
"""
import json
import socket
import subprocess
import sys
import urllib.parse

import boto3

READY = json.load(open(sys.argv[1]))
TOKEN = sys.argv[2]
ODAS_SIM = sys.argv[3]


def port(name):
    return urllib.parse.urlparse(READY[name]).port


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def exchange(endpoint, raw, limit=1 << 20):
    """Sends raw bytes, returns (status, headers text, body) of the answer."""
    sock = socket.create_connection(("127.0.0.1", port(endpoint)), timeout=10)
    try:
        sock.sendall(raw)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may answer and close before reading everything
    answer = b""
    try:
        while len(answer) < limit:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
            head, _, body = answer.partition(b"\r\n\r\n")
            length = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
            if length and len(body) >= int(length[0].split(b":")[1]):
                break
    except (socket.timeout, ConnectionResetError):
        pass
    sock.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0
    return status, head.decode("latin-1"), body


def request(endpoint, method, path, headers=(), body=b""):
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port(endpoint)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body or method in ("PUT", "POST"):
        lines.append(f"Content-Length: {len(body)}")
    return exchange(endpoint, ("\r\n".join(lines) + "\r\n\r\n").encode() + body)


S3 = boto3.client("s3", endpoint_url=READY["aws"], region_name="us-west-2",
                  aws_access_key_id="AKIAODASSIMDEVELOPER", aws_secret_access_key="odas-sim-dev-secret-key")


def still_serving(after):
    buckets = [b["Name"] for b in S3.list_buckets()["Buckets"]]
    expect("okera-data" in buckets, f"the AWS endpoint stopped serving after {after}")


# --- AWS endpoint: S3 error XML ---
status, _, body = request("aws", "GET", "/okera-data/x", headers=[("X-Big", "x" * 9000)])
expect(status == 400 and b"<Code>RequestHeaderSectionTooLarge</Code>" in body and b"<MaxSizeAllowed>8192</MaxSizeAllowed>" in body,
       f"a 9 KB header section answered {status} {body[:300]!r}")
still_serving("a 9 KB header")

status, _, body = request("aws", "GET", "/okera-data/x", headers=[("X-Big", "x" * 200_000)])
expect(status == 400 and b"<Code>RequestHeaderSectionTooLarge</Code>" in body, f"a 200 KB header answered {status} {body[:300]!r}")
still_serving("a 200 KB header")

status, _, body = request("aws", "PUT", "/okera-data/big", body=b"x" * (1 << 20 | 1))
expect(status == 400 and b"<Code>EntityTooLarge</Code>" in body and b"<MaxSizeAllowed>1048576</MaxSizeAllowed>" in body,
       f"a body above --max-body answered {status} {body[:300]!r}")
still_serving("a body above --max-body")

for name, chunked in [("a chunk size that is not hex", b"zz\r\nabc\r\n0\r\n\r\n"),
                      ("an absurd chunk size", b"ffffffffffffffffffffff\r\nabc\r\n0\r\n\r\n"),
                      ("a chunk longer than its size", b"3\r\nabcdef\r\n0\r\n\r\n")]:
    status, _, body = exchange("aws", b"PUT /okera-data/chunked HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked)
    expect(status == 400 and b"<Error><Code>BadRequest</Code>" in body, f"{name} answered {status} {body[:300]!r}")
    still_serving(name)

status, _, body = exchange("aws", b"GET /okera-data/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcde")
expect(status == 400 and b"<Code>BadRequest</Code>" in body, f"two Content-Lengths answered {status} {body[:300]!r}")
still_serving("two Content-Lengths")

# A query API (IAM) body above its limit: the query protocol's error, 413.
iam_auth = ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAODASSIMDEVELOPER/20261204/us-east-1/iam/aws4_request, "
            "SignedHeaders=host, Signature=00")
status, _, body = request("aws", "POST", "/", headers=[iam_auth, ("Content-Type", "application/x-www-form-urlencoded")],
                          body=b"Action=CreatePolicy&PolicyDocument=" + b"x" * (1 << 20))
expect(status == 413 and b"<ErrorResponse>" in body and b"<Code>RequestEntityTooLarge</Code>" in body,
       f"an IAM body above 1 MiB answered {status} {body[:300]!r}")

# Ranges S3 cannot satisfy, or cannot parse (ignored, as S3 ignores them).
S3.put_object(Bucket="okera-data", Key="hostile/range", Body=b"0123456789")
for value, expected in [("bytes=99999999999999999999999999-", 416), ("bytes=10-", 416), ("bytes=5-1", 200),
                        ("bytes=-99999999999999999999999999", 200), ("bytes=abc", 200), ("bytes=" + "0-1," * 500 + "0-1", 200)]:
    try:
        answer = S3.get_object(Bucket="okera-data", Key="hostile/range", Range=value)
        got = answer["ResponseMetadata"]["HTTPStatusCode"]
    except S3.exceptions.ClientError as error:
        got = error.response["ResponseMetadata"]["HTTPStatusCode"]
        expect(error.response["Error"]["Code"] == "InvalidRange", f"Range {value[:40]} answered {error.response['Error']}")
    except Exception as error:  # botocore refuses to send a header over its own limits
        got = 400 if "header" in str(error).lower() else str(error)
    expect(got == expected or (expected == 200 and got == 206), f"Range {value[:40]} answered {got}, expected {expected}")
still_serving("hostile ranges")

# --- Kubernetes endpoint: Status objects ---
def status_object(body):
    value = json.loads(body)
    expect(value.get("kind") == "Status", f"not a Status: {body[:200]!r}")
    return value


status, _, body = request("kubernetes", "POST", "/api/v1/namespaces/default/configmaps",
                          headers=[("Content-Type", "application/json")], body=b"{" + b" " * (3 << 20) + b"}")
value = status_object(body)
expect(status == 413 and value["reason"] == "RequestEntityTooLarge" and value["message"] == "limit is 3145728",
       f"a 3 MiB body answered {status} {value}")

status, _, body = request("kubernetes", "GET", "/api/v1/pods", headers=[("X-Big", "x" * 200_000)])
value = status_object(body)
expect(status == 431 and value["reason"] == "RequestHeaderFieldsTooLarge", f"a 200 KB header answered {status} {value}")

status, _, body = exchange("kubernetes", b"GET /api/v1/pods HTTP/1.1\r\nHost: evil.example:80\r\n\r\n")
value = status_object(body)
expect(status == 403 and value["reason"] == "Forbidden" and "loopback" in value["message"], f"a rebinding Host answered {status} {value}")

status, _, body = request("kubernetes", "POST", "/api/v1/namespaces/default/configmaps",
                          headers=[("Origin", "https://evil.example"), ("Content-Type", "text/plain")],
                          body=b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"from-a-page"}}')
value = status_object(body)
expect(status == 403 and "web pages" in value["message"], f"a cross-origin POST answered {status} {value}")
status, _, body = request("kubernetes", "GET", "/api/v1/namespaces/default/configmaps/from-a-page")
expect(status == 404, f"the cross-origin POST created its ConfigMap ({status})")

status, _, body = exchange("kubernetes", b"GET /api/v1/pods HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nq\r\n")
value = status_object(body)
expect(status == 400 and value["reason"] == "BadRequest", f"a malformed chunk answered {status} {value}")

# --- Control endpoint: loopback callers with the token ---
bearer = ("Authorization", f"Bearer {TOKEN}")
status, _, body = request("control", "GET", "/v1/state")
expect(status == 401 and "control token" in json.loads(body)["error"], f"no token answered {status} {body[:200]!r}")
status, _, body = request("control", "GET", "/v1/state", headers=[("Authorization", "Bearer " + "x" * len(TOKEN))])
expect(status == 403, f"a wrong token answered {status} {body[:200]!r}")
status, _, body = request("control", "GET", "/v1/state", headers=[bearer])
expect(status == 200 and "now" in json.loads(body), f"the token answered {status} {body[:200]!r}")

fault = json.dumps({"action": "az-outage", "target": "us-west-2a"}).encode()
for name, headers in [("a cross-origin form POST", [bearer, ("Origin", "http://evil.example"), ("Content-Type", "text/plain")]),
                      ("an Origin: null page", [bearer, ("Origin", "null")])]:
    status, _, body = request("control", "POST", "/v1/faults", headers=headers, body=fault)
    expect(status == 403 and "web pages" in json.loads(body)["error"], f"{name} answered {status} {body[:200]!r}")
status, _, body = exchange("control", b"GET /v1/state HTTP/1.1\r\nHost: attacker.example\r\nAuthorization: Bearer " + TOKEN.encode() + b"\r\n\r\n")
expect(status == 403, f"a rebinding Host answered {status} {body[:200]!r}")
status, _, body = request("control", "GET", "/v1/state", headers=[bearer])
expect(json.loads(body)["faults"] == [], f"a refused request injected a fault: {body[:300]!r}")

# odas-sim fault list finds the token in the (mode 0600) ready file.
listed = subprocess.run([ODAS_SIM, "fault", "list", "--ready-file", sys.argv[1]], capture_output=True, text=True)
expect(listed.returncode == 0 and "no active faults" in listed.stdout, f"fault list: {listed.returncode} {listed.stdout} {listed.stderr}")
import os, stat
expect(stat.S_IMODE(os.stat(sys.argv[1]).st_mode) == 0o600, "the ready file with the control token is readable by others")

# --- Instance metadata (IMDSv2, on the control endpoint, exempt from the control token) ---
imds = "/v1/imds/odas-node-1/latest/"
status, _, _ = request("control", "PUT", imds + "api/token")
expect(status == 400, f"a token without a TTL answered {status}")
status, _, _ = request("control", "PUT", imds + "api/token", headers=[("X-aws-ec2-metadata-token-ttl-seconds", "21601")])
expect(status == 400, f"a TTL above 21600 answered {status}")
status, _, _ = request("control", "PUT", imds + "api/token",
                       headers=[("X-aws-ec2-metadata-token-ttl-seconds", "60"), ("X-Forwarded-For", "10.0.0.1")])
expect(status == 403, f"a forwarded token request answered {status}")
tokens = []
for _ in range(2):
    status, _, body = request("control", "PUT", imds + "api/token", headers=[("X-aws-ec2-metadata-token-ttl-seconds", "60")])
    expect(status == 200 and len(body) >= 40, f"a token request answered {status} {body!r}")
    tokens.append(body.decode())
expect(tokens[0] != tokens[1], "IMDSv2 tokens repeat")
credentials = imds + "meta-data/iam/security-credentials/"
status, _, _ = request("control", "GET", credentials)
expect(status == 401, f"credentials without a token answered {status}")
status, _, _ = request("control", "GET", credentials, headers=[("X-aws-ec2-metadata-token", "odas-sim-imds-token-odas-node-1")])
expect(status == 401, f"credentials with a made-up token answered {status}")
status, _, body = request("control", "PUT", "/v1/imds/odas-node-2/latest/api/token", headers=[("X-aws-ec2-metadata-token-ttl-seconds", "60")])
status, _, _ = request("control", "GET", credentials, headers=[("X-aws-ec2-metadata-token", body.decode())])
expect(status == 401, f"credentials with another instance's token answered {status}")
status, _, body = request("control", "GET", credentials, headers=[("X-aws-ec2-metadata-token", tokens[0])])
expect(status in (200, 404), f"credentials with a valid token answered {status} {body!r}")
still_serving("the control endpoint's refusals")
print("ok")
