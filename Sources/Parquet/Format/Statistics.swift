/// Column statistics (`parquet.thrift`, struct Statistics). Only `min_value`
/// and `max_value` are written (the deprecated `min`/`max` used signed order
/// for everything); values are PLAIN-encoded without a length prefix.
public struct Statistics: Sendable, Hashable {
    public var nullCount: Int64?
    public var distinctCount: Int64?
    public var minValue: [UInt8]?
    public var maxValue: [UInt8]?
    /// The deprecated fields, read only (old writers).
    public var legacyMin: [UInt8]?
    public var legacyMax: [UInt8]?

    public init(nullCount: Int64? = nil, minValue: [UInt8]? = nil, maxValue: [UInt8]? = nil) {
        self.nullCount = nullCount
        self.minValue = minValue
        self.maxValue = maxValue
    }
}

extension Statistics: ThriftEncodable {
    func encode(to writer: inout CompactWriter) {
        if let nullCount { writer.field(3, i64: nullCount) }
        if let distinctCount { writer.field(4, i64: distinctCount) }
        if let maxValue { writer.field(5, binary: maxValue) }
        if let minValue { writer.field(6, binary: minValue) }
        if maxValue != nil { writer.field(7, bool: true) }
        if minValue != nil { writer.field(8, bool: true) }
    }

    static func decode(from reader: inout CompactReader) throws -> Statistics {
        var s = Statistics()
        try reader.readStruct { r, id, type in
            switch id {
            case 1: s.legacyMax = try r.binary(type, "Statistics.max")
            case 2: s.legacyMin = try r.binary(type, "Statistics.min")
            case 3: s.nullCount = try r.i64(type, "Statistics.null_count")
            case 4: s.distinctCount = try r.i64(type, "Statistics.distinct_count")
            case 5: s.maxValue = try r.binary(type, "Statistics.max_value")
            case 6: s.minValue = try r.binary(type, "Statistics.min_value")
            default: try r.skip(type)
            }
        }
        return s
    }
}
