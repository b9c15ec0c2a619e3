#!/usr/bin/env bash
# aws CLI checks of IAM, STS and KMS against `odas-sim serve scenarios/local-dev.yaml`
# (called from ServeTests.swift), with signatures and authorization on.
# Usage: awscli_iam_checks.sh AWS_URL CONTROL_URL
set -euo pipefail
url=$1 control=$2
export AWS_DEFAULT_REGION=us-west-2 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
developer=(AWS_ACCESS_KEY_ID=AKIAODASSIMDEVELOPER AWS_SECRET_ACCESS_KEY=odas-sim-dev-secret-key)
analyst=(AWS_ACCESS_KEY_ID=AKIAODASSIMANALYST00 AWS_SECRET_ACCESS_KEY=odas-sim-analyst-key)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
as() { local -n who=$1; shift; env "${who[@]}" aws --endpoint-url "$url" --output text "$@"; }
dev() { env "${developer[@]}" aws --endpoint-url "$url" --output text "$@"; }
ana() { env "${analyst[@]}" aws --endpoint-url "$url" --output text "$@"; }
# must_fail CODE command…: the command fails and its error names CODE.
must_fail() {
  local code=$1; shift
  if "$@" > "$work/out" 2> "$work/err"; then fail "expected $code from: $*"; fi
  grep -q "$code" "$work/err" || fail "expected $code from: $* — got: $(cat "$work/err")"
}

# --- IAM: roles, policies, instance profiles, users, access keys -----------------
trust_dev='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/developer"},"Action":"sts:AssumeRole"}]}'
expect "$(dev iam create-role --role-name reader --assume-role-policy-document "$trust_dev" --query Role.Arn)" \
  "arn:aws:iam::123456789012:role/reader" "create-role"
expect "$(dev iam get-role --role-name reader --query 'Role.AssumeRolePolicyDocument.Statement[0].Principal.AWS')" \
  "arn:aws:iam::123456789012:user/developer" "get-role decodes the trust policy"
[[ "$(dev iam get-role --role-name reader --query Role.RoleId)" == AROA* ]] || fail "role ids start with AROA"
must_fail EntityAlreadyExists dev iam create-role --role-name reader --assume-role-policy-document "$trust_dev"
must_fail NoSuchEntity dev iam get-role --role-name nobody
must_fail MalformedPolicyDocument dev iam create-role --role-name bad --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}'
dev iam put-role-policy --role-name reader --policy-name list \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::okera-data"}]}'
expect "$(dev iam list-role-policies --role-name reader --query 'PolicyNames[0]')" "list" "list-role-policies"
policy=$(dev iam create-policy --policy-name read-data --query Policy.Arn \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::okera-data/*"}]}')
expect "$policy" "arn:aws:iam::123456789012:policy/read-data" "create-policy"
dev iam attach-role-policy --role-name reader --policy-arn "$policy"
expect "$(dev iam list-attached-role-policies --role-name reader --query 'AttachedPolicies[0].PolicyArn')" "$policy" "attach"
expect "$(dev iam list-roles --query 'Roles[].RoleName' | tr '\t' ' ')" "odas-node reader" "list-roles"
dev iam create-instance-profile --instance-profile-name reader-profile > /dev/null
dev iam add-role-to-instance-profile --instance-profile-name reader-profile --role-name reader
expect "$(dev iam get-instance-profile --instance-profile-name reader-profile --query 'InstanceProfile.Roles[0].RoleName')" "reader" "profile"
must_fail LimitExceeded dev iam add-role-to-instance-profile --instance-profile-name reader-profile --role-name odas-node

# Hostile documents get IAM's errors and change nothing.
python3 -c 'import json; print(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject%d" % i for i in range(6000)], "Resource": "*"}]}))' > "$work/big.json"
[ "$(wc -c < "$work/big.json")" -gt 100000 ] || fail "the big policy is over 100 KB"
must_fail LimitExceeded dev iam create-policy --policy-name big --policy-document "file://$work/big.json"
must_fail LimitExceeded dev iam put-role-policy --role-name reader --policy-name big --policy-document "file://$work/big.json"
python3 -c 'print("{\"Version\":\"2012-10-17\",\"Statement\":" + "[" * 4000 + "]" * 4000 + "}")' > "$work/deep.json"
must_fail MalformedPolicyDocument dev iam put-role-policy --role-name reader --policy-name deep --policy-document "file://$work/deep.json"
must_fail MalformedPolicyDocument dev iam put-role-policy --role-name reader --policy-name bad \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringFoo":{"a":"b"}}}]}'
expect "$(dev iam list-role-policies --role-name reader --query 'length(PolicyNames)')" "1" "failed puts change nothing"

# A new user starts with no permissions; a policy gives some.
dev iam create-user --user-name carol > /dev/null
read -r carol_key carol_secret < <(dev iam create-access-key --user-name carol --query 'AccessKey.[AccessKeyId,SecretAccessKey]')
[[ "$carol_key" == AKIA* ]] || fail "access keys start with AKIA"
carol=(AWS_ACCESS_KEY_ID="$carol_key" AWS_SECRET_ACCESS_KEY="$carol_secret")
expect "$(as carol sts get-caller-identity --query Arn)" "arn:aws:iam::123456789012:user/carol" "carol's identity"
must_fail AccessDenied as carol s3api list-objects-v2 --bucket okera-data
must_fail AccessDenied as carol iam create-user --user-name mallory
dev iam put-user-policy --user-name carol --policy-name list \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::okera-data"}]}'
expect "$(as carol s3api list-objects-v2 --bucket okera-data --query 'length(Contents)')" "10" "carol lists after put-user-policy"

# --- STS: AssumeRole checks the trust policy; session credentials expire ----------
must_fail AccessDenied ana sts assume-role --role-arn arn:aws:iam::123456789012:role/reader --role-session-name nope
must_fail AccessDenied dev sts assume-role --role-arn arn:aws:iam::123456789012:role/odas-node --role-session-name nope
read -r key secret token expiry < <(dev sts assume-role --role-arn arn:aws:iam::123456789012:role/reader \
  --role-session-name s1 --duration-seconds 900 --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken,Expiration]')
[[ "$key" == ASIA* ]] || fail "session keys start with ASIA"
session=(AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" AWS_SESSION_TOKEN="$token")
expect "$(as session sts get-caller-identity --query Arn)" "arn:aws:sts::123456789012:assumed-role/reader/s1" "session identity"
expect "$(as session s3api list-objects-v2 --bucket okera-data --query 'length(Contents)')" "10" "the role may list"
as session s3api get-object --bucket okera-data --key data/part-00000.parquet "$work/part" > /dev/null
must_fail AccessDenied as session s3api put-object --bucket okera-data --key x --body "$work/part"
bad_token=(AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" AWS_SESSION_TOKEN="forged")
must_fail InvalidAccessKeyId as bad_token s3api list-objects-v2 --bucket okera-data
curl -sf -XPOST "$control/v1/clock" -d '{"advance": "16m"}' > /dev/null
must_fail ExpiredToken as session s3api list-objects-v2 --bucket okera-data
must_fail ExpiredToken as session sts get-caller-identity

# --- simulate-principal-policy: the analyst's own policies -----------------------
expect "$(dev iam simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/analyst \
  --action-names s3:GetObject s3:PutObject --resource-arns arn:aws:s3:::okera-data/data/a \
  --query 'EvaluationResults[].EvalDecision' | tr '\t' ' ')" "allowed implicitDeny" "simulate-principal-policy"
must_fail MalformedPolicyDocument dev iam simulate-custom-policy --policy-input-list '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"' \
  --action-names s3:GetObject

# --- KMS: keys, encryption, key state, key policy and grants ---------------------
keyid=$(dev kms create-key --description odas --query KeyMetadata.KeyId)
printf 'catalog secret' > "$work/plain"
dev kms encrypt --key-id "$keyid" --plaintext "fileb://$work/plain" --encryption-context purpose=odas \
  --query CiphertextBlob | base64 -d > "$work/blob"
expect "$(dev kms decrypt --ciphertext-blob "fileb://$work/blob" --encryption-context purpose=odas --query Plaintext | base64 -d)" \
  "catalog secret" "decrypt"
must_fail InvalidCiphertextException dev kms decrypt --ciphertext-blob "fileb://$work/blob"
expect "$(dev kms generate-data-key --key-id "$keyid" --key-spec AES_256 --query Plaintext | base64 -d | wc -c | tr -d ' ')" "32" "data key"
must_fail AccessDeniedException ana kms decrypt --ciphertext-blob "fileb://$work/blob" --encryption-context purpose=odas
dev kms create-grant --key-id "$keyid" --grantee-principal arn:aws:iam::123456789012:user/analyst --operations Decrypt > /dev/null
expect "$(ana kms decrypt --ciphertext-blob "fileb://$work/blob" --encryption-context purpose=odas --query Plaintext | base64 -d)" \
  "catalog secret" "a grant lets the analyst decrypt"
dev kms disable-key --key-id "$keyid"
must_fail DisabledException dev kms decrypt --ciphertext-blob "fileb://$work/blob" --encryption-context purpose=odas
dev kms enable-key --key-id "$keyid"
dev kms create-alias --alias-name alias/odas --target-key-id "$keyid"
expect "$(dev kms describe-key --key-id alias/odas --query KeyMetadata.KeyState)" "Enabled" "alias"
expect "$(dev kms schedule-key-deletion --key-id "$keyid" --pending-window-in-days 7 --query KeyState)" "PendingDeletion" "deletion"
must_fail KMSInvalidStateException dev kms encrypt --key-id "$keyid" --plaintext "fileb://$work/plain"
dev kms cancel-key-deletion --key-id "$keyid" > /dev/null
dev kms enable-key --key-id "$keyid"
mrk=$(dev kms create-key --multi-region --query KeyMetadata.KeyId)
[[ "$mrk" == mrk-* ]] || fail "multi-Region key ids start with mrk-"
dev kms encrypt --key-id "$mrk" --plaintext "fileb://$work/plain" --query CiphertextBlob | base64 -d > "$work/mrk-blob"
dev kms replicate-key --key-id "$mrk" --replica-region us-east-1 > /dev/null
expect "$(dev --region us-east-1 kms decrypt --ciphertext-blob "fileb://$work/mrk-blob" --query Plaintext | base64 -d)" \
  "catalog secret" "the replica decrypts the primary's ciphertext"

# --- S3 SSE-KMS: reading needs kms:Decrypt on the object's key --------------------
dev s3api put-object --bucket okera-data --key data/secret.parquet --body "$work/plain" \
  --server-side-encryption aws:kms --ssekms-key-id alias/odas > "$work/put"
grep -q "aws:kms" "$work/put" || fail "PutObject echoes SSE: $(cat "$work/put")"
expect "$(dev s3api head-object --bucket okera-data --key data/secret.parquet --query SSEKMSKeyId)" \
  "arn:aws:kms:us-west-2:123456789012:key/$keyid" "S3 records the key's ARN"
dev kms revoke-grant --key-id "$keyid" --grant-id "$(dev kms list-grants --key-id "$keyid" --query 'Grants[0].GrantId')"
must_fail AccessDenied ana s3api get-object --bucket okera-data --key data/secret.parquet "$work/got"
grep -q "kms:Decrypt" "$work/err" || fail "the denial names kms:Decrypt: $(cat "$work/err")"
ana s3api get-object --bucket okera-data --key data/part-00001.parquet "$work/got" > /dev/null
dev s3api get-object --bucket okera-data --key data/secret.parquet "$work/got" > /dev/null
expect "$(cat "$work/got")" "catalog secret" "the developer reads the SSE-KMS object"
dev s3api put-object --bucket okera-data --key data/default-key.parquet --body "$work/plain" --server-side-encryption aws:kms > /dev/null
expect "$(dev kms list-aliases --query 'Aliases[].AliasName' | tr '\t' ' ')" "alias/aws/s3 alias/odas" "S3's managed key"
must_fail InvalidArgument dev s3api put-object --bucket okera-data --key x --body "$work/plain" --server-side-encryption aws:nope

# --- Instance metadata: the ODAS node signs with its role, no keys anywhere -------
imds="$control/v1/imds/odas-node-1/"
expect "$(curl -s -o /dev/null -w '%{http_code}' "${imds}latest/meta-data/iam/security-credentials/")" "401" "IMDSv1 (no token) refused"
imds_token="$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "${imds}latest/api/token")"
expect "$(curl -sf -H "X-aws-ec2-metadata-token: $imds_token" "${imds}latest/meta-data/iam/security-credentials/")" "odas-node" "IMDS role"
expect "$(env AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="$imds" aws --endpoint-url "$url" --output text \
  sts get-caller-identity --query Arn | cut -d/ -f1-2)" "arn:aws:sts::123456789012:assumed-role/odas-node" "instance role identity"
env AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="$imds" aws --endpoint-url "$url" \
  s3 cp "$work/plain" s3://okera-data/written-by-odas > /dev/null
if env AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="$imds" aws --endpoint-url "$url" \
  s3 ls s3://okera-data-unrelated 2> "$work/err"; then fail "the ODAS role reached another bucket"; fi
echo "iam/sts/kms checks passed"
