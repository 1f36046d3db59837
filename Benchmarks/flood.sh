#!/usr/bin/env bash
# Outsiders holding connections open, without any credential, against every
# node of topology/local-4.yaml: p50/p99 latency of small puts and gets by a
# real client (`yonke put` / `yonke get` of a 4 KiB file, one process per
# operation, so each one connects and handshakes through the flood), first
# with no flood and then with PER_NODE (default 10,000) connections held
# against every node, half idle and half trickling a plausible hello at one
# byte a second, from SOURCES (default 200) loopback addresses, each reopened
# REOPEN_MS (default 500) after the node drops it. Benchmarks/flood_load.py
# holds them, one process per node (10,000 descriptors each). Prints the
# ratio flood/quiet of each p99 (target <= 2x), what the flood held while
# the client ran, and the nodes' peak RSS.
#   Benchmarks/flood.sh                     # OPS=100 PER_NODE=10000
#   OPS=50 PER_NODE=2000 Benchmarks/flood.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
start_local4 flood
ops=${OPS:-100}
per_node=${PER_NODE:-10000}
sources=${SOURCES:-200}
reopen_ms=${REOPEN_MS:-500}
head -c 4096 /dev/urandom > "$work/small.bin"

# OPS puts then gets of small files; prints "p50 p99" of each, in ms.
measure() {
    python3 - "$yonke" "$work/small.bin" "$1" "$ops" <<'PY'
import subprocess, sys, time
yonke, source, label, ops = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def timed(args):
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000
puts = [timed([yonke, "put", source, f"lake://bronze/flood/{label}-{i}.bin"]) for i in range(ops)]
gets = [timed([yonke, "get", f"lake://bronze/flood/{label}-{i}.bin", "-"]) for i in range(ops)]
def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]
print(f"{pct(puts, .5):.1f} {pct(puts, .99):.1f} {pct(gets, .5):.1f} {pct(gets, .99):.1f}")
PY
}

"$yonke" put "$work/small.bin" lake://bronze/flood/warm.bin >/dev/null
measure warm >/dev/null
read -r quiet_put50 quiet_put99 quiet_get50 quiet_get99 < <(measure quiet)

pids=()
for port in "${ports[@]}"; do
    python3 Benchmarks/flood_load.py --targets "127.0.0.1:$port" --per-target "$per_node" --mode mixed \
        --sources "$sources" --reopen-ms "$reopen_ms" > "$work/flood.$port.jsonl" 2>"$work/flood.$port.err" &
    pids+=($!)
done
on_exit='kill ${pids[*]} 2>/dev/null || true'
# Until every process holds 90% of its share (or 90 s).
open_now() { tail -n 1 "$work/flood.$1.jsonl" 2>/dev/null | python3 -c "import json,sys; print(json.loads(sys.stdin.read() or '{\"open\": 0}')['open'])"; }
for _ in $(seq 1 90); do
    ready=1
    for port in "${ports[@]}"; do
        [ "$(open_now $port)" -ge $((per_node * 9 / 10)) ] || ready=0
    done
    [ $ready = 1 ] && break
    sleep 1
done
before=$(for port in "${ports[@]}"; do wc -l < "$work/flood.$port.jsonl"; done)
read -r flood_put50 flood_put99 flood_get50 flood_get99 < <(measure flood)
kill "${pids[@]}" 2>/dev/null || true
wait "${pids[@]}" 2>/dev/null || true

echo "small put/get p50/p99 in ms, quiet vs $per_node connections held against each of 4 nodes (half idle, half 1 byte/s; $sources sources):"
python3 - "$quiet_put50" "$quiet_put99" "$flood_put50" "$flood_put99" "$quiet_get50" "$quiet_get99" "$flood_get50" "$flood_get99" <<'PY'
import sys
qp50, qp99, fp50, fp99, qg50, qg99, fg50, fg99 = map(float, sys.argv[1:])
print(f"put: quiet p50 {qp50:.1f} p99 {qp99:.1f}; flood p50 {fp50:.1f} p99 {fp99:.1f}; p99 ratio {fp99 / qp99:.2f}x (target <= 2x)")
print(f"get: quiet p50 {qg50:.1f} p99 {qg99:.1f}; flood p50 {fg50:.1f} p99 {fg99:.1f}; p99 ratio {fg99 / qg99:.2f}x (target <= 2x)")
PY
# What the flood held while the client ran: the open connections it reported, per node.
i=0
for port in "${ports[@]}"; do
    skip=$(echo "$before" | sed -n "$((i + 1))p"); i=$((i + 1))
    tail -n +"$skip" "$work/flood.$port.jsonl" | python3 -c "
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
opens = sorted(r['open'] for r in rows) or [0]
last = rows[-1] if rows else {}
print(f'node :$port: held {opens[0]}..{opens[-1]} (median {opens[len(opens)//2]}) while measuring; '
      f'{last.get(\"dropped\", 0)} dropped by the node in all, median life {last.get(\"medianLifetimeSeconds\")} s, '
      f'{last.get(\"errors\", 0)} connect errors')"
done
while read -r name pid; do
    echo "$name peak RSS $(awk '/VmHWM/ {print int($2/1024)}' /proc/$pid/status) MiB"
done < "$data/cluster.pids"
