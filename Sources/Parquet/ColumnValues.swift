/// The values of one column, dense: nulls are not in here, they are the
/// `false` entries of `ColumnBatch.present`. One case per storage shape.
public enum ColumnValues: Sendable, Hashable {
    case boolean([Bool])
    case int32([Int32])
    case int64([Int64])
    case float([Float])
    case double([Double])
    /// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY values.
    case bytes(ByteArrays)

    public var count: Int {
        switch self {
        case .boolean(let v): v.count
        case .int32(let v): v.count
        case .int64(let v): v.count
        case .float(let v): v.count
        case .double(let v): v.count
        case .bytes(let v): v.count
        }
    }

    /// Empty values of the shape `type` is stored in.
    public static func empty(for type: PhysicalType) -> ColumnValues {
        switch type {
        case .boolean: .boolean([])
        case .int32: .int32([])
        case .int64: .int64([])
        case .float: .float([])
        case .double: .double([])
        case .byteArray, .fixedLenByteArray, .int96: .bytes(ByteArrays())
        }
    }

    var shape: String {
        switch self {
        case .boolean: "boolean"
        case .int32: "int32"
        case .int64: "int64"
        case .float: "float"
        case .double: "double"
        case .bytes: "bytes"
        }
    }

    func fits(_ type: PhysicalType) -> Bool {
        switch (self, type) {
        case (.boolean, .boolean), (.int32, .int32), (.int64, .int64), (.float, .float), (.double, .double),
             (.bytes, .byteArray), (.bytes, .fixedLenByteArray): true
        default: false
        }
    }
}

/// One column's part of a batch: its non-null values in row order, and for a
/// nullable column which rows have a value (nil: every row has one).
public struct ColumnBatch: Sendable, Hashable {
    public var values: ColumnValues
    public var present: [Bool]?

    public init(_ values: ColumnValues, present: [Bool]? = nil) {
        self.values = values
        self.present = present
    }

    /// Rows in this batch.
    public var rowCount: Int { present?.count ?? values.count }

    /// Nulls in this batch.
    public var nullCount: Int { present.map { $0.count - values.count } ?? 0 }

    /// Builds a batch from optionals (convenience for tests and small callers).
    public static func int64(_ values: [Int64?]) -> ColumnBatch {
        ColumnBatch(.int64(values.compactMap { $0 }), present: values.map { $0 != nil })
    }

    public static func int32(_ values: [Int32?]) -> ColumnBatch {
        ColumnBatch(.int32(values.compactMap { $0 }), present: values.map { $0 != nil })
    }

    public static func double(_ values: [Double?]) -> ColumnBatch {
        ColumnBatch(.double(values.compactMap { $0 }), present: values.map { $0 != nil })
    }

    public static func float(_ values: [Float?]) -> ColumnBatch {
        ColumnBatch(.float(values.compactMap { $0 }), present: values.map { $0 != nil })
    }

    public static func boolean(_ values: [Bool?]) -> ColumnBatch {
        ColumnBatch(.boolean(values.compactMap { $0 }), present: values.map { $0 != nil })
    }

    public static func strings(_ values: [String?]) -> ColumnBatch {
        ColumnBatch(.bytes(ByteArrays(strings: values.compactMap { $0 })), present: values.map { $0 != nil })
    }

    public static func bytes(_ values: [[UInt8]?]) -> ColumnBatch {
        ColumnBatch(.bytes(ByteArrays(values.compactMap { $0 })), present: values.map { $0 != nil })
    }
}
