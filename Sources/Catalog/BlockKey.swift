import YonkeCore

/// A `BlockID` as four big-endian words, for the catalog's and the block map's tables. BlockID's
/// synthesized Hashable and Equatable walk its 32-byte array a byte at a time, which dominated
/// the profiles of commits and block reports; words hash in four steps and compare in the same
/// order as the bytes.
struct BlockKey: Hashable, Comparable, Sendable {
    let w0: UInt64
    let w1: UInt64
    let w2: UInt64
    let w3: UInt64

    init(_ id: BlockID) {
        let bytes = id.bytes
        invariant(bytes.count == 32, "block id of \(bytes.count) bytes")
        func word(_ start: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in start..<start + 8 { value = value << 8 | UInt64(bytes[i]) }
            return value
        }
        w0 = word(0)
        w1 = word(8)
        w2 = word(16)
        w3 = word(24)
    }

    var id: BlockID {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for word in [w0, w1, w2, w3] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        guard let id = BlockID(bytes: bytes) else { preconditionFailure("invariant violated: 32 bytes always make a block id") }
        return id
    }

    static func < (lhs: BlockKey, rhs: BlockKey) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}
