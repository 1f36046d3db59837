import YonkeProtocol
import YonkeClient
import Foundation
import Membership
import Testing
import Topology
@testable import Node

/// The membership shell's small parts, without sockets.
struct MembershipShellTests {
    /// A restart must outrank the previous run (SWIM ids: name + generation),
    /// also when the machine's clock went back (a junkyard box with a flat
    /// CMOS battery boots in 1970).
    @Test(arguments: [
        (stored: nil as String?, nowMilliseconds: 5_000 as UInt64, expected: 5_000 as UInt64),
        (stored: "7000\n", nowMilliseconds: 5_000, expected: 7_001),
        (stored: "7000", nowMilliseconds: 9_000, expected: 9_000),
        (stored: "not a number", nowMilliseconds: 5_000, expected: 5_000),
    ])
    func generationsGrowAcrossRestarts(stored: String?, nowMilliseconds: UInt64, expected: UInt64) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("yonke-gen-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        if let stored { try stored.write(toFile: path, atomically: true, encoding: .utf8) }
        #expect(try GenerationFile.next(path: path, nowMilliseconds: nowMilliseconds) == expected)
        // The same clock reading again (a restart within one millisecond) still moves on.
        #expect(try GenerationFile.next(path: path, nowMilliseconds: nowMilliseconds) == expected + 1)
    }

    @Test func timersFireByDeadlineThenInArmingOrder() {
        var timers = SWIMTimers()
        timers.schedule(.probeTimeout(sequence: 1), atTicks: 50)
        timers.schedule(.periodicPing, atTicks: 100)
        timers.schedule(.suspicionTimeout(name: "a"), atTicks: 50)
        timers.schedule(.joinTimeout(attempt: 0), atTicks: 10)
        #expect(timers.nextDeadlineTicks == 10)
        #expect(timers.popDue(nowTicks: 9) == nil)
        var fired: [SWIM.Timer] = []
        while let timer = timers.popDue(nowTicks: 60) { fired.append(timer) }
        #expect(fired == [.joinTimeout(attempt: 0), .probeTimeout(sequence: 1), .suspicionTimeout(name: "a")])
        #expect(timers.count == 1)
        #expect(timers.popDue(nowTicks: 100) == .periodicPing)
    }

    @Test func addressBookFollowsTheNewestClaim() throws {
        let topology = Topology(
            cluster: .init(name: "t", blockSizeBytes: 1 << 20, replicationFactor: 3),
            machines: [.init(name: "m1", address: .init(host: "127.0.0.1", port: 7401), roles: [.voter], rack: "r", disks: [])])
        var book = SWIMAddressBook(topology: topology)
        #expect(book.name(at: "127.0.0.1:7401") == "m1")
        var news = book.learn(name: "m1", address: "127.0.0.1:7401") == .learned
        #expect(!news, "a known address is no news")
        news = book.learn(name: "w9", address: "10.0.0.9:7400") == .learned
        #expect(news)
        #expect(book.name(at: "10.0.0.9:7400") == "w9")
        // m1 moves: its old address no longer names it.
        news = book.learn(name: "m1", address: "127.0.0.1:7501") == .learned
        #expect(news)
        #expect(book.name(at: "127.0.0.1:7401") == nil)
        // Another name takes w9's address: w9 has none until it says where it went.
        news = book.learn(name: "w10", address: "10.0.0.9:7400") == .learned
        #expect(news)
        #expect(book.address(of: "w9") == nil)
        #expect(book.name(at: "10.0.0.9:7400") == "w10")
    }

    /// What a node publishes is what the others read back (totals, roles, disk classes).
    @Test(arguments: [
        ([Topology.DiskClass.ssd], Membership.SWIM.DiskClass.ssd, Membership.SWIM.Tier.hot),
        ([.hdd], .hdd, .cold),
        ([.ssd, .hdd, .hdd], .hdd, .cold),
    ])
    func metadataRoundTripsThroughTheView(classes: [Topology.DiskClass], main: SWIM.DiskClass, tier: SWIM.Tier) throws {
        let machine = Topology.Machine(
            name: "m1", address: .init(host: "10.0.0.1", port: 7400), roles: [.worker, .voter], rack: "r7",
            disks: classes.enumerated().map { .init(path: "d\($0.offset)", capacityBytes: 1 << 30, diskClass: $0.element) })
        let metadata = LocalMetadata.make(for: machine, capacityBytes: 3 << 30, usedBytes: 12_345, version: 4)
        #expect(metadata.diskClass == main)
        #expect(metadata[tier] == SWIM.TierUsage(capacityBytes: 3 << 30, usedBytes: 12_345))
        let member = SWIM.Member(id: .init(name: "m1", generation: 9), incarnation: 2, status: .suspect,
                                 metadata: metadata, statusSinceTicks: 0)
        let view = MemberView(member, lastHeardMillisAgo: 30)
        #expect(view == MemberView(
            name: "m1", address: "10.0.0.1:7400", state: "suspect", incarnation: 2, roles: ["voter", "worker"],
            rack: "r7", diskClasses: Array(Set(classes.map(\.rawValue))).sorted(), capacityBytes: 3 << 30,
            usedBytes: 12_345, lastHeardMillisAgo: 30))
        // The labels fit the SWIM codec: the record survives the wire.
        let update = member.update
        let message = SWIM.Message.joinRequest(.init(member: update))
        #expect(try SWIM.Codec.decode(SWIM.Codec.encode(message)) == message)
    }

    @Test func memberListJSONRoundTrips() throws {
        let views = [MemberView(name: "m1", address: "127.0.0.1:7401", state: "alive", incarnation: 3, roles: ["voter"],
                                rack: "r", diskClasses: ["ssd"], capacityBytes: 10, usedBytes: 2, lastHeardMillisAgo: nil)]
        #expect(try MembershipOps.decodeMembers(MembershipOps.encodeMembers(views)) == views)
    }
}
