import YonkeCore

/// The on-disk and on-wire layout of an encoded block (all integers little-endian):
///
///     header (68 bytes)
///       magic "YNKB" | version u8 (1 or 2) | algorithm u8 | reserved u16 (0) | frameSize u32
///       plaintextLength u64 | frameCount u32 | keyCheck [8] | blockID [32] | crc32c u32
///     frameCount × frame record
///       flags u8 | frameIndex u32 | plainLength u32 | storedLength u32 | nonce [24]
///       ciphertext [storedLength] | tag [16]
///
/// Each frame's associated data is clusterID ‖ header ‖ the first 13 bytes of its
/// record, so a frame is bound to its cluster, block, index, count and lengths.
/// The CRC only tells accidental header damage apart from a forged frame.
///
/// The two versions share this layout byte for byte; they differ only in the
/// keyed hash behind the block id (see `BlockDigest`): BLAKE2b in version 1,
/// BLAKE3 in version 2. The header's version byte alone decides how a block is
/// verified, and it is covered by every frame's tag (the whole header is
/// associated data), so no block can mix versions.
public enum BlockFormat {
    public static let magic: [UInt8] = Array("YNKB".utf8)

    public enum Version: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case v1 = 1
        case v2 = 2
        /// What encoders write unless told otherwise.
        public static let current = Version.v2
        public var description: String { "format \(rawValue)" }
    }

    /// The version written by default (`Version.current`).
    public static let version: UInt8 = Version.current.rawValue
    public static let headerByteCount = 68
    public static let recordHeaderByteCount = 37
    /// The part of a record covered as associated data (everything but the nonce).
    static let recordBoundByteCount = 13
    public static let frameOverheadByteCount = recordHeaderByteCount + AEADAlgorithm.tagByteCount
    public static let defaultFrameSizeBytes = 1 << 20
    public static let defaultBlockSizeBytes = 64 << 20
    /// Limits that stop hostile headers from asking for absurd allocations.
    public static let maxFrameSizeBytes = 16 << 20
    public static let maxBlockSizeBytes: UInt64 = 1 << 30

    enum FrameFlags {
        static let compressed: UInt8 = 1
    }

    struct Header: Equatable {
        var version: Version
        var algorithm: AEADAlgorithm
        var frameSizeBytes: Int
        var plaintextLength: Int
        var frameCount: Int
        var keyCheck: [UInt8]
        var blockID: BlockID

        static func frameCount(plaintextLength: Int, frameSizeBytes: Int) -> Int {
            (plaintextLength + frameSizeBytes - 1) / frameSizeBytes
        }

        func plainLength(ofFrame index: Int) -> Int {
            min(frameSizeBytes, plaintextLength - index * frameSizeBytes)
        }

        func serialized() -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(BlockFormat.headerByteCount)
            out += BlockFormat.magic
            out.append(version.rawValue)
            out.append(algorithm.rawValue)
            out.appendLittleEndian(UInt16(0))
            out.appendLittleEndian(UInt32(frameSizeBytes))
            out.appendLittleEndian(UInt64(plaintextLength))
            out.appendLittleEndian(UInt32(frameCount))
            out += keyCheck
            out += blockID.bytes
            out.appendLittleEndian(CRC32C.checksum(out))
            invariant(out.count == BlockFormat.headerByteCount, "header is \(out.count) bytes")
            return out
        }

        /// Checks everything a header can be checked for without keys.
        static func parse(_ bytes: UnsafeRawBufferPointer) throws(BlockCodecError) -> Header {
            guard bytes.count >= BlockFormat.headerByteCount else { throw .truncatedHeader(length: bytes.count) }
            guard Array(bytes[0..<4]) == BlockFormat.magic else { throw .badMagic }
            let crcStored = bytes.loadLittleEndian(UInt32.self, at: 64)
            let crcComputed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<64]))
            guard crcStored == crcComputed else {
                throw .corruptHeader("checksum \(crcStored) does not match contents (\(crcComputed))")
            }
            guard let version = Version(rawValue: bytes[4]) else { throw .unsupportedVersion(bytes[4]) }
            guard let algorithm = AEADAlgorithm(rawValue: bytes[5]) else { throw .unsupportedAlgorithm(bytes[5]) }
            guard bytes.loadLittleEndian(UInt16.self, at: 6) == 0 else { throw .corruptHeader("reserved bits set") }
            let frameSize = Int(bytes.loadLittleEndian(UInt32.self, at: 8))
            let plaintextLength = bytes.loadLittleEndian(UInt64.self, at: 12)
            let frameCount = Int(bytes.loadLittleEndian(UInt32.self, at: 20))
            guard frameSize > 0, frameSize <= BlockFormat.maxFrameSizeBytes else {
                throw .corruptHeader("frame size \(frameSize) outside 1...\(BlockFormat.maxFrameSizeBytes)")
            }
            guard plaintextLength <= BlockFormat.maxBlockSizeBytes else {
                throw .corruptHeader("plaintext length \(plaintextLength) above \(BlockFormat.maxBlockSizeBytes)")
            }
            let expectedFrames = Header.frameCount(plaintextLength: Int(plaintextLength), frameSizeBytes: frameSize)
            guard frameCount == expectedFrames else {
                throw .corruptHeader("\(frameCount) frames for \(plaintextLength) bytes in frames of \(frameSize)")
            }
            // The length of the id field is fixed by the layout, so this cannot fail.
            let id = BlockID(bytes: Array(bytes[32..<64]))!
            return Header(
                version: version, algorithm: algorithm, frameSizeBytes: frameSize, plaintextLength: Int(plaintextLength),
                frameCount: frameCount, keyCheck: Array(bytes[24..<32]), blockID: id)
        }
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

extension UnsafeRawBufferPointer {
    func loadLittleEndian<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension UnsafeMutableRawBufferPointer {
    func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }
}
