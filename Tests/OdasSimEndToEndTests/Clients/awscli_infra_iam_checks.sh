#!/usr/bin/env bash
# IAM on every infrastructure API of `odas-sim serve Tests/…/infra-iam.yaml`
# (called from ServeIAMTests.swift): per service, a call the operator's
# policy allows succeeds and the S3-only user is refused in the service's
# own error shape; an explicit deny wins over an allow.
# Usage: awscli_infra_iam_checks.sh AWS_URL WORK_DIR
set -euo pipefail
url=$1 work=$2
export AWS_DEFAULT_REGION=us-west-2 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
fail() { echo "FAIL: $*" >&2; exit 1; }
as_operator() { AWS_ACCESS_KEY_ID=AKIAODASSIMOPERATOR0 AWS_SECRET_ACCESS_KEY=odas-sim-operator-key command aws --endpoint-url "$url" --output text "$@"; }
as_s3only() { AWS_ACCESS_KEY_ID=AKIAODASSIMS3ONLY000 AWS_SECRET_ACCESS_KEY=odas-sim-s3only-key command aws --endpoint-url "$url" --output text "$@"; }
# refused CODE ACTION -- aws args…: the call fails with CODE and names ACTION.
refused() {
  local code=$1 action=$2; shift 3
  if as_s3only "$@" > "$work/out" 2> "$work/err"; then fail "s3only was allowed: $*"; fi
  grep -q "($code)" "$work/err" || fail "$*: expected $code, got: $(cat "$work/err")"
  grep -q "is not authorized to perform: $action" "$work/err" || fail "$*: message does not name $action: $(cat "$work/err")"
  grep -q "user/s3only" "$work/err" || fail "$*: message does not name the caller: $(cat "$work/err")"
}

# EC2 (Query, EC2 error shape)
[ "$(as_operator ec2 describe-availability-zones --query 'length(AvailabilityZones)')" = "3" ] || fail "operator ec2"
refused UnauthorizedOperation ec2:DescribeAvailabilityZones -- ec2 describe-availability-zones
# RDS (Query): the S3-only user cannot force a failover
[ "$(as_operator rds describe-db-instances --query 'DBInstances[0].DBInstanceIdentifier')" = "odas-catalog" ] || fail "operator rds describe"
refused AccessDenied rds:RebootDBInstance -- rds reboot-db-instance --db-instance-identifier odas-catalog --force-failover
refused AccessDenied rds:DescribeDBInstances -- rds describe-db-instances
[ "$(as_operator rds describe-db-instances --query 'DBInstances[0].DBInstanceStatus')" = "available" ] || fail "the refused reboot changed nothing"
[ "$(as_operator rds reboot-db-instance --db-instance-identifier odas-catalog --force-failover --query 'DBInstance.DBInstanceStatus')" = "failing-over" ] || fail "operator reboot"
# Auto Scaling (Query)
[ "$(as_operator autoscaling describe-auto-scaling-groups --query 'length(AutoScalingGroups)')" = "1" ] || fail "operator autoscaling"
refused AccessDenied autoscaling:DescribeAutoScalingGroups -- autoscaling describe-auto-scaling-groups
# Route 53 (REST-XML); the operator's explicit deny on changes wins
zone=$(as_operator route53 list-hosted-zones --query 'HostedZones[0].Id')
[ -n "$zone" ] || fail "operator route53"
refused AccessDenied route53:ListHostedZones -- route53 list-hosted-zones
batch='{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"x.odas.example.com","Type":"A","TTL":60,"ResourceRecords":[{"Value":"10.0.0.1"}]}}]}'
if as_operator route53 change-resource-record-sets --hosted-zone-id "${zone##*/}" --change-batch "$batch" 2> "$work/err"; then fail "explicit deny ignored"; fi
grep -q "(AccessDenied)" "$work/err" && grep -q "explicit deny" "$work/err" || fail "explicit deny: $(cat "$work/err")"
# EKS (REST-JSON)
[ "$(as_operator eks describe-cluster --name odas --query 'cluster.name')" = "odas" ] || fail "operator eks"
refused AccessDeniedException eks:DescribeCluster -- eks describe-cluster --name odas
refused AccessDeniedException eks:ListNodegroups -- eks list-nodegroups --cluster-name odas
# S3 still works for the S3-only user
as_s3only s3 ls s3://okera-data/ > /dev/null || fail "s3only s3 ls"
echo "infra IAM checks passed"
