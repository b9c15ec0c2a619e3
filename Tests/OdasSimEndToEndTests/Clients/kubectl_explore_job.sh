#!/usr/bin/env bash
# deploy/explore-job.yaml with the real kubectl against `odas-sim serve`
# (called from ExploreCommandTests.swift). Usage: kubectl_explore_job.sh KUBECONFIG CONTROL_URL
set -euo pipefail
export KUBECONFIG=$1
control=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
k() { kubectl --cache-dir "$work/cache" --request-timeout=10s "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
contains() { grep -q -- "$2" <<< "$1" || fail "$3: '$2' not in: $1"; }
advance() { curl -sf -XPOST "$control/v1/clock" -d "{\"advance\": \"$1\"}" > /dev/null; }

# The shipped manifest as it is: the claim and the Indexed Job are accepted.
out=$(k apply -f deploy/explore-job.yaml)
contains "$out" "persistentvolumeclaim/odas-sim-explore-results created" "apply: claim"
contains "$out" "job.batch/odas-sim-explore created" "apply: job"
expect "$(k get job odas-sim-explore -o jsonpath='{.spec.completionMode}')" "Indexed" "completionMode kept"
advance 1s
# Four pods, one per completion index, each with its index as annotation, label, hostname and JOB_COMPLETION_INDEX.
expect "$(k get pods -l app.kubernetes.io/name=odas-sim-explore --no-headers | wc -l | tr -d ' ')" "4" "four pods"
indexes=$(k get pods -l app.kubernetes.io/name=odas-sim-explore -o jsonpath='{range .items[*]}{.metadata.annotations.batch\.kubernetes\.io/job-completion-index}{"\n"}{end}' | sort | tr '\n' ' ')
expect "$indexes" "0 1 2 3 " "completion indexes"
for i in 0 1 2 3; do
  pod=$(k get pods -l batch.kubernetes.io/job-completion-index=$i,app.kubernetes.io/name=odas-sim-explore -o jsonpath='{.items[0].metadata.name}')
  case "$pod" in odas-sim-explore-$i-*) ;; *) fail "pod name of index $i: $pod";; esac
  expect "$(k get pod "$pod" -o jsonpath='{.spec.hostname}')" "odas-sim-explore-$i" "hostname of index $i"
  expect "$(k get pod "$pod" -o jsonpath='{.spec.containers[0].env[?(@.name=="JOB_COMPLETION_INDEX")].value}')" "$i" "JOB_COMPLETION_INDEX of index $i"
done

# Without a shared volume's storage the pods wait (as on a cluster without ReadWriteMany storage);
# the same Job on an emptyDir runs each index to completion.
python3 - "$work/scratch.yaml" <<'PY'
import sys
text = open("deploy/explore-job.yaml").read().split("\n---\n")[1]
text = text.replace("name: odas-sim-explore\n", "name: explore-scratch\n", 1)
text = text.replace("persistentVolumeClaim:\n            claimName: odas-sim-explore-results", "emptyDir: {}")
assert "emptyDir" in text and "explore-scratch" in text
open(sys.argv[1], "w").write(text)
PY
contains "$(k apply -f "$work/scratch.yaml")" "job.batch/explore-scratch created" "apply: scratch job"
advance 3m
expect "$(k get job explore-scratch -o jsonpath='{.status.completedIndexes}')" "0-3" "completed indexes"
expect "$(k get job explore-scratch -o jsonpath='{.status.succeeded}')" "4" "succeeded"
expect "$(k get job explore-scratch -o jsonpath='{.status.conditions[?(@.type=="Complete")].status}')" "True" "complete"

# What the API server refuses of an Indexed Job.
cat > "$work/bad.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: no-completions}
spec:
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
YAML
if k apply -f "$work/bad.yaml" > "$work/out" 2>&1; then fail "an Indexed Job without completions was accepted"; fi
contains "$(cat "$work/out")" "spec.completions: Required value: when completion mode is Indexed" "completions required"
sed -i 's/completionMode: Indexed/completionMode: Sometimes/; s/  template:/  completions: 2\n  template:/' "$work/bad.yaml"
if k apply -f "$work/bad.yaml" > "$work/out" 2>&1; then fail "completionMode Sometimes was accepted"; fi
contains "$(cat "$work/out")" 'spec.completionMode: Unsupported value: "Sometimes"' "completionMode values"
echo "kubectl explore job checks passed"
