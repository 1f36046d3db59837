#!/usr/bin/env bash
# Every test: unit tests, simulator seeds and real-process CLI tests, in one `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh iproute2 postgresql   # ip netns for the real-partition tests; a private PostgreSQL for ingest
scripts/ensure-python.sh          # pyarrow, DuckDB, polars for the Parquet interop tests
swift build --build-tests
# Serial: several suites start real clusters whose timing bounds mean little
# when they starve each other (and the simulators) on 2 cores.
swift test --skip-build --no-parallel
