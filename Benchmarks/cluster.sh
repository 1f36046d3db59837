#!/usr/bin/env bash
# Cluster figures for the README: put and get of a 1 GiB file (CSV rows, then
# random bytes) on topology/local-4.yaml, each next to the limits measured in
# the same run on the same disk:
#   write limit: the same bytes written three times, one after another, with fsync (dd)
#   read limit:  one cold read of the file (page cache dropped when permitted)
#   decode limit: the codec's chosen primitives straight from C on two cores
#                 (`yonke-bench --decode-limit`: AEAD open, LZ4 decompress, keyed
#                 BLAKE3), the most a client that verifies every byte can reach here
# get is held against min(cold read, decode limit).
# Each limit is the median of three measurements (this VM's disk swings a lot).
# `get` is timed twice: into a local file (written and fsynced, as a user
# would) and to stdout into /dev/null (the read path alone).
# Ends with the nodes' peak RSS (VmHWM).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh bc
source Benchmarks/lib.sh
swift build -c release --product yonke-bench >/dev/null
bench="$PWD/.build/release/yonke-bench"
start_local4 bench
size=${SIZE:-1GiB}
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
rate() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1e6 / float(sys.argv[2]):.0f}')" "$1" "$2"; }
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
seconds_of() { local start; start=$(date +%s.%N); "$@"; echo "$(date +%s.%N) - $start" | bc; }
# Raft term as the cluster reports it: a change during put/get is an election nothing asked for.
term() { "$yonke" status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['term'])"; }
for kind in csv random; do
    flag=""; [ "$kind" = random ] && flag="--random"
    "$yonke" sample "$work/in.$kind" --size "$size" $flag >/dev/null
    bytes=$(stat -c %s "$work/in.$kind")
    write_three() { for i in 1 2 3; do dd if="$work/in.$kind" of="$work/dd.$i" bs=4M conv=fsync status=none; done; rm -f "$work"/dd.*; }
    cold_read() { drop_caches; dd if="$work/in.$kind" of=/dev/null bs=4M status=none; }
    writes=(); reads=()
    for trial in 1 2 3; do
        writes+=("$(rate "$bytes" "$(seconds_of write_three)")")
        reads+=("$(rate "$bytes" "$(seconds_of cold_read)")")
    done
    write_limit=$(median "${writes[@]}")
    read_limit=$(median "${reads[@]}")
    decode_limit=$("$bench" --decode-limit "$kind" --rounds 3)
    get_limit=$(( read_limit < decode_limit ? read_limit : decode_limit ))
    term_before=$(term)
    put=$("$yonke" put "$work/in.$kind" "lake://bronze/bench.$kind" --json | python3 -c "import json,sys; print(round(json.load(sys.stdin)['megabytesPerSecond']))")
    drop_caches
    get=$("$yonke" get "lake://bronze/bench.$kind" "$work/out.$kind" --json | python3 -c "import json,sys; print(round(json.load(sys.stdin)['megabytesPerSecond']))")
    cmp "$work/in.$kind" "$work/out.$kind"
    drop_caches
    get_null=$(rate "$bytes" "$(seconds_of sh -c "\"$yonke\" get lake://bronze/bench.$kind - > /dev/null")")
    term_after=$(term)
    ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
    echo "$kind: term changes during put and get: $((term_after - term_before)) (term $term_before -> $term_after)"
    echo "$kind: put $put MB/s vs 3x fsync'd write $write_limit MB/s (runs: ${writes[*]}) = $(ratio "$put" "$write_limit")x"
    echo "$kind: get to a file $get MB/s, to /dev/null $get_null MB/s vs min(one cold read $read_limit MB/s (runs: ${reads[*]}), 2-core raw decode $decode_limit MB/s) = $get_limit MB/s: $(ratio "$get" "$get_limit")x / $(ratio "$get_null" "$get_limit")x (target >= 0.8x)"
    rm -f "$work/in.$kind" "$work/out.$kind"
done
while read -r name pid; do
    echo "$name peak RSS $(awk '/VmHWM/ {print int($2/1024)}' /proc/$pid/status) MiB"
done < "$data/cluster.pids"
