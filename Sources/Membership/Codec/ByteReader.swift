extension SWIM.Codec {
    struct ByteReader {
        let bytes: [UInt8]
        private(set) var offset = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var remaining: Int { bytes.count - offset }

        mutating func byte(_ field: String) throws(DecodeError) -> UInt8 {
            guard offset < bytes.count else { throw .truncated(field: field, offset: offset) }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint(_ field: String) throws(DecodeError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte(field)
                if shift == 63 && b > 1 { throw .varintOverflow(field: field, offset: offset - 1) }
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
                if shift > 63 { throw .varintOverflow(field: field, offset: offset - 1) }
            }
        }

        mutating func signed(_ field: String) throws(DecodeError) -> Int64 {
            let raw = try varint(field)
            return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
        }

        /// A count of items that each take at least `minBytesEach`: checked
        /// against the limit and against what is left, so a forged count
        /// cannot make us allocate.
        mutating func count(_ field: String, limit: Int, minBytesEach: Int = 1) throws(DecodeError) -> Int {
            let raw = try varint(field)
            guard raw <= UInt64(limit) else { throw .tooMany(field: field, count: raw, limit: limit) }
            let n = Int(raw)
            guard n * minBytesEach <= remaining else { throw .truncated(field: field, offset: offset) }
            return n
        }

        mutating func string(_ field: String, limit: Int) throws(DecodeError) -> String {
            let start = offset
            let length = try varint(field)
            guard length <= UInt64(limit) else { throw .tooMany(field: field, count: length, limit: limit) }
            let n = Int(length)
            guard n <= remaining else { throw .truncated(field: field, offset: start) }
            let slice = bytes[offset..<offset + n]
            offset += n
            guard let text = String(validating: slice, as: UTF8.self) else {
                throw .invalidUTF8(field: field, offset: start)
            }
            return text
        }
    }
}
