#!/usr/bin/env bash
# Elastic Load Balancing on `odas-sim serve scenarios/local-dev.yaml`, judged
# by the real aws CLI (called from CloudFormationServeTests.swift): a stack
# makes a network load balancer, a target group and a listener; elbv2
# describe-load-balancers, describe-target-groups, describe-listeners and
# describe-target-health show them as AWS does (the target initial, then
# healthy on virtual time), register-targets refuses what is not an
# instance, deregister-targets drains, and unknown names get AWS's errors.
# Usage: awscli_elbv2_checks.sh AWS_URL CONTROL_URL WORK_DIR
set -euo pipefail
url=$1 control=$2 work=$3
export AWS_DEFAULT_REGION=us-west-2 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_ACCESS_KEY_ID=AKIAODASSIMDEVELOPER AWS_SECRET_ACCESS_KEY=odas-sim-dev-secret-key
template=Tests/OdasSimEndToEndTests/Clients/templates/web-load-balancer.yaml
fail() { echo "FAIL: $*" >&2; exit 1; }
cfn() { aws --endpoint-url "$url" --output text cloudformation "$@"; }
elb() { aws --endpoint-url "$url" --output text elbv2 "$@"; }
advance() { curl -sf -XPOST "$control/v1/clock" -d "{\"advance\": \"$1\"}" > /dev/null; }
output() { cfn describe-stacks --stack-name web --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue"; }

cfn create-stack --stack-name web --template-body "file://$template" > /dev/null
advance 10m
cfn wait stack-create-complete --stack-name web || fail "stack"
balancer=$(output BalancerArn) group=$(output TargetGroupArn) web=$(output WebInstance)

# The load balancer: network, internal, active, a node with an address in each subnet's zone.
[ "$(elb describe-load-balancers --load-balancer-arns "$balancer" --query 'LoadBalancers[0].[Type,Scheme,State.Code]')" = "$(printf 'network\tinternal\tactive')" ] \
  || fail "load balancer: $(elb describe-load-balancers --load-balancer-arns "$balancer")"
[ "$(elb describe-load-balancers --load-balancer-arns "$balancer" --query 'length(LoadBalancers[0].AvailabilityZones)')" = "2" ] || fail "zones"
elb describe-load-balancers --load-balancer-arns "$balancer" --query 'LoadBalancers[0].AvailabilityZones[].LoadBalancerAddresses[0].PrivateIPv4Address' > "$work/addresses"
grep -q "10.90.0." "$work/addresses" && grep -q "10.90.1." "$work/addresses" || fail "node addresses: $(cat "$work/addresses")"
dns=$(elb describe-load-balancers --load-balancer-arns "$balancer" --query 'LoadBalancers[0].DNSName')
case "$dns" in web-balancer-*.elb.us-west-2.amazonaws.com) ;; *) fail "dns name $dns" ;; esac
[ "$(elb describe-load-balancers --load-balancer-arns "$balancer" --query 'LoadBalancers[0].VpcId')" = "$(cfn describe-stack-resource --stack-name web --logical-resource-id Vpc --query StackResourceDetail.PhysicalResourceId)" ] || fail "vpc"

# Its target group and listener.
[ "$(elb describe-target-groups --load-balancer-arn "$balancer" --query 'TargetGroups[0].[Protocol,Port,HealthCheckIntervalSeconds,HealthyThresholdCount]')" = "$(printf 'TCP\t80\t10\t3')" ] \
  || fail "target group: $(elb describe-target-groups --load-balancer-arn "$balancer")"
[ "$(elb describe-listeners --load-balancer-arn "$balancer" --query 'Listeners[0].[Port,Protocol,DefaultActions[0].Type,DefaultActions[0].TargetGroupArn]')" = "$(printf '80\tTCP\tforward\t%s' "$group")" ] \
  || fail "listener: $(elb describe-listeners --load-balancer-arn "$balancer")"

# Health: the instance answers its checks, so it is healthy after three of them.
[ "$(elb describe-target-health --target-group-arn "$group" --query 'TargetHealthDescriptions[0].[Target.Id,TargetHealth.State]')" = "$(printf '%s\thealthy' "$web")" ] \
  || fail "health: $(elb describe-target-health --target-group-arn "$group")"

# Registering what is not an instance is refused; deregistering drains.
if elb register-targets --target-group-arn "$group" --targets Id=i-0000000000000dead 2> "$work/err"; then fail "bogus target registered"; fi
grep -q "(InvalidTarget).*i-0000000000000dead" "$work/err" || fail "register: $(cat "$work/err")"
elb deregister-targets --target-group-arn "$group" --targets Id="$web"
[ "$(elb describe-target-health --target-group-arn "$group" --query 'TargetHealthDescriptions[0].TargetHealth.[State,Reason]')" = "$(printf 'draining\tTarget.DeregistrationInProgress')" ] \
  || fail "draining: $(elb describe-target-health --target-group-arn "$group")"
elb register-targets --target-group-arn "$group" --targets Id="$web"
[ "$(elb describe-target-health --target-group-arn "$group" --query 'TargetHealthDescriptions[0].TargetHealth.[State,Reason]')" = "$(printf 'initial\tElb.RegistrationInProgress')" ] \
  || fail "registered again: $(elb describe-target-health --target-group-arn "$group")"

# Unknown names get AWS's errors.
if elb describe-load-balancers --names nope 2> "$work/err"; then fail "unknown load balancer described"; fi
grep -q "(LoadBalancerNotFound)" "$work/err" || fail "not found: $(cat "$work/err")"
if elb describe-target-health --target-group-arn "${group%/*}/0000000000000000" 2> "$work/err"; then fail "unknown target group described"; fi
grep -q "(TargetGroupNotFound)" "$work/err" || fail "target group not found: $(cat "$work/err")"
cfn delete-stack --stack-name web
advance 5m
cfn wait stack-delete-complete --stack-name web || fail "delete"
[ "$(elb describe-load-balancers --query 'length(LoadBalancers)')" = "0" ] || fail "load balancer left behind"
echo "elbv2 checks passed"
