@testable import Parquet
import Testing
import YonkeCore

/// A Parquet file is outside input: whatever its bytes, the reader answers
/// with values or a typed error, and never traps.
@Suite struct HostileInputTests {
    static func validFiles() throws -> [[UInt8]] {
        let schema = Fixtures.schema(nullable: true)
        var small = ParquetWriterProperties()
        small.pageSizeBytes = 512
        small.rowGroupMaxRows = 120
        var plain = ParquetWriterProperties()
        plain.dictionaryEnabled = false
        plain.compression = .uncompressed
        return [
            try Fixtures.write(schema, [Fixtures.batch(schema, rows: 300, seed: 1)], properties: small),
            try Fixtures.write(schema, [Fixtures.batch(schema, rows: 200, seed: 2, lowCardinality: true)]),
            try Fixtures.write(Fixtures.schema(nullable: false), [Fixtures.batch(Fixtures.schema(nullable: false), rows: 100, seed: 3)],
                               properties: plain),
        ]
    }

    /// Reads everything there is to read; any error is fine, a trap is not.
    static func readEverything(_ bytes: [UInt8]) -> Bool {
        guard let reader = try? ParquetReader(bytes: bytes) else { return false }
        var ok = true
        for column in reader.columns.indices {
            for group in reader.rowGroups.indices {
                do { _ = try reader.readColumn(column, rowGroup: group) } catch { ok = false }
            }
        }
        return ok
    }

    @Test func truncatedFilesAreTypedErrors() throws {
        let file = try Self.validFiles()[0]
        for length in [0, 3, 4, 8, 11, 12, file.count / 2, file.count - 9, file.count - 5, file.count - 1] {
            #expect(throws: ParquetError.self, "length \(length)") { _ = try ParquetReader(bytes: Array(file.prefix(length))) }
        }
    }

    @Test func badMagicIsATypedError() throws {
        var file = try Self.validFiles()[0]
        file[1] = UInt8(ascii: "X")
        #expect(throws: ParquetError.badMagic) { _ = try ParquetReader(bytes: file) }
    }

    @Test func footerLengthPastTheStartIsATypedError() throws {
        var file = try Self.validFiles()[0]
        let at = file.count - 8
        for k in 0..<4 { file[at + k] = 0xFF }
        #expect(throws: ParquetError.self) { _ = try ParquetReader(bytes: file) }
    }

    @Test func absurdLimitsAreTypedErrors() throws {
        let file = try Self.validFiles()[0]
        var limits = ParquetReader.Limits()
        limits.maxValuesPerColumnChunk = 10
        let reader = try ParquetReader(bytes: file, limits: limits)
        #expect(throws: ParquetError.self) { _ = try reader.readColumn(0) }
        limits = ParquetReader.Limits()
        limits.maxFooterBytes = 100
        #expect(throws: ParquetError.self) { _ = try ParquetReader(bytes: file, limits: limits) }
        limits = ParquetReader.Limits()
        limits.maxThriftDepth = 2
        #expect(throws: ParquetError.nestingTooDeep(limit: 2)) { _ = try ParquetReader(bytes: file, limits: limits) }
    }

    /// Seeded random mutations of valid files: byte flips, overwrites with
    /// boundary values, cuts and splices. Reproduce one with its seed.
    @Test(arguments: 0..<4)
    func randomMutationsNeverTrap(_ shard: Int) throws {
        let files = try Self.validFiles()
        var readable = 0
        for round in 0..<400 {
            let seed = UInt64(shard * 100_000 + round)
            var g = SeededGenerator(seed: seed)
            var file = files[Int(g.next() % UInt64(files.count))]
            let mutations = 1 + Int(g.next() % 4)
            for _ in 0..<mutations {
                let at = Int(g.next() % UInt64(file.count))
                switch g.next() % 6 {
                case 0: file[at] ^= UInt8(1 << (g.next() % 8))
                case 1: file[at] = [0x00, 0xFF, 0x7F, 0x80, 0x0F, 0xF0][Int(g.next() % 6)]
                case 2:
                    // Overwrite inside the footer, where the offsets and counts live.
                    let footer = max(0, file.count - 1 - Int(g.next() % 600))
                    file[footer] = UInt8(truncatingIfNeeded: g.next())
                case 3:
                    let length = Int(g.next() % 16)
                    file.removeSubrange(at..<min(file.count, at + length))
                case 4:
                    file.insert(contentsOf: (0..<Int(g.next() % 8)).map { _ in UInt8(truncatingIfNeeded: g.next()) }, at: at)
                default:
                    file = Array(file.prefix(at)) + Array(file.suffix(max(0, file.count - at - 1)).prefix(8)) + file.suffix(8)
                }
                if file.isEmpty { file = [0] }
            }
            if Self.readEverything(file) { readable += 1 }
        }
        // Most single flips land in page data and still read; the point is no trap.
        #expect(readable < 400)
    }

    @Test func unsupportedCodecIsNamed() throws {
        // Rewrite the footer's codec of every chunk to SNAPPY (1) by re-encoding the metadata.
        let schema = ParquetSchema([ParquetColumn("a", .int64)])
        let bytes = try Fixtures.write(schema, [[.int64([1, 2, 3])]])
        let reader = try ParquetReader(bytes: bytes)
        var groups = reader.rowGroups
        groups[0].columns[0].metaData?.codecCode = CompressionCodec.zstd.rawValue
        let footerLength = Int(bytes[bytes.count - 8]) | Int(bytes[bytes.count - 7]) << 8
        let data = Array(bytes.prefix(bytes.count - 8 - footerLength))
        var writer = CompactWriter()
        writer.topLevel(FileMetaData(version: 2, schema: schema.elements, numRows: 3, rowGroups: groups))
        var file = data + writer.bytes
        withUnsafeBytes(of: UInt32(writer.bytes.count).littleEndian) { file += $0 }
        file += Array("PAR1".utf8)
        let rewritten = try ParquetReader(bytes: file)
        #expect(throws: ParquetError.unsupportedCodec("ZSTD")) { _ = try rewritten.readColumn(0) }
    }
}
