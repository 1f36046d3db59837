/// Why bytes from outside (the wire, a disk) do not hold the field a reader asked
/// for. Each case names the field and the byte it starts at, so a log line says
/// what is wrong with the peer or the file.
///
/// Offsets are indices into the bytes the reader was given. For a length-prefixed
/// field (`string`, `lengthPrefixed`) `offset` is where the field starts, its
/// prefix included; otherwise it is where the reader stood when the bytes ran out.
public enum ByteReadError: ByteReadFailure, Hashable, Sendable, CustomStringConvertible {
    case truncated(field: String, offset: Int, neededBytes: Int, remainingBytes: Int)
    /// A length or count over the limit the caller gave: refused before allocating.
    case lengthTooLarge(field: String, offset: Int, length: UInt64, limit: Int)
    case invalidUTF8(field: String, offset: Int)
    case trailingBytes(offset: Int, count: Int)

    public init(_ error: ByteReadError) { self = error }

    public var description: String {
        switch self {
        case .truncated(let field, let offset, let needed, let remaining):
            "truncated at \(field) (byte \(offset)): need \(needed) bytes, \(remaining) left"
        case .lengthTooLarge(let field, let offset, let length, let limit):
            "\(field) (byte \(offset)) length \(length) exceeds \(limit)"
        case .invalidUTF8(let field, let offset): "\(field) (byte \(offset)) is not valid UTF-8"
        case .trailingBytes(let offset, let count): "\(count) unexpected trailing bytes from byte \(offset)"
        }
    }
}

/// A module's own decode error, made from the reader's. A module conforms its
/// error type once (the one place it says how a short or oversized field reads in
/// its terms) and reads with `ByteReader<ItsError>`, so every read throws its
/// error directly, next to the errors only it knows (unknown tags, bad magic).
public protocol ByteReadFailure: Error {
    init(_ error: ByteReadError)
}
