"""Hostile connections against `odas-sim serve --idle-timeout 1 --request-timeout 2 --max-connections 4`.

Usage: hostile_connections.py AWS_URL
Raises (non-zero exit) when a client can hold the server's resources without bound.
"""
import socket
import sys
import time
import urllib.parse

import boto3

URL = sys.argv[1]
PORT = urllib.parse.urlparse(URL).port


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def connect():
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    return sock


def closed_within(sock, seconds):
    """True if the server closes the connection within `seconds` (reads until EOF)."""
    sock.settimeout(seconds)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def boto3_works():
    s3 = boto3.client("s3", endpoint_url=URL, region_name="us-west-2",
                      aws_access_key_id="AKIAODASSIMDEVELOPER", aws_secret_access_key="odas-sim-dev-secret-key")
    return "okera-data" in [b["Name"] for b in s3.list_buckets()["Buckets"]]


# An idle connection is closed after the idle timeout.
idle = connect()
start = time.monotonic()
expect(closed_within(idle, 5), "an idle connection stays open")
expect(time.monotonic() - start >= 0.9, "closed before the idle timeout")

# A half-sent body gets 400 RequestTimeout (as S3 answers it) once the request timeout passes, and the server keeps serving.
slow = connect()
slow.sendall(b"PUT /okera-data/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n" + b"x" * 100)
expect(boto3_works(), "the server does not answer while a client sends its body slowly")
slow.settimeout(6)
answer = b""
try:
    while b"</Error>" not in answer:
        chunk = slow.recv(65536)
        if not chunk:
            break
        answer += chunk
except socket.timeout:
    pass
expect(answer.startswith(b"HTTP/1.1 400") and b"<Code>RequestTimeout</Code>" in answer, f"slow body answered {answer[:200]!r}")
slow.close()

# Connections beyond the cap are closed at once; the ones within it are served.
held = [connect() for _ in range(4)]
time.sleep(0.2)
extra = connect()
expect(closed_within(extra, 0.8), "a connection beyond --max-connections stays open")
held[0].sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
held[0].settimeout(5)
expect(held[0].recv(100).startswith(b"HTTP/1.1 "), "a connection within the cap is not served")
for sock in held:
    sock.close()
time.sleep(0.3)
expect(boto3_works(), "the server does not serve once the held connections are gone")
print("ok")
