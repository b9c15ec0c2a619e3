#!/usr/bin/env bash
# TLS on `odas-sim serve scenarios/aws-az-failure.yaml --tls` (called from
# ServeTLSTests.swift): the aws CLI and boto3 reach S3 over HTTPS with the CA
# serve wrote, with role credentials from the instance metadata service; the
# bucket's DenyInsecureTransport statement (aws:SecureTransport false) refuses
# the same request over plain HTTP, as on AWS; an unknown key is told what to use.
# Usage: tls_checks.sh HTTPS_URL HTTPS_CONTROL CA_BUNDLE HTTP_URL HTTP_CONTROL WORK
set -euo pipefail
https=$1 https_control=$2 ca=$3 http=$4 http_control=$5 work=$6
export AWS_DEFAULT_REGION=us-west-2 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_CA_BUNDLE
fail() { echo "FAIL: $*" >&2; exit 1; }
node() { AWS_EC2_METADATA_SERVICE_ENDPOINT="$1/v1/imds/odas-node-2b/" command aws --endpoint-url "$2" --output text "${@:3}"; }

# HTTPS with the CA: the TLS-only bucket answers.
node "$https_control" "$https" --ca-bundle "$ca" s3 ls s3://okera-data/data/ > "$work/ls" || fail "s3 ls over https"
grep -q part-00000.parquet "$work/ls" || fail "listing over https: $(cat "$work/ls")"
[ "$(AWS_CA_BUNDLE="$ca" node "$https_control" "$https" sts get-caller-identity --query Arn)" != "" ] || fail "sts over https"
# Without the CA the certificate is not trusted.
if node "$https_control" "$https" s3 ls s3://okera-data/data/ 2> "$work/err"; then fail "untrusted certificate accepted"; fi
grep -qi "certificate" "$work/err" || fail "untrusted certificate: $(cat "$work/err")"
# Plain HTTP: the same request is refused by the bucket policy's explicit deny.
if node "$http_control" "$http" s3 ls s3://okera-data/data/ 2> "$work/err"; then fail "plain http read a TLS-only bucket"; fi
grep -q "(AccessDenied)" "$work/err" || fail "plain http: $(cat "$work/err")"

# boto3 over HTTPS, verifying with the CA.
python3 - "$https" "$https_control" "$ca" <<'PY'
import json, sys, urllib.request
import boto3
url, control, ca = sys.argv[1:4]
base = control + "/v1/imds/odas-node-2b/latest"
token = urllib.request.urlopen(urllib.request.Request(base + "/api/token", method="PUT",
        headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"})).read().decode()
role = urllib.request.urlopen(urllib.request.Request(base + "/meta-data/iam/security-credentials/",
        headers={"X-aws-ec2-metadata-token": token})).read().decode().strip()
creds = json.loads(urllib.request.urlopen(urllib.request.Request(base + "/meta-data/iam/security-credentials/" + role,
        headers={"X-aws-ec2-metadata-token": token})).read())
s3 = boto3.client("s3", endpoint_url=url, region_name="us-west-2", verify=ca, aws_access_key_id=creds["AccessKeyId"],
                  aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["Token"])
keys = [o["Key"] for o in s3.list_objects_v2(Bucket="okera-data", Prefix="data/")["Contents"]]
assert "data/part-00000.parquet" in keys, keys
body = s3.get_object(Bucket="okera-data", Key="data/part-00000.parquet")["Body"].read()
assert len(body) == 4096, len(body)
print("boto3 over https ok")
PY

# The LocalStack habit: a key the scenario does not know says what to use instead.
if AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test command aws --endpoint-url "$https" --ca-bundle "$ca" s3 ls 2> "$work/err"; then
  fail "key test accepted"
fi
grep -q "InvalidAccessKeyId" "$work/err" && grep -q -- "--allow-any-credentials" "$work/err" && grep -q "/v1/imds/" "$work/err" \
  || fail "unknown key hint: $(cat "$work/err")"
echo "tls checks passed"
