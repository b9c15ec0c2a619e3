#!/usr/bin/env bash
# aws CLI checks of the Aurora calls against `odas-sim serve scenarios/aurora-global-region-failure.yaml`.
# Usage: awscli_aurora_checks.sh AWS_URL CONTROL_URL
set -euo pipefail
url=$1 control=$2
export AWS_ACCESS_KEY_ID=AKIAODASSIMDEVELOPER AWS_SECRET_ACCESS_KEY=odas-sim-dev-secret-key AWS_DEFAULT_REGION=us-west-2
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
aws() { command aws --endpoint-url "$url" --output text "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }

expect "$(aws rds describe-db-clusters --query 'DBClusters[0].[Status,Engine]' | tr '\t' ' ')" "available aurora-mysql" "cluster"
expect "$(aws rds describe-db-clusters --query 'length(DBClusters[0].DBClusterMembers[?IsClusterWriter==`true`])')" "1" "one writer"
expect "$(aws rds describe-db-clusters --query 'DBClusters[0].DBClusterMembers[?IsClusterWriter==`true`].DBInstanceIdentifier | [0]')" "odas-catalog-us-west-2a" "writer in 2a"
expect "$(aws rds describe-global-clusters --query 'length(GlobalClusters[0].GlobalClusterMembers)')" "2" "global members"
expect "$(aws rds failover-db-cluster --db-cluster-identifier odas-catalog --query 'DBCluster.Status')" "failing-over" "failover"
curl -sf -XPOST "$control/v1/clock" -d '{"advance": "2m"}' > /dev/null
expect "$(aws rds describe-db-clusters --query 'DBClusters[0].DBClusterMembers[?IsClusterWriter==`true`].DBInstanceIdentifier | [0]')" "odas-catalog-us-west-2b" "writer moved"
if aws rds failover-db-cluster --db-cluster-identifier nope 2> /tmp/odas-aurora-err; then fail "unknown cluster"; fi
grep -q DBClusterNotFoundFault /tmp/odas-aurora-err || fail "unknown cluster: $(cat /tmp/odas-aurora-err)"
echo "aurora: ok"
