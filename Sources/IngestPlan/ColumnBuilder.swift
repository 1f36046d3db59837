import Parquet

/// Gathers one column of a page from PostgreSQL's binary result values (nil = NULL) into the
/// dense values and presence flags the Parquet writer takes. Every value is checked: a short
/// buffer, an infinite date or a timestamp outside Parquet's range fails the run with the column
/// named, never a trap.
public struct ColumnBuilder: Sendable {
    public let plan: ColumnPlan
    private var present: [Bool] = []
    private var bools: [Bool] = []
    private var ints32: [Int32] = []
    private var ints64: [Int64] = []
    private var floats: [Float] = []
    private var doubles: [Double] = []
    private var bytes = ByteArrays()
    private var nulls = 0

    /// PostgreSQL counts dates and timestamps from 2000-01-01.
    static let unixToPostgresDays: Int32 = 10_957
    static let unixToPostgresMicros: Int64 = 946_684_800_000_000

    public init(plan: ColumnPlan) { self.plan = plan }

    public var count: Int { present.count }

    public mutating func append(_ value: UnsafeRawBufferPointer?) throws(IngestError) {
        guard let value else {
            guard plan.parquet.nullable else {
                throw .badValue(column: plan.source.name, value: "NULL", reason: "in a NOT NULL column")
            }
            present.append(false)
            nulls += 1
            return
        }
        present.append(true)
        switch plan.decoding {
        case .boolean:
            try need(value, 1)
            bools.append(value[0] != 0)
        case .int16:
            try need(value, 2)
            ints32.append(Int32(Int16(bitPattern: UInt16(value[0]) << 8 | UInt16(value[1]))))
        case .int32:
            try need(value, 4)
            ints32.append(Int32(bitPattern: Self.u32(value)))
        case .int64:
            try need(value, 8)
            ints64.append(Int64(bitPattern: Self.u64(value)))
        case .float32:
            try need(value, 4)
            floats.append(Float(bitPattern: Self.u32(value)))
        case .float64:
            try need(value, 8)
            doubles.append(Double(bitPattern: Self.u64(value)))
        case .utf8:
            guard String(validating: value, as: UTF8.self) != nil || value.isEmpty else {
                throw .badValue(column: plan.source.name, value: "…", reason: "is not valid UTF-8")
            }
            bytes.append(value)
        case .bytes:
            bytes.append(value)
        case .uuid:
            try need(value, 16)
            bytes.append(value)
        case .date:
            try need(value, 4)
            let days = Int32(bitPattern: Self.u32(value))
            let (unix, overflow) = days.addingReportingOverflow(Self.unixToPostgresDays)
            guard !overflow, days != .max, days != .min else {
                throw .badValue(column: plan.source.name, value: "infinity", reason: "has no Parquet DATE")
            }
            ints32.append(unix)
        case .timestamp:
            try need(value, 8)
            let micros = Int64(bitPattern: Self.u64(value))
            let (unix, overflow) = micros.addingReportingOverflow(Self.unixToPostgresMicros)
            guard !overflow, micros != .max, micros != .min else {
                throw .badValue(column: plan.source.name, value: "infinity", reason: "has no Parquet TIMESTAMP")
            }
            ints64.append(unix)
        case .time:
            try need(value, 8)
            ints64.append(Int64(bitPattern: Self.u64(value)))
        case .decimal(let precision, let scale):
            let text = String(decoding: value, as: UTF8.self)
            do {
                if precision <= 9 {
                    let unscaled = try Decimal.unscaledInt64(text, scale: scale)
                    guard let narrow = Int32(exactly: unscaled) else { throw IngestError.badValue(column: plan.source.name, value: text, reason: "does not fit") }
                    ints32.append(narrow)
                } else if precision <= 18 {
                    ints64.append(try Decimal.unscaledInt64(text, scale: scale))
                } else {
                    bytes.append(try Decimal.unscaledBytes(text, scale: scale, byteLength: Decimal.byteLength(precision: precision)))
                }
            } catch let error as IngestError {
                throw error
            } catch {
                throw .badValue(column: plan.source.name, value: text, reason: "is not a decimal(\(precision),\(scale)): \(error)")
            }
        }
    }

    /// The page as a batch, and an empty builder for the next one.
    public mutating func take() -> ColumnBatch {
        let flags: [Bool]? = plan.parquet.nullable ? present : nil
        let values: ColumnValues = switch plan.parquet.type.physicalType {
        case .boolean: .boolean(bools)
        case .int32: .int32(ints32)
        case .int64: .int64(ints64)
        case .float: .float(floats)
        case .double: .double(doubles)
        case .byteArray, .fixedLenByteArray, .int96: .bytes(bytes)
        }
        let batch = ColumnBatch(values, present: flags)
        present.removeAll(keepingCapacity: true)
        bools.removeAll(keepingCapacity: true)
        ints32.removeAll(keepingCapacity: true)
        ints64.removeAll(keepingCapacity: true)
        floats.removeAll(keepingCapacity: true)
        doubles.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        nulls = 0
        return batch
    }

    private func need(_ value: UnsafeRawBufferPointer, _ n: Int) throws(IngestError) {
        guard value.count == n else {
            throw .badValue(column: plan.source.name, value: "\(value.count) bytes", reason: "where \(plan.source.formattedType) takes \(n)")
        }
    }

    static func u32(_ v: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(v[0]) << 24 | UInt32(v[1]) << 16 | UInt32(v[2]) << 8 | UInt32(v[3])
    }

    static func u64(_ v: UnsafeRawBufferPointer) -> UInt64 {
        var x: UInt64 = 0
        for i in 0..<8 { x = x << 8 | UInt64(v[i]) }
        return x
    }
}
