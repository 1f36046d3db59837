import Foundation
import Testing
import BlockCodec
@testable import BlockStore
import YonkeCore

/// Flips one byte of a file in place (bit rot on a real disk).
func flipByte(at offset: UInt64, in path: String) throws {
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    try handle.seek(toOffset: offset)
    let byte = try handle.read(upToCount: 1)!
    try handle.seek(toOffset: offset)
    try handle.write(contentsOf: [byte[0] ^ 0xFF])
    try handle.close()
}

struct ScrubberTests {
    func block(_ size: Int, seed: UInt64) throws -> EncodedBlock {
        var generator = SeededGenerator(seed: seed)
        return try BlockStoreTests.codec.encode((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    func store(_ folder: TemporaryFolder) throws -> BlockStore {
        try BlockStore(root: folder.path, capacityBytes: 10 << 20, codec: BlockStoreTests.codec)
    }

    @Test func corruptBlockIsQuarantinedAndAGoodCopyCanLandAgain() throws {
        let folder = TemporaryFolder()
        let store = try store(folder)
        let blocks = try (1...3).map { try block(60_000, seed: $0) }
        for b in blocks { try store.put(b.bytes) }
        let bad = blocks[1]
        let usageBefore = store.usage
        try flipByte(at: 30_000, in: store.path(of: bad.id))

        var verdicts: [BlockID: ScrubVerdict] = [:]
        let report = try store.scrub(quarantine: true) { id, verdict, _ in
            verdicts[id] = verdict
            return true
        }
        #expect(report.checkedBlocks == 3)
        #expect(report.quarantined == [bad.id])
        #expect(Array(report.corrupt.keys) == [bad.id])
        guard case .corrupt(let bytes, let reason)? = verdicts[bad.id] else {
            Issue.record("expected a corrupt verdict, got \(String(describing: verdicts[bad.id]))")
            return
        }
        #expect(bytes == Int64(bad.bytes.count))
        #expect(reason.contains("frame") || reason.contains("digest"), "\(reason)")

        #expect(!store.contains(bad.id))
        #expect(store.blockReport() == [blocks[0].id, blocks[2].id].sorted())
        #expect(store.usage.usedBytes == usageBefore.usedBytes - Int64(bad.bytes.count))
        #expect(store.usage.blockCount == 2)
        let kept = try FileManager.default.contentsOfDirectory(atPath: store.quarantinePath)
        #expect(kept.count == 1 && kept[0].hasPrefix(bad.id.hex + "."), "kept for forensics: \(kept)")
        #expect(!FileManager.default.fileExists(atPath: store.path(of: bad.id)))

        // A restart does not count the quarantined file either.
        #expect(try BlockStore(root: folder.path, capacityBytes: 10 << 20).usage == store.usage)

        // The healer's re-copy lands and reads back.
        #expect(try store.put(bad.bytes) == .stored)
        #expect(try store.read(bad.id).count == 60_000)
        let second = try store.scrub(quarantine: true)
        #expect(second.corrupt.isEmpty && second.checkedBlocks == 3)
    }

    @Test func aFileReplacedDuringTheCheckIsNotQuarantined() throws {
        let folder = TemporaryFolder()
        let store = try store(folder)
        let b = try block(40_000, seed: 7)
        try store.put(b.bytes)
        try flipByte(at: 20_000, in: store.path(of: b.id))
        var scratch: [UInt8] = []
        let (verdict, identity) = try store.check(b.id, reusing: &scratch)
        guard case .corrupt = verdict, let identity else {
            Issue.record("expected corrupt, got \(verdict)")
            return
        }
        // Meanwhile the master had it deleted and a good copy written here.
        try store.delete(b.id)
        try store.put(b.bytes)
        #expect(try store.quarantine(b.id, ifStill: identity) == false)
        #expect(store.contains(b.id))
        #expect(try store.read(b.id).count == 40_000)

        // Deleted and not rewritten: nothing to move.
        try store.delete(b.id)
        #expect(try store.quarantine(b.id, ifStill: identity) == false)
        #expect(try store.check(b.id, reusing: &scratch).0 == .gone)
    }

    @Test func aNodeWithAnotherKeyringQuarantinesNothing() throws {
        let folder = TemporaryFolder()
        let blocks = try (1...2).map { try block(20_000, seed: $0) }
        let writer = try store(folder)
        for b in blocks { try writer.put(b.bytes) }
        let otherKeys = try Keyring(clusterID: Array(repeating: 1, count: 16), clusterSecret: Array(repeating: 9, count: 32))
        let misconfigured = try BlockStore(root: folder.path, capacityBytes: 10 << 20, codec: try BlockCodec(keyring: otherKeys))
        var verdicts: [ScrubVerdict] = []
        let report = try misconfigured.scrub(quarantine: true) { _, verdict, _ in
            verdicts.append(verdict)
            return true
        }
        #expect(report.unverifiable == 2 && report.checkedBlocks == 0)
        #expect(report.corrupt.isEmpty && report.quarantined.isEmpty)
        #expect(verdicts.allSatisfy { if case .unverifiable = $0 { true } else { false } }, "\(verdicts)")
        #expect(misconfigured.blockReport() == blocks.map(\.id).sorted(), "every block still held")
        #expect(try writer.read(blocks[0].id).count == 20_000)
    }

    @Test func onBlockCanStopThePass() throws {
        let folder = TemporaryFolder()
        let store = try store(folder)
        for seed in 1...4 { try store.put(try block(10_000, seed: UInt64(seed)).bytes) }
        var seen = 0
        let report = try store.scrub { _, _, report in
            seen += 1
            return report.checkedBlocks < 2
        }
        #expect(seen == 2)
        #expect(report.checkedBlocks == 2)
    }

    @Test func storeWithoutKeyringCannotScrub() throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 1 << 20)
        #expect(throws: BlockStoreError.self) { try store.scrub() }
    }

    @Test func oldQuarantineFilesArePurged() throws {
        let folder = TemporaryFolder()
        let store = try store(folder)
        try FileManager.default.createDirectory(atPath: store.quarantinePath, withIntermediateDirectories: true)
        let now = Int(Date().timeIntervalSince1970)
        for (name, age) in [("old", 40 * 86_400), ("recent", 3_600)] {
            FileManager.default.createFile(atPath: "\(store.quarantinePath)/\(name)-block.\(now - age)", contents: Data([1]))
        }
        #expect(try store.purgeQuarantine(olderThanSeconds: 30 * 86_400) == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.quarantinePath) == ["recent-block.\(now - 3_600)"])
    }

    struct PaceCase: Sendable, CustomStringConvertible {
        var rate: Int64, bytes: Int64, elapsedNanoseconds: Int64, delayNanoseconds: Int64
        var description: String { "\(bytes) B at \(rate) B/s after \(elapsedNanoseconds) ns" }
    }

    @Test(arguments: [
        // 20 MB/s: a 64 MiB block read at once is due 3.36 s after the start.
        PaceCase(rate: 20_000_000, bytes: 64 << 20, elapsedNanoseconds: 0, delayNanoseconds: 3_355_443_200),
        PaceCase(rate: 20_000_000, bytes: 64 << 20, elapsedNanoseconds: 1_000_000_000, delayNanoseconds: 2_355_443_200),
        // Behind schedule (a slow disk): no wait, and no negative credit.
        PaceCase(rate: 20_000_000, bytes: 10_000_000, elapsedNanoseconds: 900_000_000, delayNanoseconds: 0),
        // Unlimited pace and nothing read yet.
        PaceCase(rate: 0, bytes: 1 << 30, elapsedNanoseconds: 0, delayNanoseconds: 0),
        PaceCase(rate: 1_000, bytes: 0, elapsedNanoseconds: 0, delayNanoseconds: 0),
        // 4 TB at 20 MB/s is 2.3 days: no overflow.
        PaceCase(rate: 20_000_000, bytes: 4_000_000_000_000, elapsedNanoseconds: 0, delayNanoseconds: 200_000_000_000_000),
    ])
    func paceSpreadsReadsOverTime(_ c: PaceCase) {
        #expect(ScrubPace(bytesPerSecond: c.rate).delayNanoseconds(afterBytes: c.bytes, elapsedNanoseconds: c.elapsedNanoseconds)
                == c.delayNanoseconds)
    }
}
