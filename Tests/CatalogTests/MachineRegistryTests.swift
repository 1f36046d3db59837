import Testing
import YonkeCore
@testable import Catalog

private func admission(_ name: String, key: String = "", address: String? = nil, roles: Catalog.Roles = [.storage],
                       disks: [Catalog.NodeDisk] = [Catalog.NodeDisk(path: "/d", capacityBytes: 1 << 30, diskClass: .ssd)],
                       rack: String = "r1") -> Catalog.MachineAdmission {
    Catalog.MachineAdmission(name: name, publicKeyHex: key, address: address ?? "10.0.0.\(name.count):7400", roles: roles,
                             rack: rack, disks: disks, epochMillis: 500)
}

/// The machine registry (`node join`, keys pinned on first contact, token rotation).
@Suite struct MachineRegistryTests {
    @Test func seedOnceThenPinOnFirstContact() {
        var harness = Harness.bootstrapped()
        let seed: Catalog.Command = .seedMachines([admission("m1", key: keyA, roles: .all), admission("w2")], epochMillis: 10)
        #expect(harness.apply(seed) == .applied(.machinesSeeded(2)))
        #expect(harness.state.nodes.map(\.name) == ["m1", "w2"])
        #expect(harness.state.node("w2")?.isKeyPinned == false)
        #expect(harness.apply(seed).refusal == .registryAlreadySeeded)

        // First contact pins; the admission time stays the seed's.
        guard case .applied(.nodeRegistered(let pinned, isNew: false)) = harness.apply(.admitMachine(admission("w2", key: keyB.uppercased()))) else {
            Issue.record("pin not applied")
            return
        }
        #expect(pinned.publicKeyHex == keyB && pinned.admittedAtEpochMillis == harness.state.node("m1")?.admittedAtEpochMillis)
        // Once pinned: another key is refused, an admission without a key keeps it.
        #expect(harness.apply(.admitMachine(admission("w2", key: keyC))).refusal == .nodeKeyMismatch(name: "w2"))
        harness.apply(.admitMachine(admission("w2", address: "10.0.0.7:7400")))
        #expect(harness.state.node("w2")?.publicKeyHex == keyB && harness.state.node("w2")?.address == "10.0.0.7:7400")
        #expect(harness.apply(.admitMachine(admission("w9", key: keyA))).refusal == .publicKeyInUse(by: "m1"))
    }

    @Test func aBadSeedLeavesTheRegistryEmpty() {
        var harness = Harness.bootstrapped()
        let seed: Catalog.Command = .seedMachines([admission("a", key: keyA), admission("b", key: keyA)], epochMillis: 10)
        #expect(harness.apply(seed).refusal == .publicKeyInUse(by: "a"))
        #expect(harness.state.nodes.isEmpty)
    }

    @Test func joinedMachineKeepsRackAndDisks() {
        var harness = Harness.bootstrapped()
        let disks = [Catalog.NodeDisk(path: "/mnt/a", capacityBytes: 2 << 40, diskClass: .hdd),
                     Catalog.NodeDisk(path: "/mnt/b", capacityBytes: 1 << 30, diskClass: .ssd)]
        harness.apply(.admitMachine(admission("attic", key: keyC, disks: disks, rack: "r7")))
        let record = harness.state.node("attic")
        #expect(record?.rack == "r7" && record?.disks == disks && record?.capacityBytes == (2 << 40) + (1 << 30))
        #expect(record?.admittedAtEpochMillis == harness.nowEpochMillis, "the catalog clock, not an older stamp")
    }

    @Test(arguments: [
        (admission("w", key: "abcd"), Catalog.Refusal.invalid(.outOfRange(.publicKey, value: 4))),
        (admission("w", address: ""), .invalid(.empty(.address))),
        (admission("w", rack: ""), .invalid(.empty(.rack))),
        (admission("w", disks: []), .invalid(.empty(.disks))),
        (admission("w", disks: [Catalog.NodeDisk(path: "/d", capacityBytes: 0, diskClass: .hdd)]), .invalid(.outOfRange(.diskCapacity, value: 0))),
        (admission("w", disks: [Catalog.NodeDisk(path: "", capacityBytes: 1, diskClass: .hdd)]), .invalid(.empty(.diskPath))),
        (admission("w", roles: []), .invalid(.outOfRange(.roles, value: 0))),
        (admission(""), .invalid(.empty(.nodeName))),
    ])
    func invalidAdmissionsAreRefused(admission: Catalog.MachineAdmission, expected: Catalog.Refusal) {
        var harness = Harness.bootstrapped()
        #expect(harness.apply(.admitMachine(admission)).refusal == expected)
        #expect(harness.state.nodes.isEmpty)
    }

    @Test func voterWithoutDisksIsFine() {
        var harness = Harness.bootstrapped()
        #expect(harness.apply(.admitMachine(admission("m9", roles: [.master], disks: []))).refusal == nil)
    }

    /// Only the public join key enters the log: a rotated token is never in an entry or snapshot.
    @Test func tokenRotationRecordsOnlyTheKey() throws {
        var harness = Harness.bootstrapped()
        #expect(harness.state.joinKeyHex == nil)
        let key = String(repeating: "9f", count: 32)
        #expect(harness.apply(.setJoinKey(publicKeyHex: key, epochMillis: 5)) == .applied(.joinKeySet))
        #expect(harness.state.joinKeyHex == key)
        #expect(harness.apply(.setJoinKey(publicKeyHex: "short", epochMillis: 6)).refusal == .invalid(.outOfRange(.joinKey, value: 5)))
        #expect(harness.apply(.setJoinKey(publicKeyHex: String(repeating: "zz", count: 32), epochMillis: 6)).refusal
            == .invalid(.outOfRange(.joinKey, value: 64)))
        #expect(harness.state.joinKeyHex == key)
        #expect(try Catalog.State(snapshot: harness.state.snapshot()).joinKeyHex == key)
    }
}

/// Issue 12: a join declaring 64 disks of 2^60 bytes was committed, and every later
/// master overflowed summing capacities. The door bounds each disk (`SizeLimits`);
/// sums of what passes saturate anyway.
@Suite struct HostileAdmissionTests {
    @Test(arguments: [Int64(1) << 60, SizeLimits.maxDiskCapacityBytes + 1, .max])
    func aJoinWithAnImpossibleDiskIsRefused(capacity: Int64) {
        let disks = (0..<SizeLimits.maxDisksPerMachine).map {
            Catalog.NodeDisk(path: "/d\($0)", capacityBytes: capacity, diskClass: .hdd)
        }
        var harness = Harness.bootstrapped()
        let outcome = harness.apply(.admitMachine(admission("w9", key: keyA, disks: disks)))
        #expect(outcome.refusal == .invalid(.outOfRange(.diskCapacity, value: capacity)))
        #expect(harness.state.node("w9") == nil)
    }

    @Test func theLargestAcceptedMachineStillSumsWithoutOverflow() throws {
        let disks = (0..<SizeLimits.maxDisksPerMachine).map {
            Catalog.NodeDisk(path: "/d\($0)", capacityBytes: SizeLimits.maxDiskCapacityBytes, diskClass: .hdd)
        }
        var harness = Harness.bootstrapped()
        for (i, name) in ["w1", "w2"].enumerated() {
            _ = harness.apply(.admitMachine(admission(name, address: "10.0.1.\(i):7400", disks: disks, rack: name)))
        }
        #expect(harness.state.nodes.count == 2)
        let total = harness.state.nodes.saturatingSum(\.capacityBytes)
        #expect(total == 2 * Int64(SizeLimits.maxDisksPerMachine) * SizeLimits.maxDiskCapacityBytes)
    }
}
