import Consensus
/// Big-endian field writer/reader for the storage formats.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { for s in [8, 0] { bytes.append(UInt8(truncatingIfNeeded: v >> UInt16(s))) } }
    mutating func u32(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
    mutating func u64(_ v: UInt64) { for s in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(s))) } }
    mutating func raw(_ v: [UInt8]) { bytes.append(contentsOf: v) }
}

struct ByteReader {
    let bytes: [UInt8]
    var at: Int
    init(_ bytes: [UInt8], at: Int = 0) { self.bytes = bytes; self.at = at }
    var remaining: Int { bytes.count - at }
    mutating func u8() -> UInt8? { guard remaining >= 1 else { return nil }; defer { at += 1 }; return bytes[at] }
    mutating func u16() -> UInt16? { take(2).map { $0.reduce(0) { $0 << 8 | UInt16($1) } } }
    mutating func u32() -> UInt32? { take(4).map { $0.reduce(0) { $0 << 8 | UInt32($1) } } }
    mutating func u64() -> UInt64? { take(8).map { $0.reduce(0) { $0 << 8 | UInt64($1) } } }
    mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, remaining >= n else { return nil }
        defer { at += n }
        return bytes[at..<at + n]
    }
}
