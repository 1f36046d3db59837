#!/usr/bin/env bash
# Installs the Python packages the Parquet interoperability tests read and
# write with (pyarrow, DuckDB, polars) and the S3 door's real clients (boto3,
# the AWS CLI), only when they are missing.
set -euo pipefail

if ! command -v python3 >/dev/null; then
    "$(dirname "$0")/ensure-deps.sh" python3 python3-pip python3-venv
fi
if python3 -c "import pyarrow, duckdb, polars, boto3, awscli" >/dev/null 2>&1; then
    exit 0
fi
python3 -m pip --version >/dev/null 2>&1 || "$(dirname "$0")/ensure-deps.sh" python3-pip
echo "installing python packages: pyarrow duckdb polars boto3 awscli" >&2
# Debian 12's python is externally managed (PEP 668); --break-system-packages
# is what pip asks for outside a venv, and is refused by older pips, hence the retry.
python3 -m pip install --quiet --disable-pip-version-check pyarrow duckdb polars boto3 awscli 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages pyarrow duckdb polars boto3 awscli
python3 -c "import pyarrow, duckdb, polars, boto3, awscli"
