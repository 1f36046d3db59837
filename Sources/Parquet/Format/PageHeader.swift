/// `parquet.thrift`, struct DataPageHeader (v1).
struct DataPageHeader: Sendable, Hashable {
    var numValues: Int32
    var encoding: Int32
    var definitionLevelEncoding: Int32
    var repetitionLevelEncoding: Int32
    var statistics: Statistics?
}

/// `parquet.thrift`, struct DataPageHeaderV2: levels are never compressed and
/// their byte lengths are in the header.
struct DataPageHeaderV2: Sendable, Hashable {
    var numValues: Int32
    var numNulls: Int32
    var numRows: Int32
    var encoding: Int32
    var definitionLevelsByteLength: Int32
    var repetitionLevelsByteLength: Int32
    var isCompressed: Bool = true
}

/// `parquet.thrift`, struct DictionaryPageHeader.
struct DictionaryPageHeader: Sendable, Hashable {
    var numValues: Int32
    var encoding: Int32
}

/// `parquet.thrift`, struct PageHeader: what precedes every page of a column chunk.
struct PageHeader: Sendable, Hashable {
    var type: Int32
    var uncompressedPageSize: Int32
    var compressedPageSize: Int32
    var dataPage: DataPageHeader?
    var dictionaryPage: DictionaryPageHeader?
    var dataPageV2: DataPageHeaderV2?
}

extension PageHeader: ThriftEncodable {
    func encode(to writer: inout CompactWriter) {
        writer.field(1, i32: type)
        writer.field(2, i32: uncompressedPageSize)
        writer.field(3, i32: compressedPageSize)
        if let page = dataPage {
            writer.field(5) {
                $0.field(1, i32: page.numValues)
                $0.field(2, i32: page.encoding)
                $0.field(3, i32: page.definitionLevelEncoding)
                $0.field(4, i32: page.repetitionLevelEncoding)
                if let statistics = page.statistics { $0.field(5, struct: statistics) }
            }
        }
        if let page = dictionaryPage {
            writer.field(7) {
                $0.field(1, i32: page.numValues)
                $0.field(2, i32: page.encoding)
            }
        }
        if let page = dataPageV2 {
            writer.field(8) {
                $0.field(1, i32: page.numValues)
                $0.field(2, i32: page.numNulls)
                $0.field(3, i32: page.numRows)
                $0.field(4, i32: page.encoding)
                $0.field(5, i32: page.definitionLevelsByteLength)
                $0.field(6, i32: page.repetitionLevelsByteLength)
                $0.field(7, bool: page.isCompressed)
            }
        }
    }

    static func decode(from reader: inout CompactReader) throws -> PageHeader {
        var type: Int32?, uncompressed: Int32?, compressed: Int32?
        var header = PageHeader(type: 0, uncompressedPageSize: 0, compressedPageSize: 0)
        try reader.readStruct { r, id, wire in
            switch id {
            case 1: type = try r.i32(wire, "PageHeader.type")
            case 2: uncompressed = try r.i32(wire, "PageHeader.uncompressed_page_size")
            case 3: compressed = try r.i32(wire, "PageHeader.compressed_page_size")
            case 5:
                guard wire == .struct else { throw ParquetError.malformedThrift("data_page_header is not a struct") }
                var n: Int32?, e: Int32?, d: Int32?, rl: Int32?
                var statistics: Statistics?
                try r.readStruct { r, id, wire in
                    switch id {
                    case 1: n = try r.i32(wire, "DataPageHeader.num_values")
                    case 2: e = try r.i32(wire, "DataPageHeader.encoding")
                    case 3: d = try r.i32(wire, "DataPageHeader.definition_level_encoding")
                    case 4: rl = try r.i32(wire, "DataPageHeader.repetition_level_encoding")
                    case 5:
                        guard wire == .struct else { throw ParquetError.malformedThrift("page statistics is not a struct") }
                        statistics = try Statistics.decode(from: &r)
                    default: try r.skip(wire)
                    }
                }
                guard let n, let e, let d, let rl else { throw ParquetError.malformedThrift("DataPageHeader lacks a required field") }
                header.dataPage = DataPageHeader(numValues: n, encoding: e, definitionLevelEncoding: d,
                                                 repetitionLevelEncoding: rl, statistics: statistics)
            case 7:
                guard wire == .struct else { throw ParquetError.malformedThrift("dictionary_page_header is not a struct") }
                var n: Int32?, e: Int32?
                try r.readStruct { r, id, wire in
                    switch id {
                    case 1: n = try r.i32(wire, "DictionaryPageHeader.num_values")
                    case 2: e = try r.i32(wire, "DictionaryPageHeader.encoding")
                    default: try r.skip(wire)
                    }
                }
                guard let n, let e else { throw ParquetError.malformedThrift("DictionaryPageHeader lacks a required field") }
                header.dictionaryPage = DictionaryPageHeader(numValues: n, encoding: e)
            case 8:
                guard wire == .struct else { throw ParquetError.malformedThrift("data_page_header_v2 is not a struct") }
                var f = [Int32?](repeating: nil, count: 7)
                var compressedFlag = true
                try r.readStruct { r, id, wire in
                    switch id {
                    case 1...6: f[Int(id)] = try r.i32(wire, "DataPageHeaderV2 field \(id)")
                    case 7: compressedFlag = try r.bool(wire, "DataPageHeaderV2.is_compressed")
                    default: try r.skip(wire)
                    }
                }
                guard let n = f[1], let nulls = f[2], let rows = f[3], let e = f[4], let dl = f[5], let rl = f[6] else {
                    throw ParquetError.malformedThrift("DataPageHeaderV2 lacks a required field")
                }
                header.dataPageV2 = DataPageHeaderV2(numValues: n, numNulls: nulls, numRows: rows, encoding: e,
                                                     definitionLevelsByteLength: dl, repetitionLevelsByteLength: rl,
                                                     isCompressed: compressedFlag)
            default: try r.skip(wire)
            }
        }
        guard let type, let uncompressed, let compressed else {
            throw ParquetError.malformedThrift("PageHeader lacks type or sizes")
        }
        guard uncompressed >= 0, compressed >= 0 else {
            throw ParquetError.corrupt("negative page size \(uncompressed)/\(compressed)")
        }
        header.type = type
        header.uncompressedPageSize = uncompressed
        header.compressedPageSize = compressed
        return header
    }
}
