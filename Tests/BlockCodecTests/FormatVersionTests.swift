import CSodium
import SodiumSupport
import Testing
@testable import BlockCodec
import YonkeCore

/// Format 1 (BLAKE2b ids) and format 2 (BLAKE3 ids) side by side: old blocks keep
/// reading, new ones are version 2 by default, and the header alone decides.
struct FormatVersionTests {
    func fixtureCodec(_ algorithm: AEADAlgorithm, version: BlockFormat.Version = .current) throws -> BlockCodec {
        try BlockCodec(
            keyring: TestData.keyring, blockSizeBytes: 4096, frameSizeBytes: FormatOneFixtures.frameSizeBytes,
            algorithm: algorithm, formatVersion: version)
    }

    static let fixtures: [(AEADAlgorithm, [UInt8])] = [
        (.xchacha20poly1305, FormatOneFixtures.xchacha20poly1305), (.aes256gcm, FormatOneFixtures.aes256gcm),
    ]

    @Test(arguments: [AEADAlgorithm.xchacha20poly1305, .aes256gcm])
    func blocksWrittenByTheOldCodecStillRead(algorithm: AEADAlgorithm) throws {
        let bytes = algorithm == .aes256gcm ? FormatOneFixtures.aes256gcm : FormatOneFixtures.xchacha20poly1305
        #expect(bytes[4] == 1 && bytes[5] == algorithm.rawValue)
        let id = try #require(BlockID(hex: FormatOneFixtures.id))
        #expect(try BlockCodec.blockID(ofEncoded: bytes) == id)
        // A codec set to write format 2 reads format 1: the header decides.
        let codec = try fixtureCodec(.preferred)
        #expect(try codec.decode(bytes, expecting: id) == FormatOneFixtures.plaintext)
        // The scrubber's call: verify into a reused buffer, as BlockStore.check does.
        var reused = [UInt8](repeating: 0xEE, count: 10_000)
        let length = try bytes.withUnsafeBytes { try codec.decode($0, expecting: id, reusing: &reused) }
        #expect(Array(reused.prefix(length)) == FormatOneFixtures.plaintext)
        // One flipped ciphertext byte in the raw third frame: refused, as before.
        var damaged = bytes
        damaged[damaged.count - 20] ^= 1
        #expect(throws: BlockCodecError.authenticationFailed(block: id, frame: 2)) { try codec.decode(damaged) }
    }

    @Test(arguments: [AEADAlgorithm.xchacha20poly1305, .aes256gcm])
    func formatOneIsStillWrittenWithTheSameIDs(algorithm: AEADAlgorithm) throws {
        let encoded = try fixtureCodec(algorithm, version: .v1).encode(FormatOneFixtures.plaintext)
        #expect(encoded.id.hex == FormatOneFixtures.id)
        #expect(encoded.bytes[4] == 1)
        #expect(encoded.bytes.count == FormatOneFixtures.aes256gcm.count)
        #expect(try fixtureCodec(algorithm).decode(encoded.bytes) == FormatOneFixtures.plaintext)
    }

    @Test(arguments: BlockFormat.Version.allCases, [AEADAlgorithm.xchacha20poly1305, .aes256gcm])
    func bothVersionsRoundTrip(version: BlockFormat.Version, algorithm: AEADAlgorithm) throws {
        for data in [TestData.csv(3 * TestGeometry.frameSize + 17), TestData.random(TestGeometry.blockSize)] {
            let codec = TestData.codec(algorithm, parallelism: 2, version: version)
            let encoded = try codec.encode(data)
            #expect(encoded.bytes[4] == version.rawValue)
            #expect(try TestData.codec(.preferred, version: .current).decode(encoded.bytes, expecting: encoded.id) == data)
        }
    }

    @Test func defaultIsFormatTwoWithItsOwnIDs() throws {
        let data = TestData.csv(10_000)
        let two = try TestData.codec().encode(data)
        let one = try TestData.codec(version: .v1).encode(data)
        #expect(BlockFormat.Version.current == .v2 && BlockFormat.version == 2)
        #expect(two.bytes[4] == 2 && one.bytes[4] == 1)
        #expect(two.id != one.id, "format 2 hashes with BLAKE3 under its own subkey")
        #expect(try TestData.codec(parallelism: 2).encode(data).id == two.id, "convergent: same content, same id")
    }

    /// Rewriting the version byte (with a valid CRC) to make the decoder check
    /// with the other hash fails: the header is every frame's associated data.
    @Test(arguments: BlockFormat.Version.allCases)
    func versionByteCannotBeSwapped(version: BlockFormat.Version) throws {
        let encoded = try TestData.codec(version: version).encode(TestData.csv(3 * TestGeometry.frameSize))
        var bytes = encoded.bytes
        bytes[4] = version == .v1 ? 2 : 1
        let crc = CRC32C.checksum(Array(bytes[0..<64]))
        withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { bytes[64 + i] = $0[i] } }
        #expect(throws: BlockCodecError.authenticationFailed(block: encoded.id, frame: 0)) {
            try TestData.codec().decode(bytes)
        }
    }

    /// A block cannot mix versions: frames of the same plaintext encoded as
    /// format 1 spliced under a format-2 header (and the reverse) do not open.
    @Test func framesOfTheOtherVersionDoNotOpen() throws {
        let data = TestData.random(3 * TestGeometry.frameSize, seed: 5)
        let one = try TestData.codec(version: .v1).encode(data)
        let two = try TestData.codec(version: .v2).encode(data)
        let header = BlockFormat.headerByteCount
        #expect(one.bytes.count == two.bytes.count)
        let twoHeaderOneFrames = Array(two.bytes[0..<header] + one.bytes[header...])
        #expect(throws: BlockCodecError.authenticationFailed(block: two.id, frame: 0)) {
            try TestData.codec().decode(twoHeaderOneFrames)
        }
        var oneWithAFrameOfTwo = one.bytes
        let record = BlockFormat.frameOverheadByteCount + TestGeometry.frameSize
        oneWithAFrameOfTwo.replaceSubrange(header + record..<header + 2 * record, with: two.bytes[header + record..<header + 2 * record])
        #expect(throws: BlockCodecError.authenticationFailed(block: one.id, frame: 1)) {
            try TestData.codec().decode(oneWithAFrameOfTwo)
        }
    }

    /// The new OpenSSL path seals exactly what libsodium opens (the fixtures
    /// prove the other direction): one raw frame, opened with libsodium directly.
    @Test(arguments: [AEADAlgorithm.xchacha20poly1305, .aes256gcm])
    func openSSLFramesOpenWithLibsodium(algorithm: AEADAlgorithm) throws {
        let keyring = TestData.keyring
        let data = TestData.random(TestGeometry.frameSize, seed: 8)
        let encoded = try TestData.codec(algorithm).encode(data)
        let header = BlockFormat.headerByteCount
        let bytes = encoded.bytes
        let ad = keyring.clusterID + bytes[0..<header] + bytes[header..<header + BlockFormat.recordBoundByteCount]
        let nonce = Array(bytes[header + BlockFormat.recordBoundByteCount..<header + BlockFormat.recordHeaderByteCount])
        let cipherStart = header + BlockFormat.recordHeaderByteCount
        let ciphertext = Array(bytes[cipherStart..<cipherStart + data.count])
        let tag = Array(bytes[(cipherStart + data.count)...])
        #expect(bytes[header] == 0, "random data is stored raw")
        var plain = [UInt8](repeating: 0, count: data.count)
        let key = keyring.blockKey(for: encoded.id)
        let rc = switch algorithm {
        case .xchacha20poly1305:
            crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
                &plain, nil, ciphertext, UInt64(ciphertext.count), tag, ad, UInt64(ad.count), nonce, key.typedPointer)
        case .aes256gcm:
            Sodium.aes256gcmAvailable
                ? crypto_aead_aes256gcm_decrypt_detached(
                    &plain, nil, ciphertext, UInt64(ciphertext.count), tag, ad, UInt64(ad.count), nonce, key.typedPointer)
                : 0
        }
        #expect(rc == 0)
        if algorithm == .xchacha20poly1305 || Sodium.aes256gcmAvailable { #expect(plain == data) }
    }
}
