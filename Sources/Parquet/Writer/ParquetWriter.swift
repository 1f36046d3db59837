/// What a closed writer produced.
public struct ParquetFileSummary: Sendable, Hashable {
    public var rows: Int64
    public var rowGroups: Int
    public var bytes: Int64
}

/// Writes one Parquet file, column-oriented: `append` batches of column
/// values, `close` writes the footer. Bytes reach the sink a column chunk at a
/// time as each row group fills, so memory is bounded by one row group
/// (`ParquetWriterProperties.rowGroupTargetBytes`), whatever the file's size.
///
///     var writer = try ParquetWriter(schema: schema, sink: InMemorySink())
///     try writer.append([.int64([1, 2]), .strings(["a", nil])])
///     let summary = try writer.close()
///     let bytes = writer.sink.bytes
public struct ParquetWriter<Sink: ParquetSink> {
    public let schema: ParquetSchema
    public let properties: ParquetWriterProperties
    public private(set) var sink: Sink
    private var columns: [ColumnChunkWriter]
    private var rowGroups: [RowGroup] = []
    private var offset: Int64 = 0
    private var bufferedRows = 0
    private var totalRows: Int64 = 0
    private var closed = false

    public init(schema: ParquetSchema, properties: ParquetWriterProperties = .default, sink: Sink) throws {
        try schema.validate()
        try properties.validate()
        self.schema = schema
        self.properties = properties
        self.sink = sink
        columns = schema.columns.map { ColumnChunkWriter(column: $0, properties: properties) }
    }

    /// Rows appended but not yet written out as a row group.
    public var pendingRows: Int { bufferedRows }
    /// Bytes handed to the sink so far.
    public var bytesWritten: Int64 { offset }

    /// Appends one batch: one `ColumnBatch` per schema column, in schema order,
    /// all with the same row count. The whole batch is checked before any of it is kept.
    public mutating func append(_ batch: [ColumnBatch]) throws {
        guard !closed else { throw ParquetError.writerClosed }
        try check(batch)
        let rows = batch.first?.rowCount ?? 0
        guard rows > 0 else { return }
        let batchBytes = batch.reduce(0) { $0 + ColumnChunkWriter.plainSize($1.values) }
        let bufferedBytes = columns.reduce(0) { $0 + $1.plainBytes }
        let roomRows = properties.rowGroupMaxRows - bufferedRows
        if bufferedBytes + batchBytes <= properties.rowGroupTargetBytes && rows <= roomRows {
            for i in columns.indices { columns[i].append(batch[i]) }
            bufferedRows += rows
            if bufferedBytes + batchBytes == properties.rowGroupTargetBytes || rows == roomRows { try flushRowGroup() }
            return
        }
        // The batch crosses a row group boundary: cut it by rows.
        let bytesPerRow = max(1, batchBytes / rows)
        var start = 0
        while start < rows {
            let buffered = columns.reduce(0) { $0 + $1.plainBytes }
            let byBytes = max(1, (properties.rowGroupTargetBytes - buffered) / bytesPerRow)
            let take = min(rows - start, byBytes, properties.rowGroupMaxRows - bufferedRows)
            for i in columns.indices { columns[i].append(batch[i].slice(start..<(start + take))) }
            bufferedRows += take
            start += take
            if bufferedRows >= properties.rowGroupMaxRows
                || columns.reduce(0, { $0 + $1.plainBytes }) >= properties.rowGroupTargetBytes
                || start < rows {
                try flushRowGroup()
            }
        }
    }

    /// Writes the buffered rows as a row group now (no-op when none are buffered).
    public mutating func flushRowGroup() throws {
        guard !closed else { throw ParquetError.writerClosed }
        guard bufferedRows > 0 else { return }
        if offset == 0 { try emit(Self.magic) }
        let start = offset
        var chunks: [ColumnChunk] = []
        var uncompressed: Int64 = 0
        for i in columns.indices {
            let (runs, chunk) = columns[i].finish(fileOffset: offset)
            for run in runs where !run.isEmpty { try emit(run) }
            uncompressed += chunk.metaData?.totalUncompressedSize ?? 0
            chunks.append(chunk)
        }
        rowGroups.append(RowGroup(columns: chunks, totalByteSize: uncompressed, numRows: Int64(bufferedRows),
                                  fileOffset: start, totalCompressedSize: offset - start,
                                  ordinal: Int16(truncatingIfNeeded: rowGroups.count)))
        totalRows += Int64(bufferedRows)
        bufferedRows = 0
    }

    /// Writes the last row group and the footer. The writer takes no more batches.
    @discardableResult
    public mutating func close() throws -> ParquetFileSummary {
        guard !closed else { throw ParquetError.writerClosed }
        try flushRowGroup()
        if offset == 0 { try emit(Self.magic) }
        let footer = FileMetaData(version: 2, schema: schema.elements, numRows: totalRows, rowGroups: rowGroups,
                                  createdBy: properties.createdBy, columnOrderCount: schema.columns.count)
        var writer = CompactWriter(capacity: 4096)
        writer.topLevel(footer)
        var tail = writer.bytes
        withUnsafeBytes(of: UInt32(tail.count).littleEndian) { tail.append(contentsOf: $0) }
        tail.append(contentsOf: Self.magic)
        try emit(tail)
        closed = true
        return ParquetFileSummary(rows: totalRows, rowGroups: rowGroups.count, bytes: offset)
    }

    static var magic: [UInt8] { Array("PAR1".utf8) }

    private mutating func emit(_ bytes: [UInt8]) throws {
        try sink.write(bytes)
        offset += Int64(bytes.count)
    }

    private func check(_ batch: [ColumnBatch]) throws {
        guard batch.count == columns.count else {
            throw ParquetError.invalidBatch("\(batch.count) columns for a schema of \(columns.count)")
        }
        let rows = batch.first?.rowCount ?? 0
        for (column, part) in zip(schema.columns, batch) {
            let name = column.name
            guard part.rowCount == rows else {
                throw ParquetError.invalidBatch("\(name): \(part.rowCount) rows, the first column has \(rows)")
            }
            guard part.values.fits(column.type.physicalType) else {
                throw ParquetError.invalidBatch("\(name): \(part.values.shape) values for a \(column.type) column")
            }
            if let present = part.present {
                let count = present.reduce(0) { $0 + ($1 ? 1 : 0) }
                guard count == part.values.count else {
                    throw ParquetError.invalidBatch("\(name): \(count) rows present but \(part.values.count) values")
                }
                guard column.nullable || count == present.count else {
                    throw ParquetError.invalidBatch("\(name): null in a required column")
                }
            }
            if case .bytes(let values) = part.values {
                if let length = column.type.fixedLength {
                    for i in 0..<values.count where values.length(at: i) != length {
                        throw ParquetError.invalidBatch("\(name): value \(i) has \(values.length(at: i)) bytes, not \(length)")
                    }
                } else {
                    for i in 0..<values.count where values.length(at: i) > Self.maxValueBytes {
                        throw ParquetError.invalidBatch("\(name): value \(i) of \(values.length(at: i)) bytes (limit \(Self.maxValueBytes))")
                    }
                }
                if column.type == .string || column.type == .json, !UTF8Check.isValid(values.bytes, offsets: values.offsets) {
                    throw ParquetError.invalidBatch("\(name): a value is not valid UTF-8")
                }
            }
        }
    }

    /// One value must fit one page whose size is an i32.
    static var maxValueBytes: Int { 1 << 30 }
}

extension ColumnBatch {
    /// Rows `rows` of this batch.
    func slice(_ rows: Range<Int>) -> ColumnBatch {
        let valueRange: Range<Int>
        var newPresent: [Bool]?
        if let present {
            let before = present[..<rows.lowerBound].reduce(0) { $0 + ($1 ? 1 : 0) }
            let inside = present[rows].reduce(0) { $0 + ($1 ? 1 : 0) }
            valueRange = before..<(before + inside)
            newPresent = Array(present[rows])
        } else {
            valueRange = rows
        }
        let sliced: ColumnValues
        switch values {
        case .boolean(let v): sliced = .boolean(Array(v[valueRange]))
        case .int32(let v): sliced = .int32(Array(v[valueRange]))
        case .int64(let v): sliced = .int64(Array(v[valueRange]))
        case .float(let v): sliced = .float(Array(v[valueRange]))
        case .double(let v): sliced = .double(Array(v[valueRange]))
        case .bytes(let v):
            var out = ByteArrays(reservingValues: valueRange.count, bytes: 0)
            let lo = v.offsets[valueRange.lowerBound], hi = v.offsets[valueRange.upperBound]
            out.appendLaidOut(data: v.bytes[lo..<hi], lengths: valueRange.map { v.length(at: $0) })
            sliced = .bytes(out)
        }
        return ColumnBatch(sliced, present: newPresent)
    }
}

/// UTF-8 validation with an ASCII fast path (8 bytes at a time).
enum UTF8Check {
    static func isValid(_ bytes: [UInt8], offsets: [Int]) -> Bool {
        let ascii = bytes.withUnsafeBytes { raw -> Bool in
            var i = 0
            var acc: UInt64 = 0
            while i + 8 <= raw.count { acc |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self); i += 8 }
            while i < raw.count { acc |= UInt64(raw[i]); i += 1 }
            return acc & 0x8080_8080_8080_8080 == 0
        }
        if ascii { return true }
        for i in 0..<(offsets.count - 1) where String(validating: bytes[offsets[i]..<offsets[i + 1]], as: UTF8.self) == nil {
            return false
        }
        return true
    }
}
