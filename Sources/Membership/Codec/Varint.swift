import YonkeCore

// SWIM's numbers and lengths are LEB128 varints, not the fixed big-endian widths of
// the other formats: compact for the small numbers gossip is full of. They sit on
// YonkeCore's ByteWriter/ByteReader, which do the bounds and limit checks.

extension ByteWriter {
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            u8(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        u8(UInt8(v))
    }

    /// Zigzag, so a (never expected) negative size still round-trips.
    mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// A varint length, then UTF-8.
    mutating func string(_ value: String) {
        varint(UInt64(value.utf8.count))
        raw(value.utf8)
    }
}

extension ByteReader where Failure == SWIM.Codec.DecodeError {
    mutating func varint(_ field: String) throws(Failure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try u8(field)
            if shift == 63 && b > 1 { throw .varintOverflow(field: field, offset: offset - 1) }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw .varintOverflow(field: field, offset: offset - 1) }
        }
    }

    mutating func signed(_ field: String) throws(Failure) -> Int64 {
        let raw = try varint(field)
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// A varint count of items that each take at least `minBytesEach`: checked
    /// against the limit and against what is left, so a forged count cannot make us allocate.
    mutating func count(_ field: String, limit: Int, minBytesEach: Int = 1) throws(Failure) -> Int {
        let start = offset
        let raw = try varint(field)
        return try count(field, raw, limit: limit, minElementBytes: minBytesEach, fieldStart: start)
    }

    /// A varint length, then UTF-8.
    mutating func string(_ field: String, limit: Int) throws(Failure) -> String {
        let start = offset
        let length = try varint(field)
        return try string(field, length: length, limit: limit, fieldStart: start)
    }
}
