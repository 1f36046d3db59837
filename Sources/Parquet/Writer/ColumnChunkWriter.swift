import YonkeCore

/// One column's values for the row group being built, and how they become a
/// column chunk: an optional dictionary page, then data pages v1 (definition
/// levels RLE, values PLAIN or RLE_DICTIONARY), each compressed on its own.
struct ColumnChunkWriter {
    let column: ParquetColumn
    let physical: PhysicalType
    let fixedLength: Int?
    private(set) var values: ColumnValues
    private var present: [Bool] = []
    private(set) var rows = 0
    private var statistics: StatisticsAccumulator
    private var dictionary: DictionaryBuilder?
    /// PLAIN size of the buffered values (the row group's size estimate).
    private(set) var plainBytes = 0

    init(column: ParquetColumn, properties: ParquetWriterProperties) {
        self.column = column
        physical = column.type.physicalType
        fixedLength = column.type.fixedLength
        values = .empty(for: physical)
        statistics = StatisticsAccumulator(type: column.type)
        if properties.dictionaryEnabled && physical != .boolean {
            dictionary = DictionaryBuilder(physical: physical, fixedLength: fixedLength,
                                           limitBytes: properties.dictionaryPageSizeLimitBytes)
        }
    }

    /// PLAIN bytes of a batch of this column (checked already).
    static func plainSize(_ values: ColumnValues) -> Int {
        switch values {
        case .boolean(let v): (v.count + 7) / 8
        case .int32(let v): v.count * 4
        case .float(let v): v.count * 4
        case .int64(let v): v.count * 8
        case .double(let v): v.count * 8
        case .bytes(let v): v.bytes.count + 4 * v.count
        }
    }

    mutating func append(_ batch: ColumnBatch) {
        let batchRows = batch.rowCount
        if column.nullable {
            if let p = batch.present { present.append(contentsOf: p) } else { present.append(contentsOf: repeatElement(true, count: batchRows)) }
        }
        statistics.addNulls(batch.nullCount)
        statistics.add(batch.values)
        dictionary?.add(batch.values, fixedLength: fixedLength)
        plainBytes += Self.plainSize(batch.values)
        rows += batchRows
        switch (values, batch.values) {
        case (.boolean(var a), .boolean(let b)): values = .int32([]); a.append(contentsOf: b); values = .boolean(a)
        case (.int32(var a), .int32(let b)): values = .boolean([]); a.append(contentsOf: b); values = .int32(a)
        case (.int64(var a), .int64(let b)): values = .boolean([]); a.append(contentsOf: b); values = .int64(a)
        case (.float(var a), .float(let b)): values = .boolean([]); a.append(contentsOf: b); values = .float(a)
        case (.double(var a), .double(let b)): values = .boolean([]); a.append(contentsOf: b); values = .double(a)
        case (.bytes(var a), .bytes(let b)): values = .boolean([]); a.append(contentsOf: b); values = .bytes(a)
        default: invariant(false, "batch shape \(batch.values.shape) for \(values.shape) was not checked")
        }
    }

    /// Encodes the buffered values as one column chunk starting at `fileOffset`;
    /// returns its bytes and metadata, and resets this writer for the next row group.
    mutating func finish(fileOffset: Int64, properties: ParquetWriterProperties) -> ([UInt8], ColumnChunk) {
        var out: [UInt8] = []
        out.reserveCapacity(plainBytes / 2 + 1024)
        var uncompressedTotal = 0
        var encodings: [Encoding] = []
        var dictionaryOffset: Int64?
        var page: [UInt8] = []
        var compressed: [UInt8] = []

        func emit(_ header: PageHeader, _ body: [UInt8]) {
            var writer = CompactWriter()
            writer.topLevel(header)
            out.append(contentsOf: writer.bytes)
            out.append(contentsOf: body)
            uncompressedTotal += writer.bytes.count + Int(header.uncompressedPageSize)
        }

        let useDictionary: Bool = {
            guard let d = dictionary, !d.overflowed, d.count > 0 else { return false }
            let width = max(1, RLEHybrid.bitWidth(forMax: UInt32(d.count - 1)))
            return d.plainBytes + (d.indices.count * width + 7) / 8 < plainBytes
        }()
        let indexWidth = useDictionary ? max(1, RLEHybrid.bitWidth(forMax: UInt32(dictionary!.count - 1))) : 0

        if useDictionary, let d = dictionary {
            page.removeAll(keepingCapacity: true)
            d.plainDictionary(fixedLength: fixedLength, into: &page)
            PageCompression.compress(page, codec: properties.compression, into: &compressed)
            dictionaryOffset = fileOffset
            emit(PageHeader(type: PageType.dictionaryPage.rawValue, uncompressedPageSize: Int32(page.count),
                            compressedPageSize: Int32(compressed.count),
                            dictionaryPage: DictionaryPageHeader(numValues: Int32(d.count), encoding: Encoding.plain.rawValue)),
                 compressed)
            encodings.append(.plain)
            encodings.append(.rleDictionary)
        } else {
            encodings.append(.plain)
        }
        if column.nullable { encodings.append(.rle) }
        let dataOffset = fileOffset + Int64(out.count)

        // Page boundaries by the encoded size of values (plus levels).
        var rowStart = 0, valueStart = 0, valueIndex = 0, estimate = 0
        let pageLimit = properties.pageSizeBytes
        var levels: [UInt32] = []
        let fixedSize: Int? = useDictionary ? nil : {
            switch physical {
            case .int32, .float: 4
            case .int64, .double: 8
            case .fixedLenByteArray: fixedLength
            default: nil
            }
        }()
        func valueSize(_ i: Int) -> Int {
            if useDictionary { return indexWidth }          // in bits; compared ×8 below
            if let fixedSize { return fixedSize * 8 }
            if physical == .boolean { return 1 }
            if case .bytes(let v) = values { return (v.length(at: i) + 4) * 8 }
            return 8
        }
        func writePage(rows rowRange: Range<Int>, values valueRange: Range<Int>) {
            page.removeAll(keepingCapacity: true)
            if column.nullable {
                levels.removeAll(keepingCapacity: true)
                for r in rowRange { levels.append(present[r] ? 1 : 0) }
                let lengthAt = page.count
                page.append(contentsOf: [0, 0, 0, 0])
                levels.withUnsafeBufferPointer { RLEHybrid.encode($0, bitWidth: 1, into: &page) }
                let length = UInt32(page.count - lengthAt - 4)
                withUnsafeBytes(of: length.littleEndian) { raw in
                    for k in 0..<4 { page[lengthAt + k] = raw[k] }
                }
            }
            if useDictionary, let d = dictionary {
                page.append(UInt8(indexWidth))
                d.indices.withUnsafeBufferPointer { all in
                    RLEHybrid.encode(UnsafeBufferPointer(rebasing: all[valueRange]), bitWidth: indexWidth, into: &page)
                }
            } else {
                encodePlain(valueRange, into: &page)
            }
            PageCompression.compress(page, codec: properties.compression, into: &compressed)
            emit(PageHeader(type: PageType.dataPage.rawValue, uncompressedPageSize: Int32(page.count),
                            compressedPageSize: Int32(compressed.count),
                            dataPage: DataPageHeader(numValues: Int32(rowRange.count),
                                                     encoding: (useDictionary ? Encoding.rleDictionary : .plain).rawValue,
                                                     definitionLevelEncoding: Encoding.rle.rawValue,
                                                     repetitionLevelEncoding: Encoding.rle.rawValue)),
                 compressed)
        }
        let limitBits = pageLimit * 8
        for r in 0..<rows {
            if !column.nullable || present[r] {
                estimate += valueSize(valueIndex)
                valueIndex += 1
            }
            if column.nullable { estimate += 1 }
            if estimate >= limitBits {
                writePage(rows: rowStart..<(r + 1), values: valueStart..<valueIndex)
                rowStart = r + 1; valueStart = valueIndex; estimate = 0
            }
        }
        if rowStart < rows || rows == 0 {
            writePage(rows: rowStart..<rows, values: valueStart..<valueIndex)
        }

        var stats: Statistics?
        if properties.statisticsEnabled { stats = statistics.statistics(maxValueBytes: properties.statisticsMaxValueBytes) }
        let meta = ColumnMetaData(type: physical, encodings: encodings.map(\.rawValue), pathInSchema: [column.name],
                                  codecCode: properties.compression.rawValue, numValues: Int64(rows),
                                  totalUncompressedSize: Int64(uncompressedTotal), totalCompressedSize: Int64(out.count),
                                  dataPageOffset: dataOffset, dictionaryPageOffset: dictionaryOffset, statistics: stats)
        let chunk = ColumnChunk(filePath: nil, fileOffset: fileOffset, metaData: meta)
        self = ColumnChunkWriter(column: column, properties: properties)
        return (out, chunk)
    }

    private func encodePlain(_ range: Range<Int>, into out: inout [UInt8]) {
        switch values {
        case .boolean(let v): Plain.encode(v[range], into: &out)
        case .int32(let v): v.withUnsafeBufferPointer { Plain.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &out) }
        case .int64(let v): v.withUnsafeBufferPointer { Plain.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &out) }
        case .float(let v): v.withUnsafeBufferPointer { Plain.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &out) }
        case .double(let v): v.withUnsafeBufferPointer { Plain.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &out) }
        case .bytes(let v): Plain.encode(v, range: range, fixedLength: fixedLength != nil, into: &out)
        }
    }
}
