/// A column's type as a user (or ingest) names it; each maps to one Parquet
/// physical type plus logical annotation, as `LogicalTypes.md` says.
public enum ParquetColumnType: Sendable, Hashable, CustomStringConvertible {
    case boolean
    case int32
    case int64
    case float
    case double
    /// UTF-8 text (BYTE_ARRAY, STRING).
    case string
    /// Raw bytes (BYTE_ARRAY, no annotation).
    case binary
    /// A JSON document (BYTE_ARRAY, JSON).
    case json
    /// Days since 1970-01-01 (INT32, DATE).
    case date
    /// Microseconds since midnight (INT64, TIME(MICROS)).
    case time(isAdjustedToUTC: Bool)
    /// Microseconds since 1970-01-01T00:00:00 (INT64, TIMESTAMP(MICROS)); UTC-adjusted
    /// for an instant (timestamptz), not adjusted for a wall-clock reading (timestamp).
    case timestamp(isAdjustedToUTC: Bool)
    /// An exact decimal, stored unscaled: INT32 for precision ≤ 9, INT64 for ≤ 18,
    /// FIXED_LEN_BYTE_ARRAY (big-endian two's complement, `Decimal.byteLength`) beyond.
    case decimal(precision: Int, scale: Int)
    /// 16 raw bytes (FIXED_LEN_BYTE_ARRAY(16), UUID).
    case uuid
    /// Raw bytes of one fixed length (FIXED_LEN_BYTE_ARRAY(n), no annotation).
    case fixedBinary(length: Int)

    public var physicalType: PhysicalType {
        switch self {
        case .boolean: .boolean
        case .int32, .date: .int32
        case .int64, .time, .timestamp: .int64
        case .float: .float
        case .double: .double
        case .string, .binary, .json: .byteArray
        case .uuid, .fixedBinary: .fixedLenByteArray
        case .decimal(let precision, _):
            precision <= 9 ? .int32 : precision <= 18 ? .int64 : .fixedLenByteArray
        }
    }

    /// The length of each value for FIXED_LEN_BYTE_ARRAY columns.
    public var fixedLength: Int? {
        switch self {
        case .uuid: 16
        case .fixedBinary(let length): length
        case .decimal(let precision, _) where precision > 18: Decimal.byteLength(precision: precision)
        default: nil
        }
    }

    public var logicalType: LogicalType? {
        switch self {
        case .boolean, .int32, .int64, .float, .double, .binary, .fixedBinary: nil
        case .string: .string
        case .json: .json
        case .date: .date
        case .time(let utc): .time(isAdjustedToUTC: utc, unit: .micros)
        case .timestamp(let utc): .timestamp(isAdjustedToUTC: utc, unit: .micros)
        case .decimal(let p, let s): .decimal(precision: Int32(p), scale: Int32(s))
        case .uuid: .uuid
        }
    }

    /// The deprecated annotation for old readers. TIME_MICROS and
    /// TIMESTAMP_MICROS imply UTC adjustment, so local times get none.
    var convertedType: ConvertedType? {
        switch self {
        case .string: .utf8
        case .json: .json
        case .date: .date
        case .time(let utc): utc ? .timeMicros : nil
        case .timestamp(let utc): utc ? .timestampMicros : nil
        case .decimal: .decimal
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .boolean: "boolean"
        case .int32: "int32"
        case .int64: "int64"
        case .float: "float"
        case .double: "double"
        case .string: "string"
        case .binary: "binary"
        case .json: "json"
        case .date: "date"
        case .time(let utc): "time(us\(utc ? ", utc" : ""))"
        case .timestamp(let utc): "timestamp(us\(utc ? ", utc" : ""))"
        case .decimal(let p, let s): "decimal(\(p),\(s))"
        case .uuid: "uuid"
        case .fixedBinary(let n): "fixed_binary(\(n))"
        }
    }

    /// Reads a column type back from a schema element (nil: no type this module names).
    static func from(_ element: SchemaElement) -> ParquetColumnType? {
        guard let physical = element.type else { return nil }
        switch (physical, element.logicalType) {
        case (.boolean, nil): return .boolean
        case (.int32, nil), (.int32, .integer(32, true)?): return element.convertedType == ConvertedType.date.rawValue ? .date : .int32
        case (.int64, nil), (.int64, .integer(64, true)?): return .int64
        case (.float, nil): return .float
        case (.double, nil): return .double
        case (.byteArray, .string?), (.byteArray, .enumeration?): return .string
        case (.byteArray, .json?): return .json
        case (.byteArray, nil):
            if element.convertedType == ConvertedType.utf8.rawValue { return .string }
            if element.convertedType == ConvertedType.json.rawValue { return .json }
            return .binary
        case (.int32, .date?): return .date
        case (.int64, .time(let utc, .micros)?): return .time(isAdjustedToUTC: utc)
        case (.int64, .timestamp(let utc, .micros)?): return .timestamp(isAdjustedToUTC: utc)
        case (.int32, .decimal(let p, let s)?) where p <= 9,
             (.int64, .decimal(let p, let s)?) where p <= 18:
            return .decimal(precision: Int(p), scale: Int(s))
        case (.fixedLenByteArray, .decimal(let p, let s)?):
            guard let length = element.typeLength, Int(length) == Decimal.byteLength(precision: Int(p)) else { return nil }
            return .decimal(precision: Int(p), scale: Int(s))
        case (.fixedLenByteArray, .uuid?): return element.typeLength == 16 ? .uuid : nil
        case (.fixedLenByteArray, nil):
            guard let length = element.typeLength, length > 0 else { return nil }
            return .fixedBinary(length: Int(length))
        default: return nil
        }
    }
}

/// One column of a flat schema.
public struct ParquetColumn: Sendable, Hashable {
    public var name: String
    public var type: ParquetColumnType
    /// Nullable columns are OPTIONAL and carry definition levels; others REQUIRED.
    public var nullable: Bool

    public init(_ name: String, _ type: ParquetColumnType, nullable: Bool = true) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }
}

/// A flat schema: named primitive columns, no nesting.
public struct ParquetSchema: Sendable, Hashable {
    public var columns: [ParquetColumn]

    public init(_ columns: [ParquetColumn]) { self.columns = columns }

    /// Checks names and decimal parameters before any byte is written.
    public func validate() throws {
        guard !columns.isEmpty else { throw ParquetError.invalidSchema("no columns") }
        var seen = Set<String>()
        for column in columns {
            guard !column.name.isEmpty else { throw ParquetError.invalidSchema("empty column name") }
            guard seen.insert(column.name).inserted else { throw ParquetError.invalidSchema("duplicate column \(column.name)") }
            switch column.type {
            case .decimal(let p, let s):
                guard (1...Decimal.maxPrecision).contains(p), (0...p).contains(s) else {
                    throw ParquetError.invalidSchema("\(column.name): decimal(\(p),\(s)) needs 1 ≤ precision ≤ \(Decimal.maxPrecision) and 0 ≤ scale ≤ precision")
                }
            case .fixedBinary(let n):
                guard (1...Int(Int32.max)).contains(n) else { throw ParquetError.invalidSchema("\(column.name): fixed length \(n)") }
            default: break
            }
        }
    }

    var elements: [SchemaElement] {
        var out = [SchemaElement(name: "schema", numChildren: Int32(columns.count))]
        for column in columns {
            var element = SchemaElement(name: column.name)
            element.type = column.type.physicalType
            element.typeLength = column.type.fixedLength.map { Int32($0) }
            element.repetition = column.nullable ? .optional : .required
            element.logicalType = column.type.logicalType
            element.convertedType = column.type.convertedType?.rawValue
            if case .decimal(let p, let s) = column.type {
                element.precision = Int32(p)
                element.scale = Int32(s)
            }
            out.append(element)
        }
        return out
    }
}
