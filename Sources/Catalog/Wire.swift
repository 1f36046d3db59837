import YonkeCore

extension Catalog {
    /// Why bytes are not a command or a snapshot. Decoding never traps on hostile input.
    public enum DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
        case truncated(field: String, neededBytes: Int, remainingBytes: Int)
        case unsupportedVersion(UInt8)
        case badMagic
        case unknownTag(field: String, value: UInt8)
        case lengthTooLarge(field: String, length: Int, limit: Int)
        case invalidUTF8(field: String)
        case invalidPath(LakePath.ParseError)
        case trailingBytes(Int)
        case checksumMismatch(stored: UInt32, computed: UInt32)
        /// Well-formed bytes describing an impossible state (unsorted, orphaned, contradictory).
        case inconsistentSnapshot(String)

        public var description: String {
            switch self {
            case .truncated(let f, let n, let r): "truncated at \(f): need \(n) bytes, \(r) left"
            case .unsupportedVersion(let v): "unsupported version \(v)"
            case .badMagic: "not a catalog snapshot (bad magic)"
            case .unknownTag(let f, let v): "unknown \(f) tag \(v)"
            case .lengthTooLarge(let f, let l, let limit): "\(f) length \(l) exceeds \(limit)"
            case .invalidUTF8(let f): "\(f) is not valid UTF-8"
            case .invalidPath(let e): "invalid path: \(e)"
            case .trailingBytes(let n): "\(n) unexpected trailing bytes"
            case .checksumMismatch(let s, let c): "checksum mismatch: stored \(s), computed \(c)"
            case .inconsistentSnapshot(let why): "inconsistent snapshot: \(why)"
            }
        }
    }
}

/// Big-endian, length-prefixed. Every variable-length field has a limit that the reader checks
/// before allocating.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }

    mutating func count(_ value: Int) {
        invariant(value >= 0 && value <= Int(UInt32.max), "count \(value) does not fit a u32")
        u32(UInt32(value))
    }

    mutating func string(_ value: String) {
        count(value.utf8.count)
        bytes.append(contentsOf: value.utf8)
    }

    mutating func path(_ value: LakePath) { string(value.description) }
    mutating func blockID(_ value: BlockID) { bytes.append(contentsOf: value.bytes) }
}

struct ByteReader {
    typealias DecodeError = Catalog.DecodeError
    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ n: Int, _ field: String) throws(DecodeError) -> ArraySlice<UInt8> {
        guard n <= remaining else { throw .truncated(field: field, neededBytes: n, remainingBytes: remaining) }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    mutating func u8(_ field: String) throws(DecodeError) -> UInt8 {
        try take(1, field).first ?? 0
    }

    mutating func bool(_ field: String) throws(DecodeError) -> Bool {
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let other: throw .unknownTag(field: field, value: other)
        }
    }

    mutating func u32(_ field: String) throws(DecodeError) -> UInt32 {
        try take(4, field).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64(_ field: String) throws(DecodeError) -> UInt64 {
        try take(8, field).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func i64(_ field: String) throws(DecodeError) -> Int64 { Int64(bitPattern: try u64(field)) }

    /// An element count, refused when larger than `limit` or than the bytes left could hold at
    /// `minElementBytes` each (so a forged count cannot reserve memory it never fills).
    mutating func count(_ field: String, limit: Int, minElementBytes: Int) throws(DecodeError) -> Int {
        let value = Int(try u32(field))
        guard value <= limit else { throw .lengthTooLarge(field: field, length: value, limit: limit) }
        guard value * minElementBytes <= remaining else {
            throw .truncated(field: field, neededBytes: value * minElementBytes, remainingBytes: remaining)
        }
        return value
    }

    mutating func string(_ field: String, limit: Int) throws(DecodeError) -> String {
        let length = try count(field, limit: limit, minElementBytes: 1)
        let raw = try take(length, field)
        guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8(field: field) }
        return text
    }

    mutating func path(_ field: String) throws(DecodeError) -> LakePath {
        let text = try string(field, limit: LakePath.maxBytes)
        do throws(LakePath.ParseError) {
            return try LakePath(text)
        } catch {
            throw .invalidPath(error)
        }
    }

    mutating func blockID(_ field: String) throws(DecodeError) -> BlockID {
        let raw = try take(BlockID.byteCount, field)
        guard let id = BlockID(bytes: Array(raw)) else {
            throw .truncated(field: field, neededBytes: BlockID.byteCount, remainingBytes: raw.count)
        }
        return id
    }

    func expectEnd() throws(DecodeError) {
        guard remaining == 0 else { throw .trailingBytes(remaining) }
    }
}
