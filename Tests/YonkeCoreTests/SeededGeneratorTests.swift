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

@Test(arguments: [(0, "1970-01-01T00:00:00"), (1_764_201_600, "2025-11-27T00:00:00"), (951_782_400, "2000-02-29T00:00:00"), (4_107_542_399, "2100-02-28T23:59:59")])
func civilTimestamps(seconds: Int, expected: String) {
    #expect(CSVRows.timestamp(seconds) == expected)
}

@Test func csvRowsHaveThreeFieldsTwoMinutesApart() {
    var rows = CSVRows()
    var generator = SeededGenerator(seed: 3)
    var out: [UInt8] = []
    for _ in 0..<3 { rows.append(to: &out, using: &generator) }
    let lines = String(decoding: out, as: UTF8.self).split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines.allSatisfy { $0.split(separator: ",").count == 3 })
    #expect(lines[0].hasSuffix("2025-11-27T00:02:00") && lines[2].hasSuffix("2025-11-27T00:06:00"))
}

@Test func crc32cOfSlicesMatchesArrays() {
    let bytes = Array("yonke raft log record".utf8)
    #expect(CRC32C.checksum(bytes[2...]) == CRC32C.checksum(Array(bytes[2...])))
    #expect(CRC32C.checksum(bytes.dropLast(4)) == CRC32C.checksum(Array(bytes.dropLast(4))))
    #expect(CRC32C.checksum(bytes.lazy.map { $0 }) == CRC32C.checksum(bytes), "the byte-at-a-time path agrees")
}
