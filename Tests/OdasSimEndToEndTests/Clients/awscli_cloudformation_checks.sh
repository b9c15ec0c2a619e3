#!/usr/bin/env bash
# CloudFormation on `odas-sim serve scenarios/local-dev.yaml`, judged by the
# real aws CLI (called from CloudFormationServeTests.swift): validate-template
# (and its refusal of an unsimulated type), create-stack with its capability
# check, the stack-create-complete waiter on virtual time, stack events and
# resources, the created resources seen through S3, IAM, KMS and EC2,
# exports, get-template, a failed create that rolls back, deploy (change
# sets) of a new stack and then of an update, an empty change set,
# update-stack with previous values and its waiter, and delete-stack with its waiter.
# Usage: awscli_cloudformation_checks.sh AWS_URL CONTROL_URL WORK_DIR
set -euo pipefail
url=$1 control=$2 work=$3
export AWS_DEFAULT_REGION=us-west-2 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_ACCESS_KEY_ID=AKIAODASSIMDEVELOPER AWS_SECRET_ACCESS_KEY=odas-sim-dev-secret-key
template=Tests/OdasSimEndToEndTests/Clients/templates/odas-prerequisites.yaml
fail() { echo "FAIL: $*" >&2; exit 1; }
cfn() { aws --endpoint-url "$url" --output text cloudformation "$@"; }
advance() { curl -sf -XPOST "$control/v1/clock" -d "{\"advance\": \"$1\"}" > /dev/null; }

# validate-template: parameters, capabilities; an unsimulated type is named, not skipped.
[ "$(cfn validate-template --template-body "file://$template" --query 'Capabilities[0]')" = "CAPABILITY_IAM" ] || fail "validate capabilities"
[ "$(cfn validate-template --template-body "file://$template" --query 'length(Parameters)')" = "2" ] || fail "validate parameters"
printf 'Resources:\n  Fn: {Type: AWS::Lambda::Function}\n  Q: {Type: AWS::SQS::Queue}\n' > "$work/unsupported.yaml"
if cfn validate-template --template-body "file://$work/unsupported.yaml" 2> "$work/err"; then fail "unsupported types accepted"; fi
grep -q "(ValidationError).*Unrecognized resource types: \[AWS::Lambda::Function, AWS::SQS::Queue\]" "$work/err" || fail "unsupported: $(cat "$work/err")"
printf 'Resources:\n  A: {Type: AWS::S3::Bucket, DependsOn: B}\n  B: {Type: AWS::S3::Bucket, DependsOn: A}\n' > "$work/cycle.yaml"
if cfn validate-template --template-body "file://$work/cycle.yaml" 2> "$work/err"; then fail "cycle accepted"; fi
grep -q "Circular dependency between resources: \[A, B\]" "$work/err" || fail "cycle: $(cat "$work/err")"

# create-stack needs CAPABILITY_IAM; a bad parameter is refused with the constraint's text.
if cfn create-stack --stack-name odas --template-body "file://$template" 2> "$work/err"; then fail "created without capabilities"; fi
grep -q "(InsufficientCapabilitiesException).*Requires capabilities : \[CAPABILITY_IAM\]" "$work/err" || fail "capabilities: $(cat "$work/err")"
if cfn create-stack --stack-name odas --template-body "file://$template" --capabilities CAPABILITY_IAM \
     --parameters ParameterKey=AdminCidr,ParameterValue=everyone 2> "$work/err"; then fail "bad parameter accepted"; fi
grep -q "Parameter AdminCidr failed to satisfy constraint: must be a CIDR block" "$work/err" || fail "parameter: $(cat "$work/err")"
id=$(cfn create-stack --stack-name odas --template-body "file://$template" --capabilities CAPABILITY_IAM --query StackId)
case "$id" in arn:aws:cloudformation:us-west-2:123456789012:stack/odas/*) ;; *) fail "stack id $id" ;; esac
[ "$(cfn describe-stacks --stack-name odas --query 'Stacks[0].StackStatus')" = "CREATE_IN_PROGRESS" ] || fail "in progress"
# The instance profile alone takes about two minutes of virtual time; the waiter's first poll then succeeds.
advance 10m
cfn wait stack-create-complete --stack-name odas || fail "waiter"
cfn describe-stack-events --stack-name odas --query 'StackEvents[].[LogicalResourceId,ResourceStatus,ResourceStatusReason]' > "$work/events"
[ "$(head -1 "$work/events" | cut -f1,2)" = "$(printf 'odas\tCREATE_COMPLETE')" ] || fail "newest event first: $(head -1 "$work/events")"
[ "$(tail -1 "$work/events")" = "$(printf 'odas\tCREATE_IN_PROGRESS\tUser Initiated')" ] || fail "oldest event: $(tail -1 "$work/events")"
grep -q "$(printf 'LogBucket\tCREATE_IN_PROGRESS\tResource creation Initiated')" "$work/events" || fail "initiated event"
[ "$(cfn list-stack-resources --stack-name odas --query 'length(StackResourceSummaries)')" = "7" ] || fail "7 resources"

# The resources exist in the fakes, as the other services show them.
bucket=$(cfn describe-stacks --stack-name odas --query "Stacks[0].Outputs[?OutputKey=='LogBucketName'].OutputValue")
aws --endpoint-url "$url" s3api head-bucket --bucket "$bucket" > /dev/null || fail "bucket $bucket"
[ "$(aws --endpoint-url "$url" --output text s3api get-bucket-versioning --bucket "$bucket" --query Status)" = "Enabled" ] || fail "versioning"
role=$(cfn describe-stack-resource --stack-name odas --logical-resource-id NodeRole --query StackResourceDetail.PhysicalResourceId)
[ "$(aws --endpoint-url "$url" --output text iam get-role-policy --role-name "$role" --policy-name write-logs --query PolicyName)" = "write-logs" ] || fail "role policy"
aws --endpoint-url "$url" --output text kms list-aliases --query 'Aliases[].AliasName' > "$work/aliases"
grep -q "alias/odas-logs" "$work/aliases" || fail "kms alias"
group=$(cfn describe-stacks --stack-name odas --query "Stacks[0].Outputs[?OutputKey=='NodeSecurityGroupId'].OutputValue")
aws --endpoint-url "$url" --output text ec2 describe-security-groups --group-ids "$group" --query 'SecurityGroups[0].GroupId' > "$work/groups"
grep -q "$group" "$work/groups" || fail "security group"
[ "$(cfn list-exports --query "Exports[?Name=='odas-LogBucket'].Value")" = "$bucket" ] || fail "export"
cfn get-template --stack-name odas --query TemplateBody > "$work/template"
grep -q "ODAS prerequisites" "$work/template" || fail "get-template"

# A failed create rolls back: the rule's CIDR is malformed; nothing is left behind.
sed 's|CidrIp: !Ref AdminCidr}|CidrIp: 10.20.250.0/33}|' "$template" > "$work/broken.yaml"
cfn create-stack --stack-name broken --template-body "file://$work/broken.yaml" --capabilities CAPABILITY_IAM > /dev/null
advance 10m
if cfn wait stack-create-complete --stack-name broken 2> "$work/err"; then fail "broken stack completed"; fi
[ "$(cfn describe-stacks --stack-name broken --query 'Stacks[0].StackStatus')" = "ROLLBACK_COMPLETE" ] || fail "rollback"
cfn describe-stack-events --stack-name broken --query 'StackEvents[].[ResourceStatus,ResourceStatusReason]' > "$work/broken-events"
grep -q "CIDR block 10.20.250.0/33 is malformed" "$work/broken-events" || fail "failure reason"
grep -q "The following resource(s) failed to create: \[NodeSecurityGroup\]. Rollback requested by user." "$work/broken-events" || fail "rollback reason"
[ "$(aws --endpoint-url "$url" --output text s3api list-buckets --query 'length(Buckets[?starts_with(Name, `broken-`)])')" = "0" ] || fail "bucket left behind"

# deploy: a CREATE change set, executed, then the waiter (one 30 s poll).
cfn deploy --stack-name second --template-file "$template" --capabilities CAPABILITY_IAM --parameter-overrides Environment=dev AdminCidr=10.30.0.0/24 \
  > "$work/deploy" 2>&1 || fail "deploy: $(cat "$work/deploy")"
grep -q "Successfully created/updated stack - second" "$work/deploy" || fail "deploy output"
[ "$(cfn describe-stacks --stack-name second --query "Stacks[0].Parameters[?ParameterKey=='Environment'].ParameterValue")" = "dev" ] || fail "deploy parameters"

# deploy again with one parameter changed: an UPDATE change set (Environment keeps its value), the
# security group's rules changed in place, then stack-update-complete.
cfn deploy --stack-name second --template-file "$template" --capabilities CAPABILITY_IAM --parameter-overrides AdminCidr=10.31.0.0/24 \
  > "$work/update" 2>&1 || fail "update deploy: $(cat "$work/update")"
grep -q "Successfully created/updated stack - second" "$work/update" || fail "update deploy output"
[ "$(cfn describe-stacks --stack-name second --query 'Stacks[0].StackStatus')" = "UPDATE_COMPLETE" ] || fail "update status"
[ "$(cfn describe-stacks --stack-name second --query "Stacks[0].Parameters[?ParameterKey=='Environment'].ParameterValue")" = "dev" ] || fail "previous value"
cfn describe-stack-events --stack-name second --query 'StackEvents[].[LogicalResourceId,ResourceStatus]' > "$work/update-events"
grep -q "$(printf 'NodeSecurityGroup\tUPDATE_COMPLETE')" "$work/update-events" || fail "in-place update event"
second_group=$(cfn describe-stack-resource --stack-name second --logical-resource-id NodeSecurityGroup --query StackResourceDetail.PhysicalResourceId)
aws --endpoint-url "$url" --output text ec2 describe-security-groups --group-ids "$second_group" \
  --query 'SecurityGroups[0].IpPermissions[].IpRanges[].CidrIp' > "$work/cidrs"
grep -q "10.31.0.0/24" "$work/cidrs" && ! grep -q "10.30.0.0/24" "$work/cidrs" || fail "rules after update: $(cat "$work/cidrs")"
# The same again: an empty change set, which deploy reports as AWS's does.
cfn deploy --stack-name second --template-file "$template" --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset \
  > "$work/empty" 2>&1 || fail "empty deploy: $(cat "$work/empty")"
grep -q "No changes to deploy. Stack second is up to date" "$work/empty" || fail "empty deploy output: $(cat "$work/empty")"
if cfn update-stack --stack-name second --use-previous-template --capabilities CAPABILITY_IAM \
     --parameters ParameterKey=Environment,UsePreviousValue=true ParameterKey=AdminCidr,UsePreviousValue=true 2> "$work/err"; then fail "empty update accepted"; fi
grep -q "(ValidationError).*No updates are to be performed." "$work/err" || fail "empty update: $(cat "$work/err")"
# A change set lists what it would change; update-stack with the previous template, and its waiter.
cfn create-change-set --stack-name second --change-set-name prod --use-previous-template --capabilities CAPABILITY_IAM \
  --parameters ParameterKey=Environment,ParameterValue=prod ParameterKey=AdminCidr,UsePreviousValue=true > /dev/null
cfn describe-change-set --stack-name second --change-set-name prod \
  --query 'Changes[].ResourceChange.[Action,LogicalResourceId,Replacement]' > "$work/changes"
grep -q "$(printf 'Modify\tLogBucket\t')" "$work/changes" || fail "change set: $(cat "$work/changes")"
cfn update-stack --stack-name second --use-previous-template --capabilities CAPABILITY_IAM \
  --parameters ParameterKey=Environment,UsePreviousValue=true ParameterKey=AdminCidr,ParameterValue=10.32.0.0/24 > /dev/null
advance 5m
cfn wait stack-update-complete --stack-name second || fail "update waiter"

# delete-stack; a stack whose export is imported cannot be deleted.
printf 'Resources:\n  Reader:\n    Type: AWS::S3::Bucket\n    Properties: {Tags: [{Key: reads, Value: !ImportValue odas-LogBucket}]}\n' > "$work/reader.yaml"
cfn create-stack --stack-name reader --template-body "file://$work/reader.yaml" > /dev/null
advance 5m
cfn delete-stack --stack-name odas
advance 5m
[ "$(cfn describe-stacks --stack-name odas --query 'Stacks[0].StackStatusReason')" = "Export odas-LogBucket cannot be deleted as it is in use by reader" ] || fail "export in use"
cfn delete-stack --stack-name reader
cfn delete-stack --stack-name second
advance 5m
cfn wait stack-delete-complete --stack-name second || fail "delete waiter"
if cfn describe-stacks --stack-name second 2> "$work/err"; then fail "deleted stack described"; fi
grep -q "Stack with id second does not exist" "$work/err" || fail "deleted: $(cat "$work/err")"
[ "$(cfn list-stacks --stack-status-filter DELETE_COMPLETE --query 'length(StackSummaries)')" = "2" ] || fail "list-stacks filter"
echo "cloudformation checks passed"
