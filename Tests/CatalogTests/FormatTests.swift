import Testing
import YonkeCore
@testable import Catalog

/// Big-endian fixed width, written out by hand so the format is pinned independently of `ByteWriter`.
private func be(_ value: UInt64, _ byteCount: Int) -> [UInt8] {
    (0..<byteCount).reversed().map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) }
}

private func str(_ text: String) -> [UInt8] { be(UInt64(text.utf8.count), 4) + Array(text.utf8) }

/// Commands are Raft log entries and snapshots are Raft snapshots: bytes already on disks and in
/// flight, so their layout must not move by a byte.
@Suite struct FormatTests {
    @Test func setTierKeepsItsLayout() {
        let command = Catalog.Command.setTier(path: path("lake://bronze/2025"), tier: .glacier)
        #expect(command.encoded() == [1, 6] + str("lake://bronze/2025") + [2])
    }

    @Test func commitFileKeepsItsLayout() {
        let commit = Catalog.CommitFile(
            path: path("lake://gold/a.csv"), blocks: [block(1)],
            metadata: Catalog.FileMetadata(source: "crm", contentType: "text/csv", tier: .cold,
                                           schema: Catalog.Schema(columns: [.init(name: "id", type: "int64")]), rowCount: 720),
            overwrite: true, createParents: false, epochMillis: -1)
        var expected: [UInt8] = [1, 3] + str("lake://gold/a.csv")
        expected += be(1, 4) + block(1).id.bytes + be(UInt64(bitPattern: block(1).sizeBytes), 8)
        expected += str("crm") + str("text/csv") + [1] + [1] + be(1, 4) + str("id") + str("int64") + [1] + be(720, 8)
        expected += [1, 0] + be(UInt64.max, 8)
        #expect(Catalog.Command.commitFile(commit).encoded() == expected)
    }

    /// FNV-1a of a snapshot with something in every map, as the code before the shared
    /// reader/writer wrote it (then version 2: 15_553_881_168_744_799_672); version 3 adds the
    /// jobs table (empty here) and its version byte.
    @Test func snapshotKeepsItsBytes() {
        #expect(richState().digest == 15_119_937_397_686_516_437)
    }
}
