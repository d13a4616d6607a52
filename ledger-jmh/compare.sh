#!/usr/bin/env bash
# Before/after: runs one benchmark group of the --quick suite on an earlier commit and on the working tree,
# alternating (base, new, base, new, ...) so that both see the same machine over the same stretch of time, and
# prints each benchmark's throughput with its ratio to the baselines measured in the same run.
#
#   ledger-jmh/compare.sh BASE_REV [--group REGEX] [--rounds N]
#
#   BASE_REV        the commit to compare against (e.g. main~3, a tag, a hash)
#   --group REGEX   the BenchRun groups to run (default '^throughput$': TransferBenchmark's ledger, rawInsert,
#                   locking and seed at 1, 4, 16 and 32 threads; '^hot$' for the hot accounts)
#   --rounds N      how many times to alternate (default 2)
#
# Writes ledger-jmh/target/compare/{base,new}-<round>/ (JMH JSON and logs) and compare.txt. Run it alone on the
# machine: it reports how busy the machine was (load average, other JVMs) beside the figures.
set -euo pipefail

base_rev="${1:?usage: ledger-jmh/compare.sh BASE_REV [--group REGEX] [--rounds N]}"
shift
group='^throughput$'
rounds=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --group) group="${2:?--group needs a regex}"; shift ;;
    --rounds) rounds="${2:?--rounds needs a number}"; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/ledger-jmh/target/compare"
java_cmd="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jars="$(mktemp -d)"

echo "[compare] building the working tree's benchmarks"
(cd "$root" && "$root/mvnw" -B -q clean package -pl ledger-jmh -am -DskipTests)
cp "$root/ledger-jmh/target/benchmarks.jar" "$jars/new.jar"

echo "[compare] building $base_rev's benchmarks in a temporary worktree"
tree="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || true' EXIT
git -C "$root" worktree add --detach "$tree" "$base_rev" >/dev/null
(cd "$tree" && "$root/mvnw" -B -q clean package -pl ledger-jmh -am -DskipTests)
cp "$tree/ledger-jmh/target/benchmarks.jar" "$jars/base.jar"
rm -rf "$out"
mkdir -p "$out"
mv "$jars/new.jar" "$jars/base.jar" "$out/"
rmdir "$jars"

( while true; do
    echo "$(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg) jvms $(pgrep -c java || true)" >> "$out/load.log"
    sleep 15
  done ) &
sampler=$!
trap 'kill $sampler 2>/dev/null || true; git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || true' EXIT

for ((r = 1; r <= rounds; r++)); do
  for v in base new; do
    dir="$out/$v-$r"
    mkdir -p "$dir"
    echo "[compare] round $r: $v"
    "$java_cmd" -Xmx2g -Djava.awt.headless=true -cp "$out/$v.jar" dev.ledger.jmh.BenchRun --mode quick \
      --out "$dir" --only "$group" > "$dir/run.log" 2>&1
  done
done

python3 - "$out" "$base_rev" <<'EOF' | tee "$out/compare.txt"
import glob, json, os, statistics, sys
out, base_rev = sys.argv[1], sys.argv[2]

def load(pattern):
    runs = []
    for d in sorted(glob.glob(os.path.join(out, pattern))):
        scores = {}
        for f in glob.glob(os.path.join(d, "jmh-*-t*.json")):
            try:
                data = json.load(open(f))
            except ValueError:
                continue
            for r in data:
                name = ".".join(r["benchmark"].split(".")[-2:])
                key = (name, r["threads"], r.get("params", {}).get("s", ""))
                scores[key] = r["primaryMetric"]["score"]
        runs.append(scores)
    return runs

base, new = load("base-*"), load("new-*")
keys = sorted(set().union(*base, *new))
def med(runs, k):
    values = [r[k] for r in runs if k in r]
    return statistics.median(values) if values else None

print(f"before: {base_rev}; after: the working tree; median of {len(base)} alternating run(s) each (ops/s)")
print(f"{'benchmark':34} {'threads':>7} {'s':>4} {'before':>10} {'after':>10} {'after/before':>12}")
for k in keys:
    b, n = med(base, k), med(new, k)
    ratio = "" if not b or n is None else f"{n / b:.3f}"
    print(f"{k[0]:34} {k[1]:>7} {k[2]:>4} {b or 0:10.1f} {n or 0:10.1f} {ratio:>12}")
print()
print("ledger ÷ baseline of the same run (median over runs), before -> after:")
for k in keys:
    if not k[0].endswith(".ledger"):
        continue
    for baseline in ("rawInsert", "locking"):
        bk = (k[0].rsplit(".", 1)[0] + "." + baseline, k[1], k[2])
        def ratio(runs):
            values = [r[k] / r[bk] for r in runs if k in r and bk in r and r[bk]]
            return statistics.median(values) if values else None
        rb, rn = ratio(base), ratio(new)
        if rb and rn:
            print(f"  {k[0]:32} {k[1]:>3} threads {k[2]:>4} vs {baseline:9}: {rb:.3f} -> {rn:.3f}"
                  f"  ({(rn / rb - 1) * 100:+.0f}%)")
EOF
echo "[compare] machine load while running (also in $out/load.log):"
awk '{print "  " $0}' "$out/load.log" | sed -n '1~8p'
