import YonkeProtocol
import Catalog
import Membership
import NIOCore
import Testing
import Topology
import YonkeCore
@testable import Node

/// Issue 12's gossip and report findings in the shell's own types.
@Suite struct HostileGossipNodeTests {
    /// Was `reduce(0) { $0 + … }` over three tiers of wire figures: a trap on every node
    /// that built the member list (`status`, placement).
    @Test func tierCapacitiesFromTheWireSaturateInsteadOfTrapping() {
        let huge = SWIM.TierUsage(capacityBytes: .max, usedBytes: .max)
        let member = SWIM.Member(
            id: SWIM.MemberID(name: "w9", generation: 1), incarnation: .max, status: .alive,
            metadata: SWIM.Metadata(address: "127.0.0.1:7409", hot: huge, cold: huge, glacier: huge), statusSinceTicks: 0)
        let view = MemberView(member, lastHeardMillisAgo: nil)
        #expect(view.capacityBytes == .max)
        #expect(view.usedBytes == .max)
        let negative = SWIM.TierUsage(capacityBytes: .min, usedBytes: .min)
        let other = SWIM.Member(
            id: SWIM.MemberID(name: "w8", generation: 1), incarnation: 0, status: .alive,
            metadata: SWIM.Metadata(address: "127.0.0.1:7408", hot: negative, cold: negative, glacier: huge), statusSinceTicks: 0)
        #expect(MemberView(other, lastHeardMillisAgo: nil).capacityBytes == .max)
    }

    /// A claim of another node's address under a new name took that address over (the
    /// real node's messages then went to nobody): gossip may suggest an address, never a
    /// new identity for a registered machine's address.
    @Test func aRegisteredMachinesAddressIsNotTakenOverByANewName() {
        var book = SWIMAddressBook(topology: Topology(
            cluster: .init(name: "t", blockSizeBytes: 1 << 20, replicationFactor: 1),
            machines: [Topology.Machine(name: "w1", address: .init(host: "127.0.0.1", port: 7401), roles: [.worker],
                                        rack: "r", disks: [])]))
        #expect(book.learn(name: "evil", address: "127.0.0.1:7401", registeredOwner: "w1") == .refused(owner: "w1"))
        #expect(book.name(at: "127.0.0.1:7401") == "w1")
        #expect(book.address(of: "w1") == "127.0.0.1:7401")
        #expect(book.address(of: "evil") == nil)
        // The owner itself may move, and a new machine may take an address nobody registered.
        #expect(book.learn(name: "w1", address: "127.0.0.1:7401", registeredOwner: "w1") == .unchanged)
        #expect(book.learn(name: "w2", address: "127.0.0.1:7402", registeredOwner: nil) == .learned)
        #expect(book.name(at: "127.0.0.1:7402") == "w2")
    }

    /// Block reports: 64 disks of Int64.max each, summed, trapped the master.
    @Test func reportedDiskFiguresSaturate() throws {
        let disks = (0..<BlockReport.maxDisks).map { _ in
            BlockReport.Disk(diskClass: .hdd, capacityBytes: .max, usedBytes: .max, blockCount: Int(UInt32.max))
        }
        let report = try BlockReport.decode(BlockReport(isFull: true, disks: disks, blocks: []).encoded())
        #expect(report.capacityBytes == .max)
        #expect(report.usedBytes == .max)
        var ledger = BlockLedger()
        #expect(ledger.apply(report, from: "w1").known)
    }

    /// A flood of additions: each report is bounded by the decoder, and what one node may
    /// hold in the master's map by `BlockMap.maxBlocksPerNode`; blocks already known stay.
    @Test func aFloodOfAdditionsIsCappedPerNode() {
        var map = BlockMap()
        func id(_ n: Int) -> BlockID {
            var bytes = [UInt8](repeating: 0, count: BlockID.byteCount)
            withUnsafeBytes(of: UInt64(n).bigEndian) { bytes.replaceSubrange(0..<8, with: $0) }
            return BlockID(bytes: bytes)!
        }
        let cap = 100
        #expect(map.onBlockReport(node: "w1", blocks: (0..<60).map(id), maxBlocksPerNode: cap) == 0)
        #expect(map.onBlocksAdded(node: "w1", blocks: (50..<200).map(id), maxBlocksPerNode: cap) == 100)
        #expect(map.blocks(on: "w1").count == cap)
        #expect((0..<60).allSatisfy { map.replicas(of: id($0)) == ["w1"] }, "known blocks are kept")
        #expect(map.replicas(of: id(150)).isEmpty)
        // Other nodes are not affected by one node's flood.
        #expect(map.onBlocksAdded(node: "w2", blocks: [id(150)], maxBlocksPerNode: cap) == 0)
        #expect(map.replicas(of: id(150)) == ["w2"])
    }
}
