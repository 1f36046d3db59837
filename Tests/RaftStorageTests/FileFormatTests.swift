import Foundation
import Testing
import YonkeCore
@testable import Consensus
@testable import RaftStorage

private func be(_ value: UInt64, _ byteCount: Int) -> [UInt8] {
    (0..<byteCount).reversed().map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) }
}

/// The three files on a node's disk, written out by hand: a node must read what an older build wrote.
@Suite struct FileFormatTests {
    func directory() -> String {
        let path = NSTemporaryDirectory() + "yonke-raft-format-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func ready(entries: [Raft.Entry] = [], hardState: Raft.HardState? = nil, snapshot: Raft.Snapshot? = nil) -> Raft.Ready {
        Raft.Ready(hardState: hardState, entriesToPersist: entries, snapshotToPersist: snapshot,
                   snapshotToApply: nil, committedEntries: [], readStates: [], snapshotRequest: nil,
                   role: .follower, leader: nil, term: 0, messages: [], stableThrough: nil, appliedThrough: nil, snapshotStable: nil)
    }

    func read(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) }

    func record(_ entry: Raft.Entry) -> [UInt8] {
        let payload = be(entry.term, 8) + be(entry.index, 8) + [entry.kind.rawValue] + entry.data
        let header = [0xE7] + be(UInt64(payload.count), 4) + be(UInt64(CRC32C.checksum(payload)), 4)
        return header + be(UInt64(CRC32C.checksum(header)), 4) + payload
    }

    func sealed(_ body: [UInt8]) -> [UInt8] { body + be(UInt64(CRC32C.checksum(body)), 4) }

    @Test func logAndHardStateKeepTheirLayout() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let entries = [Raft.Entry(term: 1, index: 1, data: [1, 2, 3]),
                       Raft.Entry(term: 1, index: 2, kind: .configuration, data: Raft.Configuration(voters: ["m1"]).encoded())]
        do {
            let storage = try Raft.FileStorage(directory: dir)
            try storage.save(ready(entries: entries, hardState: Raft.HardState(term: 2, vote: "m1", commit: 1)))
        }
        #expect(try read(dir + "/log.seg") == entries.flatMap(record))
        #expect(try read(dir + "/hardstate") == sealed(Array("YHS1".utf8) + be(2, 8) + be(1, 8) + be(2, 2) + Array("m1".utf8)))
        let reopened = try Raft.FileStorage(directory: dir)
        #expect(reopened.state.entries == entries)
        #expect(reopened.state.hardState == Raft.HardState(term: 2, vote: "m1", commit: 1))
    }

    @Test func snapshotKeepsItsLayout() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let configuration = Raft.Configuration(voters: ["m1", "m2"])
        let snapshot = Raft.Snapshot(metadata: Raft.SnapshotMetadata(index: 3, term: 1, configuration: configuration), data: [1, 2, 3, 4])
        do {
            let storage = try Raft.FileStorage(directory: dir)
            try storage.save(ready(snapshot: snapshot))
        }
        let config: [UInt8] = [0, 2, 0, 0, 0, 2, 0x6D, 0x31, 0, 2, 0x6D, 0x32]
        #expect(try read(dir + "/snapshot") == sealed(Array("YSN1".utf8) + be(3, 8) + be(1, 8) + be(UInt64(config.count), 4) + config
                                                      + be(4, 8) + [1, 2, 3, 4]))
        #expect(try Raft.FileStorage(directory: dir).state.snapshot == snapshot)
    }

    /// A hard state whose fields do not read (the CRC resealed over a short vote) is refused, naming the file.
    @Test func aResealedShortHardStateIsRefused() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/hardstate"
        try Data(sealed(Array("YHS1".utf8) + be(2, 8) + be(1, 8) + be(200, 2) + Array("m1".utf8))).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Raft.FileStorage(directory: dir)
        } throws: { error in
            guard case .corruptFile(let p, let detail)? = error as? Raft.StorageError else { return false }
            return p == path && detail == "hard state does not decode: truncated at vote (byte 20): need 200 bytes, 2 left"
        }
    }
    /// Issue 12: a build before the term bound persisted `UInt64.max` from one forged heartbeat,
    /// then trapped at every election after every restart. Such a file is refused with a reason.
    @Test(arguments: [UInt64.max, Raft.maxTerm + 1])
    func aHardStateWithATermNoLeaderCouldHaveWonIsRefused(term: UInt64) throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/hardstate"
        try Data(sealed(Array("YHS1".utf8) + be(term, 8) + be(1, 8) + be(2, 2) + Array("m1".utf8))).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Raft.FileStorage(directory: dir)
        } throws: { error in
            guard case .corruptFile(let p, let detail)? = error as? Raft.StorageError else { return false }
            return p == path && detail.contains("term \(term) is beyond any term a leader could have won")
        }
        // At the bound it still reads.
        try Data(sealed(Array("YHS1".utf8) + be(Raft.maxTerm, 8) + be(1, 8) + be(2, 2) + Array("m1".utf8))).write(to: URL(fileURLWithPath: path))
        #expect(try Raft.FileStorage(directory: dir).state.hardState.term == Raft.maxTerm)
    }
}
