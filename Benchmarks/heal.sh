#!/usr/bin/env bash
# Heal figures for the README: a local-4-like cluster (4 machines, 8 GiB disks,
# 64 MiB blocks) holds enough random bytes that one worker keeps ~2 GiB of
# replicas; the worker is killed (SIGKILL) and the script times how long the
# master takes to bring every block back to 3 live replicas on the survivors,
# and the rate it achieved against the configured per-machine limit.
#   SIZE=2730MiB  GRACE=5s  MBPS=100  PORT=7501  Benchmarks/heal.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product yonke >/dev/null
yonke="$PWD/.build/release/yonke"
size=${SIZE:-2730MiB}
grace=${GRACE:-5s}
mbps=${MBPS:-100}
port=${PORT:-7501}
mkdir -p "$PWD/.yonke-data"
work=$(mktemp -d "$PWD/.yonke-data/heal.XXXXXX")
data="$work/data"
trap '"$yonke" cluster down --data "$data" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
{
    printf 'cluster:\n  name: heal-bench\n  blockSize: 64MiB\n  replicationFactor: 3\n  healGrace: %s\n  rebalanceMbps: %s\nmachines:\n' "$grace" "$mbps"
    i=0
    for name in m1 m2 m3 w4; do
        roles="[voter, worker]"; [ "$name" = w4 ] && roles="[worker]"
        printf '  - name: %s\n    address: 127.0.0.1:%d\n    roles: %s\n    rack: desk\n    disks:\n      - path: disks/%s\n        capacity: 8GiB\n        class: hdd\n' \
            "$name" $((port + i)) "$roles" "$name"
        i=$((i + 1))
    done
} > "$work/topology.yaml"
"$yonke" cluster up "$work/topology.yaml" --data "$data" --detach >/dev/null
export YONKE_CLUSTER=127.0.0.1:$port,127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2))
export YONKE_CREDENTIAL="$data/admin.credential"
"$yonke" sample "$work/in.bin" --size "$size" --random >/dev/null
"$yonke" put "$work/in.bin" lake://bronze/heal.bin >/dev/null
rm -f "$work/in.bin"
field() { python3 -c "import json,sys; c=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
# Wait until the master has w4's usage from a report after the put.
sleep 6
lost=$("$yonke" capacity --json | field "[m for m in c['machines'] if m['name']=='w4'][0]['usedBytes']")
pid=$(awk '$1=="w4" {print $2}' "$data/cluster.pids")
start=$(date +%s.%N)
kill -9 "$pid"
first=""
seen_under=0
while true; do
    now=$(date +%s.%N)
    state=$("$yonke" capacity --json | field "(c['cluster']['underReplicated'], c['cluster']['missing'], sum(m['movingIn'] for m in c['machines']))")
    read -r under missing moving < <(echo "$state" | tr -d '(),')
    [ "$under" -gt 0 ] && seen_under=1
    if [ -z "$first" ] && [ "$moving" -gt 0 ]; then first=$now; fi
    if [ "$seen_under" = 1 ] && [ "$under" = 0 ] && [ "$missing" = 0 ]; then break; fi
    if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) - float(sys.argv[2]) > 900 else 1)" "$now" "$start"; then
        echo "not healed within 15 minutes" >&2; exit 1
    fi
    sleep 0.2
done
done=$(date +%s.%N)
python3 - "$lost" "$start" "${first:-$start}" "$done" "$grace" "$mbps" <<'PY'
import sys
lost, start, first, done = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
grace, limit = sys.argv[5], float(sys.argv[6])
copying = max(done - first, 1e-9)
aggregate = lost / 1e6 / copying
# Every copied byte leaves one survivor and enters another: 2 x bytes over 3 machines.
per_machine = 2 * lost / 3 / 1e6 / copying
print(f"w4 held {lost / 2**30:.2f} GiB of replicas; healed {done - start:.1f} s after the kill "
      f"(grace {grace} + detection: first copy after {first - start:.1f} s; copying {copying:.1f} s)")
print(f"aggregate {aggregate:.0f} MB/s; per machine (in + out) {per_machine:.0f} MB/s against a limit of {limit:.0f} MB/s "
      f"({per_machine / limit:.2f}x)")
PY
