import Foundation
import Parquet
import YonkeCore

/// Deterministic tables for the tests: every column type, with nulls, from one seed.
enum Fixtures {
    static let allTypes: [ParquetColumnType] = [
        .boolean, .int32, .int64, .float, .double, .string, .binary, .json, .date,
        .time(isAdjustedToUTC: false), .timestamp(isAdjustedToUTC: false), .timestamp(isAdjustedToUTC: true),
        .decimal(precision: 9, scale: 2), .decimal(precision: 18, scale: 4), .decimal(precision: 38, scale: 10), .uuid,
    ]

    static func name(_ type: ParquetColumnType) -> String {
        switch type {
        case .boolean: "c_boolean"
        case .int32: "c_int32"
        case .int64: "c_int64"
        case .float: "c_float"
        case .double: "c_double"
        case .string: "c_string"
        case .binary: "c_binary"
        case .json: "c_json"
        case .date: "c_date"
        case .time: "c_time"
        case .timestamp(let utc): utc ? "c_timestamptz" : "c_timestamp"
        case .decimal(let p, _): "c_decimal\(p)"
        case .uuid: "c_uuid"
        case .fixedBinary(let n): "c_fixed\(n)"
        }
    }

    static func schema(nullable: Bool) -> ParquetSchema {
        ParquetSchema(allTypes.map { ParquetColumn(name($0), $0, nullable: nullable) })
    }

    static let words = ["alfa", "bravo", "charlie", "ñandú", "日本", "", "zulu é"]

    /// One batch of `rows` rows of every type (a value is null with probability nullRate).
    static func batch(_ schema: ParquetSchema, rows: Int, seed: UInt64, nullRate: Double = 0.2,
                      lowCardinality: Bool = false) -> [ColumnBatch] {
        var g = SeededGenerator(seed: seed)
        return schema.columns.map { column in
            var present: [Bool] = []
            for _ in 0..<rows { present.append(!column.nullable || Double(g.next() % 1000) / 1000 >= nullRate) }
            let n = present.filter { $0 }.count
            func draw(_ k: Int) -> UInt64 { lowCardinality ? UInt64(k % 5) &* 7919 : g.next() }
            let values: ColumnValues
            switch column.type {
            case .boolean: values = .boolean((0..<n).map { draw($0) & 1 == 1 })
            case .int32: values = .int32((0..<n).map { k in k == 0 ? Int32.min : k == 1 ? Int32.max : Int32(truncatingIfNeeded: draw(k)) })
            case .int64: values = .int64((0..<n).map { k in k == 0 ? Int64.min : k == 1 ? Int64.max : Int64(bitPattern: draw(k)) })
            case .float: values = .float((0..<n).map { Float(Int(draw($0) % 2001) - 1000) / 4 })
            case .double: values = .double((0..<n).map { Double(Int(draw($0) % 2_000_001) - 1_000_000) / 8 })
            case .string:
                var out = ByteArrays()
                for k in 0..<n {
                    let r = draw(k)
                    out.append(lowCardinality ? words[Int(r % UInt64(words.count))]
                               : words[Int(r % UInt64(words.count))] + String(r % 100_000))
                }
                values = .bytes(out)
            case .binary:
                var out = ByteArrays()
                for k in 0..<n { let r = draw(k); out.append((0..<Int(r % 17)).map { UInt8(truncatingIfNeeded: r >> UInt64($0 * 3)) }) }
                values = .bytes(out)
            case .json:
                var out = ByteArrays()
                for k in 0..<n { out.append("{\"k\": \(draw(k) % 1000), \"s\": \"ü\"}") }
                values = .bytes(out)
            case .date: values = .int32((0..<n).map { Int32(Int(draw($0) % 40_000) - 10_000) })
            case .time: values = .int64((0..<n).map { Int64(draw($0) % 86_400_000_000) })
            case .timestamp:
                // 1900-01-01 … 2100-01-01 in microseconds.
                let low: Int64 = -2_208_988_800_000_000, span: UInt64 = 6_311_433_600_000_000
                values = .int64((0..<n).map { low + Int64(draw($0) % span) })
            case .decimal(let p, let s):
                if p <= 9 {
                    values = .int32((0..<n).map { Int32(Int64(draw($0) % 1_999_999_999) - 999_999_999) })
                } else if p <= 18 {
                    values = .int64((0..<n).map { Int64(draw($0) % 1_999_999_999_999_999_999) - 999_999_999_999_999_999 })
                } else {
                    var out = ByteArrays()
                    for k in 0..<n {
                        let a = draw(k), b = g.next()
                        let digits = String(a % 10_000_000_000_000_000_000) + String(b % 10_000_000_000_000_000_000)
                        let text = (a & 1 == 0 ? "-" : "") + String(digits.prefix(p))
                        let unscaled = try! Decimal.unscaledBytes(text, scale: 0, byteLength: 16)
                        out.append(unscaled)
                        _ = s
                    }
                    values = .bytes(out)
                }
            case .uuid:
                var out = ByteArrays()
                for k in 0..<n { let a = draw(k), b = lowCardinality ? a : g.next()
                    out.append(withUnsafeBytes(of: (a, b)) { Array($0) }) }
                values = .bytes(out)
            case .fixedBinary(let length):
                var out = ByteArrays()
                for k in 0..<n { let a = draw(k); out.append((0..<length).map { UInt8(truncatingIfNeeded: a >> UInt64($0 % 8)) }) }
                values = .bytes(out)
            }
            return ColumnBatch(values, present: column.nullable ? present : nil)
        }
    }

    /// Writes a file to memory.
    static func write(_ schema: ParquetSchema, _ batches: [[ColumnBatch]],
                      properties: ParquetWriterProperties = .default) throws -> [UInt8] {
        var writer = try ParquetWriter(schema: schema, properties: properties, sink: InMemorySink())
        for batch in batches { try writer.append(batch) }
        try writer.close()
        return writer.sink.bytes
    }

    /// Concatenates batches of one column.
    static func concat(_ parts: [ColumnBatch], nullable: Bool) -> ColumnBatch {
        var values = parts[0].values
        var present: [Bool] = parts[0].present ?? Array(repeating: true, count: parts[0].rowCount)
        for part in parts.dropFirst() {
            switch (values, part.values) {
            case (.boolean(let a), .boolean(let b)): values = .boolean(a + b)
            case (.int32(let a), .int32(let b)): values = .int32(a + b)
            case (.int64(let a), .int64(let b)): values = .int64(a + b)
            case (.float(let a), .float(let b)): values = .float(a + b)
            case (.double(let a), .double(let b)): values = .double(a + b)
            case (.bytes(var a), .bytes(let b)): a.append(contentsOf: b); values = .bytes(a)
            default: fatalError("mixed shapes")
            }
            present += part.present ?? Array(repeating: true, count: part.rowCount)
        }
        return ColumnBatch(values, present: nullable ? present : nil)
    }

    /// Each row's value as canonical text (nil for null), the form interop.py
    /// produces from what pyarrow, DuckDB and polars return.
    static func canonical(_ batch: ColumnBatch, _ type: ParquetColumnType) -> [String?] {
        var dense: [String] = []
        switch batch.values {
        case .boolean(let v): dense = v.map { $0 ? "true" : "false" }
        case .int32(let v):
            if case .decimal(_, let s) = type { dense = v.map { Decimal.text(unscaled: Int64($0), scale: s) } } else { dense = v.map { String($0) } }
        case .int64(let v):
            if case .decimal(_, let s) = type { dense = v.map { Decimal.text(unscaled: $0, scale: s) } } else { dense = v.map { String($0) } }
        case .float(let v): dense = v.map { String(Double($0)) }
        case .double(let v): dense = v.map { String($0) }
        case .bytes(let v):
            switch type {
            case .string, .json: dense = (0..<v.count).map { v.string(at: $0) ?? "<invalid utf-8>" }
            case .decimal(_, let s): dense = (0..<v.count).map { Decimal.text(unscaledBytes: v[$0], scale: s) }
            default: dense = (0..<v.count).map { Hex.encode(Array(v[$0])) }
            }
        }
        guard let present = batch.present else { return dense }
        var out: [String?] = []
        var k = 0
        for p in present {
            if p { out.append(dense[k]); k += 1 } else { out.append(nil) }
        }
        return out
    }
}
