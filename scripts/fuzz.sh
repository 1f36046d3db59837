#!/usr/bin/env bash
# Runs every decoder fuzz target longer than the test suite does, with fresh seeds.
#   scripts/fuzz.sh [SECONDS_PER_TARGET=60]
# Each target runs rounds of YONKE_FUZZ_ITERATIONS mutants per seed, each round with a
# new YONKE_FUZZ_SEED, until its time is up. A crash stops the script: the seed is printed,
# and the input it crashed on is in $YONKE_FUZZ_DUMP/last-<target>.bin (add it to
# Tests/FuzzTests/Corpus/<target>/ as hex once fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
export YONKE_FUZZ_ITERATIONS="${YONKE_FUZZ_ITERATIONS:-5000}"
export YONKE_FUZZ_DUMP="${YONKE_FUZZ_DUMP:-$(mktemp -d /tmp/yonke-fuzz.XXXXXX)}"
swift build --build-tests >/dev/null
tests=$(swift test list --skip-build 2>/dev/null | grep '^FuzzTests\.')
for test in $tests; do
    filter=$(printf '%s' "$test" | sed 's/[()]/\\&/g')
    end=$(( $(date +%s) + seconds ))
    rounds=0
    while [ "$(date +%s)" -lt "$end" ]; do
        export YONKE_FUZZ_SEED=$(( (RANDOM << 30) ^ (RANDOM << 15) ^ RANDOM ))
        if ! swift test --skip-build --filter "$filter" >/tmp/yonke-fuzz-run.log 2>&1; then
            echo "CRASH in $test with YONKE_FUZZ_SEED=$YONKE_FUZZ_SEED YONKE_FUZZ_ITERATIONS=$YONKE_FUZZ_ITERATIONS"
            echo "inputs: $YONKE_FUZZ_DUMP (newest last-*.bin); log: /tmp/yonke-fuzz-run.log"
            exit 1
        fi
        if ! grep -q "Test run with 1 test" /tmp/yonke-fuzz-run.log; then
            echo "$test: the filter ran no test (see /tmp/yonke-fuzz-run.log)"
            exit 1
        fi
        rounds=$((rounds + 1))
    done
    echo "$test: $rounds rounds of $YONKE_FUZZ_ITERATIONS mutants per seed, no crash"
done
