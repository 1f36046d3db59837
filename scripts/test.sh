#!/usr/bin/env bash
# Every test: unit tests, simulator seeds and real-process CLI tests, in one `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build
