import Testing
import YonkeCore
@testable import Catalog

private let sampleCommands: [Catalog.Command] = [
    .bootstrap(clusterName: "junkyard", policy: .standard, epochMillis: 1_764_201_600_000),
    .makeDirectory(path: path("lake://bronze/sales/2026"), parents: true, epochMillis: -1),
    .commitFile(Catalog.CommitFile(
        path: path("lake://bronze/random_data/2026-11-27.csv"), blocks: [block(1), block(2), block(1)],
        metadata: Catalog.FileMetadata(source: "postgres:public.random_data", contentType: "text/csv", tier: .cold,
                                       schema: Catalog.Schema(columns: [.init(name: "id", type: "int64"), .init(name: "fecha", type: "timestamp")]),
                                       rowCount: 720),
        overwrite: true, createParents: false, epochMillis: 42)),
    .commitFile(Catalog.CommitFile(path: path("lake://gold/año.parquet"), blocks: [], epochMillis: 0)),
    .delete(path: path("lake://silver/x"), recursive: true),
    .move(from: path("lake://bronze/a"), to: path("lake://silver/b")),
    .setTier(path: path("lake://bronze/2025"), tier: .glacier),
    .acquireLease(job: "etl:gold", holder: "w1", durationMillis: 60_000, epochMillis: 7),
    .renewLease(job: "etl:gold", holder: "w1", durationMillis: 60_000, epochMillis: 8),
    .releaseLease(job: "etl:gold", holder: "w1", epochMillis: Int64.max),
    .setBookmark(job: "ingest", bookmark: "id>41230", holder: "w2", epochMillis: 9),
    .setBookmark(job: "ingest", bookmark: "", holder: nil, epochMillis: 10),
    .registerNode(name: "w3", publicKeyHex: keyC, address: "[::1]:7400", roles: [.storage, .compute], epochMillis: 11),
    .removeNode(name: "w3"),
    .admitMachine(sampleAdmission),
    .admitMachine(Catalog.MachineAdmission(name: "m1", publicKeyHex: "", address: "10.0.0.5:7400", roles: [.master],
                                           rack: "default", disks: [], epochMillis: 0)),
    .setJoinKey(publicKeyHex: String(repeating: "ab", count: 32), epochMillis: 12),
    .users(.add(name: "alice", role: .writer, publicKeyHex: String(repeating: "12", count: 32), epochMillis: 15)),
    .users(.revoke(name: "alice", epochMillis: 16)),
    .users(.rotate(name: "bob", publicKeyHex: String(repeating: "34", count: 32), epochMillis: 17)),
    .seedMachines([sampleAdmission, sampleAdmission], epochMillis: 13),
    .seedMachines([], epochMillis: 14),
    .setMachineState(name: "w2", state: .draining),
    .setMachineState(name: "w2", state: .removed),
    .setMachineState(name: "w2", state: .active),
]

let sampleAdmission = Catalog.MachineAdmission(
    name: "attic-pc", publicKeyHex: keyC, address: "10.0.0.9:7400", roles: [.storage, .compute, .master], rack: "r2",
    disks: [Catalog.NodeDisk(path: "/mnt/disk1", capacityBytes: 2_000_000_000_000, diskClass: .hdd),
            Catalog.NodeDisk(path: "/mnt/ssd:odd", capacityBytes: 240_000_000_000, diskClass: .ssd)],
    epochMillis: 11)

/// Bytes of a command built field by field, for forging malformed ones.
private func forged(_ build: (inout ByteWriter) -> Void) -> [UInt8] {
    var writer = ByteWriter()
    build(&writer)
    return writer.bytes
}

private let malformedCommands: [(String, [UInt8], Catalog.DecodeError)] = [
    ("empty", [], .truncated(field: "version", neededBytes: 1, remainingBytes: 0)),
    ("version 0", [0, 1], .unsupportedVersion(0)),
    ("version 2", [2, 1], .unsupportedVersion(2)),
    ("tag 0", [1, 0], .unknownTag(field: "command", value: 0)),
    ("tag 200", [1, 200], .unknownTag(field: "command", value: 200)),
    ("huge string", forged { $0.u8(1); $0.u8(1); $0.u32(1_000_000) },
     .lengthTooLarge(field: "clusterName", length: 1_000_000, limit: 128)),
    ("string past the end", forged { $0.u8(1); $0.u8(1); $0.u32(100); $0.u8(65) },
     .truncated(field: "clusterName", neededBytes: 100, remainingBytes: 1)),
    ("invalid UTF-8", forged { $0.u8(1); $0.u8(1); $0.u32(2); $0.u8(0xC3); $0.u8(0x28) }, .invalidUTF8(field: "clusterName")),
    ("dot path", forged { $0.u8(1); $0.u8(2); $0.string("lake://bronze/../x") }, .invalidPath(.dotComponent(position: 1))),
    ("no scheme", forged { $0.u8(1); $0.u8(4); $0.string("/etc/passwd") }, .invalidPath(.missingScheme)),
    ("bool 2", forged { $0.u8(1); $0.u8(4); $0.string("lake://bronze/a"); $0.u8(2) }, .unknownTag(field: "recursive", value: 2)),
    ("tier 9", forged { $0.u8(1); $0.u8(6); $0.string("lake://bronze/a"); $0.u8(9) }, .unknownTag(field: "tier", value: 9)),
    ("block count 2^32-1", forged { $0.u8(1); $0.u8(3); $0.string("lake://bronze/a"); $0.u32(UInt32.max) },
     .lengthTooLarge(field: "blocks", length: Int(UInt32.max), limit: 1 << 20)),
    ("block count past the end", forged { $0.u8(1); $0.u8(3); $0.string("lake://bronze/a"); $0.u32(1000) },
     .truncated(field: "blocks", neededBytes: 40_000, remainingBytes: 0)),
    ("trailing byte", sampleCommands[5].encoded() + [0], .trailingBytes(1)),
    ("disk class 3", forged { $0.u8(1); $0.u8(13); $0.string("w"); $0.string(""); $0.string("h:1"); $0.u8(2); $0.string("r");
                              $0.u32(1); $0.string("/d"); $0.i64(1); $0.u8(3) }, .unknownTag(field: "diskClass", value: 3)),
    ("disk count 65", forged { $0.u8(1); $0.u8(13); $0.string("w"); $0.string(""); $0.string("h:1"); $0.u8(2); $0.string("r");
                               $0.u32(65) }, .lengthTooLarge(field: "disks", length: 65, limit: 64)),
    ("seed count 2000", forged { $0.u8(1); $0.u8(15); $0.u32(2000) }, .lengthTooLarge(field: "machines", length: 2000, limit: 1024)),
]

/// Log entries (Raft §5.3) cross the network and the disk: every malformed form is a typed error.
@Suite struct CommandCodecTests {
    @Test(arguments: sampleCommands)
    func roundTrips(command: Catalog.Command) throws {
        let bytes = command.encoded()
        #expect(bytes.first == Catalog.Command.encodingVersion)
        #expect(try Catalog.Command.decode(bytes) == command)
    }

    @Test(arguments: sampleCommands)
    func everyTruncationIsATypedError(command: Catalog.Command) {
        let bytes = command.encoded()
        for cut in 0..<bytes.count {
            #expect(throws: Catalog.DecodeError.self) { try Catalog.Command.decode(Array(bytes.prefix(cut))) }
        }
    }

    @Test(arguments: malformedCommands)
    func malformedBytesAreTypedErrors(name: String, bytes: [UInt8], expected: Catalog.DecodeError) {
        #expect(throws: expected, "\(name)") { try Catalog.Command.decode(bytes) }
    }

    @Test func randomBytesNeverCrash() throws {
        var generator = SeededGenerator(seed: 5)
        var decoded = 0
        for _ in 0..<2000 {
            var bytes = sampleCommands[Int(generator.next() % UInt64(sampleCommands.count))].encoded()
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            if let command = try? Catalog.Command.decode(bytes) {
                decoded += 1
                #expect(try Catalog.Command.decode(command.encoded()) == command)
            }
        }
        // Some mutations land in payload bytes and still decode; most break structure.
        #expect(decoded > 0 && decoded < 2000)
    }
}

/// A catalog with something in every map.
func richState() -> Catalog.State {
    var harness = Harness.bootstrapped(policy: .test)
    for command in sampleCommands.dropFirst() { harness.apply(command) }
    harness.put("lake://bronze/sales/2026-11-27.csv", [1, 2, 3], source: "crm")
    harness.put("lake://silver/sales/clean.parquet", [3, 4], tier: .cold)
    harness.put("lake://gold/sales/by_day.parquet", [5], tier: .glacier)
    harness.mkdir("lake://gold/empty")
    harness.apply(.acquireLease(job: "ingest:sales", holder: "w1", durationMillis: 1000, epochMillis: harness.nowEpochMillis))
    harness.apply(.acquireLease(job: "etl:gold", holder: "w2", durationMillis: 1000, epochMillis: harness.nowEpochMillis))
    harness.apply(.setBookmark(job: "ingest:sales", bookmark: "id>99", holder: "w1", epochMillis: harness.nowEpochMillis))
    harness.apply(.registerNode(name: "w1", publicKeyHex: keyA, address: "10.0.0.1:7400", roles: .all, epochMillis: 1))
    harness.apply(.registerNode(name: "w2", publicKeyHex: keyB, address: "10.0.0.2:7400", roles: [.storage], epochMillis: 2))
    #expect(harness.apply(.admitMachine(sampleAdmission)).refusal == nil)
    #expect(harness.apply(.setJoinKey(publicKeyHex: String(repeating: "cd", count: 32), epochMillis: 3)).refusal == nil)
    #expect(harness.apply(.users(.add(name: "ana", role: .reader, publicKeyHex: String(repeating: "e1", count: 32), epochMillis: 4))).refusal == nil)
    #expect(harness.apply(.users(.add(name: "bo", role: .admin, publicKeyHex: String(repeating: "e2", count: 32), epochMillis: 4))).refusal == nil)
    #expect(harness.state.audit().isEmpty)
    return harness.state
}

/// Recomputes the trailing CRC after a deliberate edit, so the structural checks are reached.
func resealed(_ snapshot: [UInt8]) -> [UInt8] {
    var body = Array(snapshot.dropLast(4))
    var writer = ByteWriter()
    writer.u32(CRC32C.checksum(body))
    body += writer.bytes
    return body
}

/// Raft §7 (log compaction): a snapshot replaces the log prefix, so it must restore exactly the
/// state the entries built, and a follower must reject a damaged one rather than diverge.
@Suite struct SnapshotCodecTests {
    @Test func roundTripGivesAnEqualStateAndTheSameBytes() throws {
        let state = richState()
        #expect(state.nodes.count == 4, "\(state.nodes.map(\.name))")
        #expect(state.joinKeyHex != nil && state.users.count == 2 && state.allLeases.count == 2 && state.totals.files >= 4)
        let bytes = state.snapshot()
        let restored = try Catalog.State(snapshot: bytes)
        #expect(restored == state)
        #expect(restored.snapshot() == bytes)
        #expect(restored.digest == state.digest)
        #expect(restored.allBlocks() == state.allBlocks())
        #expect(try restored.list(recursive: true) == state.list(recursive: true))
    }

    @Test func emptyStateRoundTrips() throws {
        let empty = Catalog.State()
        #expect(try Catalog.State(snapshot: empty.snapshot()) == empty)
    }

    @Test func restoredStateKeepsApplying() throws {
        let rich = richState()
        var original = Harness(state: rich, index: rich.appliedIndex)
        var restored = Harness(state: try Catalog.State(snapshot: original.state.snapshot()), index: original.index)
        let next: [Catalog.Command] = [
            .delete(path: path("lake://bronze/sales"), recursive: true),
            .move(from: path("lake://silver/sales"), to: path("lake://gold/moved")),
        ]
        for command in next { #expect(original.apply(command) == restored.apply(command)) }
        #expect(original.state.snapshot() == restored.state.snapshot())
    }

    @Test func everyTruncationIsATypedError() {
        let bytes = richState().snapshot()
        for cut in 0..<bytes.count {
            #expect(throws: Catalog.DecodeError.self) { try Catalog.State(snapshot: Array(bytes.prefix(cut))) }
            // With a fresh checksum the structural decoder has to find the cut itself.
            if cut >= 9 && cut < bytes.count - 4 {
                #expect(throws: Catalog.DecodeError.self) { try Catalog.State(snapshot: resealed(Array(bytes.prefix(cut)) + [0, 0, 0, 0])) }
            }
        }
    }

    @Test func headerAndChecksumErrors() {
        let bytes = richState().snapshot()
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x01
        #expect(throws: Catalog.DecodeError.self) { try Catalog.State(snapshot: flipped) }
        do {
            _ = try Catalog.State(snapshot: flipped)
        } catch {
            guard case .checksumMismatch = error else {
                Issue.record("expected checksumMismatch, got \(error)")
                return
            }
        }
        var magic = bytes
        magic[0] = UInt8(ascii: "X")
        #expect(throws: Catalog.DecodeError.badMagic) { try Catalog.State(snapshot: magic) }
        var version = bytes
        version[4] = 9
        #expect(throws: Catalog.DecodeError.unsupportedVersion(9)) { try Catalog.State(snapshot: version) }
        #expect(throws: Catalog.DecodeError.truncated(field: "snapshot", neededBytes: 9, remainingBytes: 3)) {
            try Catalog.State(snapshot: [1, 2, 3])
        }
    }

    @Test func forgedHugeCountIsRefusedBeforeAllocating() {
        var state = Catalog.State()
        state.isBootstrapped = false
        var bytes = state.snapshot()
        // Body: magic(4) version(1) index(8) clock(8) bootstrapped(1) name(4) policy(24), then the directory count;
        // 33 bytes follow it: eight empty tables (files, leases, bookmarks, nodes, machine states, users, jobs, S3 keys) and no join key.
        let countOffset = 4 + 1 + 8 + 8 + 1 + 4 + 24
        for i in 0..<4 { bytes[countOffset + i] = 0xFF }
        #expect(throws: Catalog.DecodeError.truncated(field: "directories", neededBytes: Int(UInt32.max) * 19, remainingBytes: 33)) {
            try Catalog.State(snapshot: resealed(bytes))
        }
    }

    /// Well-formed bytes that describe an impossible catalog are refused, not half-loaded.
    @Test(arguments: [
        "root missing", "file without parent", "block sized twice", "file over directory", "namespace before bootstrap",
    ])
    func inconsistentStatesAreRefused(defect: String) {
        var state = richState()
        let file = state.files[path("lake://bronze/sales/2026-11-27.csv")]
        switch defect {
        case "root missing":
            state.directories[.root] = nil
        case "file without parent":
            state.files[path("lake://gold/nowhere/x")] = file.map { var f = $0; f.path = path("lake://gold/nowhere/x"); return f }
        case "block sized twice":
            var twin = file
            twin?.path = path("lake://gold/twin")
            twin?.blocks = [Catalog.BlockEntry(id: blockID(1), sizeBytes: 1)]
            twin?.sizeBytes = 1
            state.files[path("lake://gold/twin")] = twin
            state.directories[path("lake://gold")]?.children.append("twin")
        case "file over directory":
            state.files[path("lake://gold/empty")] = file.map { var f = $0; f.path = path("lake://gold/empty"); return f }
        default:
            state.isBootstrapped = false
        }
        #expect(throws: Catalog.DecodeError.self) { try Catalog.State(snapshot: state.snapshot()) }
    }

    @Test func directoriesOutOfOrderAreRefused() {
        var writer = ByteWriter()
        writer.bytes += Catalog.State.snapshotMagic
        writer.u8(Catalog.State.snapshotVersion)
        writer.u64(1); writer.i64(0); writer.bool(true); writer.string(""); writer.policy(.standard)
        writer.count(3)
        writer.path(.root); writer.i64(0)
        writer.path(path("lake://gold")); writer.i64(0)
        writer.path(path("lake://bronze")); writer.i64(0)
        for _ in 0..<4 { writer.count(0) }
        writer.u32(CRC32C.checksum(writer.bytes))
        #expect(throws: Catalog.DecodeError.inconsistentSnapshot("directories out of order at lake://bronze")) {
            try Catalog.State(snapshot: writer.bytes)
        }
    }

    @Test func mutatedSnapshotsNeverCrash() {
        let bytes = richState().snapshot()
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<300 {
            var mutated = bytes
            let position = 5 + Int(generator.next() % UInt64(bytes.count - 9))
            mutated[position] = UInt8(truncatingIfNeeded: generator.next())
            if let state = try? Catalog.State(snapshot: resealed(mutated)) {
                #expect(state.audit().isEmpty)
                #expect((try? Catalog.State(snapshot: state.snapshot())) == state)
            }
        }
    }
}
