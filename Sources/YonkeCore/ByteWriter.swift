/// The width of a length or count prefix; every prefix is a big-endian unsigned integer.
public enum LengthPrefix: Sendable {
    case u8, u16, u32, u64

    public var byteCount: Int {
        switch self {
        case .u8: 1
        case .u16: 2
        case .u32: 4
        case .u64: 8
        }
    }

    public var maxLength: UInt64 {
        switch self {
        case .u8: UInt64(UInt8.max)
        case .u16: UInt64(UInt16.max)
        case .u32: UInt64(UInt32.max)
        case .u64: UInt64.max
        }
    }
}

/// Appends fields in the project's byte order: fixed-width integers big-endian
/// (network order), variable-length fields behind a `LengthPrefix`. The one writer
/// behind every wire and disk format that `ByteReader` reads back.
@frozen
public struct ByteWriter: Sendable {
    public var bytes: [UInt8]

    @inlinable
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inlinable public mutating func u8(_ value: UInt8) { bytes.append(value) }
    @inlinable public mutating func u16(_ value: UInt16) { bigEndian(UInt64(value), byteCount: 2) }
    @inlinable public mutating func u32(_ value: UInt32) { bigEndian(UInt64(value), byteCount: 4) }
    @inlinable public mutating func u64(_ value: UInt64) { bigEndian(value, byteCount: 8) }
    @inlinable public mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }

    @inlinable
    public mutating func raw(_ value: some Sequence<UInt8>) { bytes.append(contentsOf: value) }

    /// A length (or element count) in the prefix's width. Our own lengths only:
    /// one that does not fit is a bug in the caller, not outside input.
    @inlinable
    public mutating func length(_ value: Int, prefix: LengthPrefix) {
        invariant(value >= 0 && UInt64(value) <= prefix.maxLength, "length \(value) does not fit a \(prefix) prefix")
        bigEndian(UInt64(value), byteCount: prefix.byteCount)
    }

    @inlinable
    public mutating func lengthPrefixed(_ value: some Collection<UInt8>, prefix: LengthPrefix) {
        length(value.count, prefix: prefix)
        bytes.append(contentsOf: value)
    }

    @inlinable
    public mutating func string(_ value: String, prefix: LengthPrefix) { lengthPrefixed(value.utf8, prefix: prefix) }

    @inlinable
    mutating func bigEndian(_ value: UInt64, byteCount: Int) {
        for shift in stride(from: (byteCount - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}
