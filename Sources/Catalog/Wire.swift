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

/// The catalog's fields over YonkeCore's big-endian `ByteWriter`/`ByteReader`: counts and
/// strings behind a u32 prefix, every variable-length field with a limit that the reader checks
/// before allocating.
extension Catalog.DecodeError: ByteReadFailure {
    /// The one place a short or oversized field becomes a catalog error.
    public init(_ error: ByteReadError) {
        switch error {
        case .truncated(let field, _, let needed, let remaining):
            self = .truncated(field: field, neededBytes: needed, remainingBytes: remaining)
        case .lengthTooLarge(let field, _, let length, let limit):
            self = .lengthTooLarge(field: field, length: Int(clamping: length), limit: limit)
        case .invalidUTF8(let field, _): self = .invalidUTF8(field: field)
        case .trailingBytes(_, let count): self = .trailingBytes(count)
        }
    }
}

extension ByteWriter {
    mutating func bool(_ value: Bool) { u8(value ? 1 : 0) }
    mutating func count(_ value: Int) { length(value, prefix: .u32) }
    mutating func string(_ value: String) { string(value, prefix: .u32) }
    mutating func path(_ value: LakePath) { string(value.description) }
    mutating func blockID(_ value: BlockID) { raw(value.bytes) }
}

extension ByteReader where Failure == Catalog.DecodeError {
    mutating func bool(_ field: String) throws(Failure) -> Bool {
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let other: throw .unknownTag(field: field, value: other)
        }
    }

    /// An element count, refused when larger than `limit` or than the bytes left could hold at
    /// `minElementBytes` each (so a forged count cannot reserve memory it never fills).
    mutating func count(_ field: String, limit: Int, minElementBytes: Int) throws(Failure) -> Int {
        try count(field, prefix: .u32, limit: limit, minElementBytes: minElementBytes)
    }

    mutating func string(_ field: String, limit: Int) throws(Failure) -> String {
        try string(field, prefix: .u32, limit: limit)
    }

    mutating func path(_ field: String) throws(Failure) -> LakePath {
        let text = try string(field, limit: LakePath.maxBytes)
        do throws(LakePath.ParseError) {
            return try LakePath(text)
        } catch {
            throw .invalidPath(error)
        }
    }

    mutating func blockID(_ field: String) throws(Failure) -> BlockID {
        let raw = try take(field, count: BlockID.byteCount)
        guard let id = BlockID(bytes: Array(raw)) else {
            throw .truncated(field: field, neededBytes: BlockID.byteCount, remainingBytes: raw.count)
        }
        return id
    }
}
