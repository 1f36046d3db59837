#!/usr/bin/env bash
# The main job, for now: generate a 1 GiB CSV file, pack it into encrypted,
# compressed blocks, unpack it, check the bytes match and print the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product yonke
yonke=.build/release/yonke
work="${YONKE_DEMO_DIR:-./.yonke-data/demo}"
rm -rf "$work"
mkdir -p "$work"
"$yonke" sample "$work/random_data.csv" --size "${YONKE_DEMO_SIZE:-1GiB}"
"$yonke" pack "$work/random_data.csv" "$work/vault" | tail -n 1
"$yonke" unpack "$work/vault" "$work/copy.csv"
original=$(sha256sum < "$work/random_data.csv")
copy=$(sha256sum < "$work/copy.csv")
if [ "$original" != "$copy" ]; then
    echo "FAILED: the unpacked file differs from the original" >&2
    exit 1
fi
echo "round trip OK: sha256 ${original%% *}"
echo "blocks on disk: $(find "$work/vault/store/blocks" -type f | wc -l), $(du -sh "$work/vault/store" | cut -f1) for $(du -sh "$work/random_data.csv" | cut -f1) of CSV"
rm -f "$work/copy.csv"
