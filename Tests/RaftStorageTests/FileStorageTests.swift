import Foundation
import Testing
@testable import Consensus
@testable import RaftStorage

/// The file-backed log, on real temporary folders.
@Suite struct FileStorageTests {
    func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "yonke-raft-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func ready(entries: [Raft.Entry] = [], hardState: Raft.HardState? = nil, snapshot: Raft.Snapshot? = nil, received: Bool = false) -> Raft.Ready {
        Raft.Ready(hardState: hardState, entriesToPersist: entries, snapshotToPersist: snapshot,
                   snapshotToApply: received ? snapshot : nil, committedEntries: [], readStates: [], snapshotRequest: nil,
                   role: .follower, leader: nil, term: 0, messages: [], stableThrough: nil, appliedThrough: nil, snapshotStable: nil)
    }

    func entry(_ index: Raft.Index, _ term: Raft.Term, _ data: [UInt8] = [1, 2, 3]) -> Raft.Entry {
        Raft.Entry(term: term, index: index, data: data)
    }

    @Test func roundTripsEntriesAndHardState() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let storage = try Raft.FileStorage(directory: dir)
            try storage.save(ready(entries: [entry(1, 1), entry(2, 1, []), entry(3, 2, Array(repeating: 7, count: 5000))],
                                   hardState: Raft.HardState(term: 2, vote: "m1", commit: 2)))
        }
        let reopened = try Raft.FileStorage(directory: dir)
        #expect(reopened.state.entries == [entry(1, 1), entry(2, 1, []), entry(3, 2, Array(repeating: 7, count: 5000))])
        #expect(reopened.state.hardState == Raft.HardState(term: 2, vote: "m1", commit: 2))
        #expect(reopened.recoveredTornBytes == 0)
    }

    /// §5.3: entries that conflict are cut off, on disk too.
    @Test func conflictTruncatesTheSegment() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let storage = try Raft.FileStorage(directory: dir)
            try storage.save(ready(entries: [entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)]))
            try storage.save(ready(entries: [entry(3, 2, [9]), entry(4, 2, [9]), entry(5, 2, [9])]))
            #expect(storage.state.entries.map(\.term) == [1, 1, 2, 2, 2])
        }
        let reopened = try Raft.FileStorage(directory: dir)
        #expect(reopened.state.entries.map(\.term) == [1, 1, 2, 2, 2])
        #expect(reopened.state.entries.last?.data == [9])
    }

    @Test func gapsAreRefused() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let storage = try Raft.FileStorage(directory: dir)
        try storage.save(ready(entries: [entry(1, 1)]))
        #expect(throws: Raft.StorageError.self) { try storage.save(ready(entries: [entry(3, 1)])) }
    }

    /// A crash mid-append leaves part of a record: it is dropped, with the rest kept.
    @Test(arguments: [1, 5, 12, 20])
    func tornTailIsDropped(cutBytes: Int) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let storage = try Raft.FileStorage(directory: dir)
            try storage.save(ready(entries: [entry(1, 1), entry(2, 1), entry(3, 1, Array(repeating: 4, count: 16))]))
        }
        let path = dir + "/log.seg"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes.removeLast(cutBytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reopened = try Raft.FileStorage(directory: dir)
        #expect(reopened.state.entries.map(\.index) == [1, 2])
        #expect(reopened.recoveredTornBytes > 0)
        // The torn bytes are gone from disk: appending continues cleanly.
        try reopened.save(ready(entries: [entry(3, 2)]))
        let again = try Raft.FileStorage(directory: dir)
        #expect(again.state.entries.map(\.term) == [1, 1, 2])
        #expect(again.recoveredTornBytes == 0)
    }

    @Test func zeroFilledTailIsTornNotCorrupt() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let storage = try Raft.FileStorage(directory: dir)
            try storage.save(ready(entries: [entry(1, 1)]))
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/log.seg"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: 0, count: 64))
        try handle.close()
        let reopened = try Raft.FileStorage(directory: dir)
        #expect(reopened.state.entries.map(\.index) == [1])
        #expect(reopened.recoveredTornBytes == 64)
    }

    /// A flipped byte with valid records after it is not a torn write: refuse,
    /// naming the file and offset.
    @Test func corruptMiddleIsRefused() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let storage = try Raft.FileStorage(directory: dir)
            try storage.save(ready(entries: [entry(1, 1), entry(2, 1), entry(3, 1)]))
        }
        let path = dir + "/log.seg"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[12] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Raft.FileStorage(directory: dir)
        } throws: { error in
            guard case .corruptLog(let p, let offset, _)? = error as? Raft.StorageError else { return false }
            return p == path && offset == 0
        }
    }

    /// A flipped length field in the middle must not pass for a torn tail
    /// (which would silently drop the valid entries after it).
    @Test(arguments: [2, 14, 20])
    func corruptHeaderOrPayloadInTheMiddleIsRefused(byte: Int) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let storage = try Raft.FileStorage(directory: dir)
            try storage.save(ready(entries: [entry(1, 1), entry(2, 1), entry(3, 1)]))
        }
        let path = dir + "/log.seg"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[byte] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: Raft.StorageError.self) { _ = try Raft.FileStorage(directory: dir) }
    }

    /// The last record garbled in its middle (sectors persisted out of order) is a torn tail.
    @Test func garbledLastRecordIsTorn() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let storage = try Raft.FileStorage(directory: dir)
            try storage.save(ready(entries: [entry(1, 1), entry(2, 1), entry(3, 1, Array(repeating: 1, count: 100))]))
        }
        let path = dir + "/log.seg"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for i in (bytes.count - 60)..<(bytes.count - 30) { bytes[i] = 0 }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reopened = try Raft.FileStorage(directory: dir)
        #expect(reopened.state.entries.map(\.index) == [1, 2])
    }

    @Test func corruptHardStateIsRefused() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let storage = try Raft.FileStorage(directory: dir)
            try storage.save(ready(hardState: Raft.HardState(term: 3, vote: "m2", commit: 0)))
        }
        let path = dir + "/hardstate"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[6] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: Raft.StorageError.self) { _ = try Raft.FileStorage(directory: dir) }
    }

    /// Compaction rewrites the segment with only the entries after the snapshot;
    /// a received snapshot replaces the whole log.
    @Test(arguments: [false, true])
    func snapshotCompactsTheSegment(received: Bool) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let snapshot = Raft.Snapshot(metadata: Raft.SnapshotMetadata(index: 3, term: 1, configuration: Raft.Configuration(voters: ["m1", "m2"])),
                                     data: [1, 2, 3, 4])
        do {
            let storage = try Raft.FileStorage(directory: dir)
            try storage.save(ready(entries: (1...5).map { entry($0, 1) }))
            try storage.save(ready(snapshot: snapshot, received: received))
            try storage.save(ready(entries: received ? [entry(4, 2)] : [entry(6, 1)]))
        }
        let reopened = try Raft.FileStorage(directory: dir)
        #expect(reopened.state.snapshot == snapshot)
        #expect(reopened.state.entries.map(\.index) == (received ? [4] : [4, 5, 6]))
        // The recovered state boots a node that agrees.
        let node = Raft.Node(id: "m1", config: .test, bootstrap: Raft.Configuration(voters: ["m1"]), restoring: reopened.state,
                             generator: .init(seed: 1))
        #expect(node.snapshotIndex == 3)
        #expect(node.lastIndex == (received ? 4 : 6))
        #expect(node.configuration.voters == ["m1", "m2"])
    }

    /// A crash after a received snapshot was written but before the segment
    /// was rewritten: the old segment's divergent tail must not survive.
    @Test func crashBetweenReceivedSnapshotAndSegmentRewrite() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let storage = try Raft.FileStorage(directory: dir)
            try storage.save(ready(entries: (1...5).map { entry($0, 1) }))
        }
        // What the snapshot step writes first, done by hand: only the snapshot file.
        let leaderSnapshot = Raft.Snapshot(metadata: Raft.SnapshotMetadata(index: 3, term: 2, configuration: Raft.Configuration(voters: ["m1"])), data: [])
        do {
            let scratch = temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let other = try Raft.FileStorage(directory: scratch)
            try other.save(ready(snapshot: leaderSnapshot, received: true))
            try FileManager.default.copyItem(atPath: scratch + "/snapshot", toPath: dir + "/snapshot")
        }
        let reopened = try Raft.FileStorage(directory: dir)
        #expect(reopened.state.snapshot == leaderSnapshot)
        #expect(reopened.state.entries.isEmpty, "entries 4–5 followed a term-1 entry 3 that the snapshot replaced")
    }
}
