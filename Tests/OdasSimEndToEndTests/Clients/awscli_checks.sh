#!/usr/bin/env bash
# aws CLI checks against `odas-sim serve` (called from ServeTests.swift).
# Usage: awscli_checks.sh AWS_URL WORK_DIR
set -euo pipefail
url=$1 work=$2
export AWS_ACCESS_KEY_ID=AKIAODASSIMDEVELOPER AWS_SECRET_ACCESS_KEY=odas-sim-dev-secret-key AWS_DEFAULT_REGION=us-west-2
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
aws() {
  # Transfers print progress unless told not to; other commands have no such option.
  case "$1 ${2:-}" in
    "s3 cp"|"s3 sync"|"s3 rm"|"s3 mv") command aws --endpoint-url "$url" "$@" --only-show-errors ;;
    *) command aws --endpoint-url "$url" "$@" ;;
  esac
}
fail() { echo "FAIL: $*" >&2; exit 1; }

# Query-protocol services verify signatures over the form body too.
[ "$(aws sts get-caller-identity --query Arn --output text)" = "arn:aws:iam::123456789012:user/developer" ] || fail "sts get-caller-identity"
[ "$(aws ec2 describe-availability-zones --query 'length(AvailabilityZones)' --output text)" = "3" ] || fail "signed ec2 call"
if AWS_SECRET_ACCESS_KEY=wrong command aws --endpoint-url "$url" ec2 describe-vpcs 2> "$work/ec2err"; then fail "ec2 with a wrong secret"; fi
grep -q SignatureDoesNotMatch "$work/ec2err" || fail "ec2 wrong secret: $(cat "$work/ec2err")"

aws s3 mb s3://cli-bucket
buckets=$(aws s3 ls)
grep -q cli-bucket <<< "$buckets" || fail "mb/ls: $buckets"

# 50 MiB: the CLI switches to a multipart upload (8 MiB parts) and a ranged, parallel download.
head -c 52428800 /dev/urandom > "$work/big.bin"
aws s3 cp "$work/big.bin" s3://cli-bucket/big.bin
aws s3 cp s3://cli-bucket/big.bin "$work/big.back"
cmp -s "$work/big.bin" "$work/big.back" || fail "50 MiB round trip differs"
etag=$(aws s3api head-object --bucket cli-bucket --key big.bin --query ETag --output text)
[[ "$etag" == *-7\" ]] || fail "multipart ETag $etag (expected 7 parts)"

mkdir -p "$work/tree/a/b"
for i in 1 2 3; do echo "file $i" > "$work/tree/a/f$i.txt"; echo "deep $i" > "$work/tree/a/b/g$i.txt"; done
aws s3 sync "$work/tree" s3://cli-bucket/tree
[ "$(aws s3 ls s3://cli-bucket/tree/ --recursive | wc -l)" -eq 6 ] || fail "sync uploaded $(aws s3 ls s3://cli-bucket/tree/ --recursive | wc -l) files"
echo "changed" > "$work/tree/a/f1.txt"
rm "$work/tree/a/b/g3.txt"
aws s3 sync "$work/tree" s3://cli-bucket/tree --delete
[ "$(aws s3 cp s3://cli-bucket/tree/a/f1.txt -)" = "changed" ] || fail "sync did not update f1"
[ "$(aws s3 ls s3://cli-bucket/tree/ --recursive | wc -l)" -eq 5 ] || fail "sync --delete"
mkdir -p "$work/down"
aws s3 sync s3://cli-bucket/tree "$work/down"
diff -r "$work/tree" "$work/down" > /dev/null || fail "sync down differs"

python3 - "$url" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-west-2")
for i in range(1100):
    s3.put_object(Bucket="cli-bucket", Key=f"many/k{i:05d}", Body=b"")
PY
[ "$(aws s3 ls s3://cli-bucket/many/ --recursive | wc -l)" -eq 1100 ] || fail "ls --recursive over 1100 keys"

echo "presigned body" | aws s3 cp - s3://cli-bucket/p.txt
[ "$(curl -sf "$(aws s3 presign s3://cli-bucket/p.txt --expires-in 300)")" = "presigned body" ] || fail "presigned GET via curl"

if AWS_SECRET_ACCESS_KEY=wrong command aws --endpoint-url "$url" s3 ls s3://cli-bucket 2> "$work/err"; then fail "wrong secret accepted"; fi
grep -q SignatureDoesNotMatch "$work/err" || fail "wrong secret: $(cat "$work/err")"

aws s3 rm s3://cli-bucket --recursive
aws s3 rb s3://cli-bucket
echo "awscli: ok"
