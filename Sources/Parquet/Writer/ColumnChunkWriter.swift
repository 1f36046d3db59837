import YonkeCore

/// One column of the row group being built. Values are encoded into the
/// current page as they arrive (dictionary indices while the dictionary stays
/// under its limit, PLAIN after), and a page is compressed and kept as soon as
/// it reaches the page size, so the row group is held encoded, not as raw values.
/// `finish` adds the dictionary page in front and hands the chunk out.
struct ColumnChunkWriter {
    let column: ParquetColumn
    let physical: PhysicalType
    let fixedLength: Int?
    let properties: ParquetWriterProperties
    private var statistics: StatisticsAccumulator
    private var dictionary: DictionaryBuilder?
    /// True once the dictionary overflowed: the rest of the chunk is PLAIN.
    private var plainFallback = false
    // The page being filled.
    private var pageLevels: [UInt32] = []
    private var pageIndices: [UInt32] = []
    private var pagePlain: [UInt8] = []
    /// Booleans are bit-packed across the whole page, so they wait for the flush.
    private var pageBooleans: [Bool] = []
    private var pageRows = 0
    private var pageUsesDictionary = true
    private var pageBits = 0
    // Finished data pages (headers and compressed bodies) of this chunk.
    private var pages: [UInt8] = []
    private var uncompressedTotal = 0
    private var usedDictionary = false
    private var usedPlain = false
    // Scratch buffers, kept across pages and row groups.
    private var body: [UInt8] = []
    private var compressed: [UInt8] = []
    private(set) var rows = 0
    /// PLAIN size of the values appended to this chunk (the row group's size estimate).
    private(set) var plainBytes = 0

    init(column: ParquetColumn, properties: ParquetWriterProperties) {
        self.column = column
        self.properties = properties
        physical = column.type.physicalType
        fixedLength = column.type.fixedLength
        statistics = StatisticsAccumulator(type: column.type)
        dictionary = Self.newDictionary(column, properties)
        pageUsesDictionary = dictionary != nil
    }

    private static func newDictionary(_ column: ParquetColumn, _ properties: ParquetWriterProperties) -> DictionaryBuilder? {
        let physical = column.type.physicalType
        guard properties.dictionaryEnabled && physical != .boolean else { return nil }
        return DictionaryBuilder(physical: physical, fixedLength: column.type.fixedLength,
                                 limitBytes: properties.dictionaryPageSizeLimitBytes)
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

    /// Appends a batch (already checked against the schema), cutting pages as they fill.
    mutating func append(_ batch: ColumnBatch) {
        let batchRows = batch.rowCount
        statistics.addNulls(batch.nullCount)
        plainBytes += Self.plainSize(batch.values)
        rows += batchRows
        var row = 0, value = 0
        let limitBits = properties.pageSizeBytes * 8
        while row < batchRows {
            let (takeRows, takeValues, bits) = fit(batch, row: row, value: value, budgetBits: limitBits - pageBits)
            guard appendSegment(batch, rows: row..<(row + takeRows), values: value..<(value + takeValues)) else { continue }
            pageBits += bits
            row += takeRows
            value += takeValues
            if pageBits >= limitBits { flushPage() }
        }
    }

    /// How many rows (and values) from `row` fit in `budgetBits`; at least one row.
    private func fit(_ batch: ColumnBatch, row: Int, value: Int, budgetBits: Int) -> (Int, Int, Int) {
        let rowsLeft = batch.rowCount - row
        let levelBits = column.nullable ? 1 : 0
        let fixedBits: Int? = {
            if pageUsesDictionary, let d = dictionary, !plainFallback { return d.indexBitWidth }
            switch physical {
            case .boolean: return 1
            case .int32, .float: return 32
            case .int64, .double: return 64
            case .fixedLenByteArray: return (fixedLength ?? 0) * 8
            case .byteArray, .int96: return nil
            }
        }()
        if let fixedBits, batch.present == nil {
            let per = fixedBits + levelBits
            let take = min(rowsLeft, max(1, (max(0, budgetBits) + per - 1) / per))
            return (take, take, take * per)
        }
        var bits = 0, r = row, v = value
        let present = batch.present
        let offsets: [Int]? = { if case .bytes(let b) = batch.values, fixedBits == nil { return b.offsets } else { return nil } }()
        while r < batch.rowCount && (bits < budgetBits || r == row) {
            bits += levelBits
            if present?[r] ?? true {
                if let fixedBits { bits += fixedBits } else if let offsets { bits += (offsets[v + 1] - offsets[v] + 4) * 8 }
                v += 1
            }
            r += 1
        }
        return (r - row, v - value, bits)
    }

    /// Adds rows `rowRange` (values `valueRange`) to the current page; false
    /// when the dictionary overflowed on them: the page so far is flushed, the
    /// chunk goes PLAIN, and the caller cuts the rows again by PLAIN sizes.
    private mutating func appendSegment(_ batch: ColumnBatch, rows rowRange: Range<Int>, values valueRange: Range<Int>) -> Bool {
        if pageUsesDictionary, !plainFallback, dictionary != nil {
            let before = pageIndices.count
            guard dictionary!.add(batch.values, range: valueRange, fixedLength: fixedLength, into: &pageIndices) else {
                pageIndices.removeSubrange(before...)
                if pageRows > 0 { flushPage() }     // the page so far, still dictionary-encoded
                plainFallback = true
                pageUsesDictionary = false
                return false
            }
        } else if case .boolean(let v) = batch.values {
            pageBooleans.append(contentsOf: v[valueRange])
        } else {
            encodePlain(batch.values, valueRange, into: &pagePlain)
        }
        statistics.add(batch.values, range: valueRange)
        if column.nullable {
            if let present = batch.present {
                for r in rowRange { pageLevels.append(present[r] ? 1 : 0) }
            } else {
                pageLevels.append(contentsOf: repeatElement(1, count: rowRange.count))
            }
        }
        pageRows += rowRange.count
        return true
    }

    /// Compresses the current page and keeps it with its header.
    private mutating func flushPage() {
        guard pageRows > 0 else { return }
        let dictionaryPage = pageUsesDictionary && !plainFallback && dictionary != nil
        body.removeAll(keepingCapacity: true)
        if column.nullable {
            body.append(contentsOf: [0, 0, 0, 0])
            pageLevels.withUnsafeBufferPointer { RLEHybrid.encode($0, bitWidth: 1, into: &body) }
            let length = UInt32(body.count - 4).littleEndian
            withUnsafeBytes(of: length) { raw in for k in 0..<4 { body[k] = raw[k] } }
        }
        if dictionaryPage, let d = dictionary {
            let width = d.indexBitWidth
            body.append(UInt8(width))
            pageIndices.withUnsafeBufferPointer { RLEHybrid.encode($0, bitWidth: width, into: &body) }
            usedDictionary = true
        } else if physical == .boolean {
            Plain.encode(pageBooleans[...], into: &body)
            usedPlain = true
        } else {
            body.append(contentsOf: pagePlain)
            usedPlain = true
        }
        let length = PageCompression.compress(body, codec: properties.compression, into: &compressed)
        let header = PageHeader(type: PageType.dataPage.rawValue, uncompressedPageSize: Int32(body.count),
                                compressedPageSize: Int32(length),
                                dataPage: DataPageHeader(numValues: Int32(pageRows),
                                                         encoding: (dictionaryPage ? Encoding.rleDictionary : .plain).rawValue,
                                                         definitionLevelEncoding: Encoding.rle.rawValue,
                                                         repetitionLevelEncoding: Encoding.rle.rawValue))
        var writer = CompactWriter(capacity: 32)
        writer.topLevel(header)
        pages.append(contentsOf: writer.bytes)
        pages.append(contentsOf: compressed[0..<length])
        uncompressedTotal += writer.bytes.count + body.count
        pageLevels.removeAll(keepingCapacity: true)
        pageIndices.removeAll(keepingCapacity: true)
        pagePlain.removeAll(keepingCapacity: true)
        pageBooleans.removeAll(keepingCapacity: true)
        pageRows = 0
        pageBits = 0
        pageUsesDictionary = dictionary != nil && !plainFallback
    }

    /// The chunk as byte runs to write in order (dictionary page, then data
    /// pages) and its metadata for a chunk starting at `fileOffset`. Resets
    /// this writer for the next row group, keeping its buffers.
    mutating func finish(fileOffset: Int64) -> ([[UInt8]], ColumnChunk) {
        if pageRows > 0 || rows == 0 { forceFlush() }
        var runs: [[UInt8]] = []
        var encodings: [Encoding] = []
        var dictionaryOffset: Int64?
        var total = 0
        if usedDictionary, let d = dictionary {
            body.removeAll(keepingCapacity: true)
            d.plainDictionary(fixedLength: fixedLength, into: &body)
            let length = PageCompression.compress(body, codec: properties.compression, into: &compressed)
            var writer = CompactWriter(capacity: 32)
            writer.topLevel(PageHeader(type: PageType.dictionaryPage.rawValue, uncompressedPageSize: Int32(body.count),
                                       compressedPageSize: Int32(length),
                                       dictionaryPage: DictionaryPageHeader(numValues: Int32(d.count),
                                                                            encoding: Encoding.plain.rawValue)))
            runs.append(writer.bytes + compressed[0..<length])
            uncompressedTotal += writer.bytes.count + body.count
            dictionaryOffset = fileOffset
            total += runs[0].count
            encodings += [.plain, .rleDictionary]
        } else {
            encodings.append(.plain)
        }
        if column.nullable { encodings.append(.rle) }
        let dataOffset = fileOffset + Int64(total)
        runs.append(pages)
        total += pages.count
        var stats: Statistics?
        if properties.statisticsEnabled { stats = statistics.statistics(maxValueBytes: properties.statisticsMaxValueBytes) }
        let meta = ColumnMetaData(type: physical, encodings: encodings.map(\.rawValue), pathInSchema: [column.name],
                                  codecCode: properties.compression.rawValue, numValues: Int64(rows),
                                  totalUncompressedSize: Int64(uncompressedTotal), totalCompressedSize: Int64(total),
                                  dataPageOffset: dataOffset, dictionaryPageOffset: dictionaryOffset, statistics: stats)
        reset()
        return (runs, ColumnChunk(filePath: nil, fileOffset: fileOffset, metaData: meta))
    }

    /// Flushes even an empty page (a chunk of zero rows still has one page).
    private mutating func forceFlush() {
        if pageRows == 0 {
            body.removeAll(keepingCapacity: true)
            if column.nullable { body.append(contentsOf: [0, 0, 0, 0]) }
            let length = PageCompression.compress(body, codec: properties.compression, into: &compressed)
            var writer = CompactWriter(capacity: 32)
            writer.topLevel(PageHeader(type: PageType.dataPage.rawValue, uncompressedPageSize: Int32(body.count),
                                       compressedPageSize: Int32(length),
                                       dataPage: DataPageHeader(numValues: 0, encoding: Encoding.plain.rawValue,
                                                                definitionLevelEncoding: Encoding.rle.rawValue,
                                                                repetitionLevelEncoding: Encoding.rle.rawValue)))
            pages.append(contentsOf: writer.bytes)
            pages.append(contentsOf: compressed[0..<length])
            uncompressedTotal += writer.bytes.count + body.count
            usedPlain = true
        } else {
            flushPage()
        }
    }

    private mutating func reset() {
        statistics = StatisticsAccumulator(type: column.type)
        dictionary = Self.newDictionary(column, properties)
        plainFallback = false
        pageUsesDictionary = dictionary != nil
        pages.removeAll(keepingCapacity: true)
        uncompressedTotal = 0
        usedDictionary = false
        usedPlain = false
        rows = 0
        plainBytes = 0
    }

    private func encodePlain(_ values: ColumnValues, _ range: Range<Int>, into out: inout [UInt8]) {
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
