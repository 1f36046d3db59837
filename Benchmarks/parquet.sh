#!/usr/bin/env bash
# Parquet write figures for the README: yonke's writer next to pyarrow's
# pq.write_table on the same rows, codec and row group size, in one run.
#   Benchmarks/parquet.sh [millions of rows, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
scripts/ensure-python.sh
swift build -c release --product yonke-parquet-bench
.build/release/yonke-parquet-bench --rows "${1:-5}" --rounds "${ROUNDS:-3}"
