/// Reads what `ByteWriter` wrote, from bytes nobody vouches for: every read is
/// bounds-checked and throws `Failure` (the caller's error type, made from a
/// `ByteReadError` naming the field, the bytes needed and the bytes left). It never
/// traps and never returns bytes it did not have; a length or count is checked
/// against the caller's limit and the bytes left before anything is allocated.
///
/// The reader is generic over its error so that a codec's whole decode throws the
/// codec's own typed error: `ByteReader<Catalog.DecodeError>` reads fields and
/// the catalog throws `.unknownTag` in the same function, with no mapping at each call.
/// Plain `ByteReader<ByteReadError>` where no other error is needed.
@frozen
public struct ByteReader<Failure: ByteReadFailure>: Sendable {
    /// What is being read; `offset` and every error's offset are indices into it
    /// (so a reader over a slice reports positions in the whole buffer).
    public let buffer: ArraySlice<UInt8>
    @inlinable public var offset: Int { position }
    @usableFromInline var position: Int

    @inlinable
    public init(_ bytes: ArraySlice<UInt8>) {
        buffer = bytes
        position = bytes.startIndex
    }

    @inlinable
    public init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    @inlinable public var remaining: Int { buffer.endIndex - offset }
    @inlinable public var isAtEnd: Bool { offset == buffer.endIndex }

    // MARK: fixed width

    @inlinable public mutating func u8(_ field: String) throws(Failure) -> UInt8 { UInt8(try bigEndian(field, byteCount: 1)) }
    @inlinable public mutating func u16(_ field: String) throws(Failure) -> UInt16 { UInt16(try bigEndian(field, byteCount: 2)) }
    @inlinable public mutating func u32(_ field: String) throws(Failure) -> UInt32 { UInt32(try bigEndian(field, byteCount: 4)) }
    @inlinable public mutating func u64(_ field: String) throws(Failure) -> UInt64 { try bigEndian(field, byteCount: 8) }
    @inlinable public mutating func i64(_ field: String) throws(Failure) -> Int64 { Int64(bitPattern: try u64(field)) }

    /// Exactly `count` bytes (a key, a digest: a size the format fixes, not one read from input).
    @inlinable
    public mutating func take(_ field: String, count: Int) throws(Failure) -> ArraySlice<UInt8> {
        invariant(count >= 0, "negative read of \(count) bytes for \(field)")
        try need(field, count)
        defer { position += count }
        return buffer[offset..<offset + count]
    }

    /// Everything left (a payload that runs to the end of its record).
    @inlinable
    public mutating func rest() -> ArraySlice<UInt8> {
        defer { position = buffer.endIndex }
        return buffer[offset...]
    }

    // MARK: length-prefixed

    /// A length prefix, refused above `limit` (with the prefix's start as its offset).
    @inlinable
    public mutating func length(_ field: String, prefix: LengthPrefix, limit: Int) throws(Failure) -> Int {
        let start = offset
        let value = try bigEndian(field, byteCount: prefix.byteCount)
        return try checkedLength(field, value, limit: limit, fieldStart: start)
    }

    /// A count of elements that each take at least `minElementBytes`, refused when
    /// over `limit` or when the bytes left could not hold that many, so a forged
    /// count cannot make the caller `reserveCapacity` memory it never fills.
    @inlinable
    public mutating func count(_ field: String, prefix: LengthPrefix, limit: Int, minElementBytes: Int) throws(Failure) -> Int {
        let start = offset
        let value = try bigEndian(field, byteCount: prefix.byteCount)
        return try count(field, value, limit: limit, minElementBytes: minElementBytes, fieldStart: start)
    }

    /// `count(_:prefix:limit:minElementBytes:)` for a count the caller read itself
    /// (in an encoding of its own, such as a varint that began at `fieldStart`).
    @inlinable
    public func count(_ field: String, _ value: UInt64, limit: Int, minElementBytes: Int, fieldStart: Int) throws(Failure) -> Int {
        invariant(minElementBytes >= 0, "negative element size for \(field)")
        let n = try checkedLength(field, value, limit: limit, fieldStart: fieldStart)
        let (needed, overflow) = n.multipliedReportingOverflow(by: minElementBytes)
        guard !overflow, needed <= remaining else {
            throw Failure(.truncated(field: field, offset: offset, neededBytes: overflow ? Int.max : needed, remainingBytes: remaining))
        }
        return n
    }

    @inlinable
    public mutating func lengthPrefixed(_ field: String, prefix: LengthPrefix, limit: Int) throws(Failure) -> ArraySlice<UInt8> {
        let start = offset
        let value = try bigEndian(field, byteCount: prefix.byteCount)
        return try body(field, length: value, limit: limit, fieldStart: start)
    }

    @inlinable
    public mutating func string(_ field: String, prefix: LengthPrefix, limit: Int) throws(Failure) -> String {
        let start = offset
        let value = try bigEndian(field, byteCount: prefix.byteCount)
        return try string(field, length: value, limit: limit, fieldStart: start)
    }

    /// The bytes after a length the caller read itself, starting at `fieldStart`.
    @inlinable
    public mutating func body(_ field: String, length: UInt64, limit: Int, fieldStart: Int) throws(Failure) -> ArraySlice<UInt8> {
        let n = try checkedLength(field, length, limit: limit, fieldStart: fieldStart)
        guard n <= remaining else {
            throw Failure(.truncated(field: field, offset: fieldStart, neededBytes: n, remainingBytes: remaining))
        }
        defer { position += n }
        return buffer[offset..<offset + n]
    }

    /// UTF-8 text after a length the caller read itself, starting at `fieldStart`.
    @inlinable
    public mutating func string(_ field: String, length: UInt64, limit: Int, fieldStart: Int) throws(Failure) -> String {
        let raw = try body(field, length: length, limit: limit, fieldStart: fieldStart)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw Failure(.invalidUTF8(field: field, offset: fieldStart))
        }
        return text
    }

    /// Refuses bytes after the last field: a format is whole or it is not ours.
    @inlinable
    public func expectEnd() throws(Failure) {
        guard isAtEnd else { throw Failure(.trailingBytes(offset: offset, count: remaining)) }
    }

    // MARK: internals

    @inlinable
    func need(_ field: String, _ count: Int) throws(Failure) {
        guard count <= remaining else {
            throw Failure(.truncated(field: field, offset: offset, neededBytes: count, remainingBytes: remaining))
        }
    }

    @inlinable
    func checkedLength(_ field: String, _ value: UInt64, limit: Int, fieldStart: Int) throws(Failure) -> Int {
        invariant(limit >= 0, "negative limit for \(field)")
        guard value <= UInt64(limit) else {
            throw Failure(.lengthTooLarge(field: field, offset: fieldStart, length: value, limit: limit))
        }
        return Int(value)
    }

    @inlinable
    mutating func bigEndian(_ field: String, byteCount: Int) throws(Failure) -> UInt64 {
        try need(field, byteCount)
        var value: UInt64 = 0
        for index in offset..<offset + byteCount { value = value << 8 | UInt64(buffer[index]) }
        position += byteCount
        return value
    }
}
