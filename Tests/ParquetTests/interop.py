#!/usr/bin/env python3
"""Parquet interoperability checks for Tests/ParquetTests/InteropTests.swift.

  interop.py check DIR   read every file listed in DIR/expected.json with pyarrow,
                         DuckDB and polars; compare rows, values and types.
  interop.py write DIR   write files with pyarrow (LZ4_RAW, dictionary, data page
                         v2, nulls, and one SNAPPY file) plus DIR/expected.json.

Values are compared in one canonical text form per type (see canonical()):
integers, days since 1970 for dates, microseconds for times and timestamps,
decimal text at the column's scale, lowercase hex for binary and UUID.
Exits non-zero, naming every mismatch, if anything differs or a library is missing.
"""
import datetime as dt
import decimal
import json
import os
import sys
import uuid

decimal.getcontext().prec = 100   # DECIMAL(38) and beyond quantize exactly

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

EPOCH = dt.datetime(1970, 1, 1)
EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def micros(delta):
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def canonical(value, kind):
    """One value as the Swift test writes it (None for null)."""
    if value is None:
        return None
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("int32", "int64"):
        return str(int(value))
    if kind in ("float", "double"):
        return repr(float(value))
    if kind in ("string", "json"):
        return value if isinstance(value, str) else bytes(value).decode()
    if kind == "date":
        return str((value - dt.date(1970, 1, 1)).days)
    if kind == "time":
        return str(((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond)
    if kind in ("timestamp", "timestamptz"):
        if value.tzinfo is not None:
            return str(micros(value - EPOCH_UTC))
        return str(micros(value - EPOCH))
    if kind.startswith("decimal"):
        scale = int(kind.split(",")[1].rstrip(")"))
        q = decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-scale)) if scale else decimal.Decimal(value)
        text = format(q, "f")
        return "0" if text in ("-0",) else text
    if kind == "uuid":
        if isinstance(value, uuid.UUID):
            return value.bytes.hex()
        return bytes(value).hex()
    if kind == "binary":
        return bytes(value).hex()
    raise ValueError(f"unknown kind {kind}")


# Accepted type names per library for each column kind.
def pyarrow_types(kind):
    table = {
        "boolean": ["bool"], "int32": ["int32"], "int64": ["int64"], "float": ["float"], "double": ["double"],
        "string": ["string", "large_string"], "json": ["string", "large_string", "extension<arrow.json>"],
        "binary": ["binary", "large_binary"], "date": ["date32[day]"], "time": ["time64[us]"],
        "timestamp": ["timestamp[us]"], "timestamptz": ["timestamp[us, tz=UTC]", "timestamp[us, tz=+00:00]"],
        "uuid": ["fixed_size_binary[16]", "extension<arrow.uuid>"],
    }
    if kind.startswith("decimal"):
        p, s = kind[len("decimal("):-1].split(",")
        return [f"decimal128({p}, {s})", f"decimal256({p}, {s})", f"decimal32({p}, {s})", f"decimal64({p}, {s})"]
    return table[kind]


def duckdb_types(kind):
    table = {
        "boolean": ["BOOLEAN"], "int32": ["INTEGER"], "int64": ["BIGINT"], "float": ["FLOAT"], "double": ["DOUBLE"],
        "string": ["VARCHAR"], "json": ["JSON", "VARCHAR"], "binary": ["BLOB"], "date": ["DATE"], "time": ["TIME"],
        "timestamp": ["TIMESTAMP"], "timestamptz": ["TIMESTAMP WITH TIME ZONE"], "uuid": ["UUID"],
    }
    if kind.startswith("decimal"):
        return [kind.upper().replace(" ", "")]
    return table[kind]


def polars_types(kind):
    table = {
        "boolean": ["Boolean"], "int32": ["Int32"], "int64": ["Int64"], "float": ["Float32"], "double": ["Float64"],
        "string": ["String"],
        # polars ignores the JSON annotation and returns the UTF-8 bytes as Binary.
        "json": ["String", "Binary"], "binary": ["Binary"], "date": ["Date"], "time": ["Time"],
        "timestamp": ["Datetime(time_unit='us', time_zone=None)"],
        "timestamptz": ["Datetime(time_unit='us', time_zone='UTC')"],
        "uuid": ["Binary", "FixedSizeBinary(16)"],
    }
    if kind.startswith("decimal"):
        p, s = kind[len("decimal("):-1].split(",")
        return [f"Decimal(precision={p}, scale={s})"]
    return table[kind]


def check(directory):
    with open(os.path.join(directory, "expected.json")) as f:
        expected = json.load(f)
    problems = []
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for spec in expected["files"]:
        path = os.path.join(directory, spec["file"])
        columns = spec["columns"]
        names = [c["name"] for c in columns]

        def compare(library, actual_names, actual_types, accepted, get_values, rows):
            if rows != spec["rows"]:
                problems.append(f"{spec['file']} {library}: {rows} rows, expected {spec['rows']}")
            if actual_names != names:
                problems.append(f"{spec['file']} {library}: columns {actual_names}, expected {names}")
                return
            for c, t in zip(columns, actual_types):
                if t not in accepted(c["type"]):
                    problems.append(f"{spec['file']} {library}: {c['name']} has type {t}, expected one of {accepted(c['type'])}")
                values = [canonical(v, c["type"]) for v in get_values(c["name"])]
                if values != c["values"]:
                    bad = next(i for i, (a, b) in enumerate(zip(values + [None] * len(c["values"]), c["values"])) if a != b) \
                        if len(values) == len(c["values"]) else -1
                    where = f"row {bad}: {values[bad]!r} != {c['values'][bad]!r}" if bad >= 0 else f"{len(values)} values"
                    problems.append(f"{spec['file']} {library}: {c['name']} differs at {where}")

        table = pq.read_table(path)
        compare("pyarrow", table.column_names, [str(f.type) for f in table.schema], pyarrow_types,
                lambda n: table.column(n).to_pylist(), table.num_rows)
        for c, field in zip(columns, table.schema):
            if field.nullable != c["nullable"]:
                problems.append(f"{spec['file']} pyarrow: {c['name']} nullable={field.nullable}, expected {c['nullable']}")

        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
        result = con.execute(f"SELECT * FROM read_parquet('{path}')").fetchall()
        by_name = {n: [row[i] for row in result] for i, n in enumerate(r[0] for r in described)}
        compare("duckdb", [r[0] for r in described], [r[1] for r in described], duckdb_types,
                lambda n: by_name[n], len(result))

        frame = pl.read_parquet(path)
        compare("polars", frame.columns, [str(t) for t in frame.dtypes], polars_types,
                lambda n: frame[n].to_list(), frame.height)
    for p in problems:
        print("MISMATCH", p)
    print(f"checked {len(expected['files'])} files with pyarrow {pa.__version__}, duckdb {duckdb.__version__}, polars {pl.__version__}")
    return 1 if problems else 0


def write(directory):
    """Files written by pyarrow for the Swift reader, and what they hold."""
    n = 3000
    rows = range(n)

    def maybe(i, v):
        return None if i % 7 == 3 else v

    data = {
        "c_boolean": ("boolean", pa.array([maybe(i, i % 3 == 0) for i in rows], pa.bool_())),
        "c_int32": ("int32", pa.array([maybe(i, (i * 7919) % 100_000 - 50_000) for i in rows], pa.int32())),
        "c_int64": ("int64", pa.array([maybe(i, i * 1_000_000_007 - 2**40) for i in rows], pa.int64())),
        "c_float": ("float", pa.array([maybe(i, (i % 200) / 4 - 10) for i in rows], pa.float32())),
        "c_double": ("double", pa.array([maybe(i, i / 8 - 100) for i in rows], pa.float64())),
        "c_string": ("string", pa.array([maybe(i, ["alfa", "ñandú", "日本", ""][i % 4] + str(i % 13)) for i in rows], pa.string())),
        "c_binary": ("binary", pa.array([maybe(i, bytes([i % 256, (i * 3) % 256])) for i in rows], pa.binary())),
        "c_date": ("date", pa.array([maybe(i, dt.date(1970, 1, 1) + dt.timedelta(days=i - 1000)) for i in rows], pa.date32())),
        "c_timestamp": ("timestamp", pa.array([maybe(i, dt.datetime(2024, 1, 1) + dt.timedelta(microseconds=i * 123_456_789)) for i in rows],
                                              pa.timestamp("us"))),
        "c_timestamptz": ("timestamptz", pa.array([maybe(i, dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=i * 61)) for i in rows],
                                                  pa.timestamp("us", tz="UTC"))),
        "c_decimal9": ("decimal(9,2)", pa.array([maybe(i, decimal.Decimal(i * 37 - 5000).scaleb(-2)) for i in rows], pa.decimal128(9, 2))),
        "c_decimal18": ("decimal(18,4)", pa.array([maybe(i, decimal.Decimal(i * 10**9 + 1).scaleb(-4)) for i in rows], pa.decimal128(18, 4))),
        "c_decimal38": ("decimal(38,10)", pa.array([maybe(i, decimal.Decimal(-(i * 10**20) - 7).scaleb(-10)) for i in rows], pa.decimal128(38, 10))),
        "c_required": ("int64", pa.array(list(rows), pa.int64())),
    }
    fields = [pa.field(name, arr.type, nullable=(name != "c_required")) for name, (_, arr) in data.items()]
    table = pa.Table.from_arrays([arr for _, arr in data.values()], schema=pa.schema(fields))
    variants = {
        "pyarrow_lz4_dictionary_v1.parquet": dict(compression="lz4", use_dictionary=True, data_page_version="1.0"),
        "pyarrow_lz4_v2.parquet": dict(compression="lz4", use_dictionary=True, data_page_version="2.0"),
        "pyarrow_plain_v2_uncompressed.parquet": dict(compression="none", use_dictionary=False, data_page_version="2.0"),
        "pyarrow_lz4_plain_small_pages.parquet": dict(compression="lz4", use_dictionary=False, data_page_size=1024,
                                                      row_group_size=700),
    }
    files = []
    for name, options in variants.items():
        # pyarrow's "lz4" is LZ4_RAW since pyarrow 9 (the Hadoop framing is never written).
        pq.write_table(table, os.path.join(directory, name), **options)
        files.append({
            "file": name, "rows": n,
            "columns": [{"name": col, "type": kind, "nullable": col != "c_required",
                         "values": [canonical(v, kind) for v in arr.to_pylist()]} for col, (kind, arr) in data.items()],
        })
    pq.write_table(table, os.path.join(directory, "pyarrow_snappy.parquet"), compression="snappy")
    with open(os.path.join(directory, "expected.json"), "w") as f:
        json.dump({"files": files, "unsupported": {"pyarrow_snappy.parquet": "SNAPPY"}}, f)
    meta = pq.read_metadata(os.path.join(directory, "pyarrow_lz4_v2.parquet"))
    print("wrote", len(files) + 1, "files; codec", meta.row_group(0).column(0).compression)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("check", "write"):
        print(__doc__)
        sys.exit(2)
    sys.exit(check(sys.argv[2]) if sys.argv[1] == "check" else write(sys.argv[2]))
