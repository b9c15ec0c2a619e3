#!/usr/bin/env bash
# kubectl 1.32 against `odas-sim serve scenarios/local-dev.yaml --kubeconfig F`
# (called from KubectlTests.swift). Usage: kubectl_checks.sh KUBECONFIG CONTROL_URL
set -euo pipefail
# No `head` in pipelines: a reader that stops early kills kubectl with SIGPIPE, which pipefail reports.
export KUBECONFIG=$1
control=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
k() { kubectl --cache-dir "$work/cache" --request-timeout=10s "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
contains() { grep -q -- "$2" <<< "$1" || fail "$3: '$2' not in: $1"; }
advance() { curl -sf -XPOST "$control/v1/clock" -d "{\"advance\": \"$1\"}" > /dev/null; }
must_fail() {
  local fragment=$1; shift
  if "$@" > "$work/out" 2>&1; then fail "expected an error from: $*"; fi
  grep -q -- "$fragment" "$work/out" || fail "expected '$fragment' from: $* — got: $(cat "$work/out")"
}

# --- discovery and reads -----------------------------------------------------------
contains "$(k version)" "Server Version: v1.32" "version"
contains "$(k api-resources)" "deployments" "api-resources"
expect "$(k get nodes --no-headers | wc -l | tr -d ' ')" "6" "six nodes"
contains "$(k get nodes -o wide)" "INTERNAL-IP" "wide columns"
expect "$(k get nodes -l topology.kubernetes.io/zone=us-west-2b -o name | tr '\n' ' ')" "node/node-us-west-2b-1 node/node-us-west-2b-2 " "label selector"

# --- a Deployment spread over three zones -------------------------------------------
cat > "$work/planner.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: planner, labels: {app: planner}}
spec:
  replicas: 3
  selector: {matchLabels: {app: planner}}
  template:
    metadata: {labels: {app: planner}}
    spec:
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: planner}}}
      containers:
        - {name: planner, image: okera/odas-planner:2.19, ports: [{containerPort: 12050}], resources: {requests: {cpu: "1"}}}
---
apiVersion: v1
kind: Service
metadata: {name: planner}
spec: {selector: {app: planner}, ports: [{port: 12050}]}
EOF
contains "$(k apply -f "$work/planner.yaml")" "deployment.apps/planner created" "apply"
advance 10s
k rollout status deployment/planner --timeout=20s > /dev/null
zones=$(k get pods -l app=planner -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sed 's/node-\(us-west-2[a-c]\)-.*/\1/' | sort -u | tr '\n' ' ')
expect "$zones" "us-west-2a us-west-2b us-west-2c " "one replica per zone"
expect "$(k get pods -l app=planner --no-headers | grep -c Running)" "3" "running"
contains "$(k get pods -A -o wide)" "NOMINATED NODE" "pods -A -o wide"
contains "$(k get deploy planner -o yaml)" "readyReplicas: 3" "-o yaml"
expect "$(k get deploy planner -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"]["availableReplicas"])')" "3" "-o json"
contains "$(k describe deployment planner)" "Replicas:" "describe deployment"
pod=$(k get pods -l app=planner -o name | sed -n 1p | cut -d/ -f2)
contains "$(k describe pod "$pod")" "Successfully assigned" "describe pod shows its events"
contains "$(k get events)" "ScalingReplicaSet" "events"
contains "$(k apply -f "$work/planner.yaml")" "unchanged" "re-apply"
contains "$(k apply --server-side -f "$work/planner.yaml")" "serverside-applied" "server-side apply"
must_fail "not simulated" k logs "$pod"

# --- a watch sees new pods ------------------------------------------------------------
(timeout 8 kubectl --cache-dir "$work/cache" get pods -l app=planner -w > "$work/watch" 2>&1 || true) &
watcher=$!
sleep 2
k scale deployment planner --replicas=4 > /dev/null
advance 5s
wait $watcher
[ "$(grep -c planner- "$work/watch")" -gt 3 ] || fail "the watch saw no new pod: $(cat "$work/watch")"
k scale deployment planner --replicas=3 > /dev/null
advance 5s

# --- cordon, drain ----------------------------------------------------------------------
contains "$(k cordon node-us-west-2c-2)" "cordoned" "cordon"
contains "$(k get node node-us-west-2c-2)" "SchedulingDisabled" "cordoned status"
contains "$(k uncordon node-us-west-2c-2)" "uncordoned" "uncordon"
drained=$(k get pods -l app=planner -o wide --no-headers | awk '{print $7}' | grep us-west-2c | sed -n 1p)
contains "$(k drain "$drained" --ignore-daemonsets --timeout=30s 2>&1)" "drained" "drain"
advance 5s
[ -z "$(k get pods -l app=planner -o wide --no-headers | awk -v n="$drained" '$7 == n && $3 == "Running"')" ] || fail "drained node still runs a pod"
k uncordon "$drained" > /dev/null

# --- an AZ outage ---------------------------------------------------------------------------
before=$(k get pods -l app=planner -o wide --no-headers | awk '$7 ~ /us-west-2a/ {print $1}')
[ -n "$before" ] || fail "no replica in us-west-2a"
curl -sf -XPOST "$control/v1/faults" -d '{"action": "az-outage", "target": "us-west-2a"}' > /dev/null
advance 30s
expect "$(k get nodes --no-headers | grep -c NotReady)" "0" "nodes stay Ready within the 50 s grace period"
advance 30s
expect "$(k get nodes --no-headers | grep us-west-2a | grep -c NotReady)" "2" "nodes NotReady after the grace period"
contains "$(k describe node node-us-west-2a-1)" "node.kubernetes.io/unreachable:NoExecute" "unreachable taint"
advance 4m
expect "$(k get pods -l app=planner --no-headers | grep -c Terminating)" "0" "not evicted before the 300 s toleration"
advance 2m
contains "$(k get pod "$before" --no-headers)" "Terminating" "evicted after grace + toleration"
advance 10s
running=$(k get pods -l app=planner -o wide --no-headers | awk '$3 == "Running" {print $7}')
expect "$(wc -l <<< "$running" | tr -d ' ')" "3" "three replicas running again"
grep -q us-west-2a <<< "$running" && fail "a replica runs in the lost zone: $running"
k get pods -o wide

# --- kubectl's generators send protobuf -----------------------------------------------------
contains "$(k create namespace team-a)" "namespace/team-a created" "create namespace"
contains "$(k create deployment web --image=nginx:1.27 --replicas=2 --port=80 -n team-a)" "deployment.apps/web created" "create deployment"
contains "$(k create service clusterip web --tcp=80:8080 -n team-a)" "service/web created" "create service"
contains "$(k create configmap cfg --from-literal=mode=ha -n team-a)" "configmap/cfg created" "create configmap"
contains "$(k create secret generic s --from-literal=password=x -n team-a)" "secret/s created" "create secret"
advance 5s
expect "$(k get deploy web -n team-a -o jsonpath='{.status.readyReplicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}')" "2 nginx:1.27 80" "generated deployment"
expect "$(k get svc web -n team-a -o jsonpath='{.spec.ports[0].port}->{.spec.ports[0].targetPort}')" "80->8080" "generated service"
expect "$(k get cm cfg -n team-a -o jsonpath='{.data.mode}')" "ha" "generated configmap"
contains "$(k delete namespace team-a)" "deleted" "delete namespace"

# --- bad manifests get the apiserver's Status ------------------------------------------------
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: Bad_Name}\nspec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}\n' > "$work/bad1.yaml"
must_fail 'is invalid: metadata.name: Invalid value: "Bad_Name"' k apply -f "$work/bad1.yaml"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nosel}\nspec: {template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}\n' > "$work/bad2.yaml"
must_fail "spec.selector: Required value" k apply -f "$work/bad2.yaml"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: wrongtype}\nspec: {replicas: "three", selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}\n' > "$work/bad3.yaml"
must_fail "BadRequest" k apply -f "$work/bad3.yaml"
printf 'apiVersion: apps/v1\nkind: Deploymint\nmetadata: {name: x}\n' > "$work/bad4.yaml"
must_fail 'no matches for kind "Deploymint"' k apply -f "$work/bad4.yaml"
must_fail "NotFound" k get deployment nothing-here
expect "$(k get deployments --no-headers | wc -l | tr -d ' ')" "1" "bad manifests change nothing"

# --- events sorted by time: kubectl asks for Table rows with whole objects (includeObject=Object) ---
sorted=$(k get events -A --sort-by=.lastTimestamp --no-headers | wc -l | tr -d ' ')
[ "$sorted" -gt 0 ] || fail "get events --sort-by=.lastTimestamp listed nothing"
contains "$(k get events -A --sort-by=.lastTimestamp -o custom-columns=T:.lastTimestamp --no-headers | head -1)" "Z" "events carry lastTimestamp"

# --- delete waits for the objects to go -------------------------------------------------------
contains "$(k delete -f "$work/planner.yaml")" "deleted" "delete"
expect "$(k get deployments --no-headers 2>/dev/null | wc -l | tr -d ' ')" "0" "deleted"
echo "kubectl checks passed"
