#!/usr/bin/env bash
# The main job: start the four machines of topology/local-4.yaml on this host,
# put a generated 1 GiB CSV file into the lake, show capacity and the file's
# blocks, read it back and compare digests, then stop the cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product yonke
yonke="$PWD/.build/release/yonke"
data="${YONKE_DEMO_DIR:-$PWD/.yonke-data/demo}"
size="${YONKE_DEMO_SIZE:-1GiB}"
"$yonke" cluster down --data "$data" >/dev/null 2>&1 || true
rm -rf "$data"
mkdir -p "$data"
trap '"$yonke" cluster down --data "$data" >/dev/null 2>&1 || true' EXIT

"$yonke" cluster up topology/local-4.yaml --data "$data" --detach
export YONKE_CLUSTER=127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403,127.0.0.1:7404
export YONKE_CREDENTIAL="$data/admin.credential"

"$yonke" sample "$data/random_data.csv" --size "$size"
"$yonke" put "$data/random_data.csv" lake://bronze/random_data/2026-11-27.csv --source demo
"$yonke" ls lake://bronze/ --long -r
"$yonke" capacity
"$yonke" stat lake://bronze/random_data/2026-11-27.csv
"$yonke" get lake://bronze/random_data/2026-11-27.csv "$data/copy.csv"
"$yonke" status

original=$(sha256sum < "$data/random_data.csv")
copy=$(sha256sum < "$data/copy.csv")
if [ "$original" != "$copy" ]; then
    echo "FAILED: the file read back differs from the one put" >&2
    exit 1
fi
echo "round trip OK: sha256 ${original%% *}"
rm -f "$data/copy.csv" "$data/random_data.csv"
