#!/usr/bin/env bash
# curl against the ODAS REST API of `odas-sim serve scenarios/az-failure.yaml`
# (called from ODASRestTests.swift): datasets and a masked, filtered scan as
# alice, refusals, bad requests, and a scan that fails over when an AZ is lost.
# Usage: curl_odas_rest_checks.sh ODAS_URL CONTROL_URL
set -euo pipefail
odas=$1
control=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
alice=(-H "Authorization: Bearer odas-dev-alice")

curl -sf -XPOST "$control/v1/clock" -d '{"advance": "1m"}' > /dev/null
list=$(curl -sf "${alice[@]}" "$odas/api/datasets")
expect "$(echo "$list" | field '[x["name"] for x in d["datasets"]]')" "['sales.transactions']" "alice's datasets"
expect "$(echo "$list" | field '[c.get("mask") for c in d["datasets"][0]["columns"] if c["name"] == "ssn"]')" "['hash']" "ssn is listed as hashed"

scan=$(curl -sf "${alice[@]}" "$odas/api/scan/sales.transactions?records=5")
expect "$(echo "$scan" | field 'len(d["records"])')" "5" "records=5"
expect "$(echo "$scan" | field 'all(len(r["ssn"]) == 64 and all(ch in "0123456789abcdef" for ch in r["ssn"]) for r in d["records"])')" "True" "ssn values are SHA-256 hex"
expect "$(echo "$scan" | field 'all(r["amount"] < 7500 for r in d["records"])')" "True" "the row filter amount < 7500 holds"
expect "$(echo "$scan" | field 'd["rowsReturned"] < d["rowsRead"] and d["truncated"]')" "True" "filtered rows, truncated to records"
expect "$(echo "$scan" | field 'd["servedBy"].startswith("odas-rest-server-")')" "True" "the hops are named"

expect "$(status -H 'Authorization: Bearer odas-dev-mallory' "$odas/api/scan/sales.transactions")" "403" "mallory has no grant"
expect "$(status "$odas/api/datasets")" "401" "no token"
expect "$(status -H 'Authorization: Bearer not-a-token' "$odas/api/datasets")" "401" "unknown token"
expect "$(status "${alice[@]}" "$odas/api/scan/sales.transactions?records=0")" "400" "records out of range"
expect "$(status "${alice[@]}" -XPOST "$odas/api/datasets")" "405" "POST"
expect "$(status "${alice[@]}" "$odas/api/nope")" "404" "unknown path"
expect "$(curl -s "${alice[@]}" "$odas/api/scan/sales.nope" | field 'd["code"]')" "AccessDenied" "an unknown dataset is refused by the planner"

# Lose us-west-2a: requests may fail (naming the hop) until the lost zone's
# endpoints are dropped and the planners refresh; then scans work again.
curl -sf -XPOST "$control/v1/faults" -d '{"action": "az-outage", "target": "us-west-2a"}' > /dev/null
during=$(curl -s "${alice[@]}" "$odas/api/scan/sales.transactions?records=1")
echo "$during" | field '"records" in d or ("rest-server" in d["error"] and d["code"] in ("Timeout", "CatalogUnavailable", "Unavailable", "ConnectionRefused"))' | grep -q True \
  || fail "a scan during the outage either works or names its hop: $during"
curl -sf -XPOST "$control/v1/clock" -d '{"advance": "10m"}' > /dev/null
after=$(curl -sf "${alice[@]}" "$odas/api/scan/sales.transactions?records=1")
expect "$(echo "$after" | field '"node-us-west-2a" not in d["servedBy"] and len(d["records"]) == 1')" "True" "scans work again after the outage"
echo "odas rest: ok"
