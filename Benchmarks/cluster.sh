#!/usr/bin/env bash
# Cluster figures for the README: put and get of a 1 GiB file (CSV rows, then
# random bytes) on topology/local-4.yaml, each next to the limits measured in
# the same run on the same disk:
#   write limit: the same bytes written three times, one after another, with fsync (dd)
#   read limit:  one cold read of the file (page cache dropped when permitted)
# and the nodes' peak RSS (VmHWM) after the puts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh bc
swift build -c release --product yonke >/dev/null
yonke="$PWD/.build/release/yonke"
mkdir -p "$PWD/.yonke-data"
work=$(mktemp -d "$PWD/.yonke-data/bench.XXXXXX")
data="$work/data"
trap '"$yonke" cluster down --data "$data" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$yonke" cluster up topology/local-4.yaml --data "$data" --detach >/dev/null
export YONKE_CLUSTER=127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403,127.0.0.1:7404
export YONKE_SECRETS="$data/cluster.secrets"
size=${SIZE:-1GiB}
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
rate() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1e6 / float(sys.argv[2]):.0f}')" "$1" "$2"; }
for kind in csv random; do
    flag=""; [ "$kind" = random ] && flag="--random"
    "$yonke" sample "$work/in.$kind" --size "$size" $flag >/dev/null
    bytes=$(stat -c %s "$work/in.$kind")
    start=$(date +%s.%N)
    for i in 1 2 3; do dd if="$work/in.$kind" of="$work/dd.$i" bs=4M conv=fsync status=none; done
    write_limit=$(rate $((bytes)) "$(echo "$(date +%s.%N) - $start" | bc)")
    rm -f "$work"/dd.*
    drop_caches
    start=$(date +%s.%N)
    dd if="$work/in.$kind" of=/dev/null bs=4M status=none
    read_limit=$(rate "$bytes" "$(echo "$(date +%s.%N) - $start" | bc)")
    put=$("$yonke" put "$work/in.$kind" "lake://bronze/bench.$kind" --json | python3 -c "import json,sys; print(round(json.load(sys.stdin)['megabytesPerSecond']))")
    drop_caches
    get=$("$yonke" get "lake://bronze/bench.$kind" "$work/out.$kind" --json | python3 -c "import json,sys; print(round(json.load(sys.stdin)['megabytesPerSecond']))")
    cmp "$work/in.$kind" "$work/out.$kind"
    echo "$kind: put $put MB/s vs 3x fsync'd write $write_limit MB/s = $(python3 -c "print(f'{$put/$write_limit:.2f}')")x; get $get MB/s vs one cold read $read_limit MB/s = $(python3 -c "print(f'{$get/$read_limit:.2f}')")x"
    rm -f "$work/in.$kind" "$work/out.$kind"
done
while read -r name pid; do
    echo "$name peak RSS $(awk '/VmHWM/ {print int($2/1024)}' /proc/$pid/status) MiB"
done < "$data/cluster.pids"
