#!/usr/bin/env bash
# Load run of AuthZEN decisions against a real Tenantry in its own process:
# the server on one core (GOMAXPROCS=1, pinned to CPU 0), vegeta on
# another (CPU 1), 127.0.0.1 only, a fixed rate for a fixed time, then it
# stops. Prints vegeta's latency report and the server's CPU time per
# decision (from /proc, user + system).
#   scripts/load-decisions.sh [RATE] [SECONDS]     (default 1000 10)
#   PROFILE=/tmp/cpu.prof scripts/load-decisions.sh  (and a CPU profile)
set -euo pipefail
rate=${1:-1000}
secs=${2:-10}
addr=127.0.0.1:18181
base=http://$addr
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.26.10}
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$(dirname "$0")/.."
go build -o "$work/tenantry" ./cmd/tenantry
GOBIN="$work" go install github.com/tsenart/vegeta/v12@v12.13.0
GOMAXPROCS=1 taskset -c 0 "$work/tenantry" serve --demo --addr "$addr" --db "$work/t.db" ${PROFILE:+--debug-addr 127.0.0.1:18182} > "$work/out.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null 2>&1 && grep -q 'Demo data is ready' "$work/out.log" && break; sleep 0.2; done
password=$(sed -n 's/.*has the password  \([^ ]*\).*/\1/p' "$work/out.log")
curl -sf -c "$work/op" -H 'Content-Type: application/json' -d "{\"login\":\"operator\",\"password\":\"$password\"}" "$base/api/v1/session" >/dev/null
reg=$(curl -sf -b "$work/op" -H 'Content-Type: application/json' \
  -d '{"name":"loadgen","redirect_uris":["http://127.0.0.1:9/cb"]}' "$base/api/v1/relying-parties")
id=$(echo "$reg" | sed -n 's/.*"client_id":"\([^"]*\)".*/\1/p')
secret=$(echo "$reg" | sed -n 's/.*"client_secret":"\([^"]*\)".*/\1/p')
token=$(curl -sf -u "$id:$secret" -d grant_type=client_credentials "$base/oauth2/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
owner=$(curl -sf -c "$work/ow" -H 'Content-Type: application/json' -d "{\"login\":\"owner@demo.example\",\"password\":\"$password\"}" "$base/api/v1/session")
uid=$(echo "$owner" | sed -n 's/.*"user":{"id":"\([^"]*\)".*/\1/p')
org=$(echo "$owner" | sed -n 's/.*"org_id":"\([^"]*\)".*/\1/p')
body="{\"subject\":{\"type\":\"user\",\"id\":\"$uid\"},\"action\":{\"name\":\"users.see_all\"},\"resource\":{\"type\":\"organization\",\"id\":\"$org\"}}"
echo "$body" > "$work/body.json"
curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d @"$work/body.json" "$base/access/v1/evaluation"; echo
printf 'POST %s/access/v1/evaluation\nAuthorization: Bearer %s\nContent-Type: application/json\n@%s\n' "$base" "$token" "$work/body.json" > "$work/targets"
# Warm up, then measure.
taskset -c 1 "$work/vegeta" attack -targets "$work/targets" -rate 200 -duration 2s > /dev/null
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(cpu)
if [ -n "${PROFILE:-}" ]; then
  # PROFILE=FILE: a CPU profile of the server during the run.
  curl -s -o "$PROFILE" "http://127.0.0.1:18182/debug/pprof/profile?seconds=$((secs - 1))" &
  prof=$!
fi
taskset -c 1 "$work/vegeta" attack -targets "$work/targets" -rate "$rate" -duration "${secs}s" > "$work/results.bin"
after=$(cpu)
[ -z "${prof:-}" ] || wait "$prof"
"$work/vegeta" report -type=text < "$work/results.bin"
"$work/vegeta" report -type='hist[0,500us,1ms,2ms,5ms,10ms]' < "$work/results.bin"
ticks=$(getconf CLK_TCK)
echo "server CPU per decision: $(awk -v d="$((after - before))" -v t="$ticks" -v n="$((rate * secs))" 'BEGIN{printf "%.0f µs", d / t / n * 1e6}')  (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
