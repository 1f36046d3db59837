import Testing
import BlockCodec
import YonkeCore

struct RoundTripTests {
    static let sizes = [
        0, 1, TestGeometry.frameSize - 1, TestGeometry.frameSize, TestGeometry.frameSize + 1,
        TestGeometry.blockSize - 1, TestGeometry.blockSize,
    ]

    @Test(arguments: sizes, AEADAlgorithm.allCases.filter(\.isAvailable))
    func randomBytes(size: Int, algorithm: AEADAlgorithm) throws {
        let data = TestData.random(size)
        let codec = TestData.codec(algorithm)
        let encoded = try codec.encode(data)
        #expect(encoded.plaintextLength == size)
        #expect(encoded.bytes.count <= codec.maxEncodedSize(plaintextLength: size))
        #expect(try codec.decode(encoded.bytes, expecting: encoded.id) == data)
    }

    @Test(arguments: sizes, [1, 2])
    func csvCompressesAndRoundTrips(size: Int, parallelism: Int) throws {
        let data = TestData.csv(size)
        let codec = TestData.codec(parallelism: parallelism)
        let encoded = try codec.encode(data)
        #expect(try codec.decode(encoded.bytes) == data)
        if size >= TestGeometry.frameSize {
            #expect(encoded.storedPayloadBytes < size * 3 / 4, "CSV should compress well")
        }
    }

    @Test func blockIDIsContentDerivedAndKeyed() throws {
        let data = TestData.csv(10_000)
        let first = try TestData.codec().encode(data)
        let second = try TestData.codec(parallelism: 2).encode(data)
        #expect(first.id == second.id, "same content, same id, whatever the parallelism")
        #expect(first.bytes != second.bytes, "nonces are random, so ciphertexts differ")
        let other = try Keyring.generate()
        #expect(try TestData.codec(keyring: other).encode(data).id != first.id, "ids are keyed by the cluster secret")
        #expect(try TestData.codec().encode(TestData.csv(10_000, seed: 2)).id != first.id)
    }

    @Test func parallelMatchesSequentialOnManyFrames() throws {
        let data = TestData.csv(TestGeometry.blockSize)
        let encoded = try TestData.codec(parallelism: 2).encode(data)
        #expect(try TestData.codec(parallelism: 1).decode(encoded.bytes) == data)
        #expect(try BlockCodec.blockID(ofEncoded: encoded.bytes) == encoded.id)
    }

    @Test func oversizedBlockIsRefused() {
        #expect(throws: BlockCodecError.self) { try TestData.codec().encode(TestData.random(TestGeometry.blockSize + 1)) }
    }

    @Test func keyringFileRoundTrips() throws {
        let secret = Array(repeating: UInt8(3), count: Keyring.secretByteCount)
        let keyring = try Keyring(clusterID: Array(repeating: 1, count: 16), clusterSecret: secret)
        let (parsed, parsedSecret) = try Keyring.parse(fileContents: keyring.fileContents(clusterSecret: secret))
        #expect(parsed.clusterID == keyring.clusterID)
        #expect(parsed.keyCheck == keyring.keyCheck)
        #expect(parsedSecret == secret)
        #expect(throws: BlockCodecError.self) { try Keyring.parse(fileContents: "cluster-id: zz\nsecret: 00") }
        #expect(throws: BlockCodecError.self) { try Keyring.parse(fileContents: "nonsense") }
    }
}
