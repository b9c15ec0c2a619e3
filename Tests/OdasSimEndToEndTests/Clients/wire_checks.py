"""Wire checks AWS makes before the operation, against `odas-sim serve` (local-dev scenario).

Usage: wire_checks.py AWS_URL
"""
import sys

import boto3
import requests  # botocore vendors urllib3; requests comes with awscli's dependencies
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

URL = sys.argv[1]
KEY = ("AKIAODASSIMDEVELOPER", "odas-sim-dev-secret-key")


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def signed_get(path, region, token=None):
    credentials = Credentials(KEY[0], KEY[1], token)
    request = AWSRequest(method="GET", url=URL + path, headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(credentials, "s3", region).add_auth(request)
    return requests.get(URL + path, headers=dict(request.headers.items()))


# Signed for eu-west-1, sent for a us-west-2 bucket: S3 names the bucket's region.
wrong = signed_get("/okera-data?list-type=2", "eu-west-1")
expect(wrong.status_code == 400 and "<Code>AuthorizationHeaderMalformed</Code>" in wrong.text, wrong.text)
expect("the region 'eu-west-1' is wrong; expecting 'us-west-2'" in wrong.text and "<Region>us-west-2</Region>" in wrong.text, wrong.text)
expect(wrong.headers.get("x-amz-bucket-region") == "us-west-2", str(wrong.headers))
expect(signed_get("/okera-data?list-type=2", "us-west-2").status_code == 200, "the right region is refused")

# boto3 follows the redirect hint: a client for eu-west-1 still reads the bucket.
s3 = boto3.client("s3", endpoint_url=URL, region_name="eu-west-1", aws_access_key_id=KEY[0], aws_secret_access_key=KEY[1])
expect(s3.list_objects_v2(Bucket="okera-data", MaxKeys=1)["KeyCount"] == 1, "boto3 does not retry in the bucket's region")

# A garbage session token beside a long-term key is refused.
token = signed_get("/okera-data?list-type=2", "us-west-2", token="garbage")
expect(token.status_code == 400 and "<Code>InvalidToken</Code>" in token.text, token.text)
sts = boto3.client("sts", endpoint_url=URL, region_name="us-west-2", aws_access_key_id=KEY[0],
                   aws_secret_access_key=KEY[1], aws_session_token="garbage")
try:
    sts.get_caller_identity()
    raise AssertionError("STS accepted a session token with a long-term key")
except ClientError as error:
    expect(error.response["Error"]["Code"] == "InvalidClientTokenId", str(error.response))
print("ok")
