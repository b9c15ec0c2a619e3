#!/usr/bin/env bash
# kubectl against `odas-sim serve scenarios/az-failure.yaml` (called from
# KubectlTests.swift): the ODAS services are Kubernetes workloads, and an AZ
# outage through the control endpoint takes their pods' nodes NotReady.
# Usage: kubectl_odas_checks.sh KUBECONFIG CONTROL_URL
set -euo pipefail
export KUBECONFIG=$1
control=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }

curl -sf -XPOST "$control/v1/clock" -d '{"advance": "1m"}' > /dev/null
expect "$(kubectl get deployments -n okera -o jsonpath='{.items[*].metadata.name}')" \
  "odas-canary odas-catalog odas-planner odas-rest-server odas-web-ui odas-worker" "ODAS Deployments"
expect "$(kubectl get statefulsets -n okera -o jsonpath='{.items[*].metadata.name}')" "odas-zookeeper" "ZooKeeper StatefulSet"
expect "$(kubectl get deployment odas-planner -n okera -o jsonpath='{.status.readyReplicas}')" "3" "planners ready"
expect "$(kubectl get service odas-planner -n okera -o jsonpath='{.spec.type} {.spec.ports[0].port}')" "LoadBalancer 12050" "planner Service"
expect "$(kubectl get service odas-worker -n okera -o jsonpath='{.spec.ports[0].port}')" "13050" "worker Service"
zones=$(kubectl get pods -n okera -l app=odas-planner -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sed 's/node-\(us-west-2.\).*/\1/' | sort -u | tr '\n' ' ')
expect "$zones" "us-west-2a us-west-2b us-west-2c " "planners spread over the three zones"

curl -sf -XPOST "$control/v1/faults" -d '{"action": "az-outage", "target": "us-west-2a"}' > /dev/null
curl -sf -XPOST "$control/v1/clock" -d '{"advance": "2m"}' > /dev/null
expect "$(kubectl get nodes node-us-west-2a-1 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" "Unknown" "lost zone's node NotReady"
curl -sf -XPOST "$control/v1/clock" -d '{"advance": "10m"}' > /dev/null
expect "$(kubectl get deployment odas-planner -n okera -o jsonpath='{.status.readyReplicas}')" "3" "planner replaced in a surviving zone"
echo "odas: ok"
