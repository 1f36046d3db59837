/// Decodes one column chunk's pages (dictionary, data v1, data v2) into
/// values and presence, from untrusted bytes.
struct ColumnChunkDecoder {
    let bytes: [UInt8]
    let descriptor: ParquetColumnDescriptor
    let codec: CompressionCodec
    let limits: ParquetReader.Limits
    let expectedValues: Int
    private var dictionary: ColumnValues?
    private var values: ColumnValues
    private var present: [Bool] = []
    private var levelsRead = 0
    private var levels: [UInt32] = []

    init(bytes: [UInt8], descriptor: ParquetColumnDescriptor, codec: CompressionCodec,
         limits: ParquetReader.Limits, expectedValues: Int) {
        self.bytes = bytes
        self.descriptor = descriptor
        self.codec = codec
        self.limits = limits
        self.expectedValues = expectedValues
        values = .empty(for: descriptor.physicalType)
    }

    mutating func decode(from start: Int, to end: Int) throws -> ColumnBatch {
        var position = start
        while levelsRead < expectedValues {
            guard position < end else {
                throw ParquetError.truncated("\(descriptor.name): chunk ended after \(levelsRead) of \(expectedValues) values")
            }
            var reader = CompactReader(bytes, start: position, end: end, maxDepth: limits.maxThriftDepth)
            let header = try PageHeader.decode(from: &reader)
            position = reader.position
            let compressedSize = Int(header.compressedPageSize)
            let uncompressedSize = Int(header.uncompressedPageSize)
            guard compressedSize <= end - position else {
                throw ParquetError.truncated("\(descriptor.name): page of \(compressedSize) bytes with \(end - position) left in the chunk")
            }
            guard uncompressedSize <= limits.maxPageBytes else {
                throw ParquetError.limitExceeded("\(descriptor.name): page of \(uncompressedSize) bytes")
            }
            let body = bytes[position..<(position + compressedSize)]
            position += compressedSize
            switch PageType(rawValue: header.type) {
            case .dictionaryPage:
                guard let page = header.dictionaryPage else { throw ParquetError.corrupt("dictionary page without its header") }
                guard dictionary == nil else { throw ParquetError.corrupt("\(descriptor.name): second dictionary page") }
                guard page.encoding == Encoding.plain.rawValue || page.encoding == Encoding.plainDictionary.rawValue else {
                    throw ParquetError.unsupportedEncoding("dictionary page \(Encoding.named(page.encoding))")
                }
                guard page.numValues >= 0 else { throw ParquetError.corrupt("dictionary of \(page.numValues) values") }
                let data = try PageCompression.decompress(body, codec: codec, size: uncompressedSize)
                var entries = ColumnValues.empty(for: descriptor.physicalType)
                try decodePlain(data[...], count: Int(page.numValues), into: &entries)
                dictionary = entries
            case .dataPage:
                guard let page = header.dataPage else { throw ParquetError.corrupt("data page without its header") }
                let count = try pageValueCount(page.numValues)
                let data = try PageCompression.decompress(body, codec: codec, size: uncompressedSize)
                var rest = data[...]
                var nonNull = count
                if descriptor.nullable {
                    guard page.definitionLevelEncoding == Encoding.rle.rawValue else {
                        throw ParquetError.unsupportedEncoding("definition levels \(Encoding.named(page.definitionLevelEncoding))")
                    }
                    guard rest.count >= 4 else { throw ParquetError.truncated("definition levels length") }
                    let b = rest.startIndex
                    let length = Int(UInt32(rest[b]) | UInt32(rest[b + 1]) << 8 | UInt32(rest[b + 2]) << 16 | UInt32(rest[b + 3]) << 24)
                    guard length <= rest.count - 4 else { throw ParquetError.truncated("definition levels of \(length) bytes") }
                    nonNull = try readLevels(rest[(b + 4)..<(b + 4 + length)], count: count)
                    rest = rest[(b + 4 + length)...]
                }
                try decodeValues(rest, encoding: page.encoding, count: nonNull)
                levelsRead += count
            case .dataPageV2:
                guard let page = header.dataPageV2 else { throw ParquetError.corrupt("data page v2 without its header") }
                let count = try pageValueCount(page.numValues)
                let definitionLength = Int(page.definitionLevelsByteLength)
                let repetitionLength = Int(page.repetitionLevelsByteLength)
                guard definitionLength >= 0, repetitionLength >= 0,
                      definitionLength + repetitionLength <= body.count,
                      definitionLength + repetitionLength <= uncompressedSize else {
                    throw ParquetError.corrupt("\(descriptor.name): level lengths \(repetitionLength)+\(definitionLength) in a page of \(body.count)")
                }
                guard repetitionLength == 0 else { throw ParquetError.unsupportedSchema("repetition levels in a flat column") }
                let levelBytes = body[body.startIndex..<(body.startIndex + definitionLength)]
                let valueBytes = body[(body.startIndex + definitionLength)...]
                var nonNull = count
                if descriptor.nullable {
                    nonNull = try readLevels(levelBytes, count: count)
                    guard count - nonNull == Int(page.numNulls) else {
                        throw ParquetError.corrupt("\(descriptor.name): \(count - nonNull) nulls but the header says \(page.numNulls)")
                    }
                }
                let valuesSize = uncompressedSize - definitionLength - repetitionLength
                let data: [UInt8]
                if page.isCompressed && codec != .uncompressed {
                    data = try PageCompression.decompress(valueBytes, codec: codec, size: valuesSize)
                } else {
                    data = try PageCompression.decompress(valueBytes, codec: .uncompressed, size: valuesSize)
                }
                try decodeValues(data[...], encoding: page.encoding, count: nonNull)
                levelsRead += count
            case .indexPage, nil:
                continue
            }
        }
        guard values.count <= expectedValues else { throw ParquetError.corrupt("more values than rows") }
        return ColumnBatch(values, present: descriptor.nullable ? present : nil)
    }

    private func pageValueCount(_ raw: Int32) throws -> Int {
        guard raw >= 0, Int(raw) <= expectedValues - levelsRead else {
            throw ParquetError.corrupt("\(descriptor.name): page of \(raw) values with \(expectedValues - levelsRead) left in the chunk")
        }
        return Int(raw)
    }

    /// Reads `count` definition levels (max level 1); returns how many are non-null.
    private mutating func readLevels(_ data: ArraySlice<UInt8>, count: Int) throws -> Int {
        levels.removeAll(keepingCapacity: true)
        try RLEHybrid.decode(data, bitWidth: 1, count: count, maxValue: 1, into: &levels)
        var nonNull = 0
        present.reserveCapacity(present.count + count)
        for level in levels {
            present.append(level == 1)
            nonNull += Int(level)
        }
        return nonNull
    }

    private mutating func decodeValues(_ data: ArraySlice<UInt8>, encoding raw: Int32, count: Int) throws {
        switch Encoding(rawValue: raw) {
        case .plain:
            try decodePlain(data, count: count, into: &values)
        case .plainDictionary, .rleDictionary:
            guard let dictionary else { throw ParquetError.corrupt("\(descriptor.name): dictionary-encoded page before any dictionary") }
            guard count > 0 else { return }
            guard let width = data.first else { throw ParquetError.truncated("dictionary index bit width") }
            guard width <= 32 else { throw ParquetError.corrupt("dictionary index bit width \(width)") }
            guard dictionary.count > 0 else { throw ParquetError.corrupt("index into an empty dictionary") }
            var indices: [UInt32] = []
            try RLEHybrid.decode(data.dropFirst(), bitWidth: Int(width), count: count,
                                 maxValue: UInt32(dictionary.count - 1), into: &indices)
            values.gather(from: dictionary, indices: indices)
        case .rle where descriptor.physicalType == .boolean:
            guard data.count >= 4 else { throw ParquetError.truncated("RLE boolean length") }
            let b = data.startIndex
            let length = Int(UInt32(data[b]) | UInt32(data[b + 1]) << 8 | UInt32(data[b + 2]) << 16 | UInt32(data[b + 3]) << 24)
            guard length <= data.count - 4 else { throw ParquetError.truncated("RLE booleans of \(length) bytes") }
            var bits: [UInt32] = []
            try RLEHybrid.decode(data[(b + 4)..<(b + 4 + length)], bitWidth: 1, count: count, maxValue: 1, into: &bits)
            values.append(.boolean(bits.map { $0 == 1 }))
        default:
            throw ParquetError.unsupportedEncoding("\(Encoding.named(raw)) for \(descriptor.physicalType) values")
        }
    }

    private func decodePlain(_ data: ArraySlice<UInt8>, count: Int, into out: inout ColumnValues) throws {
        switch out {
        case .boolean(var a): out = .int32([]); defer { out = .boolean(a) }; try Plain.decodeBooleans(data, count: count, into: &a)
        case .int32(var a): out = .boolean([]); defer { out = .int32(a) }; try Plain.decodeFixed(data, count: count, as: Int32.self, into: &a)
        case .int64(var a): out = .boolean([]); defer { out = .int64(a) }; try Plain.decodeFixed(data, count: count, as: Int64.self, into: &a)
        case .float(var a): out = .boolean([]); defer { out = .float(a) }; try Plain.decodeFixed(data, count: count, as: Float.self, into: &a)
        case .double(var a): out = .boolean([]); defer { out = .double(a) }; try Plain.decodeFixed(data, count: count, as: Double.self, into: &a)
        case .bytes(var a):
            out = .boolean([]); defer { out = .bytes(a) }
            if let length = descriptor.typeLength {
                try Plain.decodeFixedLength(data, count: count, length: length, into: &a)
            } else {
                try Plain.decodeByteArrays(data, count: count, into: &a)
            }
        }
    }
}

extension ColumnValues {
    /// Appends `dictionary[i]` for each index (all checked < dictionary.count).
    mutating func gather(from dictionary: ColumnValues, indices: [UInt32]) {
        switch (dictionary, self) {
        case (.boolean(let d), .boolean): append(.boolean(indices.map { d[Int($0)] }))
        case (.int32(let d), .int32): append(.int32(indices.map { d[Int($0)] }))
        case (.int64(let d), .int64): append(.int64(indices.map { d[Int($0)] }))
        case (.float(let d), .float): append(.float(indices.map { d[Int($0)] }))
        case (.double(let d), .double): append(.double(indices.map { d[Int($0)] }))
        case (.bytes(let d), .bytes(var a)):
            self = .boolean([])
            for i in indices { a.append(d[Int(i)]) }
            self = .bytes(a)
        default: preconditionFailure("dictionary of \(dictionary.shape) for \(shape) values")
        }
    }
}
