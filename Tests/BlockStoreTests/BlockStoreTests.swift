import Foundation
import Testing
import BlockCodec
@testable import BlockStore
import YonkeCore

struct BlockStoreTests {
    static let keyring = try! Keyring(clusterID: Array(repeating: 1, count: 16), clusterSecret: Array(repeating: 2, count: 32))
    static let codec = try! BlockCodec(keyring: keyring, blockSizeBytes: 256 * 1024, frameSizeBytes: 16 * 1024)

    func block(_ size: Int, seed: UInt64) throws -> EncodedBlock {
        var generator = SeededGenerator(seed: seed)
        return try Self.codec.encode((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    @Test func putReadReopenDelete() throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 10 << 20, codec: Self.codec)
        let blocks = try (1...5).map { try block(50_000 + $0, seed: UInt64($0)) }
        for b in blocks { #expect(try store.put(b.bytes) == .stored) }
        #expect(try store.put(blocks[0].bytes) == .alreadyPresent, "a retried write is a no-op")
        #expect(store.blockReport() == blocks.map(\.id).sorted())

        let reopened = try BlockStore(root: folder.path, capacityBytes: 10 << 20, codec: Self.codec)
        #expect(reopened.usage == store.usage, "a restart rebuilds the index from the disk")
        for b in blocks { #expect(try reopened.readEncoded(b.id) == b.bytes) }
        #expect(try reopened.read(blocks[2].id).count == 50_003)

        try reopened.delete(blocks[1].id)
        #expect(!reopened.contains(blocks[1].id))
        #expect(throws: BlockStoreError.notFound(store: folder.path, block: blocks[1].id)) { try reopened.read(blocks[1].id) }
        #expect(reopened.usage.blockCount == 4)
    }

    /// Garbage collection keeps a block written (or written again) within the
    /// idle time: a put of the same content may be about to reference it.
    @Test func deleteIfIdleSparesRecentlyWrittenBlocks() throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 10 << 20, codec: Self.codec)
        let b = try block(40_000, seed: 9)
        try store.put(b.bytes)
        #expect(try store.deleteIfIdle(b.id, idleSeconds: 3600) == false && store.contains(b.id))
        let old = timespec(tv_sec: time(nil) - 7200, tv_nsec: 0)
        let file = folder.path + "/blocks/\(b.id.hex.prefix(2))/\(b.id.hex.dropFirst(2).prefix(2))/\(b.id.hex)"
        #expect(utimensat(AT_FDCWD, file, [old, old], 0) == 0)
        // Written again (a re-put of the same bytes): recent once more.
        #expect(try store.put(b.bytes) == .alreadyPresent)
        #expect(try store.deleteIfIdle(b.id, idleSeconds: 3600) == false)
        #expect(utimensat(AT_FDCWD, file, [old, old], 0) == 0)
        #expect(try store.deleteIfIdle(b.id, idleSeconds: 3600) == true)
        #expect(!store.contains(b.id) && store.usage.usedBytes == 0 && !FileManager.default.fileExists(atPath: file))
        #expect(try store.deleteIfIdle(b.id, idleSeconds: 3600) == true, "already gone counts as gone")
    }

    @Test func usageMatchesBytesOnDisk() throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 10 << 20)
        for seed in 1...4 { try store.put(try block(30_000 * Int(seed), seed: UInt64(seed)).bytes) }
        var onDisk: Int64 = 0
        let enumerator = FileManager.default.enumerator(atPath: folder.path + "/blocks")!
        while let name = enumerator.nextObject() as? String {
            let attributes = try FileManager.default.attributesOfItem(atPath: folder.path + "/blocks/" + name)
            if attributes[.type] as? FileAttributeType == .typeRegular { onDisk += (attributes[.size] as! NSNumber).int64Value }
        }
        #expect(store.usage.usedBytes == onDisk)
        #expect(store.usage.freeBytes == (10 << 20) - onDisk)
    }

    @Test func storeAtCapacityRefusesAndKeepsEarlierBlocks() throws {
        let folder = TemporaryFolder()
        let first = try block(100_000, seed: 1)
        let store = try BlockStore(root: folder.path, capacityBytes: Int64(first.bytes.count + 50_000), codec: Self.codec)
        try store.put(first.bytes)
        let second = try block(100_000, seed: 2)
        #expect(throws: BlockStoreError.capacityExceeded(
            store: folder.path, neededBytes: Int64(second.bytes.count), freeBytes: 50_000)) { try store.put(second.bytes) }
        #expect(try store.read(first.id).count == 100_000)
        #expect(store.blockReport() == [first.id])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/tmp").isEmpty)
    }

    @Test func scrubFindsCorruptionWithoutDeleting() throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 10 << 20, codec: Self.codec)
        let good = try block(70_000, seed: 1)
        let bad = try block(70_000, seed: 2)
        try store.put(good.bytes)
        try store.put(bad.bytes)
        #expect(try store.scrub().corrupt.isEmpty)

        try flipByte(at: 40_000, in: store.path(of: bad.id))

        let report = try store.scrub()
        #expect(report.checkedBlocks == 2)
        #expect(report.checkedBytes == Int64(good.bytes.count + bad.bytes.count))
        #expect(Array(report.corrupt.keys) == [bad.id])
        #expect(report.quarantined.isEmpty)
        #expect(store.contains(bad.id), "without quarantine a scrub only reports")
        #expect(throws: BlockStoreError.self) { try store.read(bad.id) }
        #expect(try store.read(good.id).count == 70_000)
    }

    @Test func garbageIsRefusedAndLeftoversAreCleaned() throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 1 << 20)
        #expect(throws: BlockStoreError.self) { try store.put(Array("not a block".utf8)) }
        FileManager.default.createFile(atPath: folder.path + "/tmp/crashed-write.tmp", contents: Data([1, 2, 3]))
        _ = try BlockStore(root: folder.path, capacityBytes: 1 << 20)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/tmp").isEmpty)
    }

    @Test func fullDeviceGivesClearErrorAndKeepsBlocks() throws {
        guard let device = SmallFilesystem(sizeBytes: 600_000) else {
            print("skipped: mounting a tmpfs is not permitted here")
            return
        }
        // The configured capacity is generous; the device is what runs out.
        let store = try BlockStore(root: device.path + "/store", capacityBytes: 100 << 20, codec: Self.codec)
        var kept: [EncodedBlock] = []
        var sawFull = false
        for seed in 1...10 {
            let b = try block(200_000, seed: UInt64(seed))
            do {
                try store.put(b.bytes)
                kept.append(b)
            } catch let error {
                #expect(error == .diskFull(path: error.pathForTest), "\(error)")
                sawFull = true
                break
            }
        }
        #expect(sawFull)
        #expect(!kept.isEmpty)
        for b in kept { #expect(try store.read(b.id).count == 200_000) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: device.path + "/store/tmp").isEmpty)
    }

    @Test func readOnlyDeviceIsPermissionError() throws {
        guard let device = SmallFilesystem(sizeBytes: 1 << 20) else {
            print("skipped: mounting a tmpfs is not permitted here")
            return
        }
        let store = try BlockStore(root: device.path + "/store", capacityBytes: 1 << 20, codec: Self.codec)
        let first = try block(1000, seed: 1)
        try store.put(first.bytes)
        #expect(device.remountReadOnly())
        #expect(throws: BlockStoreError.self) { try store.put(try block(1000, seed: 2).bytes) }
        do { try store.put(try block(1000, seed: 3).bytes) } catch {
            if case BlockStoreError.permissionDenied? = error as? BlockStoreError {} else { Issue.record("expected permissionDenied, got \(error)") }
        }
        #expect(try store.read(first.id).count == 1000)
    }
}

extension BlockStoreError {
    var pathForTest: String {
        if case .diskFull(let path) = self { return path }
        return ""
    }
}
