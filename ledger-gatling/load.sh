#!/usr/bin/env bash
# Load test of the ledger's HTTP service with Gatling (ledger-gatling/src/test/java/.../LedgerSimulation.java).
#
#   ledger-gatling/load.sh [--base-url URL] [--users N] [--duration D]   open model: N users arrive over 10 s, each
#                                      opens an account, then balance (3/4) or transfer (1/4) with 1-3 s pauses
#                                      until D seconds after the start (1024 users ~ 512 requests/s)
#   ledger-gatling/load.sh [--base-url URL] --closed C [--duration D]    capacity: C users, no pauses, D seconds
#
# Options: --base-url (default http://127.0.0.1:8000), --users (256), --closed (off), --duration (60, seconds),
#          --heap (Gatling's -Xmx, default 1g), --verbose (show Maven's and Gatling's output as it runs).
# Environment: LOAD_MAVEN_ARGS, extra Maven arguments (e.g. -o to stay offline once the dependencies are cached).
#
# Prints one summary line, e.g.
#   users=1024 duration=120s rps=490.12 failed=0 | open account p50=5 p95=12 p99=30 | balance p50=... | transfer ...
# (rps: all requests over the whole run, the ramp included; p50/p95/p99 in ms, per request type) and writes it to
# summary.txt in the HTML report's folder, ledger-gatling/target/gatling/ledgersimulation-<timestamp>/ (with
# summary.json, the report's whole statistics table). Exits non-zero if Gatling does not run or no report comes out;
# failed requests are counted in the line, not turned into an exit code. Needs a JDK 17+, Maven 3.8+ and python3.
set -euo pipefail

base_url="http://127.0.0.1:8000"
users=256
closed=0
duration=60
heap=1g
verbose=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-url) base_url="${2:?--base-url needs a URL}"; shift ;;
    --users) users="${2:?--users needs a number}"; shift ;;
    --closed) closed="${2:?--closed needs a number}"; shift ;;
    --duration) duration="${2:?--duration needs a number of seconds}"; shift ;;
    --heap) heap="${2:?--heap needs a size, e.g. 1g}"; shift ;;
    --verbose) verbose=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
for pair in "users:$users" "closed:$closed" "duration:$duration"; do
  if ! [[ "${pair#*:}" =~ ^[0-9]+$ ]]; then
    echo "--${pair%%:*} needs a whole number, not '${pair#*:}'" >&2
    exit 2
  fi
done
if ! [[ "$base_url" =~ ^https?://[^/]+ ]]; then
  echo "--base-url needs an http:// or https:// URL, not '$base_url'" >&2
  exit 2
fi
if (( users < 1 || duration < 1 )); then
  echo "--users and --duration must be at least 1" >&2
  exit 2
fi

here="$(cd "$(dirname "$0")" && pwd)"
results="$here/target/gatling"
mkdir -p "$results"
log="$here/target/load.log"

if (( closed > 0 )); then
  what="closed=$closed duration=${duration}s"
else
  what="users=$users duration=${duration}s"
fi
echo "[load.sh] $what against $base_url (Maven and Gatling output: $log)"

# gatling:test compiles the simulation first (it runs the build up to test-compile); a plain build never runs it.
mvn_cmd=("$here/../mvnw" -B ${LOAD_MAVEN_ARGS:-} -f "$here/pom.xml" gatling:test
  "-Dledger.baseUrl=$base_url" "-Dledger.users=$users" "-Dledger.closed=$closed" "-Dledger.duration=$duration"
  "-Dledger.gatling.heap=$heap" "-Dgatling.runDescription=$what against $base_url")
status=0
if (( verbose )); then
  "${mvn_cmd[@]}" 2>&1 | tee "$log" || status=$?
else
  "${mvn_cmd[@]}" > "$log" 2>&1 || status=$?
fi
if (( status != 0 )); then
  if (( ! verbose )); then
    grep -E 'ERROR|Exception' "$log" | head -n 20 >&2 || tail -n 40 "$log" >&2
  fi
  echo "[load.sh] Gatling failed (exit $status); see $log" >&2
  exit 1
fi

# Gatling names the report it wrote on its last lines.
index="$(sed -n 's#^.*Reports generated, please open the following file: file://\(/.*/index\.html\).*$#\1#p' "$log" \
  | tail -n 1)"
if [[ -z "$index" || ! -f "$index" ]]; then
  echo "[load.sh] Gatling ran but wrote no report; see $log" >&2
  exit 1
fi
report="$(dirname "$index")"
python3 "$here/summarize.py" "$report" "$what"
echo "[load.sh] report: $index"
