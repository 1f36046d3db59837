import Testing
import YonkeCore
@testable import Catalog

private let badPolicies: [(Catalog.ReplicationPolicy, Int64)] = [
    (Catalog.ReplicationPolicy(hotReplicas: 0, coldReplicas: 3, glacierReplicas: 3), 0),
    (Catalog.ReplicationPolicy(hotReplicas: 3, coldReplicas: 3, glacierReplicas: 17), 17),
]

@Suite struct BootstrapTests {
    @Test func commandsBeforeBootstrapAreRefused() {
        var harness = Harness()
        #expect(harness.mkdir("lake://bronze/a").refusal == .notBootstrapped)
        #expect(harness.put("lake://bronze/a.csv", [1]).refusal == .notBootstrapped)
        #expect(harness.apply(.removeNode(name: "n1")).refusal == .notBootstrapped)
        #expect(harness.state.appliedIndex == 3)
    }

    @Test func bootstrapMakesTheZonesOnce() {
        var harness = Harness.bootstrapped()
        #expect(harness.names("lake://") == ["lake://bronze", "lake://gold", "lake://silver"])
        #expect(harness.state.audit().isEmpty)
        let again = harness.apply(.bootstrap(clusterName: "other", policy: .test, epochMillis: 0))
        #expect(again.refusal == .alreadyBootstrapped)
        #expect(harness.state.clusterName == "test")
        #expect(harness.state.policy == .standard)
    }

    @Test(arguments: badPolicies)
    func bootstrapRefusesPoliciesOutOfRange(policy: Catalog.ReplicationPolicy, bad: Int64) {
        var harness = Harness()
        #expect(harness.apply(.bootstrap(clusterName: "", policy: policy, epochMillis: 0)).refusal
            == .invalid(.outOfRange(.replicationPolicy, value: bad)))
        #expect(!harness.state.isBootstrapped)
    }
}

/// Starting namespace for the refusal tables: a directory, a file, a nested file.
private func populated() -> Harness {
    var harness = Harness.bootstrapped()
    harness.mkdir("lake://bronze/sales")
    harness.put("lake://bronze/sales/a.csv", [1, 2])
    harness.put("lake://bronze/sales/2025/b.csv", [3])
    return harness
}

private let mkdirCases: [(String, Bool, Catalog.Outcome)] = [
    ("lake://bronze/new", false, .applied(.directoriesCreated([path("lake://bronze/new")]))),
    ("lake://bronze/x/y/z", true, .applied(.directoriesCreated(
        [path("lake://bronze/x"), path("lake://bronze/x/y"), path("lake://bronze/x/y/z")]))),
    ("lake://bronze/sales", true, .applied(.directoriesCreated([]))),
    ("lake://bronze", true, .applied(.directoriesCreated([]))),
    ("lake://bronze/sales", false, .refused(.alreadyExists(path("lake://bronze/sales")))),
    ("lake://bronze", false, .refused(.alreadyExists(path("lake://bronze")))),
    ("lake://bronze/x/y", false, .refused(.notFound(path("lake://bronze/x")))),
    ("lake://bronze/sales/a.csv", true, .refused(.alreadyExists(path("lake://bronze/sales/a.csv")))),
    ("lake://bronze/sales/a.csv/sub", true, .refused(.notADirectory(path("lake://bronze/sales/a.csv")))),
    ("lake://bronze/sales/a.csv/sub", false, .refused(.notADirectory(path("lake://bronze/sales/a.csv")))),
]

private let deleteCases: [(String, Bool, Catalog.Outcome)] = [
    ("lake://bronze/sales/a.csv", false, .applied(.deleted(Catalog.Deleted(
        files: 1, directories: 0, bytes: 2003, unreferencedBlocks: [blockID(1), blockID(2)])))),
    ("lake://bronze/sales", true, .applied(.deleted(Catalog.Deleted(
        files: 2, directories: 2, bytes: 3006, unreferencedBlocks: [blockID(1), blockID(2), blockID(3)])))),
    ("lake://bronze/sales", false, .refused(.directoryNotEmpty(path("lake://bronze/sales")))),
    ("lake://bronze/nope", true, .refused(.notFound(path("lake://bronze/nope")))),
    ("lake://bronze", true, .refused(.protectedPath(path("lake://bronze")))),
    ("lake://", true, .refused(.protectedPath(.root))),
]

private let moveCases: [(String, String, Catalog.Outcome)] = [
    ("lake://bronze/sales/a.csv", "lake://bronze/sales/renamed.csv",
     .applied(.moved(from: path("lake://bronze/sales/a.csv"), to: path("lake://bronze/sales/renamed.csv"), entries: 1))),
    ("lake://bronze/sales", "lake://silver/sales-clean",
     .applied(.moved(from: path("lake://bronze/sales"), to: path("lake://silver/sales-clean"), entries: 4))),
    ("lake://bronze/nope", "lake://bronze/x", .refused(.notFound(path("lake://bronze/nope")))),
    ("lake://bronze/sales", "lake://bronze/sales/2025/inner", .refused(.moveIntoItself(
        from: path("lake://bronze/sales"), to: path("lake://bronze/sales/2025/inner")))),
    ("lake://bronze/sales", "lake://bronze/sales", .refused(.moveIntoItself(
        from: path("lake://bronze/sales"), to: path("lake://bronze/sales")))),
    ("lake://bronze/sales/a.csv", "lake://bronze/sales/2025", .refused(.alreadyExists(path("lake://bronze/sales/2025")))),
    ("lake://bronze/sales/a.csv", "lake://gold/no/such/a.csv", .refused(.notFound(path("lake://gold/no")))),
    ("lake://bronze/sales/2025", "lake://bronze/sales/a.csv/x", .refused(.notADirectory(path("lake://bronze/sales/a.csv")))),
    ("lake://bronze", "lake://gold/bronze", .refused(.protectedPath(path("lake://bronze")))),
    ("lake://bronze/sales", "lake://gold", .refused(.protectedPath(path("lake://gold")))),
]

/// Namespace operations with the Hadoop FileSystem specification's semantics: `mkdirs`,
/// `create(overwrite)`, `delete(recursive)`, `rename` (no move into itself, destination parent
/// must exist). Every refusal must leave the state untouched.
@Suite struct NamespaceTests {
    @Test(arguments: mkdirCases)
    func makeDirectory(target: String, parents: Bool, expected: Catalog.Outcome) {
        var harness = populated()
        #expect(harness.mkdir(target, parents: parents) == expected)
        #expect(harness.state.audit().isEmpty)
    }

    @Test func commitMakesParentsAndRecordsMetadata() throws {
        var harness = Harness.bootstrapped()
        harness.nowEpochMillis = 1_764_288_000_000
        let schema = Catalog.Schema(columns: [.init(name: "id", type: "int64"), .init(name: "valor", type: "string")])
        let outcome = harness.apply(.commitFile(Catalog.CommitFile(
            path: path("lake://bronze/random_data/2026-11-27.csv"), blocks: [block(1), block(2)],
            metadata: Catalog.FileMetadata(source: "postgres:public.random_data", contentType: "text/csv",
                                           tier: .cold, schema: schema, rowCount: 720),
            epochMillis: harness.nowEpochMillis)))
        let committed = try #require(outcome.effect.flatMap { if case .fileCommitted(let c) = $0 { c } else { nil } })
        #expect(committed.createdDirectories == [path("lake://bronze/random_data")])
        #expect(committed.replacedBlocks == nil)
        #expect(committed.unreferencedBlocks == [])
        let file = try #require(harness.state.file(at: path("lake://bronze/random_data/2026-11-27.csv")))
        #expect(file.sizeBytes == 2003)
        #expect(file.loadedAtEpochMillis == 1_764_288_000_000)
        #expect(file.zone == .bronze)
        #expect(file.tier == .cold)
        #expect(file.source == "postgres:public.random_data")
        #expect(file.metadata.schema == schema)
        #expect(file.metadata.rowCount == 720)
        #expect(file.committedIndex == harness.index)
        #expect(harness.names("lake://bronze", recursive: true)
            == ["lake://bronze/random_data", "lake://bronze/random_data/2026-11-27.csv"])
    }

    @Test func emptyFileHasNoBlocks() throws {
        var harness = Harness.bootstrapped()
        #expect(harness.put("lake://gold/empty", []).effect != nil)
        #expect(try #require(harness.state.file(at: path("lake://gold/empty"))).sizeBytes == 0)
    }

    @Test(arguments: [
        ("lake://bronze/sales/a.csv", false, true, Catalog.Refusal.alreadyExists(path("lake://bronze/sales/a.csv"))),
        ("lake://bronze/sales", true, true, .isADirectory(path("lake://bronze/sales"))),
        ("lake://bronze", true, true, .isADirectory(path("lake://bronze"))),
        ("lake://bronze/new/x.csv", false, false, .notFound(path("lake://bronze/new"))),
        ("lake://bronze/sales/a.csv/x.csv", true, true, .notADirectory(path("lake://bronze/sales/a.csv"))),
    ])
    func commitRefusals(target: String, overwrite: Bool, createParents: Bool, expected: Catalog.Refusal) {
        var harness = populated()
        let before = harness.state
        #expect(harness.put(target, [9], overwrite: overwrite, createParents: createParents).refusal == expected)
        #expect(harness.state.snapshotIgnoringIndex == before.snapshotIgnoringIndex)
    }

    @Test func commitRefusesABlockWhoseSizeContradictsItsId() {
        var harness = populated()
        let lying = Catalog.BlockEntry(id: blockID(1), sizeBytes: 5)
        let outcome = harness.apply(.commitFile(Catalog.CommitFile(
            path: path("lake://gold/x"), blocks: [lying], epochMillis: 0)))
        #expect(outcome.refusal == .blockSizeMismatch(blockID(1), knownBytes: 1001, claimedBytes: 5))
        let selfContradicting = harness.apply(.commitFile(Catalog.CommitFile(
            path: path("lake://gold/y"), blocks: [block(50), Catalog.BlockEntry(id: blockID(50), sizeBytes: 7)], epochMillis: 0)))
        #expect(selfContradicting.refusal == .blockSizeMismatch(blockID(50), knownBytes: 1050, claimedBytes: 7))
        #expect(harness.state.blockReferences(blockID(50)) == 0)
    }

    @Test(arguments: [
        (Catalog.FileMetadata(source: "a\u{1B}[31m"), Catalog.InvalidArgument.controlCharacter(.source)),
        (Catalog.FileMetadata(source: String(repeating: "s", count: 257)), .tooLong(.source, bytes: 257, limit: 256)),
        (Catalog.FileMetadata(rowCount: -1), .outOfRange(.rowCount, value: -1)),
        (Catalog.FileMetadata(schema: Catalog.Schema(columns: [.init(name: "", type: "int64")])), .empty(.columnName)),
    ])
    func commitRefusesBadMetadata(metadata: Catalog.FileMetadata, expected: Catalog.InvalidArgument) {
        var harness = Harness.bootstrapped()
        let outcome = harness.apply(.commitFile(Catalog.CommitFile(path: path("lake://bronze/a"), blocks: [block(1)],
                                                                   metadata: metadata, epochMillis: 0)))
        #expect(outcome.refusal == .invalid(expected))
    }

    @Test(arguments: [Int64(0), -5, Catalog.Limits.maxBlockSizeBytes + 1])
    func commitRefusesBlockSizesOutOfRange(size: Int64) {
        var harness = Harness.bootstrapped()
        let outcome = harness.apply(.commitFile(Catalog.CommitFile(
            path: path("lake://bronze/a"), blocks: [Catalog.BlockEntry(id: blockID(1), sizeBytes: size)], epochMillis: 0)))
        #expect(outcome.refusal == .invalid(.outOfRange(.blockSize, value: size)))
    }

    @Test(arguments: deleteCases)
    func delete(target: String, recursive: Bool, expected: Catalog.Outcome) {
        var harness = populated()
        let before = harness.state
        #expect(harness.apply(.delete(path: path(target), recursive: recursive)) == expected)
        #expect(harness.state.audit().isEmpty)
        if expected.refusal != nil {
            #expect(harness.state.snapshotIgnoringIndex == before.snapshotIgnoringIndex)
        } else {
            #expect(harness.state.stat(path(target)) == nil)
        }
    }

    @Test func deleteEmptyDirectoryWithoutRecursive() {
        var harness = populated()
        harness.mkdir("lake://gold/empty")
        #expect(harness.apply(.delete(path: path("lake://gold/empty"), recursive: false))
            == .applied(.deleted(Catalog.Deleted(files: 0, directories: 1, bytes: 0, unreferencedBlocks: []))))
    }

    @Test(arguments: moveCases)
    func move(from: String, to: String, expected: Catalog.Outcome) {
        var harness = populated()
        let before = harness.state
        #expect(harness.apply(.move(from: path(from), to: path(to))) == expected)
        #expect(harness.state.audit().isEmpty)
        if expected.refusal != nil {
            #expect(harness.state.snapshotIgnoringIndex == before.snapshotIgnoringIndex)
        } else {
            #expect(harness.state.stat(path(from)) == nil)
            #expect(harness.state.stat(path(to)) != nil)
        }
    }

    @Test func moveCarriesTheSubtreeAcrossZones() throws {
        var harness = populated()
        harness.apply(.move(from: path("lake://bronze/sales"), to: path("lake://silver/clean")))
        #expect(harness.names("lake://silver", recursive: true) == [
            "lake://silver/clean", "lake://silver/clean/2025", "lake://silver/clean/2025/b.csv", "lake://silver/clean/a.csv",
        ])
        let moved = try #require(harness.state.file(at: path("lake://silver/clean/2025/b.csv")))
        #expect(moved.path == path("lake://silver/clean/2025/b.csv"))
        #expect(moved.zone == .silver)
        #expect(harness.state.totals.zone(.silver).files == 2)
        #expect(harness.state.totals.zone(.bronze).files == 0)
    }

    @Test func moveRefusesWhenADescendantWouldBreakThePathLimit() {
        var harness = Harness.bootstrapped()
        let leaf = String(repeating: "l", count: 250)
        harness.put("lake://bronze/d/\(leaf)/\(leaf)", [1])
        let deepTarget = "lake://gold/" + Array(repeating: String(repeating: "t", count: 250), count: 3).joined(separator: "/")
        harness.mkdir(deepTarget, parents: true)
        let before = harness.state
        let outcome = harness.apply(.move(from: path("lake://bronze/d"), to: path(deepTarget + "/d")))
        guard case .refused(.invalidPath(.tooLong)) = outcome else {
            Issue.record("expected a path-length refusal, got \(outcome)")
            return
        }
        #expect(harness.state.snapshotIgnoringIndex == before.snapshotIgnoringIndex)
    }

    @Test func setTierOnAFileAndOnAPrefix() {
        var harness = populated()
        harness.put("lake://bronze/other.csv", [4])
        #expect(harness.apply(.setTier(path: path("lake://bronze/sales/a.csv"), tier: .cold))
            == .applied(.tierChanged(files: 1, bytes: 2003)))
        #expect(harness.apply(.setTier(path: path("lake://bronze/sales/"), tier: .glacier))
            == .applied(.tierChanged(files: 2, bytes: 3006)))
        #expect(harness.apply(.setTier(path: path("lake://bronze/sales"), tier: .glacier))
            == .applied(.tierChanged(files: 0, bytes: 0)))
        #expect(harness.state.file(at: path("lake://bronze/other.csv"))?.tier == .hot)
        #expect(harness.state.totals.tier(.glacier) == .init(files: 2, bytes: 3006))
        #expect(harness.apply(.setTier(path: path("lake://gold/none"), tier: .cold)).refusal == .notFound(path("lake://gold/none")))
        #expect(harness.state.audit().isEmpty)
    }

    @Test func listing() throws {
        let harness = populated()
        #expect(harness.names("lake://bronze/sales") == ["lake://bronze/sales/2025", "lake://bronze/sales/a.csv"])
        #expect(harness.names("lake://bronze/sales/a.csv") == ["lake://bronze/sales/a.csv"])
        #expect(throws: Catalog.Refusal.notFound(path("lake://gold/x"))) { try harness.state.list(prefix: path("lake://gold/x")) }
        let all = try harness.state.list(recursive: true)
        #expect(all.map(\.path) == all.map(\.path).sorted())
        #expect(all.count == 3 + 4)
    }

    @Test func totalsByZoneAndTier() {
        var harness = populated()
        harness.put("lake://gold/agg.parquet", [1], tier: .cold)
        let totals = harness.state.totals
        #expect(totals.files == 3)
        #expect(totals.bytes == 1001 + 1002 + 1003 + 1001)
        #expect(totals.uniqueBlocks == 3)
        #expect(totals.uniqueBlockBytes == 1001 + 1002 + 1003)
        #expect(totals.zone(.bronze) == .init(files: 2, bytes: 3006))
        #expect(totals.zone(.gold) == .init(files: 1, bytes: 1001))
        #expect(totals.zone(.silver) == .init(files: 0, bytes: 0))
        #expect(totals.tier(.cold) == .init(files: 1, bytes: 1001))
        #expect(totals.directories == 1 + 3 + 2)
    }
}

extension Catalog.State {
    /// The state's bytes with the log position masked, for "a refusal changed nothing" checks.
    var snapshotIgnoringIndex: [UInt8] {
        var copy = self
        copy.appliedIndex = 0
        copy.clockEpochMillis = 0
        return copy.snapshot()
    }
}
