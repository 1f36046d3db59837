/// A column of a file as the reader sees it.
public struct ParquetColumnDescriptor: Sendable, Hashable {
    public var name: String
    public var physicalType: PhysicalType
    /// FIXED_LEN_BYTE_ARRAY length (INT96: 12).
    public var typeLength: Int?
    public var logicalType: LogicalType?
    public var nullable: Bool
    /// The column type this module names for it, or nil (e.g. unsigned integers, INT96, nanosecond timestamps).
    public var type: ParquetColumnType?
}

/// Reads a Parquet file held in memory: the footer on `init`, then column
/// values on demand. Flat schemas only (no nested groups or repeated fields).
/// Every offset, length and count in the file is checked before it is used.
public struct ParquetReader: Sendable {
    /// Bounds on what a file may make the reader allocate.
    public struct Limits: Sendable, Hashable {
        /// Footer size (64 MiB; a footer of a million columns is far smaller).
        public var maxFooterBytes = 64 << 20
        /// One page, uncompressed (256 MiB; writers use about 1 MiB).
        public var maxPageBytes = 256 << 20
        /// Values of one column chunk (2^26: a 64 MiB row group of int64 holds 8 Mi).
        public var maxValuesPerColumnChunk = 1 << 26
        /// Thrift struct nesting (the footer needs 6).
        public var maxThriftDepth = 32
        public init() {}
        public static let `default` = Limits()
    }

    public let bytes: [UInt8]
    public let limits: Limits
    public let columns: [ParquetColumnDescriptor]
    public let rowGroups: [RowGroup]
    public let rowCount: Int64
    public let createdBy: String?
    /// Where the footer starts (column chunks must end before it).
    private let footerStart: Int

    public init(bytes: [UInt8], limits: Limits = .default) throws {
        self.bytes = bytes
        self.limits = limits
        let magic = Array("PAR1".utf8)
        guard bytes.count >= 12 else { throw ParquetError.truncated("file of \(bytes.count) bytes") }
        guard Array(bytes[0..<4]) == magic, Array(bytes[(bytes.count - 4)...]) == magic else { throw ParquetError.badMagic }
        let lengthAt = bytes.count - 8
        let footerLength = Int(UInt32(bytes[lengthAt]) | UInt32(bytes[lengthAt + 1]) << 8
                               | UInt32(bytes[lengthAt + 2]) << 16 | UInt32(bytes[lengthAt + 3]) << 24)
        guard footerLength <= limits.maxFooterBytes else { throw ParquetError.limitExceeded("footer of \(footerLength) bytes") }
        guard footerLength <= lengthAt - 4 else {
            throw ParquetError.truncated("footer of \(footerLength) bytes in a file of \(bytes.count)")
        }
        footerStart = lengthAt - footerLength
        var reader = CompactReader(bytes, start: footerStart, end: lengthAt, maxDepth: limits.maxThriftDepth)
        let metadata = try FileMetaData.decode(from: &reader)
        columns = try Self.flatColumns(metadata.schema)
        for (index, group) in metadata.rowGroups.enumerated() {
            guard group.columns.count == columns.count else {
                throw ParquetError.corrupt("row group \(index) has \(group.columns.count) column chunks for \(columns.count) columns")
            }
            guard group.numRows >= 0 else { throw ParquetError.corrupt("row group \(index) has \(group.numRows) rows") }
        }
        guard metadata.numRows >= 0 else { throw ParquetError.corrupt("file claims \(metadata.numRows) rows") }
        rowGroups = metadata.rowGroups
        rowCount = metadata.numRows
        createdBy = metadata.createdBy
    }

    public func columnIndex(named name: String) -> Int? { columns.firstIndex { $0.name == name } }

    /// Every value of column `column`, all row groups in order.
    public func readColumn(_ column: Int) throws -> ColumnBatch {
        guard columns.indices.contains(column) else { throw ParquetError.invalidBatch("no column \(column)") }
        var values = ColumnValues.empty(for: columns[column].physicalType)
        var present: [Bool]? = columns[column].nullable ? [] : nil
        for group in rowGroups.indices {
            let part = try readColumn(column, rowGroup: group)
            values.append(part.values)
            if let p = part.present { present?.append(contentsOf: p) }
        }
        return ColumnBatch(values, present: present)
    }

    /// The values of column `column` in row group `rowGroup`.
    public func readColumn(_ column: Int, rowGroup: Int) throws -> ColumnBatch {
        guard columns.indices.contains(column) else { throw ParquetError.invalidBatch("no column \(column)") }
        guard rowGroups.indices.contains(rowGroup) else { throw ParquetError.invalidBatch("no row group \(rowGroup)") }
        let descriptor = columns[column]
        let group = rowGroups[rowGroup]
        let chunk = group.columns[column]
        guard chunk.filePath == nil else { throw ParquetError.unsupportedSchema("column chunk in another file (\(chunk.filePath ?? ""))") }
        guard let meta = chunk.metaData else { throw ParquetError.corrupt("column chunk without metadata") }
        guard meta.type == descriptor.physicalType else {
            throw ParquetError.corrupt("\(descriptor.name): chunk type \(meta.type) but schema says \(descriptor.physicalType)")
        }
        guard let codec = meta.codec else { throw ParquetError.unsupportedCodec("code \(meta.codecCode)") }
        guard codec == .uncompressed || codec == .lz4Raw else { throw ParquetError.unsupportedCodec(codec.parquetName) }
        guard meta.numValues >= 0, meta.numValues <= Int64(limits.maxValuesPerColumnChunk) else {
            throw ParquetError.limitExceeded("\(descriptor.name): \(meta.numValues) values in one column chunk")
        }
        guard meta.numValues == group.numRows else {
            throw ParquetError.corrupt("\(descriptor.name): \(meta.numValues) values for \(group.numRows) rows")
        }
        var start = meta.dataPageOffset
        if let dictionary = meta.dictionaryPageOffset, dictionary > 0, dictionary < start { start = dictionary }
        let (end, overflow) = start.addingReportingOverflow(meta.totalCompressedSize)
        guard start >= 4, meta.totalCompressedSize >= 0, !overflow, end <= Int64(footerStart) else {
            throw ParquetError.corrupt("\(descriptor.name): chunk at \(start)+\(meta.totalCompressedSize) outside the data (ends at \(footerStart))")
        }
        var decoder = ColumnChunkDecoder(bytes: bytes, descriptor: descriptor, codec: codec, limits: limits,
                                         expectedValues: Int(meta.numValues))
        return try decoder.decode(from: Int(start), to: Int(end))
    }

    private static func flatColumns(_ schema: [SchemaElement]) throws -> [ParquetColumnDescriptor] {
        guard let root = schema.first else { throw ParquetError.corrupt("empty schema") }
        let children = Int(root.numChildren ?? 0)
        guard children == schema.count - 1 else {
            throw ParquetError.unsupportedSchema("nested schema (root has \(children) children, \(schema.count - 1) elements follow)")
        }
        return try schema.dropFirst().map { element in
            guard (element.numChildren ?? 0) == 0, let physical = element.type else {
                throw ParquetError.unsupportedSchema("\(element.name) is a group")
            }
            guard element.repetition != .repeated else {
                throw ParquetError.unsupportedSchema("\(element.name) is repeated")
            }
            var length: Int?
            if physical == .fixedLenByteArray {
                guard let raw = element.typeLength, raw > 0 else {
                    throw ParquetError.corrupt("\(element.name): FIXED_LEN_BYTE_ARRAY without a positive length")
                }
                length = Int(raw)
            } else if physical == .int96 {
                length = 12
            }
            return ParquetColumnDescriptor(name: element.name, physicalType: physical, typeLength: length,
                                           logicalType: element.logicalType,
                                           nullable: (element.repetition ?? .optional) == .optional,
                                           type: ParquetColumnType.from(element))
        }
    }
}

extension ColumnValues {
    /// Appends values of the same shape (the reader's concatenation).
    mutating func append(_ other: ColumnValues) {
        switch (self, other) {
        case (.boolean(var a), .boolean(let b)): self = .int32([]); a.append(contentsOf: b); self = .boolean(a)
        case (.int32(var a), .int32(let b)): self = .boolean([]); a.append(contentsOf: b); self = .int32(a)
        case (.int64(var a), .int64(let b)): self = .boolean([]); a.append(contentsOf: b); self = .int64(a)
        case (.float(var a), .float(let b)): self = .boolean([]); a.append(contentsOf: b); self = .float(a)
        case (.double(var a), .double(let b)): self = .boolean([]); a.append(contentsOf: b); self = .double(a)
        case (.bytes(var a), .bytes(let b)): self = .boolean([]); a.append(contentsOf: b); self = .bytes(a)
        default: preconditionFailure("appending \(other.shape) to \(shape)")
        }
    }
}
