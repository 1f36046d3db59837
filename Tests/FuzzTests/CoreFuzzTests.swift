import BlockCodec
import Catalog
import Foundation
import FuzzSupport
import Membership
import NIOCore
import Testing
import Topology
import YonkeCore
@testable import Transport

/// The decoders of the cores and the transport, fed seeded mutants of valid
/// encodings (`Fuzz.run`): catalog commands and snapshots, SWIM messages, block
/// headers, topology YAML, transport frames and the handshake. Each must decode
/// or throw a typed error, never trap.
@Suite struct CoreFuzzTests {
    static func id(_ n: UInt8) -> BlockID { BlockID(bytes: [UInt8](repeating: n, count: BlockID.byteCount))! }
    static let key = String(repeating: "cd", count: 32)
    static let admission = Catalog.MachineAdmission(
        name: "attic-pc", publicKeyHex: key, address: "10.0.0.9:7400", roles: [.storage, .compute, .master], rack: "r2",
        disks: [Catalog.NodeDisk(path: "/mnt/disk1", capacityBytes: 2_000_000_000_000, diskClass: .hdd)], epochMillis: 11)

    static var commands: [Catalog.Command] {
        get throws {
            [
                .bootstrap(clusterName: "junkyard", policy: .standard, epochMillis: 1_764_201_600_000),
                .makeDirectory(path: try LakePath("lake://bronze/sales/2026"), parents: true, epochMillis: 3),
                .commitFile(Catalog.CommitFile(
                    path: try LakePath("lake://bronze/sales/2026/a.csv"),
                    blocks: [Catalog.BlockEntry(id: id(1), sizeBytes: 100), Catalog.BlockEntry(id: id(2), sizeBytes: 7)],
                    metadata: Catalog.FileMetadata(source: "pg", contentType: "text/csv", tier: .cold,
                                                   schema: Catalog.Schema(columns: [.init(name: "id", type: "int64")]), rowCount: 720),
                    overwrite: true, createParents: false, epochMillis: 42)),
                .move(from: try LakePath("lake://bronze/sales/2026/a.csv"), to: try LakePath("lake://silver/b.csv")),
                .setTier(path: try LakePath("lake://silver"), tier: .glacier),
                .acquireLease(job: "etl:gold", holder: "w1", durationMillis: 60_000, epochMillis: 7),
                .setBookmark(job: "ingest", bookmark: "id>41230", holder: "w1", epochMillis: 9),
                .admitMachine(admission),
                .setJoinKey(publicKeyHex: String(repeating: "ab", count: 32), epochMillis: 12),
                .users(.add(name: "alice", role: .writer, publicKeyHex: String(repeating: "cd", count: 32), epochMillis: 14)),
                .seedMachines([admission], epochMillis: 13),
                .setMachineState(name: "attic-pc", state: .draining),
                .delete(path: try LakePath("lake://silver"), recursive: true),
            ]
        }
    }

    @Test func catalogCommands() throws {
        let seeds = try Self.commands.map { $0.encoded() } + Fuzz.corpus("catalog-command")
        _ = Fuzz.run("catalog-command", seeds: seeds) { input in
            guard let command = try? Catalog.Command.decode(input) else { return false }
            // Whatever decodes is applied on every replica: that must not trap either.
            var state = Catalog.State()
            _ = state.apply(.bootstrap(clusterName: "t", policy: .standard, epochMillis: 1), index: 1)
            _ = state.apply(command, index: 2)
            return true
        }
    }

    @Test func catalogSnapshots() throws {
        var state = Catalog.State()
        var seeds = [state.snapshot()]
        for (i, command) in try Self.commands.enumerated() {
            _ = state.apply(command, index: UInt64(i + 1))
            seeds.append(state.snapshot())
        }
        seeds += Fuzz.corpus("catalog-snapshot")
        // Snapshots are larger: fewer mutants each keep the run short.
        _ = Fuzz.run("catalog-snapshot", seeds: seeds, iterations: Fuzz.iterationsPerSeed / 4) { input in
            guard var restored = try? Catalog.State(snapshot: input) else { return false }
            _ = restored.snapshot()
            _ = restored.apply(.makeDirectory(path: try! LakePath("lake://gold/x"), parents: true, epochMillis: 5), index: 99)
            return true
        }
    }

    static func metadata(_ name: String) -> SWIM.Metadata {
        SWIM.Metadata(address: "127.0.0.1:74\(name.count)", rack: "r1", diskClass: .ssd,
                      hot: .init(capacityBytes: 1 << 40, usedBytes: 1 << 20), labels: ["roles": "voter,worker"], version: 3)
    }

    static var swimSeeds: [[UInt8]] {
        let a = SWIM.MemberID(name: "a", generation: 1_764_201_600_000), b = SWIM.MemberID(name: "w2", generation: 9)
        let gossip = [
            SWIM.MemberUpdate(id: b, incarnation: 4, status: .alive, metadata: metadata("w2")),
            SWIM.MemberUpdate(id: a, incarnation: 2, status: .suspect, accuser: "w3"),
            SWIM.MemberUpdate(id: SWIM.MemberID(name: "w3", generation: 2), incarnation: 0, status: .dead),
        ]
        let messages: [SWIM.Message] = [
            .ping(SWIM.Ping(from: a, target: b, sequence: 5, gossip: gossip, fromIncarnation: 2, fromMetadataVersion: 3)),
            .ack(SWIM.Ack(from: b, sequence: 5, gossip: gossip)),
            .joinRequest(SWIM.JoinRequest(member: gossip[0])),
            .joinReply(SWIM.JoinReply(from: a, members: gossip)),
            .sync(SWIM.Sync(from: a, wantsReply: true, members: gossip)),
        ]
        return messages.map { SWIM.Codec.encode($0) } + Fuzz.corpus("swim")
    }

    @Test func swimMessages() {
        // Issue 12's claims about ourselves at incarnation UInt64.max: they decode, and reach the merge.
        let corpus = Fuzz.corpus("swim")
        #expect(corpus.count >= 3)
        for input in corpus { #expect((try? SWIM.Codec.decode(input)) != nil) }
        _ = Fuzz.run("swim", seeds: Self.swimSeeds) { input in
            guard let message = try? SWIM.Codec.decode(input) else { return false }
            // Decoded gossip goes into an instance: merging it must not trap.
            var instance = SWIM.Instance(config: .test, id: SWIM.MemberID(name: "a", generation: 1_764_201_600_000),
                                         metadata: Self.metadata("a"), generator: SeededGenerator(seed: 1))
            _ = instance.onMessage(message, from: "127.0.0.1:7402", now: 1)
            _ = instance.onPeriodicPingTick(now: 2)
            return true
        }
    }

    @Test func blockHeaders() throws {
        let keyring = try Keyring(clusterID: Array(repeating: 7, count: 16), clusterSecret: Array(repeating: 9, count: 32))
        let codec = try BlockCodec(keyring: keyring, blockSizeBytes: 64 * 1024, frameSizeBytes: 4096,
                                   algorithm: .xchacha20poly1305, parallelism: 1)
        let blocks = try [Array("id,text\n1,a\n".utf8), [UInt8](repeating: 0x41, count: 9_000), []].map { try codec.encode($0).bytes }
        let seeds = blocks + Fuzz.corpus("block-header")
        _ = Fuzz.run("block-header", seeds: seeds, iterations: Fuzz.iterationsPerSeed / 2) { input in
            (try? codec.decode(input)) != nil
        }
    }

    @Test func topologyFiles() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../topology")
        let files = try ["local-4.yaml", "junkyard.yaml"].map {
            Array(try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8).utf8)
        }
        let seeds = files + Fuzz.corpus("topology")
        _ = Fuzz.run("topology", seeds: seeds, iterations: Fuzz.iterationsPerSeed / 4, sweep: false) { input in
            guard let topology = try? TopologyFile.parse(yaml: String(decoding: input, as: UTF8.self), fileName: "fuzz.yaml") else {
                return false
            }
            _ = (topology.workerCapacityBytes, topology.machines.map(\.capacityBytes))
            return true
        }
    }

    @Test func transportFrames() {
        let allocator = ByteBufferAllocator()
        var stream = ByteBuffer()
        for (kind, payload) in [(UInt8(1), [UInt8](repeating: 3, count: 40)), (7, []), (0x40, Array("hello".utf8))] {
            var frame = Frame.wire(kind: kind, payload: payload, allocator: allocator)
            stream.writeBuffer(&frame)
        }
        let seeds = [Array(stream.readableBytesView)] + Fuzz.corpus("frame")
        let decoder = FrameDecoder(maxFrameBytes: 1 << 16)
        _ = Fuzz.run("frame", seeds: seeds) { input in
            var buffer = ByteBuffer(bytes: input)
            var frames = 0
            do {
                while let frame = try decoder.nextFrame(&buffer) {
                    frames += 1
                    _ = frame.payload.readableBytes
                }
            } catch {
                return false
            }
            return frames > 0
        }
    }

    @Test func handshakeHellosAndProofs() throws {
        let cluster = (id: Array(UInt8(0)..<16), token: "test-token-0123456789abcdef")
        let a = try Transport.Settings(nodeName: "alpha", identity: NodeIdentity.generate(), clusterID: cluster.id,
                                       joinToken: cluster.token, limits: .test)
        let b = try Transport.Settings(nodeName: "bravo", identity: NodeIdentity.generate(), clusterID: cluster.id,
                                       joinToken: cluster.token, limits: .test)
        var initiator = Handshake(role: .initiator, settings: a, expectedPeerKey: nil)
        var responder = Handshake(role: .responder, settings: b, expectedPeerKey: nil)
        let hello = initiator.localHello.encoded()
        _ = try initiator.onHello(responder.localHello.encoded())
        _ = try responder.onHello(hello)
        let proof = initiator.makeProof()
        _ = try responder.onProof(proof)

        _ = Fuzz.run("hello", seeds: [hello, responder.localHello.encoded()] + Fuzz.corpus("hello")) { input in
            (try? Handshake.Hello.decode(input)) != nil
        }
        // A proof is checked against the transcript: mutants are refused, never trap.
        let summary = Fuzz.run("proof", seeds: [proof] + Fuzz.corpus("proof")) { input in
            (try? responder.onProof(input)) != nil
        }
        #expect(summary.accepted >= 1)
    }
}
