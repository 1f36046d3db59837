/// How a PostgreSQL column becomes a Parquet column: a pure function of the
/// type's name (`pg_type.typname`, or an SQL-standard spelling such as
/// `timestamp with time zone`), its typmod (`pg_attribute.atttypmod`, −1 for
/// none) and its kind (`pg_type.typtype` / array-ness). Ingest reads those
/// from the catalog views and calls `map`; the README's table is this function.
public enum PostgresTypeMapping {
    /// `pg_type.typtype` plus array-ness; enums, arrays and composites are told
    /// apart by kind, not name (their names are the user's).
    public enum Kind: Sendable, Hashable {
        case base
        case array
        case enumeration
        case composite
        case range
        /// A domain: map its base type instead (ingest resolves `typbasetype`).
        case domain
        case pseudo
    }

    /// What ingest must do with a value of the source column (the text form
    /// PostgreSQL sends, or its binary form, converted as named here).
    public enum Conversion: Sendable, Hashable {
        case boolean
        /// int2/int4 into INT32.
        case int32
        /// int8 (and oid) into INT64.
        case int64
        case float
        case double
        /// numeric text → unscaled integer (`Decimal.unscaledInt64` / `unscaledBytes`).
        case decimal(precision: Int, scale: Int)
        /// The value's text form as UTF-8.
        case text
        /// The value's bytes (bytea).
        case bytes
        /// Days since 1970-01-01 (PostgreSQL counts from 2000-01-01: add 10957).
        case date
        /// Microseconds since midnight.
        case time
        /// Microseconds since 1970-01-01 (PostgreSQL counts from 2000-01-01: add 946684800000000).
        case timestamp
        /// The 16 bytes of the UUID.
        case uuid
    }

    public struct Mapping: Sendable, Hashable {
        public var columnType: ParquetColumnType
        public var conversion: Conversion
        /// Why a type is written as text (nil when it maps to its own type).
        public var note: String?
    }

    public enum MappingError: Error, Hashable, Sendable, CustomStringConvertible {
        case noMapping(typeName: String, reason: String)

        public var description: String {
            switch self {
            case .noMapping(let name, let reason): "no Parquet mapping for PostgreSQL type \(name): \(reason)"
            }
        }
    }

    /// The largest numeric precision written as DECIMAL (DuckDB's and most engines' limit).
    public static let maxDecimalPrecision = 38

    public static func map(typeName rawName: String, typmod: Int32 = -1, kind: Kind = .base) throws -> Mapping {
        let name = rawName.lowercased().trimmingCharacters(in: " ")
        switch kind {
        case .array:
            return Mapping(columnType: .string, conversion: .text, note: "array written as its PostgreSQL text form, e.g. {1,2,3}")
        case .enumeration:
            return Mapping(columnType: .string, conversion: .text, note: "enum label as STRING (the ENUM annotation reads as binary in pyarrow)")
        case .composite, .range:
            return Mapping(columnType: .string, conversion: .text, note: "\(kind) written as its text form")
        case .domain:
            throw MappingError.noMapping(typeName: rawName, reason: "a domain: map its base type")
        case .pseudo:
            throw MappingError.noMapping(typeName: rawName, reason: "a pseudo-type holds no storable value")
        case .base:
            break
        }
        if name.hasPrefix("_") || name.hasSuffix("[]") {
            return try map(typeName: rawName, typmod: typmod, kind: .array)
        }
        switch name {
        case "bool", "boolean":
            return Mapping(columnType: .boolean, conversion: .boolean)
        case "int2", "smallint", "int4", "integer", "int", "serial", "smallserial", "serial4", "serial2":
            return Mapping(columnType: .int32, conversion: .int32)
        case "int8", "bigint", "bigserial", "serial8":
            return Mapping(columnType: .int64, conversion: .int64)
        case "oid", "xid", "cid":
            return Mapping(columnType: .int64, conversion: .int64, note: "unsigned 32-bit, widened to INT64")
        case "float4", "real":
            return Mapping(columnType: .float, conversion: .float)
        case "float8", "double precision":
            return Mapping(columnType: .double, conversion: .double)
        case "numeric", "decimal":
            guard let (precision, scale) = numericTypmod(typmod) else {
                return Mapping(columnType: .string, conversion: .text,
                               note: "numeric without precision has no fixed scale: written as its exact text")
            }
            guard precision <= maxDecimalPrecision, scale >= 0, scale <= precision else {
                return Mapping(columnType: .string, conversion: .text,
                               note: "numeric(\(precision),\(scale)) is beyond DECIMAL(38) or has a negative scale: written as text")
            }
            return Mapping(columnType: .decimal(precision: precision, scale: scale),
                           conversion: .decimal(precision: precision, scale: scale))
        case "text", "varchar", "character varying", "bpchar", "char", "character", "name", "citext", "\"char\"":
            return Mapping(columnType: .string, conversion: .text)
        case "bytea":
            return Mapping(columnType: .binary, conversion: .bytes)
        case "date":
            return Mapping(columnType: .date, conversion: .date)
        case "timestamp", "timestamp without time zone":
            return Mapping(columnType: .timestamp(isAdjustedToUTC: false), conversion: .timestamp)
        case "timestamptz", "timestamp with time zone":
            return Mapping(columnType: .timestamp(isAdjustedToUTC: true), conversion: .timestamp)
        case "time", "time without time zone":
            return Mapping(columnType: .time(isAdjustedToUTC: false), conversion: .time)
        case "timetz", "time with time zone":
            return Mapping(columnType: .string, conversion: .text, note: "time with an offset has no Parquet type: written as text")
        case "interval":
            return Mapping(columnType: .string, conversion: .text,
                           note: "months, days and µs do not fit Parquet's millisecond INTERVAL: written as text")
        case "uuid":
            return Mapping(columnType: .uuid, conversion: .uuid)
        case "json", "jsonb":
            return Mapping(columnType: .json, conversion: .text)
        case "xml", "money", "inet", "cidr", "macaddr", "macaddr8", "bit", "varbit", "bit varying",
             "tsvector", "tsquery", "point", "line", "lseg", "box", "path", "polygon", "circle",
             "pg_lsn", "pg_snapshot", "txid_snapshot", "int4range", "int8range", "numrange", "tsrange",
             "tstzrange", "daterange", "int4multirange", "int8multirange", "nummultirange",
             "tsmultirange", "tstzmultirange", "datemultirange", "regclass", "regtype", "regproc":
            return Mapping(columnType: .string, conversion: .text, note: "written as its text form")
        case "void", "record", "any", "anyelement", "anyarray", "anynonarray", "anyenum", "anyrange",
             "cstring", "internal", "trigger", "event_trigger", "unknown", "opaque", "language_handler":
            throw MappingError.noMapping(typeName: rawName, reason: "a pseudo-type holds no storable value")
        default:
            throw MappingError.noMapping(typeName: rawName, reason: "not a type this ingest knows (an extension type?)")
        }
    }

    /// numeric's typmod is `((precision << 16) | (scale & 0x7FF)) + 4`; scale is an
    /// 11-bit signed number since PostgreSQL 15. −1 (or less than 4) means none.
    static func numericTypmod(_ typmod: Int32) -> (Int, Int)? {
        guard typmod >= 4 else { return nil }
        let raw = typmod - 4
        let precision = Int((raw >> 16) & 0xFFFF)
        var scale = Int(raw & 0x7FF)
        if scale & 0x400 != 0 { scale -= 0x800 }
        guard precision >= 1 else { return nil }
        return (precision, scale)
    }
}

private extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
