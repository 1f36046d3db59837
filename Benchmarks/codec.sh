#!/usr/bin/env bash
# Codec figures for the README: ratios against raw C, then peak RSS of pack and
# unpack on 2 GiB files (CSV rows and random bytes), measured with /usr/bin/time -v.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh time
swift build -c release --product yonke-bench
swift build -c release --product yonke
.build/release/yonke-bench --rounds "${ROUNDS:-5}"
# OpenSSL's own figure for its AES-256-GCM on this CPU, to check the EVP calls above reach it.
echo "openssl speed, 1 MiB buffers, one core:"
openssl speed -elapsed -seconds 2 -bytes 1048576 -evp aes-256-gcm 2>/dev/null | tail -1
openssl speed -elapsed -seconds 2 -bytes 1048576 -evp chacha20-poly1305 2>/dev/null | tail -1
work=$(mktemp -d "${TMPDIR:-/tmp}/yonke-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
yonke=.build/release/yonke
for kind in csv random; do
    flag=""; [ "$kind" = random ] && flag="--random"
    "$yonke" sample "$work/in.$kind" --size 2GiB $flag >/dev/null
    for step in pack unpack; do
        if [ "$step" = pack ]; then args=(pack "$work/in.$kind" "$work/vault.$kind"); else args=(unpack "$work/vault.$kind" "$work/out.$kind"); fi
        /usr/bin/time -v "$yonke" "${args[@]}" --json >"$work/report" 2>"$work/time"
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
        speed=$(sed -E 's/.*"megabytesPerSecond":([0-9.]+).*/\1/' "$work/report")
        printf '%-6s 2 GiB %-6s peak RSS %4d MiB  %6.0f MB/s\n' "$kind" "$step" $((rss / 1024)) "$speed"
    done
    cmp "$work/in.$kind" "$work/out.$kind"
    rm -rf "$work/in.$kind" "$work/out.$kind" "$work/vault.$kind"
done
