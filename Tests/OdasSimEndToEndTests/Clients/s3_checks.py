"""S3 checks run by boto3 against `odas-sim serve` (called from ServeTests.swift).

Usage: s3_checks.py AWS_URL CONTROL_URL CHECK
Each check raises (non-zero exit, message on stderr) when S3 behaves differently
from AWS; clients use their default settings (checksums on, path style) unless
a check says otherwise.
"""
import hashlib
import http.client
import json
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

AWS_URL, CONTROL_URL, CHECK = sys.argv[1], sys.argv[2], sys.argv[3]
KEY_ID, SECRET = "AKIAODASSIMDEVELOPER", "odas-sim-dev-secret-key"
REGION = "us-west-2"
PORT = urllib.parse.urlparse(AWS_URL).port


def client(**config):
    retries = config.pop("retries", None)
    cfg = Config(retries=retries) if retries else None
    if config:
        cfg = Config(s3=config, retries=retries) if retries else Config(s3=config)
    return boto3.client("s3", endpoint_url=AWS_URL, region_name=REGION, aws_access_key_id=KEY_ID,
                        aws_secret_access_key=SECRET, config=cfg)


def error_code(call):
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    raise AssertionError("expected an error, the call succeeded")


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def control(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(CONTROL_URL + path, data=data, method=method)
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None


def check_buckets():
    s3 = client()
    s3.create_bucket(Bucket="made-here", CreateBucketConfiguration={"LocationConstraint": REGION})
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    expect("made-here" in names and "okera-data" in names, f"list_buckets: {names}")
    expect(s3.get_bucket_location(Bucket="made-here")["LocationConstraint"] == REGION, "location")
    expect(s3.head_bucket(Bucket="made-here")["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == REGION, "head")
    expect(error_code(lambda: s3.create_bucket(Bucket="made-here", CreateBucketConfiguration={"LocationConstraint": REGION}))
           == "BucketAlreadyOwnedByYou", "create twice")
    s3.put_object(Bucket="made-here", Key="k", Body=b"x")
    expect(error_code(lambda: s3.delete_bucket(Bucket="made-here")) == "BucketNotEmpty", "delete non-empty")
    s3.delete_object(Bucket="made-here", Key="k")
    s3.delete_bucket(Bucket="made-here")
    expect(error_code(lambda: s3.head_bucket(Bucket="made-here")) == "404", "head after delete")
    expect(error_code(lambda: s3.list_objects_v2(Bucket="no-such-bucket")) == "NoSuchBucket", "NoSuchBucket")
    expect(error_code(lambda: s3.create_bucket(Bucket="Bad_Name")) in ("InvalidBucketName",), "bad name")


def check_objects():
    s3 = client()
    put = s3.put_object(Bucket="okera-data", Key="dir/a.txt", Body=b"hello world", ContentType="text/plain",
                        Metadata={"owner": "odas"})
    expect(put["ETag"] == '"' + hashlib.md5(b"hello world").hexdigest() + '"', f"ETag {put['ETag']}")
    got = s3.get_object(Bucket="okera-data", Key="dir/a.txt")
    expect(got["Body"].read() == b"hello world", "body")
    expect(got["ContentType"] == "text/plain" and got["Metadata"] == {"owner": "odas"}, f"headers {got['Metadata']}")
    head = s3.head_object(Bucket="okera-data", Key="dir/a.txt")
    expect(head["ContentLength"] == 11 and head["ETag"] == put["ETag"], "head")
    ranged = s3.get_object(Bucket="okera-data", Key="dir/a.txt", Range="bytes=6-")
    expect(ranged["Body"].read() == b"world" and ranged["ContentRange"] == "bytes 6-10/11", "range")
    expect(error_code(lambda: s3.get_object(Bucket="okera-data", Key="dir/a.txt", Range="bytes=50-")) == "InvalidRange", "416")
    expect(error_code(lambda: s3.get_object(Bucket="okera-data", Key="dir/a.txt", IfMatch='"nope"'))
           == "PreconditionFailed", "if-match")
    expect(error_code(lambda: s3.get_object(Bucket="okera-data", Key="dir/a.txt", IfNoneMatch=put["ETag"])) == "304",
           "if-none-match")
    override = s3.get_object(Bucket="okera-data", Key="dir/a.txt", ResponseContentType="application/json")
    expect(override["ContentType"] == "application/json", "response-content-type")
    s3.copy_object(Bucket="okera-data", Key="dir/b.txt", CopySource={"Bucket": "okera-data", "Key": "dir/a.txt"})
    expect(s3.get_object(Bucket="okera-data", Key="dir/b.txt")["Metadata"] == {"owner": "odas"}, "copy keeps metadata")
    s3.copy_object(Bucket="okera-data", Key="dir/c.txt", CopySource="okera-data/dir/a.txt",
                   MetadataDirective="REPLACE", Metadata={"owner": "other"}, ContentType="text/csv")
    c = s3.head_object(Bucket="okera-data", Key="dir/c.txt")
    expect(c["Metadata"] == {"owner": "other"} and c["ContentType"] == "text/csv", "copy REPLACE")
    expect(error_code(lambda: s3.get_object(Bucket="okera-data", Key="missing")) == "NoSuchKey", "NoSuchKey")
    result = s3.delete_objects(Bucket="okera-data", Delete={"Objects": [{"Key": "dir/b.txt"}, {"Key": "dir/c.txt"}]})
    expect(sorted(d["Key"] for d in result["Deleted"]) == ["dir/b.txt", "dir/c.txt"], "delete_objects")
    s3.delete_object(Bucket="okera-data", Key="dir/a.txt")
    expect(error_code(lambda: s3.head_object(Bucket="okera-data", Key="dir/a.txt")) == "404", "deleted")
    # Checksums: boto3 sends CRC32 by default; ask for SHA256 and read it back.
    s3.put_object(Bucket="okera-data", Key="sum", Body=b"abc", ChecksumAlgorithm="SHA256")
    summed = s3.get_object(Bucket="okera-data", Key="sum", ChecksumMode="ENABLED")
    expect(summed.get("ChecksumSHA256") == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", f"sha256 {summed.get('ChecksumSHA256')}")
    expect(summed["Body"].read() == b"abc", "checksummed body")


def check_virtual_hosted():
    original = socket.getaddrinfo

    def resolve(host, *args, **kwargs):  # *.localhost is loopback (RFC 6761); glibc here does not resolve it
        if isinstance(host, str) and host.endswith(".localhost"):
            host = "127.0.0.1"
        return original(host, *args, **kwargs)

    socket.getaddrinfo = resolve
    s3 = boto3.client("s3", endpoint_url=f"http://localhost:{PORT}", region_name=REGION, aws_access_key_id=KEY_ID,
                      aws_secret_access_key=SECRET, config=Config(s3={"addressing_style": "virtual"}))
    s3.put_object(Bucket="okera-data", Key="virtual/k", Body=b"v")
    expect(s3.get_object(Bucket="okera-data", Key="virtual/k")["Body"].read() == b"v", "virtual get")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="okera-data", Prefix="virtual/")["Contents"]]
    expect(keys == ["virtual/k"], f"virtual list {keys}")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "okera-data", "Key": "virtual/k"})
    expect(urllib.request.urlopen(url).read() == b"v", "virtual presigned")


def check_multipart():
    s3 = client()
    part = bytes(range(256)) * (5 * 1024 * 1024 // 256)
    upload = s3.create_multipart_upload(Bucket="okera-data", Key="mp/obj", ChecksumAlgorithm="CRC32")
    uid = upload["UploadId"]
    p1 = s3.upload_part(Bucket="okera-data", Key="mp/obj", UploadId=uid, PartNumber=1, Body=part, ChecksumAlgorithm="CRC32")
    p2 = s3.upload_part(Bucket="okera-data", Key="mp/obj", UploadId=uid, PartNumber=2, Body=b"tail", ChecksumAlgorithm="CRC32")
    listed = s3.list_parts(Bucket="okera-data", Key="mp/obj", UploadId=uid)["Parts"]
    expect([p["PartNumber"] for p in listed] == [1, 2], "list_parts")
    uploads = s3.list_multipart_uploads(Bucket="okera-data")["Uploads"]
    expect([u["UploadId"] for u in uploads] == [uid], "list uploads")
    parts = [{"PartNumber": 1, "ETag": p1["ETag"], "ChecksumCRC32": p1["ChecksumCRC32"]},
             {"PartNumber": 2, "ETag": p2["ETag"], "ChecksumCRC32": p2["ChecksumCRC32"]}]
    code = error_code(lambda: s3.complete_multipart_upload(
        Bucket="okera-data", Key="mp/obj", UploadId=uid, MultipartUpload={"Parts": [parts[1], parts[0]]}))
    expect(code == "InvalidPartOrder", f"order: {code}")
    done = s3.complete_multipart_upload(Bucket="okera-data", Key="mp/obj", UploadId=uid, MultipartUpload={"Parts": parts})
    md5s = hashlib.md5(part).digest() + hashlib.md5(b"tail").digest()
    expect(done["ETag"] == '"' + hashlib.md5(md5s).hexdigest() + '-2"', f"multipart ETag {done['ETag']}")
    body = s3.get_object(Bucket="okera-data", Key="mp/obj", ChecksumMode="ENABLED")["Body"].read()
    expect(body == part + b"tail", "assembled body")
    small = s3.create_multipart_upload(Bucket="okera-data", Key="mp/small")["UploadId"]
    e1 = s3.upload_part(Bucket="okera-data", Key="mp/small", UploadId=small, PartNumber=1, Body=b"a")["ETag"]
    e2 = s3.upload_part(Bucket="okera-data", Key="mp/small", UploadId=small, PartNumber=2, Body=b"b")["ETag"]
    expect(error_code(lambda: s3.complete_multipart_upload(
        Bucket="okera-data", Key="mp/small", UploadId=small,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})) == "EntityTooSmall",
        "EntityTooSmall")
    expect(error_code(lambda: s3.complete_multipart_upload(
        Bucket="okera-data", Key="mp/small", UploadId=small,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"0000"'}]})) == "InvalidPart", "InvalidPart")
    s3.abort_multipart_upload(Bucket="okera-data", Key="mp/small", UploadId=small)
    expect(error_code(lambda: s3.list_parts(Bucket="okera-data", Key="mp/small", UploadId=small)) == "NoSuchUpload", "aborted")
    # The managed transfer (threads, default checksums) end to end.
    s3.upload_fileobj(__import__("io").BytesIO(part * 3), "okera-data", "mp/managed")
    expect(s3.head_object(Bucket="okera-data", Key="mp/managed")["ContentLength"] == len(part) * 3, "managed upload")


def check_listing():
    s3 = client()
    for i in range(1100):
        s3.put_object(Bucket="okera-data", Key=f"many/{i:05d}", Body=b"")
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="okera-data", Prefix="many/"):
        keys += [o["Key"] for o in page.get("Contents", [])]
    expect(keys == [f"many/{i:05d}" for i in range(1100)], f"v2 pagination: {len(keys)} keys")
    v1 = []
    for page in s3.get_paginator("list_objects").paginate(Bucket="okera-data", Prefix="many/"):
        v1 += [o["Key"] for o in page.get("Contents", [])]
    expect(len(v1) == 1100, f"v1 pagination: {len(v1)}")
    for key in ["odd/a+b", "odd/c%d", "odd/e f", "odd/sub/x", "odd/sub/y", "odd/ünï"]:
        s3.put_object(Bucket="okera-data", Key=key, Body=b"")
    result = s3.list_objects_v2(Bucket="okera-data", Prefix="odd/", Delimiter="/")
    expect([o["Key"] for o in result["Contents"]] == ["odd/a+b", "odd/c%d", "odd/e f", "odd/ünï"],
           f"encoded keys {[o['Key'] for o in result['Contents']]}")
    expect([p["Prefix"] for p in result["CommonPrefixes"]] == ["odd/sub/"], "common prefixes")
    page = s3.list_objects_v2(Bucket="okera-data", Prefix="odd/", MaxKeys=2)
    expect(page["IsTruncated"] and page["KeyCount"] == 2, "max keys")
    rest = s3.list_objects_v2(Bucket="okera-data", Prefix="odd/", ContinuationToken=page["NextContinuationToken"])
    expect(len(rest["Contents"]) == 4, "continuation")


def check_auth():
    wrong = boto3.client("s3", endpoint_url=AWS_URL, region_name=REGION, aws_access_key_id=KEY_ID,
                         aws_secret_access_key="wrong-secret")
    expect(error_code(lambda: wrong.list_buckets()) == "SignatureDoesNotMatch", "wrong secret")
    unknown = boto3.client("s3", endpoint_url=AWS_URL, region_name=REGION, aws_access_key_id="AKIAUNKNOWNUNKNOWN00",
                           aws_secret_access_key=SECRET)
    expect(error_code(lambda: unknown.list_buckets()) == "InvalidAccessKeyId", "unknown key")
    s3 = client()
    s3.put_object(Bucket="okera-data", Key="shared.txt", Body=b"shared")
    v2 = s3.generate_presigned_url("get_object", Params={"Bucket": "okera-data", "Key": "shared.txt"})
    expect(urllib.request.urlopen(v2).read() == b"shared", "presigned v2")
    v4client = boto3.client("s3", endpoint_url=AWS_URL, region_name=REGION, aws_access_key_id=KEY_ID,
                            aws_secret_access_key=SECRET, config=Config(signature_version="s3v4"))
    v4 = v4client.generate_presigned_url("get_object", Params={"Bucket": "okera-data", "Key": "shared.txt"})
    expect("X-Amz-Signature" in v4 and urllib.request.urlopen(v4).read() == b"shared", "presigned v4")
    tampered = v4.replace("shared.txt", "other.txt")
    try:
        urllib.request.urlopen(tampered)
        raise AssertionError("tampered presigned URL accepted")
    except urllib.error.HTTPError as error:
        expect(error.code == 403 and b"SignatureDoesNotMatch" in error.read(), "tampered v4")
    expired = v4client.generate_presigned_url("get_object", Params={"Bucket": "okera-data", "Key": "shared.txt"},
                                              ExpiresIn=1)
    import time
    time.sleep(2.1)
    try:
        urllib.request.urlopen(expired)
        raise AssertionError("expired presigned URL accepted")
    except urllib.error.HTTPError as error:
        body = error.read()
        expect(error.code == 403 and b"Request has expired" in body, f"expired: {body}")
    # Clock skew: a request correctly signed 20 minutes in the past.
    import datetime
    import botocore.auth
    original_now = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda: original_now() - datetime.timedelta(minutes=20)
    try:
        request = AWSRequest(method="GET", url=AWS_URL + "/okera-data?list-type=2")
        FixedPayloadAuth(hashlib.sha256(b"").hexdigest()).add_auth(request)
    finally:
        botocore.auth.get_current_datetime = original_now
    status, body = send(request.prepare())
    expect(status == 403 and b"RequestTimeTooSkewed" in body, f"skew status {status} {body[:200]}")


def send(prepared, body=None, content_length=None):
    url = urllib.parse.urlparse(prepared.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    path = url.path + ("?" + url.query if url.query else "")
    conn.putrequest(prepared.method, path, skip_host=True, skip_accept_encoding=True)
    if "host" not in {name.lower() for name in prepared.headers.keys()}:
        conn.putheader("Host", url.netloc)
    for name, value in prepared.headers.items():
        if name.lower() != "content-length":
            conn.putheader(name, value)
    data = body if body is not None else (prepared.body or b"")
    if isinstance(data, str):
        data = data.encode()
    conn.putheader("Content-Length", str(content_length if content_length is not None else len(data)))
    conn.endheaders()
    if data:
        conn.send(data)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, payload


class FixedPayloadAuth(S3SigV4Auth):
    """S3 SigV4 with a chosen x-amz-content-sha256 (streaming modes, wrong hashes)."""

    def __init__(self, payload_hash):
        super().__init__(Credentials(KEY_ID, SECRET), "s3", REGION)
        self.payload_hash = payload_hash

    def payload(self, request):
        return self.payload_hash


def signed(method, path, body=b"", headers=None, payload_hash=None):
    request = AWSRequest(method=method, url=AWS_URL + path, data=body, headers=headers or {})
    FixedPayloadAuth(payload_hash or hashlib.sha256(body).hexdigest()).add_auth(request)
    return request.prepare()


def check_hostile():
    s3 = client()
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Delete><Object><Key>&lol2;</Key></Object></Delete>'
    md5 = __import__("base64").b64encode(hashlib.md5(bomb).digest()).decode()
    status, body = send(signed("POST", "/okera-data?delete", bomb, {"Content-MD5": md5}))
    expect(status == 400 and b"MalformedXML" in body, f"XML bomb: {status} {body[:200]}")
    junk = b"<Delete><Object><Key>unclosed"
    md5 = __import__("base64").b64encode(hashlib.md5(junk).digest()).decode()
    status, body = send(signed("POST", "/okera-data?delete", junk, {"Content-MD5": md5}))
    expect(status == 400 and b"MalformedXML" in body, f"malformed XML: {status}")
    s3.put_object(Bucket="okera-data", Key="../../etc/passwd", Body=b"not a file")
    expect(s3.get_object(Bucket="okera-data", Key="../../etc/passwd")["Body"].read() == b"not a file", "../ key")
    expect(error_code(lambda: s3.put_object(Bucket="okera-data", Key="k" * 1025, Body=b"")) == "KeyTooLongError", "1025-byte key")
    s3.put_object(Bucket="okera-data", Key="k" * 1024, Body=b"")
    status, body = send(signed("PUT", "/okera-data/nul%00key", b"x"))
    expect(status in (200, 400), f"NUL key: {status}")
    # A body shorter than its Content-Length, then a disconnect: the server keeps serving.
    prepared = signed("PUT", "/okera-data/partial", b"x" * 100, payload_hash="UNSIGNED-PAYLOAD")
    sock = socket.create_connection(("127.0.0.1", PORT))
    head = f"PUT /okera-data/partial HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in prepared.headers.items()
                                                             if k.lower() != "content-length")
    sock.sendall((head + "Content-Length: 1000000\r\n\r\n").encode() + b"x" * 100)
    sock.close()
    expect(error_code(lambda: s3.head_object(Bucket="okera-data", Key="partial")) == "404", "partial upload not stored")
    # A truncated aws-chunked body.
    status, body = send(signed("PUT", "/okera-data/chunked", b"5\r\nhel", {"Content-Encoding": "aws-chunked",
                                                                           "x-amz-decoded-content-length": "5"},
                               payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
    expect(status == 400 and b"IncompleteBody" in body, f"truncated chunked: {status} {body[:200]}")
    # A complete unsigned-trailer body is stored without its framing, and its trailer checksum is verified.
    framed = b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"
    status, body = send(signed("PUT", "/okera-data/chunked", framed, {"Content-Encoding": "aws-chunked",
                                                                       "x-amz-decoded-content-length": "5",
                                                                       "x-amz-trailer": "x-amz-checksum-crc32"},
                               payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
    expect(status == 200, f"chunked upload {status} {body[:300]}")
    expect(s3.get_object(Bucket="okera-data", Key="chunked")["Body"].read() == b"hello", "chunk framing stripped")
    bad = framed.replace(b"NhCmhg==", b"AAAAAA==")
    status, body = send(signed("PUT", "/okera-data/chunked2", bad, {"Content-Encoding": "aws-chunked",
                                                                     "x-amz-decoded-content-length": "5",
                                                                     "x-amz-trailer": "x-amz-checksum-crc32"},
                               payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
    expect(status == 400 and b"BadDigest" in body, f"bad trailer checksum {status}")
    # The trailers must be the declared ones: a declared checksum left out, or one sent undeclared (S3: MalformedTrailerError).
    omitted = b"5\r\nhello\r\n0\r\n\r\n"
    status, body = send(signed("PUT", "/okera-data/chunked3", omitted, {"Content-Encoding": "aws-chunked",
                                                                         "x-amz-decoded-content-length": "5",
                                                                         "x-amz-trailer": "x-amz-checksum-crc32"},
                               payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
    expect(status == 400 and b"<Code>MalformedTrailerError</Code>" in body, f"declared trailer omitted {status} {body[:200]}")
    status, body = send(signed("PUT", "/okera-data/chunked4", framed, {"Content-Encoding": "aws-chunked",
                                                                        "x-amz-decoded-content-length": "5"},
                               payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
    expect(status == 400 and b"<Code>MalformedTrailerError</Code>" in body, f"undeclared trailer {status} {body[:200]}")
    expect(error_code(lambda: s3.head_object(Bucket="okera-data", Key="chunked3")) == "404", "a refused trailer upload was stored")
    # A payload hash that does not match the body.
    status, body = send(signed("PUT", "/okera-data/mismatch", b"abc", payload_hash=hashlib.sha256(b"xyz").hexdigest()))
    expect(status == 400 and b"XAmzContentSHA256Mismatch" in body, f"sha mismatch {status}")
    # Still serving.
    expect(s3.list_objects_v2(Bucket="okera-data", MaxKeys=1)["KeyCount"] == 1, "server still serving")


def check_faults():
    s3 = client(retries={"max_attempts": 1, "mode": "standard"})
    az = control("POST", "/v1/faults", {"action": "az-outage", "target": "us-west-2a"})
    s3.put_object(Bucket="okera-data", Key="during-az-outage", Body=b"ok")
    expect(s3.get_object(Bucket="okera-data", Key="during-az-outage")["Body"].read() == b"ok", "S3 survives AZ outage")
    control("DELETE", "/v1/faults/" + az["id"])
    region = control("POST", "/v1/faults", {"action": "region-outage", "target": "us-west-2"})
    expect(error_code(lambda: s3.list_objects_v2(Bucket="okera-data")) == "ServiceUnavailable", "region outage fails S3")
    expect(s3.list_objects_v2(Bucket="okera-data-us-east-1", MaxKeys=1)["KeyCount"] >= 0, "other region serves")
    state = control("GET", "/v1/state")
    expect([f["id"] for f in state["faults"]] == [region["id"]], f"state {state}")
    control("DELETE", "/v1/faults/" + region["id"])
    expect(s3.list_objects_v2(Bucket="okera-data", MaxKeys=1)["KeyCount"] == 1, "recovered")
    # Replication runs on virtual time: advance the clock and the new object reaches the replica.
    s3.put_object(Bucket="okera-data", Key="replicate-me", Body=b"r")
    control("POST", "/v1/clock", {"advance": "20m"})
    replica = s3.head_object(Bucket="okera-data-us-east-1", Key="replicate-me")
    expect(replica["ReplicationStatus"] == "REPLICA", f"replica {replica.get('ReplicationStatus')}")
    expect(s3.head_object(Bucket="okera-data", Key="replicate-me")["ReplicationStatus"] == "COMPLETED", "source status")


def check_configuration():
    s3 = client()
    s3.put_object(Bucket="okera-data", Key="tagged", Body=b"t", Tagging="team=odas&tier=gold")
    tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket="okera-data", Key="tagged")["TagSet"]}
    expect(tags == {"team": "odas", "tier": "gold"}, f"tags from header {tags}")
    expect(s3.head_object(Bucket="okera-data", Key="tagged")["ResponseMetadata"]["HTTPHeaders"].get("x-amz-tagging-count") == "2",
           "tagging count")
    s3.put_object_tagging(Bucket="okera-data", Key="tagged", Tagging={"TagSet": [{"Key": "only", "Value": "one"}]})
    expect(s3.get_object_tagging(Bucket="okera-data", Key="tagged")["TagSet"] == [{"Key": "only", "Value": "one"}], "replace")
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(11)]
    expect(error_code(lambda: s3.put_object_tagging(Bucket="okera-data", Key="tagged", Tagging={"TagSet": too_many}))
           == "BadRequest", "11 tags")
    s3.copy_object(Bucket="okera-data", Key="tagged-copy", CopySource="okera-data/tagged")
    expect(s3.get_object_tagging(Bucket="okera-data", Key="tagged-copy")["TagSet"] == [{"Key": "only", "Value": "one"}],
           "copy keeps tags")
    s3.delete_object_tagging(Bucket="okera-data", Key="tagged")
    expect(s3.get_object_tagging(Bucket="okera-data", Key="tagged")["TagSet"] == [], "deleted tags")
    expect(error_code(lambda: s3.get_bucket_tagging(Bucket="okera-data")) == "NoSuchTagSet", "no bucket tags")
    s3.put_bucket_tagging(Bucket="okera-data", Tagging={"TagSet": [{"Key": "owner", "Value": "platform"}]})
    expect(s3.get_bucket_tagging(Bucket="okera-data")["TagSet"] == [{"Key": "owner", "Value": "platform"}], "bucket tags")
    expect(error_code(lambda: s3.get_bucket_policy(Bucket="okera-data")) == "NoSuchBucketPolicy", "no policy")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                         "Resource": "arn:aws:s3:::okera-data/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
    s3.put_bucket_policy(Bucket="okera-data", Policy=policy)
    expect(json.loads(s3.get_bucket_policy(Bucket="okera-data")["Policy"]) == json.loads(policy), "policy stored")
    expect(error_code(lambda: s3.put_bucket_policy(Bucket="okera-data", Policy="not json")) == "MalformedPolicy", "bad policy")
    s3.delete_bucket_policy(Bucket="okera-data")
    expect(error_code(lambda: s3.get_bucket_policy(Bucket="okera-data")) == "NoSuchBucketPolicy", "policy deleted")
    # UploadPartCopy: assemble an object from ranges of another.
    source = bytes(range(256)) * (6 * 1024 * 1024 // 256)
    s3.put_object(Bucket="okera-data", Key="copy-source", Body=source)
    uid = s3.create_multipart_upload(Bucket="okera-data", Key="assembled")["UploadId"]
    first = s3.upload_part_copy(Bucket="okera-data", Key="assembled", UploadId=uid, PartNumber=1,
                                CopySource="okera-data/copy-source", CopySourceRange=f"bytes=0-{5 * 1024 * 1024 - 1}")
    second = s3.upload_part_copy(Bucket="okera-data", Key="assembled", UploadId=uid, PartNumber=2,
                                 CopySource={"Bucket": "okera-data", "Key": "copy-source"}, CopySourceRange="bytes=0-9")
    s3.complete_multipart_upload(Bucket="okera-data", Key="assembled", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": first["CopyPartResult"]["ETag"]}, {"PartNumber": 2, "ETag": second["CopyPartResult"]["ETag"]}]})
    body = s3.get_object(Bucket="okera-data", Key="assembled")["Body"].read()
    expect(body == source[:5 * 1024 * 1024] + source[:10], "upload_part_copy assembled")


def check_versioning():
    s3 = client()
    s3.create_bucket(Bucket="versioned", CreateBucketConfiguration={"LocationConstraint": REGION})
    expect("Status" not in s3.get_bucket_versioning(Bucket="versioned"), "never enabled")
    s3.put_object(Bucket="versioned", Key="k", Body=b"before")
    s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    expect(s3.get_bucket_versioning(Bucket="versioned")["Status"] == "Enabled", "enabled")
    v1 = s3.put_object(Bucket="versioned", Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket="versioned", Key="k", Body=b"two")["VersionId"]
    expect(v1 != v2 and v1 != "null", "version ids")
    expect(s3.get_object(Bucket="versioned", Key="k")["Body"].read() == b"two", "latest")
    expect(s3.get_object(Bucket="versioned", Key="k", VersionId=v1)["Body"].read() == b"one", "by version")
    expect(s3.get_object(Bucket="versioned", Key="k", VersionId="null")["Body"].read() == b"before", "null version")
    deleted = s3.delete_object(Bucket="versioned", Key="k")
    expect(deleted["DeleteMarker"] is True, "delete marker")
    try:
        s3.get_object(Bucket="versioned", Key="k")
        raise AssertionError("deleted object still readable")
    except ClientError as error:
        expect(error.response["Error"]["Code"] == "NoSuchKey", "NoSuchKey after delete")
        expect(error.response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-delete-marker") == "true", "marker header")
    listed = s3.list_object_versions(Bucket="versioned")
    expect([v["VersionId"] for v in listed["Versions"]] == [v2, v1, "null"], f"versions {listed['Versions']}")
    expect([m["IsLatest"] for m in listed["DeleteMarkers"]] == [True], "delete markers")
    s3.delete_object(Bucket="versioned", Key="k", VersionId=deleted["VersionId"])
    expect(s3.get_object(Bucket="versioned", Key="k")["Body"].read() == b"two", "undeleted")
    s3.copy_object(Bucket="versioned", Key="k-old", CopySource={"Bucket": "versioned", "Key": "k", "VersionId": v1})
    expect(s3.get_object(Bucket="versioned", Key="k-old")["Body"].read() == b"one", "copy a version")
    expect(error_code(lambda: s3.delete_bucket(Bucket="versioned")) == "BucketNotEmpty", "versions keep the bucket")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket="versioned"):
        doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if doomed:
            s3.delete_objects(Bucket="versioned", Delete={"Objects": doomed})
    s3.delete_bucket(Bucket="versioned")
    # The scenario's replicated bucket has versioning (S3 replication requires it).
    expect(s3.get_bucket_versioning(Bucket="okera-data")["Status"] == "Enabled", "replicated bucket versioned")


def check_authorization():
    analyst = boto3.client("s3", endpoint_url=AWS_URL, region_name=REGION, aws_access_key_id="AKIAODASSIMANALYST00",
                           aws_secret_access_key="odas-sim-analyst-key")
    # The analyst's policy allows reading the dataset and listing the bucket, nothing else.
    expect(analyst.get_object(Bucket="okera-data", Key="data/part-00000.parquet")["ContentLength"] == 1024, "analyst reads data/")
    expect(analyst.list_objects_v2(Bucket="okera-data", Prefix="data/")["KeyCount"] == 10, "analyst lists")
    try:
        analyst.put_object(Bucket="okera-data", Key="data/evil", Body=b"x")
        raise AssertionError("analyst could write")
    except ClientError as error:
        expect(error.response["Error"]["Code"] == "AccessDenied", "write denied")
        expect("is not authorized to perform: s3:PutObject" in error.response["Error"]["Message"], error.response["Error"]["Message"])
    expect(error_code(lambda: analyst.list_buckets()) == "AccessDenied", "ListAllMyBuckets denied")
    admin = client()
    admin.put_object(Bucket="okera-data", Key="private/secret", Body=b"s")
    expect(error_code(lambda: analyst.get_object(Bucket="okera-data", Key="private/secret")) == "AccessDenied", "outside data/")
    # A bucket policy with an explicit deny overrides the administrator's allow.
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
                                                                 "Resource": "arn:aws:s3:::okera-data/data/*"}]})
    admin.put_bucket_policy(Bucket="okera-data", Policy=policy)
    expect(error_code(lambda: admin.delete_object(Bucket="okera-data", Key="data/part-00001.parquet")) == "AccessDenied", "bucket deny")
    admin.delete_bucket_policy(Bucket="okera-data")
    admin.delete_object(Bucket="okera-data", Key="data/part-00001.parquet")


CHECKS = {name[len("check_"):]: fn for name, fn in globals().items() if name.startswith("check_")}
if CHECK not in CHECKS:
    sys.exit(f"unknown check {CHECK}; one of {sorted(CHECKS)}")
CHECKS[CHECK]()
print(f"{CHECK}: ok")
