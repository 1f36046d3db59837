/// A block's identity: a keyed 256-bit digest of its plaintext (see BlockCodec),
/// so identical blocks share an id and only holders of the cluster secret can
/// tell that two blocks are equal.
public struct BlockID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    public init?(hex: String) {
        guard let decoded = Hex.decode(hex) else { return nil }
        self.init(bytes: decoded)
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }
    /// Enough to name a block in a log line or a table.
    public var short: String { String(hex.prefix(12)) }

    /// One call over all 32 bytes (the synthesized version feeds them one at a time).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (lhs: BlockID, rhs: BlockID) -> Bool { lhs.bytes == rhs.bytes }

    public static func < (lhs: BlockID, rhs: BlockID) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
