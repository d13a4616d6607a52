#!/usr/bin/env bash
# The ledger's benchmark suite: builds what it needs, runs JMH against PostgreSQL (embedded by default) and the
# in-memory store, and writes the report.
#
#   ledger-jmh/bench.sh --quick   all workloads, short iterations (~10 min on 2 cores); regenerates
#                                 docs/benchmarks.md and docs/benchmarks-throughput.png
#   ledger-jmh/bench.sh --full    longer iterations (an hour or so on 2 cores); regenerates the same files
#   ledger-jmh/bench.sh --smoke   CI: one 1-second iteration of each benchmark, 10k-transfer history instead of
#                                 1M; checks that summary.json has every key; report under target/ only
#   ledger-jmh/bench.sh --citus   the ledger distributed on a running Citus cluster against the same ledger on the
#                                 coordinator alone, in one run (~7 min on 2 cores, after the build): uniform (10k
#                                 accounts; 1, 4, 16 threads; at 16 also uncoalesced) and hot (Zipf 1.0, 2.0; 16
#                                 threads) throughput, one caller's latency on one worker and across two; regenerates
#                                 docs/benchmarks-citus.md
#   ledger-jmh/bench.sh --citus --smoke   the same trials, one 2-second iteration each, 2k uniform accounts, in one
#                                 JVM (~1 min); checks summary.json; report under target/ only
#
# Options:
#   --jdbc-url URL   use an existing server instead of the embedded one, e.g.
#                    'jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres&password=...'
#                    (the user must be allowed to create databases: each trial gets a new one, dropped after it)
#   --citus-url URL  with --citus: the Citus coordinator (default
#                    'jdbc:postgresql://localhost:9700/postgres?user=postgres'); at least 2 workers, the same user and
#                    database on every node. Each trial creates a schema bench_<...> there and drops it; leftover
#                    bench_% schemas are dropped at the start and the end. CPU per node is read from /proc, so only
#                    for servers on this machine. Through JAVA_TOOL_OPTIONS: -Dledger.bench.citus.shardCount
#                    (default 32), -Dledger.bench.citus.accounts (uniform; default 10000),
#                    -Dledger.bench.citus.summarizer=false (the balance summariser, both targets; default on).
#   --only REGEX     run only the groups or benchmarks matching REGEX (for development; the report then has gaps)
#   --skip-build     use the benchmarks.jar already built
#
# Outputs in ledger-jmh/target/benchmarks/ (--citus: ledger-jmh/target/benchmarks-citus/): jmh-result.json (JMH's
# JSON), side/*.json, run.json, summary.json, run.log. Needs a JDK 17+ and Maven 3.8+ on PATH; nothing else (the
# embedded PostgreSQL comes from Maven; --citus needs the cluster).
set -euo pipefail

mode=""
jdbc_url=""
citus=0
citus_url="jdbc:postgresql://localhost:9700/postgres?user=postgres"
only=""
build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) mode=quick ;;
    --full) mode=full ;;
    --smoke) mode=smoke ;;
    --citus) citus=1 ;;
    --jdbc-url) jdbc_url="${2:?--jdbc-url needs a URL}"; shift ;;
    --citus-url) citus_url="${2:?--citus-url needs a URL}"; shift ;;
    --only) only="${2:?--only needs a regex}"; shift ;;
    --skip-build) build=0 ;;
    -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ $citus -eq 1 ]]; then
  if [[ -n "$mode" && "$mode" != smoke ]] || [[ -n "$jdbc_url" ]]; then
    echo "--citus goes alone or with --smoke, and takes --citus-url instead of --jdbc-url (try --help)" >&2
    exit 2
  fi
  mode=$([[ "$mode" == smoke ]] && echo citus-smoke || echo citus)
fi
if [[ -z "$mode" ]]; then
  echo "give one of --quick, --full, --smoke or --citus (try --help)" >&2
  exit 2
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
start=$(date +%s)
java_cmd="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if [[ $build -eq 1 ]]; then
  echo "[bench.sh] building: ./mvnw -B -q package -pl ledger-jmh -am -DskipTests"
  ./mvnw -B -q package -pl ledger-jmh -am -DskipTests
fi
jar="ledger-jmh/target/benchmarks.jar"
[[ -f "$jar" ]] || { echo "[bench.sh] $jar is missing" >&2; exit 1; }

# run_suite CLASS WHAT FAILED: empties $out, runs the runner CLASS with run_args (and --only) logging to
# $out/run.log, and stops the script when it fails. WHAT and FAILED name the run in the messages.
run_suite() {
  local main_class="$1" what="$2" failed="$3"
  rm -rf "$out"
  mkdir -p "$out"
  [[ -n "$only" ]] && run_args+=(--only "$only")
  echo "[bench.sh] running $what (log: $out/run.log)"
  if ! "$java_cmd" -Xmx2g -Djava.awt.headless=true -cp "$jar" "$main_class" "${run_args[@]}" 2>&1 \
      | tee "$out/run.log"; then
    echo "[bench.sh] $failed failed; see $out/run.log" >&2
    exit 1
  fi
}

if [[ $citus -eq 1 ]]; then
  out="ledger-jmh/target/benchmarks-citus"
  run_args=(--mode "$mode" --out "$out" --jdbc-url "$citus_url")
  run_suite dev.ledger.jmh.CitusRun "the $mode suite against the Citus coordinator" "the Citus run"
  report_args=(--in "$out")
  if [[ "$mode" == citus-smoke ]]; then
    # The smoke never touches docs/: its report stays under target/.
    report_args+=(--command "ledger-jmh/bench.sh --citus --smoke" --markdown "$out/smoke-report.md" --check)
  else
    report_args+=(--command "ledger-jmh/bench.sh --citus" --markdown docs/benchmarks-citus.md)
  fi
  "$java_cmd" -cp "$jar" dev.ledger.jmh.report.CitusReport "${report_args[@]}"
  echo "[bench.sh] $mode run finished in $(( $(date +%s) - start )) s"
  exit 0
fi

out="ledger-jmh/target/benchmarks"
run_args=(--mode "$mode" --out "$out")
[[ -n "$jdbc_url" ]] && run_args+=(--jdbc-url "$jdbc_url")
run_suite dev.ledger.jmh.BenchRun "the $mode suite" "the benchmark run"

report_args=(--in "$out" --command "ledger-jmh/bench.sh --$mode")
if [[ "$mode" == smoke ]]; then
  # The smoke never touches docs/: its report stays under target/.
  report_args+=(--markdown "$out/smoke-report.md" --chart "$out/smoke-throughput.png" --check)
else
  report_args+=(--markdown docs/benchmarks.md --chart docs/benchmarks-throughput.png)
fi
"$java_cmd" -Djava.awt.headless=true -cp "$jar" dev.ledger.jmh.report.Report "${report_args[@]}"

if [[ "$mode" == smoke ]]; then
  missing=0
  for key in transfer_tps_16t raw_insert_tps_16t ratio_transfer_vs_raw_16t hot_tps_zipf1 locking_tps_zipf1 \
      ratio_hot_vs_locking_zipf1 deadlocks_ledger deadlocks_locking balance_p99_ms_1k balance_p99_ms_1m \
      seed_sum_balance_p99_ms_1m inmemory_tps_2t; do
    if ! grep -Eq "\"$key\": *-?[0-9]" "$out/summary.json"; then
      echo "[bench.sh] summary.json has no number for $key" >&2
      missing=1
    fi
  done
  [[ $missing -eq 0 ]] || exit 1
  echo "[bench.sh] smoke: summary.json has every key"
fi
echo "[bench.sh] $mode run finished in $(( $(date +%s) - start )) s"
