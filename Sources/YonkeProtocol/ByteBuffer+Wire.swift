import NIOCore
import YonkeCore

/// Length-checked reads for node messages: every read names what it wanted,
/// and no length from the wire is trusted before it is compared to a limit.
extension ByteBuffer {
    public mutating func readWireInteger<T: FixedWidthInteger>(_ what: String, as: T.Type = T.self) throws(WireError) -> T {
        guard let value = readInteger(endianness: .little, as: T.self) else { throw WireError("\(what): missing") }
        return value
    }

    public mutating func readWireBytes(_ what: String, maxBytes: Int) throws(WireError) -> [UInt8] {
        let count = Int(try readWireInteger(what + " length", as: UInt32.self))
        guard count <= maxBytes else { throw WireError("\(what): \(count) bytes exceeds \(maxBytes)") }
        guard let bytes = readBytes(length: count) else { throw WireError("\(what): truncated") }
        return bytes
    }

    public mutating func readWireString(_ what: String, maxBytes: Int = 4096) throws(WireError) -> String {
        let bytes = try readWireBytes(what, maxBytes: maxBytes)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw WireError("\(what): not UTF-8") }
        return text
    }

    public mutating func readWireBlockID(_ what: String) throws(WireError) -> BlockID {
        guard let bytes = readBytes(length: BlockID.byteCount), let id = BlockID(bytes: bytes) else {
            throw WireError("\(what): truncated block id")
        }
        return id
    }

    /// Bounded count of a following list, so a hostile count cannot make us reserve memory.
    public mutating func readWireCount(_ what: String, max: Int) throws(WireError) -> Int {
        let count = Int(try readWireInteger(what + " count", as: UInt32.self))
        guard count <= max else { throw WireError("\(what): \(count) items exceeds \(max)") }
        return count
    }

    public mutating func writeWireInteger<T: FixedWidthInteger>(_ value: T) {
        writeInteger(value, endianness: .little)
    }

    public mutating func writeWireBytes(_ bytes: some Collection<UInt8>) {
        writeInteger(UInt32(bytes.count), endianness: .little)
        writeBytes(bytes)
    }

    public mutating func writeWireString(_ text: String) {
        writeWireBytes(Array(text.utf8))
    }

    public mutating func writeWireBlockID(_ id: BlockID) {
        writeBytes(id.bytes)
    }

    /// Whatever is left, as a plain array (for handing to a pure core's decoder).
    public mutating func readRemainingBytes() -> [UInt8] {
        readBytes(length: readableBytes) ?? []
    }

    public func expectFullyRead(_ what: String) throws(WireError) {
        guard readableBytes == 0 else { throw WireError("\(what): \(readableBytes) unexpected trailing bytes") }
    }
}
