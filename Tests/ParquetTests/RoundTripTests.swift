@testable import Parquet
import Testing
import YonkeCore

@Suite struct RoundTripTests {
    /// Writes, reads back, and compares every column's canonical values.
    func roundTrip(_ schema: ParquetSchema, _ batches: [[ColumnBatch]], _ properties: ParquetWriterProperties) throws -> ParquetReader {
        let bytes = try Fixtures.write(schema, batches, properties: properties)
        let reader = try ParquetReader(bytes: bytes)
        #expect(reader.columns.map(\.name) == schema.columns.map(\.name))
        #expect(reader.rowCount == Int64(batches.reduce(0) { $0 + ($1.first?.rowCount ?? 0) }))
        for (i, column) in schema.columns.enumerated() {
            #expect(reader.columns[i].type == column.type, "\(column.name)")
            #expect(reader.columns[i].nullable == column.nullable)
            let expected = Fixtures.concat(batches.map { $0[i] }, nullable: column.nullable)
            let actual = try reader.readColumn(i)
            #expect(actual == expected, "\(column.name)")
        }
        return reader
    }

    @Test(arguments: [true, false], [CompressionCodec.lz4Raw, .uncompressed])
    func everyTypeRoundTrips(nullable: Bool, codec: CompressionCodec) throws {
        var properties = ParquetWriterProperties()
        properties.compression = codec
        properties.pageSizeBytes = 2048     // many pages per chunk
        let schema = Fixtures.schema(nullable: nullable)
        let batches = (0..<3).map { Fixtures.batch(schema, rows: 1500 + $0, seed: UInt64($0)) }
        let reader = try roundTrip(schema, batches, properties)
        let meta = try #require(reader.rowGroups.first?.columns.first?.metaData)
        #expect(meta.codec == codec)
    }

    @Test func everyTypeRoundTripsWithDictionaries() throws {
        let schema = Fixtures.schema(nullable: true)
        let batches = (0..<2).map { Fixtures.batch(schema, rows: 3000, seed: UInt64($0), lowCardinality: true) }
        let reader = try roundTrip(schema, batches, .default)
        for (i, column) in schema.columns.enumerated() where column.type != .boolean {
            let meta = try #require(reader.rowGroups[0].columns[i].metaData)
            #expect(meta.encodings.contains(Encoding.rleDictionary.rawValue), "\(column.name) \(meta.encodings)")
            #expect(meta.dictionaryPageOffset != nil)
        }
    }

    @Test func dictionaryFallsBackToPlainPastItsLimit() throws {
        let schema = ParquetSchema([ParquetColumn("s", .string)])
        var properties = ParquetWriterProperties()
        properties.dictionaryPageSizeLimitBytes = 10_000
        // Group 1: 10 distinct values (dictionary); group 2: 5000 distinct values (past 10 kB: plain).
        let few = ColumnBatch.strings((0..<5000).map { "v\($0 % 10)" })
        let many = ColumnBatch.strings((0..<5000).map { "value-\($0)" })
        var writer = try ParquetWriter(schema: schema, properties: properties, sink: InMemorySink())
        try writer.append([few])
        try writer.flushRowGroup()
        try writer.append([many])
        try writer.close()
        let reader = try ParquetReader(bytes: writer.sink.bytes)
        #expect(reader.rowGroups.count == 2)
        let first = try #require(reader.rowGroups[0].columns[0].metaData)
        let second = try #require(reader.rowGroups[1].columns[0].metaData)
        #expect(first.encodings.contains(Encoding.rleDictionary.rawValue))
        #expect(!second.encodings.contains(Encoding.rleDictionary.rawValue))
        #expect(second.dictionaryPageOffset == nil)
        #expect(try reader.readColumn(0) == Fixtures.concat([few, many], nullable: true))
    }

    @Test func dictionaryFallsBackMidChunk() throws {
        // Small batches and pages: dictionary pages are written, then the dictionary
        // passes its limit and the rest of the same chunk is PLAIN.
        let schema = ParquetSchema([ParquetColumn("s", .string), ParquetColumn("i", .int64, nullable: false),
                                    ParquetColumn("b", .boolean)])
        var properties = ParquetWriterProperties()
        properties.dictionaryPageSizeLimitBytes = 3000
        properties.pageSizeBytes = 300
        var batches: [[ColumnBatch]] = []
        for b in 0..<40 {
            let strings: [String?] = (0..<50).map { k -> String? in k % 9 == 0 ? nil : "value-\(b * 50 + k)" }
            let ints: [Int64] = (0..<50).map { k -> Int64 in Int64(b * 50 + k) }
            let bools: [Bool?] = (0..<50).map { k -> Bool? in k % 5 == 0 ? nil : (k + b) % 3 == 0 }
            batches.append([.strings(strings), ColumnBatch(.int64(ints)), .boolean(bools)])
        }
        let reader = try roundTrip(schema, batches, properties)
        for column in 0..<2 {
            let meta = try #require(reader.rowGroups[0].columns[column].metaData)
            #expect(meta.encodings.contains(Encoding.rleDictionary.rawValue))
            #expect(meta.dictionaryPageOffset != nil)
        }
    }

    @Test func rowGroupsFollowTheByteTarget() throws {
        let schema = ParquetSchema([ParquetColumn("id", .int64, nullable: false)])
        var properties = ParquetWriterProperties()
        properties.rowGroupTargetBytes = 80_000           // 10 000 int64 per row group
        properties.dictionaryEnabled = false
        var writer = try ParquetWriter(schema: schema, properties: properties, sink: InMemorySink())
        for start in stride(from: 0, to: 100_000, by: 7_000) {
            try writer.append([ColumnBatch(.int64((start..<min(start + 7_000, 100_000)).map { Int64($0) }))])
            #expect(writer.pendingRows <= 10_000)
        }
        let summary = try writer.close()
        #expect(summary.rows == 100_000)
        #expect(summary.rowGroups == 10)
        #expect(writer.sink.writes > 10)               // bytes left as each group filled, not at close
        let reader = try ParquetReader(bytes: writer.sink.bytes)
        #expect(reader.rowGroups.map(\.numRows) == [Int64](repeating: 10_000, count: 10))
        #expect(try reader.readColumn(0).values == .int64((0..<100_000).map { Int64($0) }))
        #expect(summary.bytes == Int64(writer.sink.bytes.count))
    }

    @Test func rowGroupsFollowTheRowLimit() throws {
        let schema = ParquetSchema([ParquetColumn("b", .boolean)])
        var properties = ParquetWriterProperties()
        properties.rowGroupMaxRows = 1000
        let batch = ColumnBatch.boolean((0..<4500).map { $0 % 3 == 0 ? nil : $0 % 2 == 0 })
        let reader = try roundTrip(schema, [[batch]], properties)
        #expect(reader.rowGroups.map(\.numRows) == [1000, 1000, 1000, 1000, 500])
    }

    @Test func statisticsAreGatheredAsValuesPass() throws {
        let schema = ParquetSchema([
            ParquetColumn("i", .int32), ParquetColumn("s", .string), ParquetColumn("d", .double),
            ParquetColumn("dec", .decimal(precision: 20, scale: 0)),
        ])
        let batch: [ColumnBatch] = [
            .int32([5, nil, -7, 12, nil]),
            .strings(["pear", "apple", nil, "zebra", "ñu"]),
            .double([Double.nan, 0.0, -2.5, nil, 1.5]),
            ColumnBatch(.bytes(ByteArrays(try ["5", "-3", "100"].map { try Decimal.unscaledBytes($0, scale: 0, byteLength: 9) })),
                        present: [true, true, false, true, false]),
        ]
        let bytes = try Fixtures.write(schema, [batch])
        let reader = try ParquetReader(bytes: bytes)
        let stats = reader.rowGroups[0].columns.map { $0.metaData?.statistics }
        #expect(stats[0] == Statistics(nullCount: 2, minValue: le(Int32(-7)), maxValue: le(Int32(12))))
        // Unsigned bytewise: "ñu" (0xC3…) sorts after "zebra".
        #expect(stats[1] == Statistics(nullCount: 1, minValue: Array("apple".utf8), maxValue: Array("ñu".utf8)))
        #expect(stats[2] == Statistics(nullCount: 1, minValue: le((-2.5).bitPattern), maxValue: le((1.5).bitPattern)))
        #expect(stats[3]?.minValue == (try Decimal.unscaledBytes("-3", scale: 0, byteLength: 9)))
        #expect(stats[3]?.maxValue == (try Decimal.unscaledBytes("100", scale: 0, byteLength: 9)))
        #expect(stats[3]?.nullCount == 2)
    }

    func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    @Test func emptyFileHasNoRowGroups() throws {
        let schema = Fixtures.schema(nullable: true)
        let bytes = try Fixtures.write(schema, [])
        let reader = try ParquetReader(bytes: bytes)
        #expect(reader.rowCount == 0 && reader.rowGroups.isEmpty)
        #expect(try reader.readColumn(0).rowCount == 0)
    }

    @Test func allNullColumnRoundTrips() throws {
        let schema = ParquetSchema([ParquetColumn("x", .int64), ParquetColumn("s", .string)])
        let batch: [ColumnBatch] = [.int64(Array(repeating: nil, count: 10_000)), .strings(Array(repeating: nil, count: 10_000))]
        _ = try roundTrip(schema, [batch], .default)
    }

    @Test func badBatchesAreRefusedWhole() throws {
        let schema = ParquetSchema([ParquetColumn("id", .int64, nullable: false), ParquetColumn("s", .string),
                                    ParquetColumn("u", .uuid)])
        var writer = try ParquetWriter(schema: schema, sink: InMemorySink())
        let good: [ColumnBatch] = [ColumnBatch(.int64([1])), .strings(["a"]), .bytes([[UInt8](repeating: 1, count: 16)])]
        let cases: [[ColumnBatch]] = [
            [ColumnBatch(.int64([1]))],                                                   // too few columns
            [ColumnBatch(.int32([1])), good[1], good[2]],                                 // wrong shape
            [.int64([nil]), good[1], good[2]],                                            // null in a required column
            [ColumnBatch(.int64([1, 2])), good[1], good[2]],                              // row counts differ
            [good[0], ColumnBatch(.bytes(ByteArrays([[0xFF, 0xFE]]))), good[2]],          // not UTF-8
            [good[0], good[1], .bytes([[1, 2, 3]])],                                      // uuid of 3 bytes
            [good[0], ColumnBatch(.bytes(ByteArrays(strings: ["a"])), present: [false]), good[2]], // present/values disagree
        ]
        for bad in cases {
            #expect(throws: ParquetError.self) { try writer.append(bad) }
        }
        try writer.append(good)
        try writer.close()
        #expect(throws: ParquetError.writerClosed) { try writer.append(good) }
        #expect(try ParquetReader(bytes: writer.sink.bytes).rowCount == 1)
    }

    @Test func badSchemasAndPropertiesAreRefused() {
        #expect(throws: ParquetError.self) { _ = try ParquetWriter(schema: ParquetSchema([]), sink: InMemorySink()) }
        #expect(throws: ParquetError.self) {
            _ = try ParquetWriter(schema: ParquetSchema([ParquetColumn("a", .int32), ParquetColumn("a", .int64)]), sink: InMemorySink())
        }
        #expect(throws: ParquetError.self) {
            _ = try ParquetWriter(schema: ParquetSchema([ParquetColumn("d", .decimal(precision: 5, scale: 6))]), sink: InMemorySink())
        }
        var properties = ParquetWriterProperties()
        properties.compression = .lz4
        #expect(throws: ParquetError.self) {
            _ = try ParquetWriter(schema: ParquetSchema([ParquetColumn("a", .int32)]), properties: properties, sink: InMemorySink())
        }
    }
}
