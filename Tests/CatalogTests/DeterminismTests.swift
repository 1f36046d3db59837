import Testing
import YonkeCore
@testable import Catalog

/// Random but replayable commands over a small namespace, so that collisions (existing paths,
/// held leases, shared blocks) are common.
struct CommandSource {
    var generator: SeededGenerator
    var nowEpochMillis: Int64 = 1_000_000
    private let names = ["a", "b", "c.csv", "d.parquet"]
    private let jobs = ["ingest", "etl"]
    private let holders = ["w1", "w2", "w3"]
    private let keys = [keyA, keyB, keyC, String(repeating: "d4", count: 32)]

    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    private mutating func below(_ n: Int) -> Int { Int(generator.next() % UInt64(n)) }
    private mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    private mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    private mutating func randomPath(minDepth: Int = 2) -> LakePath {
        var components = [pick(Catalog.Zone.allCases).rawValue]
        for _ in 0..<(minDepth - 1 + below(4 - minDepth)) { components.append(pick(names)) }
        return (try? LakePath(components: components)) ?? .root
    }

    private mutating func tick() -> Int64 {
        nowEpochMillis += Int64(below(500))
        // A new leader with a clock a second behind.
        return chance(10) ? nowEpochMillis - 1000 : nowEpochMillis
    }

    mutating func next() -> Catalog.Command {
        let roll = below(100)
        switch roll {
        case 0..<30:
            var blocks = (0..<below(5)).map { _ in block(below(12)) }
            if chance(5), !blocks.isEmpty { blocks[0].sizeBytes += 1 }
            let metadata = Catalog.FileMetadata(source: pick(["crm", "pg", ""]), contentType: "text/csv",
                                                tier: pick(Catalog.Tier.allCases), rowCount: chance(50) ? Int64(below(1000)) : nil)
            return .commitFile(Catalog.CommitFile(path: randomPath(), blocks: blocks, metadata: metadata,
                                                  overwrite: chance(50), createParents: chance(70), epochMillis: tick()))
        case 30..<40: return .makeDirectory(path: randomPath(), parents: chance(50), epochMillis: tick())
        case 40..<50: return .delete(path: randomPath(minDepth: 1), recursive: chance(50))
        case 50..<60: return .move(from: randomPath(), to: randomPath())
        case 60..<68: return .setTier(path: randomPath(minDepth: 1), tier: pick(Catalog.Tier.allCases))
        case 68..<78:
            return .acquireLease(job: pick(jobs), holder: pick(holders), durationMillis: Int64(100 + below(3000)), epochMillis: tick())
        case 78..<84:
            return .renewLease(job: pick(jobs), holder: pick(holders), durationMillis: Int64(100 + below(3000)), epochMillis: tick())
        case 84..<88: return .releaseLease(job: pick(jobs), holder: pick(holders), epochMillis: tick())
        case 88..<93:
            return .setBookmark(job: pick(jobs), bookmark: "id>\(below(10_000))", holder: chance(50) ? pick(holders) : nil, epochMillis: tick())
        case 93..<98:
            return .registerNode(name: pick(["n1", "n2", "n3", "n4"]), publicKeyHex: pick(keys), address: "10.0.0.\(below(9)):7400",
                                 roles: Catalog.Roles(rawValue: UInt8(1 + below(7))), epochMillis: tick())
        default: return .removeNode(name: pick(["n1", "n2", "n3", "n4"]))
        }
    }
}

private func run(seed: UInt64, steps: Int) -> (state: Catalog.State, outcomes: [Catalog.Outcome]) {
    var harness = Harness.bootstrapped()
    var source = CommandSource(seed: seed)
    var outcomes: [Catalog.Outcome] = []
    for _ in 0..<steps { outcomes.append(harness.apply(source.next())) }
    return (harness.state, outcomes)
}

/// Raft §5.3 (State Machine Safety) only helps if the state machine is deterministic: the same
/// entries must give the same state, outcomes and snapshot bytes in every process.
@Suite struct DeterminismTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func sameCommandsGiveTheSameStateAndBytes(seed: UInt64) {
        let first = run(seed: seed, steps: 400)
        let second = run(seed: seed, steps: 400)
        #expect(first.outcomes == second.outcomes)
        #expect(first.state == second.state)
        #expect(first.state.snapshot() == second.state.snapshot())
        #expect(first.state.digest == second.state.digest)
        #expect(run(seed: seed + 100, steps: 400).state.digest != first.state.digest)
    }

    /// After every step: a refusal changed nothing but the log position, an applied command left
    /// the tree and the block counts consistent, and a snapshot restores to an equal state.
    @Test(arguments: [UInt64(7), 8, 9, 10])
    func everyStepKeepsTheInvariants(seed: UInt64) throws {
        var harness = Harness.bootstrapped()
        var source = CommandSource(seed: seed)
        var applied = 0
        var refused = 0
        for step in 0..<500 {
            let command = source.next()
            let before = harness.state.snapshotIgnoringIndex
            let outcome = harness.apply(command)
            switch outcome {
            case .refused:
                refused += 1
                #expect(harness.state.snapshotIgnoringIndex == before, "step \(step): \(command) refused but changed the state")
            case .applied:
                applied += 1
                let problems = harness.state.audit()
                #expect(problems.isEmpty, "step \(step): \(command) → \(problems)")
            }
            if step % 50 == 49 {
                #expect(try Catalog.State(snapshot: harness.state.snapshot()) == harness.state)
            }
        }
        // Both paths must be exercised for the checks above to mean anything.
        #expect(applied > 100 && refused > 100, "applied \(applied), refused \(refused)")
    }

    /// A follower that installs a snapshot mid-log and applies the rest ends where the leader does.
    @Test func replicaRestoredFromASnapshotConverges() throws {
        var leader = Harness.bootstrapped()
        var source = CommandSource(seed: 42)
        var follower: Harness?
        for step in 0..<400 {
            let command = source.next()
            let outcome = leader.apply(command)
            if step == 199 {
                follower = Harness(state: try Catalog.State(snapshot: leader.state.snapshot()), index: leader.index)
            } else if step > 199 {
                #expect(follower?.apply(command) == outcome)
            }
        }
        #expect(follower?.state.snapshot() == leader.state.snapshot())
    }

    /// Builds one logical state with its maps filled in `order` after `junk` inserts and removals
    /// (which change the dictionaries' capacity and so their iteration order).
    private func build(order: [Int], junk: Int) -> Catalog.State {
        var state = Harness.bootstrapped().state
        for i in 0..<junk {
            state.bookmarks["junk\(i)"] = "x"
            state.leases["junk\(i)"] = Catalog.Lease(job: "junk\(i)", holder: "h", expiresAtEpochMillis: 0, fencingToken: 0)
            state.nodeRecords["junk\(i)"] = Catalog.NodeRecord(name: "junk\(i)", publicKeyHex: keyA, address: "x", roles: .all, admittedAtEpochMillis: 0)
            state.files[path("lake://gold/junk\(i)")] = nil
            state.blockUsage[BlockKey(blockID(10_000 + i))] = Catalog.BlockUsage(sizeBytes: 1)
        }
        for i in 0..<junk {
            state.bookmarks["junk\(i)"] = nil
            state.leases["junk\(i)"] = nil
            state.nodeRecords["junk\(i)"] = nil
            state.blockUsage[BlockKey(blockID(10_000 + i))] = nil
        }
        for i in order {
            let file = path("lake://bronze/d\(i % 7)/f\(i)")
            if let parent = file.parent, state.directories[parent] == nil { state.insertDirectory(parent, now: 0) }
            let blocks = [block(i), block(i % 13)]
            state.files[file] = Catalog.FileRecord(path: file, sizeBytes: blocks.reduce(0) { $0 + $1.sizeBytes }, loadedAtEpochMillis: Int64(i),
                                                   metadata: Catalog.FileMetadata(source: "s\(i)"), blocks: blocks, committedIndex: UInt64(i))
            state.addChild(file)
            state.addReferences(blocks, tier: .hot)
            state.leases["job\(i)"] = Catalog.Lease(job: "job\(i)", holder: "w\(i % 3)", expiresAtEpochMillis: Int64(i), fencingToken: UInt64(i))
            state.bookmarks["job\(i)"] = "\(i)"
            state.nodeRecords["node\(i)"] = Catalog.NodeRecord(name: "node\(i)", publicKeyHex: Hex.encode(blockID(i).bytes),
                                                               address: "10.0.\(i / 256).\(i % 256):7400", roles: .all, admittedAtEpochMillis: 0)
        }
        return state
    }

    @Test func insertionOrderDoesNotReachTheSnapshotBytes() throws {
        let count = 300
        let forward = build(order: Array(0..<count), junk: 0)
        let backward = build(order: Array((0..<count).reversed()), junk: 2000)
        // The test only means something if the dictionaries really iterate differently.
        #expect(Array(forward.files.keys) != Array(backward.files.keys))
        #expect(Array(forward.leases.keys) != Array(backward.leases.keys))
        #expect(Array(forward.nodeRecords.keys) != Array(backward.nodeRecords.keys))
        #expect(forward == backward)
        #expect(forward.audit().isEmpty)
        #expect(forward.snapshot() == backward.snapshot())
        #expect(forward.allBlocks() == backward.allBlocks())
        #expect(forward.nodes == backward.nodes)
        #expect(forward.allLeases == backward.allLeases)
        #expect(forward.totals == backward.totals)
        #expect(try forward.list(recursive: true) == backward.list(recursive: true))
    }
}
