import Testing
import YonkeCore

@Test func sameSeedSameStream() {
    var a = SeededGenerator(seed: 42)
    var b = SeededGenerator(seed: 42)
    for _ in 0..<1000 { #expect(a.next() == b.next()) }
}

@Test func differentSeedsDiffer() {
    var a = SeededGenerator(seed: 1)
    var b = SeededGenerator(seed: 2)
    #expect((0..<8).map { _ in a.next() } != (0..<8).map { _ in b.next() })
}

@Test(arguments: ["0", "512", "64KiB", "64MiB", "1.5GiB", "4TB", "120G"])
func byteCountParses(_ text: String) {
    #expect(ByteCount.parse(text) != nil)
}

@Test(arguments: ["", "abc", "-1", "12XB"])
func byteCountRejects(_ text: String) {
    #expect(ByteCount.parse(text) == nil)
}

@Test func hexRoundTrip() {
    let bytes: [UInt8] = [0, 1, 0xAB, 0xFF]
    #expect(Hex.decode(Hex.encode(bytes)) == bytes)
    #expect(Hex.decode("abc") == nil)
    #expect(Hex.decode("zz") == nil)
}

@Test func crc32cKnownVector() {
    // RFC 3720 B.4: CRC-32C of "123456789" is 0xE3069283.
    #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
}
