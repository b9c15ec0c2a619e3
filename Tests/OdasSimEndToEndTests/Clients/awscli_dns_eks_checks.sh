#!/usr/bin/env bash
# aws CLI checks of the Route 53 and EKS APIs against `odas-sim serve`
# (called from ServeTests.swift). Usage: awscli_dns_eks_checks.sh DNS_AWS_URL DNS_CONTROL_URL EKS_AWS_URL
set -euo pipefail
dns=$1 control=$2 eks=$3
export AWS_ACCESS_KEY_ID=AKIAODASSIMDEVELOPER AWS_SECRET_ACCESS_KEY=odas-sim-dev-secret-key AWS_DEFAULT_REGION=us-west-2
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
r53() { command aws --endpoint-url "$dns" --output text route53 "$@"; }

zone=$(r53 list-hosted-zones --query 'HostedZones[0].Id')
expect "$(r53 list-hosted-zones --query 'HostedZones[0].Name')" "odas.example.com." "zone"
expect "$(r53 list-resource-record-sets --hosted-zone-id "$zone" --query 'ResourceRecordSets[].Failover' | tr '\t' ' ')" "PRIMARY SECONDARY" "records"
batch='{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"web.odas.example.com","Type":"A","TTL":30,"ResourceRecords":[{"Value":"planner-2b"}]}}]}'
expect "$(r53 change-resource-record-sets --hosted-zone-id "$zone" --change-batch "$batch" --query 'ChangeInfo.Status')" "INSYNC" "create"
if r53 change-resource-record-sets --hosted-zone-id "$zone" --change-batch "$batch" 2> /tmp/odas-r53-err; then fail "duplicate CREATE accepted"; fi
grep -q InvalidChangeBatch /tmp/odas-r53-err || fail "duplicate create: $(cat /tmp/odas-r53-err)"
if r53 change-resource-record-sets --hosted-zone-id "$zone" --change-batch '{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"x.elsewhere.com","Type":"A","TTL":30,"ResourceRecords":[{"Value":"a"}]}}]}' 2> /tmp/odas-r53-err; then
  fail "out-of-zone record accepted"
fi
grep -q "not permitted in zone" /tmp/odas-r53-err || fail "out of zone: $(cat /tmp/odas-r53-err)"
expect "$(r53 list-resource-record-sets --hosted-zone-id "$zone" --query 'length(ResourceRecordSets)')" "3" "failed batches change nothing"
expect "$(r53 get-health-check-status --health-check-id planner-2a-health --query 'length(HealthCheckObservations[?starts_with(StatusReport.Status, `Success`)])')" "3" "healthy"

# An AZ outage: the checkers see the endpoint fail within their threshold.
curl -sf -XPOST "$control/v1/faults" -d '{"action": "az-outage", "target": "us-west-2a"}' > /dev/null
curl -sf -XPOST "$control/v1/clock" -d '{"advance": "3m"}' > /dev/null
expect "$(r53 get-health-check-status --health-check-id planner-2a-health --query 'length(HealthCheckObservations[?starts_with(StatusReport.Status, `Failure`)])')" "3" "failing checks"

ek() { command aws --endpoint-url "$eks" --output text eks "$@"; }
expect "$(ek describe-cluster --name odas --query 'cluster.status')" "ACTIVE" "cluster"
expect "$(ek list-nodegroups --cluster-name odas --query 'nodegroups[0]')" "odas-nodes" "node groups"
if ek describe-cluster --name nope 2> /tmp/odas-eks-err; then fail "unknown cluster found"; fi
grep -q ResourceNotFoundException /tmp/odas-eks-err || fail "unknown cluster: $(cat /tmp/odas-eks-err)"
expect "$(command aws --endpoint-url "$eks" --output text autoscaling describe-auto-scaling-groups --query 'AutoScalingGroups[0].[DesiredCapacity,length(Instances)]' | tr '\t' ' ')" "6 6" "node group capacity"
echo "dns and eks: ok"
