import Testing
@testable import BlockCodec
import YonkeCore

/// Every way a stored or received block can be damaged gets its own typed
/// error naming the block and frame; none of them may crash the decoder.
/// Every test runs against both format versions (the decoder reads both).
struct CorruptionTests {
    static let versions = BlockFormat.Version.allCases

    @Test(arguments: versions) func everySampledBitFlipIsDetected(version: BlockFormat.Version) throws {
        try DamagedBlock(version).everySampledBitFlipIsDetected()
    }

    @Test(arguments: versions, Array(0..<BlockFormat.headerByteCount))
    func headerFlipsAreTypedErrors(version: BlockFormat.Version, position: Int) throws {
        try DamagedBlock(version).headerFlipsAreTypedErrors(position: position)
    }

    @Test(arguments: versions) func headerFieldsRewrittenWithValidChecksum(version: BlockFormat.Version) throws {
        try DamagedBlock(version).headerFieldsRewrittenWithValidChecksum()
    }

    @Test(arguments: versions, [0, 1, 3])
    func payloadTagAndNonceFlipsFailAuthentication(version: BlockFormat.Version, frame: Int) throws {
        try DamagedBlock(version).payloadTagAndNonceFlipsFailAuthentication(frame: frame)
    }

    @Test(arguments: versions) func recordHeaderFlips(version: BlockFormat.Version) throws {
        try DamagedBlock(version).recordHeaderFlips()
    }

    @Test(arguments: versions, [1, BlockFormat.headerByteCount - 1, BlockFormat.headerByteCount + 10, 2 * BlockFormat.headerByteCount + 4000, 4])
    func truncation(version: BlockFormat.Version, cut: Int) throws {
        try DamagedBlock(version).truncation(cut: cut)
    }

    @Test(arguments: versions) func reorderedDroppedAndDuplicatedFrames(version: BlockFormat.Version) throws {
        try DamagedBlock(version).reorderedDroppedAndDuplicatedFrames()
    }

    @Test(arguments: versions) func frameMovedFromAnotherBlockIsRejected(version: BlockFormat.Version) throws {
        try DamagedBlock(version).frameMovedFromAnotherBlockIsRejected()
    }

    @Test(arguments: versions) func wrongKeyringAndWrongClusterAreRefused(version: BlockFormat.Version) throws {
        try DamagedBlock(version).wrongKeyringAndWrongClusterAreRefused()
    }

    @Test(arguments: versions) func expectedIDMismatch(version: BlockFormat.Version) throws {
        try DamagedBlock(version).expectedIDMismatch()
    }

    @Test(arguments: versions) func hostileRandomInputNeverCrashes(version: BlockFormat.Version) throws {
        try DamagedBlock(version).hostileRandomInputNeverCrashes()
    }
}

/// One encoded block of a given format version and the ways to damage it.
struct DamagedBlock {
    let codec: BlockCodec
    /// Four frames of random data (stored raw, so every record has the same length).
    let block: EncodedBlock
    let data: [UInt8]
    let version: BlockFormat.Version

    init(_ version: BlockFormat.Version) throws {
        self.version = version
        codec = TestData.codec(version: version)
        data = TestData.random(4 * TestGeometry.frameSize, seed: 11)
        block = try codec.encode(data)
        #expect(block.bytes[4] == version.rawValue)
    }

    var recordLength: Int { BlockFormat.frameOverheadByteCount + TestGeometry.frameSize }
    func recordStart(_ frame: Int) -> Int { BlockFormat.headerByteCount + frame * recordLength }

    func decodeError(_ bytes: [UInt8]) -> BlockCodecError? {
        do {
            _ = try codec.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    /// Rewrites a header field and fixes the CRC, as a buggy or hostile writer would.
    func withHeaderByte(_ offset: Int, _ value: UInt8) -> [UInt8] {
        var bytes = block.bytes
        bytes[offset] = value
        let crc = CRC32C.checksum(Array(bytes[0..<64]))
        withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { bytes[64 + i] = $0[i] } }
        return bytes
    }

    func everySampledBitFlipIsDetected() {
        for position in stride(from: 0, to: block.bytes.count, by: 97) {
            var bytes = block.bytes
            bytes[position] ^= 0x10
            #expect(decodeError(bytes) != nil, "flip at byte \(position) went unnoticed")
        }
    }

    func headerFlipsAreTypedErrors(position: Int) {
        var bytes = block.bytes
        bytes[position] ^= 0x01
        switch decodeError(bytes) {
        case .badMagic?: #expect(position < 4)
        case .corruptHeader?: #expect(position >= 4)
        case let other: Issue.record("flip at header byte \(position) gave \(String(describing: other))")
        }
    }

    func headerFieldsRewrittenWithValidChecksum() {
        #expect(decodeError(withHeaderByte(4, 9)) == .unsupportedVersion(9))
        #expect(decodeError(withHeaderByte(4, 0)) == .unsupportedVersion(0))
        #expect(decodeError(withHeaderByte(5, 77)) == .unsupportedAlgorithm(77))
        #expect(decodeError(withHeaderByte(24, block.bytes[24] ^ 1)) == .wrongKey(block: block.id))
        // Claiming another frame count than the length implies.
        #expect({ if case .corruptHeader? = decodeError(withHeaderByte(20, 9)) { true } else { false } }())
        // A valid-looking header whose plaintext length was changed: frames no longer authenticate or fit.
        #expect(decodeError(withHeaderByte(13, block.bytes[13] ^ 0x01)) != nil)
    }

    func payloadTagAndNonceFlipsFailAuthentication(frame: Int) {
        let start = recordStart(frame)
        for offset in [BlockFormat.recordBoundByteCount + 2, BlockFormat.recordHeaderByteCount + 5, recordLength - 1] {
            var bytes = block.bytes
            bytes[start + offset] ^= 0x80
            #expect(decodeError(bytes) == .authenticationFailed(block: block.id, frame: frame))
        }
    }

    func recordHeaderFlips() {
        var flags = block.bytes
        flags[recordStart(2)] ^= 0x04
        #expect({ if case .malformedFrame(_, 2, _)? = decodeError(flags) { true } else { false } }())
        var index = block.bytes
        index[recordStart(2) + 1] ^= 0x01
        #expect(decodeError(index) == .frameOutOfOrder(block: block.id, expected: 2, found: 3))
        var plain = block.bytes
        plain[recordStart(1) + 5] ^= 0x01
        #expect({ if case .malformedFrame(_, 1, _)? = decodeError(plain) { true } else { false } }())
    }

    func truncation(cut: Int) {
        let bytes = Array(block.bytes.dropLast(cut))
        switch decodeError(bytes) {
        case .truncated(let id, let frame)?: #expect(id == block.id && frame == 3 - (cut - 1) / recordLength)
        case let other: Issue.record("cut \(cut) gave \(String(describing: other))")
        }
        #expect(decodeError(Array(block.bytes.prefix(10))) == .truncatedHeader(length: 10))
    }

    func reorderedDroppedAndDuplicatedFrames() {
        func record(_ i: Int) -> ArraySlice<UInt8> { block.bytes[recordStart(i)..<recordStart(i) + recordLength] }
        let header = block.bytes[0..<BlockFormat.headerByteCount]
        let swapped = Array(header + record(1) + record(0) + record(2) + record(3))
        #expect(decodeError(swapped) == .frameOutOfOrder(block: block.id, expected: 0, found: 1))
        let dropped = Array(header + record(0) + record(2) + record(3))
        #expect(decodeError(dropped) == .frameOutOfOrder(block: block.id, expected: 1, found: 2))
        let duplicated = Array(header + record(0) + record(0) + record(2) + record(3))
        #expect(decodeError(duplicated) == .frameOutOfOrder(block: block.id, expected: 1, found: 0))
        #expect(decodeError(block.bytes + [0, 0, 0]) == .trailingBytes(block: block.id, count: 3))
    }

    func frameMovedFromAnotherBlockIsRejected() throws {
        let other = try codec.encode(TestData.random(4 * TestGeometry.frameSize, seed: 12))
        var spliced = block.bytes
        spliced.replaceSubrange(recordStart(2)..<recordStart(3), with: other.bytes[recordStart(2)..<recordStart(3)])
        #expect(decodeError(spliced) == .authenticationFailed(block: block.id, frame: 2))
    }

    func wrongKeyringAndWrongClusterAreRefused() throws {
        let stranger = try Keyring.generate()
        #expect(throws: BlockCodecError.wrongKey(block: block.id)) { try TestData.codec(keyring: stranger, version: version).decode(block.bytes) }
        // Same secret, another cluster id: the key check passes, the associated data does not.
        let sameSecret = try Keyring(clusterID: Array(repeating: 8, count: 16), clusterSecret: Array(repeating: 9, count: 32))
        #expect(throws: BlockCodecError.authenticationFailed(block: block.id, frame: 0)) {
            try TestData.codec(keyring: sameSecret, version: version).decode(block.bytes)
        }
    }

    func expectedIDMismatch() throws {
        let other = try codec.encode([1, 2, 3])
        #expect(throws: BlockCodecError.unexpectedBlock(expected: other.id, found: block.id)) {
            try codec.decode(block.bytes, expecting: other.id)
        }
    }

    func hostileRandomInputNeverCrashes() {
        var generator = SeededGenerator(seed: 99)
        for length in [0, 3, 68, 69, 200, 5000] {
            for _ in 0..<20 {
                var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if length >= 4 { bytes.replaceSubrange(0..<4, with: BlockFormat.magic) }
                #expect(decodeError(bytes) != nil)
            }
        }
    }
}
