import Catalog
import Consensus
import FuzzSupport
import NIOCore
import Testing
import Topology
import YonkeCore
import YonkeProtocol

/// Every RPC and one-way payload decoder of `YonkeProtocol`, fed seeded mutants of
/// valid encodings (`Fuzz.run`): each must decode or throw, never trap.
@Suite struct WireFuzzTests {
    static func id(_ n: UInt8) -> BlockID { BlockID(bytes: [UInt8](repeating: n, count: BlockID.byteCount))! }
    static func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }
    static func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }
    static let configuration = Raft.Configuration(voters: ["m1", "m2", "m3"], learners: ["w4"])

    static var raftSeeds: [[UInt8]] {
        let kinds: [Raft.Message.Kind] = [
            .preVote(lastIndex: 7, lastTerm: 3), .preVoteResponse(granted: true),
            .vote(lastIndex: 7, lastTerm: 3, transfer: true), .voteResponse(granted: false),
            .append(prevIndex: 6, prevTerm: 3, entries: [Raft.Entry(term: 3, index: 7, data: [1, 2, 3]),
                                                         Raft.Entry(term: 4, index: 8, kind: .configuration, data: configuration.encoded())],
                    commit: 6),
            .appendResponse(success: false, index: 9, hintIndex: 4, hintTerm: 2),
            .heartbeat(commit: 5, readContext: 77), .heartbeat(commit: 5, readContext: nil),
            .heartbeatResponse(readContext: 77),
            .installSnapshot(Raft.Snapshot(metadata: Raft.SnapshotMetadata(index: 9, term: 4, configuration: configuration),
                                           data: Array("snapshot".utf8))),
            .timeoutNow,
        ]
        var seeds = kinds.map { bytes(RaftWire.encode(Raft.Message(from: "m1", to: "m2", term: 4, kind: $0))) }
        seeds.append(bytes(RaftWire.encode(RaftWire.SnapshotReference(
            from: "m1", to: "m2", term: 4, metadata: Raft.SnapshotMetadata(index: 9, term: 4, configuration: configuration),
            sizeBytes: 1 << 20, checksum: 0xDEAD_BEEF))))
        return seeds + Fuzz.corpus("raft")
    }

    /// A follower of m1 in term 4 with entries 1…6 committed through 5, as the messages expect.
    static func follower() -> Raft.Node {
        let entries = (1...6).map { Raft.Entry(term: $0 < 4 ? 1 : 4, index: Raft.Index($0), data: [UInt8($0)]) }
        return Raft.Node(id: "m2", config: .test, bootstrap: configuration,
                         restoring: Raft.PersistentState(hardState: Raft.HardState(term: 4, vote: "m1", commit: 5), entries: entries),
                         generator: SeededGenerator(seed: 1))
    }

    @Test func raftMessages() {
        let template = Self.follower()
        let summary = Fuzz.run("raft", seeds: Self.raftSeeds) { input in
            guard let envelope = try? RaftWire.decodeEnvelope(Self.buffer(input)) else { return false }
            // Whatever decodes reaches the Raft core (the shell only checks the sender's name):
            // it must not trap there either, as follower, candidate or leader.
            guard case .message(var message) = envelope else { return true }
            message.to = "m2"
            for role in 0..<3 {
                var node = template
                if role > 0 { node.campaign() }
                if role > 1 {
                    for voter in ["m1", "m3"] as [Raft.NodeID] {
                        node.receive(Raft.Message(from: voter, to: "m2", term: node.term, kind: .preVoteResponse(granted: true)))
                        node.receive(Raft.Message(from: voter, to: "m2", term: node.term, kind: .voteResponse(granted: true)))
                    }
                }
                for from in ["m1", "m3", "w4", "x9"] as [Raft.NodeID] {
                    message.from = from
                    node.receive(message)
                    _ = node.advance(node.ready())
                }
                // Then long enough for an election: a term taken from the message is raised.
                for _ in 0..<25 {
                    node.tick()
                    _ = node.advance(node.ready())
                }
            }
            return true
        }
        #expect(summary.accepted >= Self.raftSeeds.count)
        #expect(summary.refused > 0)
        // The corpus holds issue 12's exact messages: each must still decode, so it keeps
        // reaching the core (where it used to trap) rather than being refused at the wire.
        let corpus = Fuzz.corpus("raft")
        #expect(corpus.count >= 4)
        for input in corpus { #expect((try? RaftWire.decodeEnvelope(Self.buffer(input))) != nil) }
    }

    @Test func raftConfigurations() {
        let seeds = [Self.configuration.encoded(), Raft.Configuration(voters: ["a"]).encoded()]
        _ = Fuzz.run("raft-configuration", seeds: seeds) { Raft.Configuration(encoded: $0) != nil }
    }

    static var blockReportSeeds: [[UInt8]] {
        let disks = [BlockReport.Disk(diskClass: .ssd, capacityBytes: 1 << 40, usedBytes: 1 << 30, blockCount: 12),
                     BlockReport.Disk(diskClass: .hdd, capacityBytes: .max, usedBytes: 0, blockCount: 0)]
        return [
            bytes(BlockReport(isFull: true, disks: disks, blocks: [id(1), id(2)]).encoded()),
            bytes(BlockReport(isFull: false, disks: disks, blocks: [id(3)], removed: [id(4), id(5)]).encoded()),
            bytes(BlockReport.fullReportRequest()),
        ] + Fuzz.corpus("block-report")
    }

    @Test func blockReports() {
        _ = Fuzz.run("block-report", seeds: Self.blockReportSeeds) { input in
            _ = BlockReport.isFullReportRequest(Self.buffer(input))
            guard let report = try? BlockReport.decode(Self.buffer(input)) else { return false }
            // What the master computes from a report must not trap either.
            _ = (report.capacityBytes, report.usedBytes, report.blockCount)
            var map = BlockMap()
            map.onBlockReport(node: "w1", blocks: report.blocks)
            map.onBlocksRemoved(node: "w1", blocks: report.removed)
            return true
        }
    }

    @Test func catalogRequests() throws {
        let commit = CatalogOps.CommitRequest(
            path: try LakePath("lake://bronze/sales/2026-11-27.csv"), sizeBytes: 3 << 20,
            blocks: [Catalog.BlockEntry(id: Self.id(1), sizeBytes: 1 << 20), Catalog.BlockEntry(id: Self.id(2), sizeBytes: 2 << 20)],
            source: "crm", contentType: "text/csv", tier: .hot, loadTimeMillis: 1_764_201_600_000, overwrite: true)
        let seeds = [Self.bytes(commit.encoded())] + Fuzz.corpus("catalog-request")
        _ = Fuzz.run("catalog-request", seeds: seeds) { (try? CatalogOps.CommitRequest.decode(Self.buffer($0))) != nil }
    }

    @Test func blockOperations() {
        let placement = BlockOps.PlacementRequest(id: Self.id(1), encodedBytes: 1 << 26, tier: "hot", exclude: ["w1", "w2"])
        let targets = [BlockTarget(name: "w1", address: .init(host: "127.0.0.1", port: 7401)),
                       BlockTarget(name: "w2", address: .init(host: "::1", port: 7402))]
        let open = BlockStream.WriteOpen(id: Self.id(2), encodedLength: 1 << 26, tier: "cold", pipeline: targets)
        let locations = BlockOps.Locations(blocks: [(Self.id(3), targets), (Self.id(4), [])], reportsPending: 1)
        let seeds: [[UInt8]] = [
            Self.bytes(placement.encoded()), Self.bytes(open.encoded()), Self.bytes(BlockOps.encodeIDs([Self.id(5), Self.id(6)])),
            Self.bytes(BlockOps.encodeLocations(locations)),
            Self.bytes(BlockStream.encodeResult(BlockWriteResult(storedOn: ["w1"], failed: [BlockWriteFailure(node: "w2", code: .timeout, reason: "slow")]))),
            Self.bytes(BlockStream.encodeFailure(RPCFailure(.refused, "no"))),
        ] + Fuzz.corpus("block-operation")
        _ = Fuzz.run("block-operation", seeds: seeds) { input in
            var any = false
            if (try? BlockOps.PlacementRequest.decode(Self.buffer(input))) != nil { any = true }
            if (try? BlockStream.WriteOpen.decode(Self.buffer(input))) != nil { any = true }
            if (try? BlockOps.decodeIDs(Self.buffer(input))) != nil { any = true }
            if (try? BlockOps.decodeLocations(Self.buffer(input))) != nil { any = true }
            if (try? BlockStream.decodeResult(Self.buffer(input))) != nil { any = true }
            if (try? BlockStream.decodeFailure(Self.buffer(input))) != nil { any = true }
            return any
        }
    }

    @Test func registryMessages() {
        let disks = [Catalog.NodeDisk(path: "/mnt/disk1", capacityBytes: 2_000_000_000_000, diskClass: .hdd)]
        let admission = Catalog.MachineAdmission(
            name: "attic-pc", publicKeyHex: String(repeating: "ab", count: 32), address: "10.0.0.9:7400",
            roles: [.storage, .master], rack: "r2", disks: disks, epochMillis: 11)
        var state = Catalog.State()
        _ = state.apply(.bootstrap(clusterName: "t", policy: .standard, epochMillis: 1), index: 1)
        _ = state.apply(.admitMachine(admission), index: 2)
        let grant = JoinGrant(cluster: .init(name: "t", blockSizeBytes: 1 << 26, replicationFactor: 3),
                              machines: state.nodes, secretsFileContents: "cluster-id: 00\n")
        let seeds = [Self.bytes(RegistryWire.encodeAdmission(admission)), Self.bytes(RegistryWire.encodeGrant(grant))]
            + Fuzz.corpus("registry")
        _ = Fuzz.run("registry", seeds: seeds) { input in
            var any = false
            if let decoded = try? RegistryWire.decodeAdmission(Self.buffer(input), epochMillis: 0) {
                any = true
                _ = decoded.disks.saturatingSum(\.capacityBytes)
            }
            if (try? RegistryWire.decodeGrant(Self.buffer(input))) != nil { any = true }
            return any
        }
    }
}
