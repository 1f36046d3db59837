#if _endian(big)
#error("Parquet's PLAIN encoding is little-endian; this module copies host memory and assumes a little-endian host")
#endif

/// PLAIN encoding (`Encodings.md`): fixed-width values little-endian back to
/// back, booleans bit-packed LSB first, byte arrays as a 4-byte little-endian
/// length then the bytes, fixed-length byte arrays as bare bytes.
enum Plain {
    static func encode<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<T>, into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeRawBufferPointer(values))
    }

    static func encode(_ values: UnsafeBufferPointer<Float>, into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeRawBufferPointer(values))
    }

    static func encode(_ values: UnsafeBufferPointer<Double>, into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeRawBufferPointer(values))
    }

    static func encode(_ values: ArraySlice<Bool>, into out: inout [UInt8]) {
        var byte: UInt8 = 0
        var bit = 0
        for value in values {
            if value { byte |= 1 << bit }
            bit += 1
            if bit == 8 { out.append(byte); byte = 0; bit = 0 }
        }
        if bit > 0 { out.append(byte) }
    }

    /// Values `range` of `values`, each with a length prefix, or bare when `fixedLength`.
    static func encode(_ values: ByteArrays, range: Range<Int>, fixedLength: Bool, into out: inout [UInt8]) {
        guard !range.isEmpty else { return }
        let dataStart = values.offsets[range.lowerBound]
        let dataEnd = values.offsets[range.upperBound]
        if fixedLength {
            out.append(contentsOf: values.bytes[dataStart..<dataEnd])
            return
        }
        let base = out.count
        let total = dataEnd - dataStart + 4 * range.count
        out.append(contentsOf: repeatElement(0, count: total))
        out.withUnsafeMutableBytes { raw in
            values.bytes.withUnsafeBytes { source in
                values.offsets.withUnsafeBufferPointer { offsets in
                    var at = base
                    for i in range {
                        let start = offsets[i], length = offsets[i + 1] - start
                        raw.storeBytes(of: UInt32(truncatingIfNeeded: length).littleEndian, toByteOffset: at, as: UInt32.self)
                        at += 4
                        if length > 0 {
                            (raw.baseAddress! + at).copyMemory(from: source.baseAddress! + start, byteCount: length)
                        }
                        at += length
                    }
                }
            }
        }
    }

    // MARK: decoding (untrusted bytes)

    static func decodeFixed<T>(_ bytes: ArraySlice<UInt8>, count: Int, as: T.Type, into out: inout [T]) throws {
        let size = MemoryLayout<T>.size
        let (needed, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, needed <= bytes.count else {
            throw ParquetError.truncated("PLAIN page: \(count) values of \(size) bytes in \(bytes.count)")
        }
        let start = out.count
        out.reserveCapacity(start + count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count { out.append(raw.loadUnaligned(fromByteOffset: i * size, as: T.self)) }
        }
        _ = start
    }

    static func decodeBooleans(_ bytes: ArraySlice<UInt8>, count: Int, into out: inout [Bool]) throws {
        guard count <= bytes.count * 8 else { throw ParquetError.truncated("PLAIN booleans: \(count) in \(bytes.count) bytes") }
        let base = bytes.startIndex
        out.reserveCapacity(out.count + count)
        for i in 0..<count { out.append(bytes[base + i >> 3] >> (i & 7) & 1 == 1) }
    }

    static func decodeByteArrays(_ bytes: ArraySlice<UInt8>, count: Int, into out: inout ByteArrays) throws {
        guard count <= bytes.count / 4 || count == 0 else {
            throw ParquetError.truncated("PLAIN byte arrays: \(count) values in \(bytes.count) bytes")
        }
        var lengths: [Int] = []
        lengths.reserveCapacity(count)
        var data: [UInt8] = []
        try bytes.withUnsafeBytes { raw in
            var at = 0
            for _ in 0..<count {
                guard raw.count - at >= 4 else { throw ParquetError.truncated("PLAIN byte array length") }
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                at += 4
                guard length <= raw.count - at else {
                    throw ParquetError.truncated("PLAIN byte array of \(length) bytes with \(raw.count - at) left")
                }
                data.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[at..<(at + length)]))
                lengths.append(length)
                at += length
            }
        }
        out.appendLaidOut(data: data[...], lengths: lengths)
    }

    static func decodeFixedLength(_ bytes: ArraySlice<UInt8>, count: Int, length: Int, into out: inout ByteArrays) throws {
        let (needed, overflow) = count.multipliedReportingOverflow(by: length)
        guard !overflow, needed <= bytes.count else {
            throw ParquetError.truncated("PLAIN fixed-length values: \(count) × \(length) in \(bytes.count) bytes")
        }
        let start = bytes.startIndex
        out.appendLaidOut(data: bytes[start..<(start + needed)], lengths: [Int](repeating: length, count: count))
    }
}
