@testable import Parquet
import Testing

@Suite struct ThriftTests {
    @Test func fileMetaDataRoundTrips() throws {
        var element = SchemaElement(name: "amount")
        element.type = .fixedLenByteArray
        element.typeLength = 16
        element.repetition = .optional
        element.logicalType = .decimal(precision: 38, scale: 10)
        element.convertedType = ConvertedType.decimal.rawValue
        element.precision = 38
        element.scale = 10
        var ts = SchemaElement(name: "fecha")
        ts.type = .int64
        ts.repetition = .required
        ts.logicalType = .timestamp(isAdjustedToUTC: true, unit: .micros)
        let meta = ColumnMetaData(type: .int64, encodings: [0, 3, 8], pathInSchema: ["fecha"], codecCode: 7,
                                  numValues: 1 << 40, totalUncompressedSize: 123_456, totalCompressedSize: 99,
                                  dataPageOffset: 4, dictionaryPageOffset: nil,
                                  statistics: Statistics(nullCount: 0, minValue: [1, 2], maxValue: [3, 4, 5]))
        let group = RowGroup(columns: [ColumnChunk(filePath: nil, fileOffset: 4, metaData: meta)],
                             totalByteSize: 1000, numRows: -1 << 33, fileOffset: 4, totalCompressedSize: 99, ordinal: 300)
        let footer = FileMetaData(version: 2, schema: [SchemaElement(name: "schema", numChildren: 2), element, ts],
                                  numRows: 7, rowGroups: [group, group],
                                  keyValueMetadata: [("k", "v"), ("empty", nil)], createdBy: "test",
                                  columnOrderCount: 2)
        var writer = CompactWriter()
        writer.topLevel(footer)
        var reader = CompactReader(writer.bytes)
        var decoded = try FileMetaData.decode(from: &reader)
        #expect(reader.remaining == 0)
        // ordinal is written but not read back (nothing needs it).
        decoded.rowGroups = decoded.rowGroups.map { var g = $0; g.ordinal = 300; return g }
        #expect(decoded == footer)
    }

    @Test(arguments: [LogicalType.string, .map, .list, .enumeration, .decimal(precision: 5, scale: 1), .date,
                      .time(isAdjustedToUTC: false, unit: .micros), .timestamp(isAdjustedToUTC: true, unit: .nanos),
                      .integer(bitWidth: 16, isSigned: false), .unknown, .json, .bson, .uuid, .float16, .other(fieldID: 99)])
    func logicalTypesRoundTrip(_ type: LogicalType) throws {
        var writer = CompactWriter()
        writer.topLevel(type)
        var reader = CompactReader(writer.bytes)
        #expect(try LogicalType.decode(from: &reader) == type)
    }

    @Test func pageHeaderRoundTripsAndSkipsUnknownFields() throws {
        let header = PageHeader(type: 3, uncompressedPageSize: 100, compressedPageSize: 60,
                                dataPageV2: DataPageHeaderV2(numValues: 10, numNulls: 2, numRows: 10, encoding: 8,
                                                             definitionLevelsByteLength: 3, repetitionLevelsByteLength: 0,
                                                             isCompressed: false))
        var writer = CompactWriter()
        writer.topLevel(header)
        var reader = CompactReader(writer.bytes)
        #expect(try PageHeader.decode(from: &reader) == header)

        // A struct with fields this reader does not know: a far field id (long form), a double,
        // a list of lists, a map and a nested struct, all skipped.
        var bytes: [UInt8] = [0x15, 0x00]           // field 1, i32 0 (DATA_PAGE)
        bytes += [0x15, 0x08, 0x15, 0x08]           // fields 2 and 3: 4 and 4
        bytes += [0x07, 0xD0, 0x0F] + [UInt8](repeating: 0, count: 8)   // field 1000, double
        bytes += [0x09, 0xD2, 0x0F, 0x19, 0x35, 0x02, 0x04, 0x06]  // field 1001: list<list<i32>> [[1,2,3]]
        bytes += [0x0B, 0xD4, 0x0F, 0x01, 0x86, 0x01, 0x61, 0x02]  // field 1002: map<binary,i64> {"a": 1}
        bytes += [0x0C, 0xD6, 0x0F, 0x11, 0x00]                    // field 1003: struct { 1: true }
        bytes += [0x00]
        var r = CompactReader(bytes)
        let decoded = try PageHeader.decode(from: &r)
        #expect(decoded.type == 0 && decoded.uncompressedPageSize == 4 && decoded.compressedPageSize == 4)
        #expect(r.remaining == 0)
    }

    @Test func deepNestingIsATypedError() {
        // Field 1 as a struct, nested 10 000 times.
        let bytes = [UInt8](repeating: 0x1C, count: 10_000) + [UInt8](repeating: 0, count: 10_001)
        var reader = CompactReader(bytes, maxDepth: 32)
        #expect(throws: ParquetError.nestingTooDeep(limit: 32)) { try reader.skip(.struct) }
        var footer = CompactReader([0x19, 0xFC] + bytes)
        #expect(throws: ParquetError.self) { _ = try FileMetaData.decode(from: &footer) }
    }

    @Test(arguments: [
        [0x19, 0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x07],        // list of 2^31-1 i32 in no bytes
        [0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],              // binary of 4 GiB in no bytes
        [0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], // varint of 11 bytes
        [0x15],                                             // truncated value
        [0x1D],                                             // unknown wire type 13
        [0x1B, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x88],         // map of 4 Gi entries
    ] as [[UInt8]])
    func hostileThriftIsATypedError(_ bytes: [UInt8]) {
        var reader = CompactReader(bytes)
        #expect(throws: ParquetError.self) { try reader.skip(.struct) }
    }

    @Test func wrongWireTypeIsATypedError() {
        // FileMetaData.version (field 1) sent as a binary.
        var reader = CompactReader([0x18, 0x01, 0x41, 0x00])
        #expect(throws: ParquetError.self) { _ = try FileMetaData.decode(from: &reader) }
    }
}
