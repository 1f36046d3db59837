/// The RLE/bit-packed hybrid (`Encodings.md`), used for definition levels and
/// dictionary indices. A run header is a varint: `count << 1` then the value
/// in ⌈width/8⌉ little-endian bytes (an RLE run), or `groups << 1 | 1` then
/// groups × 8 values packed LSB first in `width` bits each (a bit-packed run).
enum RLEHybrid {
    /// The bits needed for values up to `maxValue`.
    static func bitWidth(forMax maxValue: UInt32) -> Int {
        maxValue == 0 ? 0 : 32 - maxValue.leadingZeroBitCount
    }

    /// Encodes `values` (each < 2^width) and appends to `out`. Runs of 8 or
    /// more equal values become RLE runs; the rest is bit-packed in groups of
    /// 8 (only the very last group is padded, as the count is known to the reader).
    static func encode(_ values: UnsafeBufferPointer<UInt32>, bitWidth width: Int, into out: inout [UInt8]) {
        let n = values.count
        var i = 0
        func runLength(at start: Int) -> Int {
            let v = values[start]
            var j = start + 1
            while j < n && values[j] == v { j += 1 }
            return j - start
        }
        while i < n {
            let run = runLength(at: i)
            if run >= 8 {
                varint(UInt64(run) << 1, into: &out)
                var v = values[i]
                for _ in 0..<((width + 7) / 8) { out.append(UInt8(truncatingIfNeeded: v)); v >>= 8 }
                i += run
                continue
            }
            // Bit-packed groups until the next long run starts on a group boundary.
            let start = i
            var groups = 0
            repeat {
                groups += 1
                i += 8
            } while i < n && groups < 63 && runLength(at: i) < 8
            let end = min(i, n)
            i = end
            varint(UInt64(groups) << 1 | 1, into: &out)
            pack(values, from: start, to: end, paddedTo: start + groups * 8, bitWidth: width, into: &out)
        }
    }

    private static func pack(_ values: UnsafeBufferPointer<UInt32>, from start: Int, to end: Int, paddedTo padded: Int,
                             bitWidth width: Int, into out: inout [UInt8]) {
        var accumulator: UInt64 = 0
        var bits = 0
        for k in start..<padded {
            let v = k < end ? UInt64(values[k]) : 0
            accumulator |= v << UInt64(bits)
            bits += width
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
        }
        if bits > 0 { out.append(UInt8(truncatingIfNeeded: accumulator)) }
    }

    static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    /// Decodes exactly `count` values from untrusted `bytes`; every value must
    /// be ≤ `maxValue` (the dictionary size − 1, or the max definition level).
    static func decode(_ bytes: ArraySlice<UInt8>, bitWidth width: Int, count: Int, maxValue: UInt32,
                       into out: inout [UInt32]) throws {
        guard (0...32).contains(width) else { throw ParquetError.corrupt("RLE bit width \(width)") }
        out.reserveCapacity(out.count + count)
        var produced = 0
        var at = bytes.startIndex
        let end = bytes.endIndex
        let valueBytes = (width + 7) / 8
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        while produced < count {
            // Varint header.
            var header: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard at < end else { throw ParquetError.truncated("RLE run header (\(produced) of \(count) values)") }
                let b = bytes[at]
                at += 1
                guard shift < 63 else { throw ParquetError.corrupt("RLE run header varint too long") }
                header |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
            }
            if header & 1 == 0 {
                let run = header >> 1
                guard valueBytes <= end - at else { throw ParquetError.truncated("RLE run value") }
                var value: UInt64 = 0
                for k in 0..<valueBytes { value |= UInt64(bytes[at + k]) << UInt64(8 * k) }
                at += valueBytes
                guard value <= UInt64(maxValue) else { throw ParquetError.corrupt("RLE value \(value) > \(maxValue)") }
                guard run > 0 else { continue }
                let take = Int(min(run, UInt64(count - produced)))
                out.append(contentsOf: repeatElement(UInt32(value), count: take))
                produced += take
            } else {
                let groups = header >> 1
                guard groups > 0 else { continue }
                // A last run may be cut short of its padding: decode what the bytes hold.
                let wanted = min(groups, UInt64(Int32.max)) * UInt64(width)
                let available = min(wanted, UInt64(end - at))
                let runBytes = Int(available)
                let runValues = width == 0 ? Int(min(groups * 8, UInt64(count - produced))) : runBytes * 8 / width
                let take = min(runValues, count - produced)
                if width == 0 {
                    out.append(contentsOf: repeatElement(0, count: take))
                } else {
                    var accumulator: UInt64 = 0
                    var bits = 0
                    var k = at
                    for _ in 0..<take {
                        while bits < width {
                            accumulator |= UInt64(bytes[k]) << UInt64(bits)
                            k += 1
                            bits += 8
                        }
                        let value = accumulator & mask
                        accumulator >>= UInt64(width)
                        bits -= width
                        guard value <= UInt64(maxValue) else { throw ParquetError.corrupt("bit-packed value \(value) > \(maxValue)") }
                        out.append(UInt32(value))
                    }
                }
                produced += take
                at += runBytes
                if take == 0 && produced < count { throw ParquetError.truncated("bit-packed run with no bytes") }
            }
        }
    }
}
