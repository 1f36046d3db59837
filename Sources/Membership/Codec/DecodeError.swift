import YonkeCore

extension SWIM.Codec {
    /// Why bytes from the wire were refused; each case names the field and
    /// where, so a log line says what is wrong with the peer.
    public enum DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
        case messageTooLarge(bytes: Int, limit: Int)
        case unsupportedVersion(UInt8)
        case unknownMessageTag(UInt8)
        case unknownStatus(UInt8, offset: Int)
        case unknownDiskClass(UInt8, offset: Int)
        case unknownFlags(UInt8, offset: Int)
        case truncated(field: String, offset: Int)
        case varintOverflow(field: String, offset: Int)
        case tooMany(field: String, count: UInt64, limit: Int)
        case invalidUTF8(field: String, offset: Int)
        case trailingBytes(count: Int)

        public var description: String {
            switch self {
            case .messageTooLarge(let b, let l): "SWIM message of \(b) bytes exceeds the \(l)-byte limit"
            case .unsupportedVersion(let v): "unsupported SWIM wire version \(v)"
            case .unknownMessageTag(let t): "unknown SWIM message tag \(t)"
            case .unknownStatus(let s, let o): "unknown member status \(s) at byte \(o)"
            case .unknownDiskClass(let d, let o): "unknown disk class \(d) at byte \(o)"
            case .unknownFlags(let f, let o): "unknown update flags \(f) at byte \(o)"
            case .truncated(let f, let o): "message ends inside \(f) at byte \(o)"
            case .varintOverflow(let f, let o): "varint for \(f) overflows 64 bits at byte \(o)"
            case .tooMany(let f, let c, let l): "\(f) has \(c) items/bytes, limit \(l)"
            case .invalidUTF8(let f, let o): "\(f) at byte \(o) is not UTF-8"
            case .trailingBytes(let c): "\(c) unexpected bytes after the message"
            }
        }
    }
}

extension SWIM.Codec.DecodeError: ByteReadFailure {
    /// The one place a short or oversized field becomes a SWIM decode error.
    public init(_ error: ByteReadError) {
        switch error {
        case .truncated(let field, let offset, _, _): self = .truncated(field: field, offset: offset)
        case .lengthTooLarge(let field, _, let length, let limit): self = .tooMany(field: field, count: length, limit: limit)
        case .invalidUTF8(let field, let offset): self = .invalidUTF8(field: field, offset: offset)
        case .trailingBytes(_, let count): self = .trailingBytes(count: count)
        }
    }
}
