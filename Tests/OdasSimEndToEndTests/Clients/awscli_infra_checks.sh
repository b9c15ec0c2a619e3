#!/usr/bin/env bash
# aws CLI checks of the EC2, RDS and Auto Scaling Query APIs against
# `odas-sim serve scenarios/aws-az-failure.yaml` (called from ServeTests.swift).
# Usage: awscli_infra_checks.sh AWS_URL CONTROL_URL
set -euo pipefail
url=$1 control=$2
export AWS_ACCESS_KEY_ID=AKIAODASSIMDEVELOPER AWS_SECRET_ACCESS_KEY=odas-sim-dev-secret-key AWS_DEFAULT_REGION=us-west-2
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
aws() { command aws --endpoint-url "$url" --output text "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }

expect "$(aws ec2 describe-availability-zones --query 'AvailabilityZones[].ZoneName' | tr '\t' ' ')" "us-west-2a us-west-2b us-west-2c" "zones"
expect "$(aws ec2 describe-vpcs --query 'Vpcs[0].CidrBlock')" "10.20.0.0/16" "vpc"
expect "$(aws ec2 describe-subnets --query 'length(Subnets)')" "3" "subnets"
expect "$(aws ec2 describe-security-groups --query 'SecurityGroups[].GroupName' | tr '\t' ' ')" "emr odas-service" "security groups"
expect "$(aws ec2 describe-instances --query "Reservations[].Instances[] | [?Tags[0].Value=='odas-node-2a'].State.Name | [0]")" "running" "instance before"
expect "$(aws rds describe-db-instances --query 'DBInstances[0].[DBInstanceStatus,AvailabilityZone,MultiAZ]' | tr '\t' ' ')" "available us-west-2a True" "db before"
expect "$(aws autoscaling describe-auto-scaling-groups --query 'length(AutoScalingGroups)')" "0" "no groups in this scenario"
expect "$(aws rds reboot-db-instance --db-instance-identifier odas-catalog --force-failover --query 'DBInstance.DBInstanceStatus')" "failing-over" "forced failover"
curl -sf -XPOST "$control/v1/clock" -d '{"advance": "3m"}' > /dev/null
expect "$(aws rds describe-db-instances --query 'DBInstances[0].[DBInstanceStatus,AvailabilityZone]' | tr '\t' ' ')" "available us-west-2b" "forced failover done"
expect "$(aws rds reboot-db-instance --db-instance-identifier odas-catalog --force-failover --query 'DBInstance.DBInstanceStatus')" "failing-over" "fail back"
curl -sf -XPOST "$control/v1/clock" -d '{"advance": "3m"}' > /dev/null
expect "$(aws rds describe-db-instances --query 'DBInstances[0].AvailabilityZone')" "us-west-2a" "failed back"

# An AZ outage through the control endpoint is visible through the API.
curl -sf -XPOST "$control/v1/faults" -d '{"action": "az-outage", "target": "us-west-2a"}' > /dev/null
expect "$(aws ec2 describe-instances --query "Reservations[].Instances[] | [?Tags[0].Value=='odas-node-2a'].State.Name | [0]")" "stopped" "instance stopped with its AZ"
expect "$(aws ec2 describe-availability-zones --query "AvailabilityZones[?ZoneName=='us-west-2a'].State | [0]")" "impaired" "zone impaired"
expect "$(aws rds describe-db-instances --query 'DBInstances[0].DBInstanceStatus')" "failing-over" "failover started"
curl -sf -XPOST "$control/v1/clock" -d '{"advance": "3m"}' > /dev/null
expect "$(aws rds describe-db-instances --query 'DBInstances[0].[DBInstanceStatus,AvailabilityZone]' | tr '\t' ' ')" "available us-west-2b" "failed over"

# Errors in AWS's shape.
if aws rds describe-db-instances --db-instance-identifier nope 2> /tmp/odas-rds-err; then fail "unknown instance found"; fi
grep -q DBInstanceNotFound /tmp/odas-rds-err || fail "unknown instance: $(cat /tmp/odas-rds-err)"
if aws ec2 describe-instances --instance-ids i-00000000000000000 2> /tmp/odas-ec2-err; then fail "unknown instance id found"; fi
grep -q InvalidInstanceID.NotFound /tmp/odas-ec2-err || fail "unknown instance id: $(cat /tmp/odas-ec2-err)"

# RDS's event log records the failovers above; S3 shows the scenario's replication rule.
events=$(aws rds describe-events --source-identifier odas-catalog --duration 120 --query 'Events[].EventCategories[0]' | tr '\t' ' ')
case "$events" in *failover*) ;; *) fail "describe-events: expected failover events, got '$events'";; esac
expect "$(aws rds describe-events --source-identifier odas-catalog --query 'Events[0].SourceType')" "db-instance" "event source type"
expect "$(aws s3api get-bucket-replication --bucket okera-data --query 'ReplicationConfiguration.Rules[0].Destination.Bucket')" \
  "arn:aws:s3:::okera-data-us-east-1" "replication destination"
expect "$(aws s3api get-bucket-replication --bucket okera-data --query 'ReplicationConfiguration.Rules[0].Destination.ReplicationTime.Status')" \
  "Enabled" "replication time control"
if aws s3api get-bucket-replication --bucket okera-data-us-east-1 2> /tmp/odas-norep.$$; then fail "a replica without rules has a replication configuration"; fi
grep -q ReplicationConfigurationNotFoundError /tmp/odas-norep.$$ || fail "no replication: $(cat /tmp/odas-norep.$$)"
rm -f /tmp/odas-norep.$$
echo "infra checks passed"
