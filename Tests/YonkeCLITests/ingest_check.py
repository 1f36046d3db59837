#!/usr/bin/env python3
"""Checks bronze against the source for Tests/YonkeCLITests/IngestTests.swift.

  ingest_check.py DIR EXPECTED.csv [COLUMNS]

DIR holds every Parquet file a job wrote (fetched with `yonke get`); EXPECTED.csv is the
source table (`COPY … TO STDOUT WITH CSV HEADER`). Both pyarrow and DuckDB must read every
committed row exactly once: same count, no duplicate id, same ids and same values. Files of
older schema versions (without a later column) must still read (union by name, nulls there).
Prints a JSON summary; exits non-zero naming what differs.
"""
import csv
import glob
import json
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq


def main():
    folder, expected_path = sys.argv[1], sys.argv[2]
    with open(expected_path, newline="") as f:
        expected = {int(row["id"]): row for row in csv.DictReader(f)}
    files = sorted(glob.glob(folder + "/*.parquet"))
    problems = []

    tables = [pq.read_table(path) for path in files]
    table = pa.concat_tables(tables, promote_options="default") if tables else None
    arrow_rows = table.to_pylist() if table is not None else []
    arrow_ids = [row["id"] for row in arrow_rows]
    if len(arrow_ids) != len(set(arrow_ids)):
        problems.append(f"pyarrow: {len(arrow_ids) - len(set(arrow_ids))} duplicate ids")
    if set(arrow_ids) != set(expected):
        missing = sorted(set(expected) - set(arrow_ids))[:10]
        extra = sorted(set(arrow_ids) - set(expected))[:10]
        problems.append(f"pyarrow: ids differ, missing {missing}, extra {extra}")
    for row in arrow_rows:
        source = expected.get(row["id"])
        if source is None:
            continue
        if row["valor"] != (source["valor"] or None):
            problems.append(f"id {row['id']}: valor {row['valor']!r} != {source['valor']!r}")
            break
        fecha = row["fecha"].isoformat(sep=" ") if row["fecha"] is not None else ""
        if fecha != source["fecha"] and fecha.rstrip("0").rstrip(".") != source["fecha"].rstrip("0").rstrip("."):
            problems.append(f"id {row['id']}: fecha {fecha} != {source['fecha']}")
            break

    con = duckdb.connect()
    if files:
        count, distinct = con.execute(
            "SELECT count(*), count(DISTINCT id) FROM read_parquet(?, union_by_name = true)", [files]).fetchone()
        ids = {r[0] for r in con.execute("SELECT id FROM read_parquet(?, union_by_name = true)", [files]).fetchall()}
    else:
        count, distinct, ids = 0, 0, set()
    if count != len(expected) or distinct != len(expected) or ids != set(expected):
        problems.append(f"duckdb: {count} rows, {distinct} distinct ids, expected {len(expected)}")

    columns = sorted(table.column_names) if table is not None else []
    print(json.dumps({"files": len(files), "arrowRows": len(arrow_rows), "duckdbRows": count,
                      "expectedRows": len(expected), "columns": columns, "problems": problems}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
