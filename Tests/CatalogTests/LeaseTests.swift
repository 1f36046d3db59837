import Testing
@testable import Catalog

/// DESIGN.md: "a job never runs twice at once (a lease in Raft)". Leases as in Gray & Cheriton,
/// "Leases" (SOSP 1989) §2: a holder's right ends at expiry with no message needed; the fencing
/// token is the guard Kleppmann's DDIA ch. 8 ("Fencing tokens") adds against a paused holder.
/// Times are catalog millis.
@Suite struct LeaseTests {
    private let job = "ingest:random_data"

    private func acquire(_ harness: inout Harness, _ holder: String, at t: Int64, for duration: Int64 = 1000) -> Catalog.Outcome {
        harness.apply(.acquireLease(job: job, holder: holder, durationMillis: duration, epochMillis: t))
    }

    private func renew(_ harness: inout Harness, _ holder: String, at t: Int64, for duration: Int64 = 1000) -> Catalog.Outcome {
        harness.apply(.renewLease(job: job, holder: holder, durationMillis: duration, epochMillis: t))
    }

    private func release(_ harness: inout Harness, _ holder: String, at t: Int64) -> Catalog.Outcome {
        harness.apply(.releaseLease(job: job, holder: holder, epochMillis: t))
    }

    /// Fresh catalog whose clock starts at 0; w1 holds the lease until 1000 (token 2).
    private func held() -> Harness {
        var harness = Harness()
        harness.apply(.bootstrap(clusterName: "", policy: .test, epochMillis: 0))
        let outcome = acquire(&harness, "w1", at: 0)
        #expect(outcome == .applied(.leaseGranted(Catalog.Lease(job: job, holder: "w1", expiresAtEpochMillis: 1000, fencingToken: 2))))
        return harness
    }

    @Test(arguments: [
        // (who, when, expected outcome) against a lease w1 holds until 1000 with token 2.
        ("w2", Int64(999), Catalog.Outcome.refused(.leaseHeld(by: "w1", untilEpochMillis: 1000))),
        ("w2", 1000, .applied(.leaseGranted(.init(job: "ingest:random_data", holder: "w2", expiresAtEpochMillis: 2000, fencingToken: 3)))),
        ("w1", 500, .applied(.leaseGranted(.init(job: "ingest:random_data", holder: "w1", expiresAtEpochMillis: 1500, fencingToken: 2)))),
        ("w1", 1200, .applied(.leaseGranted(.init(job: "ingest:random_data", holder: "w1", expiresAtEpochMillis: 2200, fencingToken: 3)))),
    ])
    func acquire(holder: String, at t: Int64, expected: Catalog.Outcome) {
        var harness = held()
        #expect(acquire(&harness, holder, at: t) == expected)
    }

    @Test(arguments: [
        ("w1", Int64(999), Catalog.Outcome.applied(.leaseGranted(.init(job: "ingest:random_data", holder: "w1", expiresAtEpochMillis: 1999, fencingToken: 2)))),
        ("w1", 1000, .refused(.leaseExpired(job: "ingest:random_data", atEpochMillis: 1000))),
        ("w2", 500, .refused(.leaseHeld(by: "w1", untilEpochMillis: 1000))),
        ("w2", 1500, .refused(.leaseNotHeld(job: "ingest:random_data"))),
    ])
    func renewIsForTheLiveHolderOnly(holder: String, at t: Int64, expected: Catalog.Outcome) {
        var harness = held()
        #expect(renew(&harness, holder, at: t) == expected)
    }

    @Test(arguments: [
        ("w1", Int64(10), Catalog.Outcome.applied(.leaseReleased(job: "ingest:random_data"))),
        ("w1", 5000, .applied(.leaseReleased(job: "ingest:random_data"))),
        ("w2", 10, .refused(.leaseHeld(by: "w1", untilEpochMillis: 1000))),
        ("w2", 5000, .refused(.leaseNotHeld(job: "ingest:random_data"))),
    ])
    func releaseIsForTheHolderOnly(holder: String, at t: Int64, expected: Catalog.Outcome) {
        var harness = held()
        #expect(release(&harness, holder, at: t) == expected)
        #expect((harness.state.lease(job: job) == nil) == (expected.refusal == nil))
    }

    @Test func releasedLeaseIsFreeForAnotherHolder() {
        var harness = held()
        _ = release(&harness, "w1", at: 100)
        #expect(acquire(&harness, "w2", at: 100).effect != nil)
        #expect(harness.state.lease(job: job)?.holder == "w2")
    }

    @Test func renewOrAcquireOnAnUnknownJobIsRefused() {
        var harness = held()
        #expect(harness.apply(.renewLease(job: "other", holder: "w1", durationMillis: 10, epochMillis: 0)).refusal == .leaseNotHeld(job: "other"))
        #expect(harness.apply(.releaseLease(job: "other", holder: "w1", epochMillis: 0)).refusal == .leaseNotHeld(job: "other"))
    }

    @Test func catalogTimeNeverRunsBackwards() {
        // A new leader with a slow clock must not revive an expired lease.
        var harness = held()
        harness.apply(.makeDirectory(path: path("lake://gold/t"), parents: false, epochMillis: 5000))
        #expect(harness.state.clockEpochMillis == 5000)
        #expect(renew(&harness, "w1", at: 10).refusal == .leaseExpired(job: job, atEpochMillis: 1000))
        #expect(acquire(&harness, "w2", at: 10) == .applied(.leaseGranted(.init(job: job, holder: "w2", expiresAtEpochMillis: 6000, fencingToken: 5))))
    }

    @Test(arguments: [Int64.max, -1, Catalog.Limits.maxEpochMillis + 1])
    func absurdTimestampsAreRefusedAndDoNotMoveTheClock(epochMillis: Int64) {
        var harness = held()
        let outcome = harness.apply(.releaseLease(job: job, holder: "w1", epochMillis: epochMillis))
        #expect(outcome.refusal == .invalid(.outOfRange(.epochMillis, value: epochMillis)))
        #expect(harness.state.clockEpochMillis == 0)
        #expect(renew(&harness, "w1", at: 10).effect != nil)
    }

    @Test(arguments: [Int64(0), -1, 86_400_001])
    func durationOutOfRangeIsRefused(duration: Int64) {
        var harness = held()
        #expect(acquire(&harness, "w9", at: 0, for: duration).refusal == .invalid(.outOfRange(.leaseDuration, value: duration)))
    }

    @Test func namesAreValidated() {
        var harness = held()
        #expect(harness.apply(.acquireLease(job: "", holder: "w1", durationMillis: 1, epochMillis: 0)).refusal == .invalid(.empty(.job)))
        #expect(harness.apply(.acquireLease(job: "j", holder: "w\n1", durationMillis: 1, epochMillis: 0)).refusal == .invalid(.controlCharacter(.holder)))
    }

    @Test func bookmarkWithoutHolderIsFree() {
        var harness = held()
        #expect(harness.apply(.setBookmark(job: "manual", bookmark: "id>10", holder: nil, epochMillis: 0))
            == .applied(.bookmarkSet(job: "manual", previous: nil)))
        #expect(harness.apply(.setBookmark(job: "manual", bookmark: "id>20", holder: nil, epochMillis: 0))
            == .applied(.bookmarkSet(job: "manual", previous: "id>10")))
        #expect(harness.state.bookmark(job: "manual") == "id>20")
    }

    @Test(arguments: [
        ("w1", Int64(999), nil),
        ("w1", 1000, Catalog.Refusal.leaseExpired(job: "ingest:random_data", atEpochMillis: 1000)),
        ("w2", 10, .leaseHeld(by: "w1", untilEpochMillis: 1000)),
    ])
    func bookmarkWithHolderNeedsTheLiveLease(holder: String, at t: Int64, expected: Catalog.Refusal?) {
        var harness = held()
        let outcome = harness.apply(.setBookmark(job: job, bookmark: "41230", holder: holder, epochMillis: t))
        #expect(outcome.refusal == expected)
        #expect(harness.state.bookmark(job: job) == (expected == nil ? "41230" : nil))
    }

    @Test func bookmarkIsBounded() {
        var harness = held()
        let huge = String(repeating: "9", count: Catalog.Limits.maxBookmarkBytes + 1)
        #expect(harness.apply(.setBookmark(job: job, bookmark: huge, holder: nil, epochMillis: 0)).refusal
            == .invalid(.tooLong(.bookmark, bytes: 4097, limit: 4096)))
    }
}

/// The master records admitted machines (`node join`) through these commands.
@Suite struct NodeRegistryTests {
    private func register(_ harness: inout Harness, _ name: String, _ key: String, _ address: String = "10.0.0.5:7400",
                          roles: Catalog.Roles = [.storage], at t: Int64 = 100) -> Catalog.Outcome {
        harness.apply(.registerNode(name: name, publicKeyHex: key, address: address, roles: roles, epochMillis: t))
    }

    @Test func registerUpdateAndRemove() {
        var harness = Harness.bootstrapped()
        let first = register(&harness, "w1", keyA, at: harness.nowEpochMillis)
        let record = Catalog.NodeRecord(name: "w1", publicKeyHex: keyA, address: "10.0.0.5:7400", roles: [.storage],
                                        admittedAtEpochMillis: harness.nowEpochMillis)
        #expect(first == .applied(.nodeRegistered(record, isNew: true)))
        // The same machine at a new address with a new role keeps its admission time.
        var moved = record
        moved.address = "10.0.0.9:7400"
        moved.roles = [.storage, .master]
        #expect(register(&harness, "w1", keyA.uppercased(), "10.0.0.9:7400", roles: [.storage, .master], at: harness.nowEpochMillis + 50)
            == .applied(.nodeRegistered(moved, isNew: false)))
        _ = register(&harness, "m1", keyB, roles: .all)
        #expect(harness.state.nodes.map(\.name) == ["m1", "w1"])
        #expect(harness.apply(.removeNode(name: "w1")) == .applied(.nodeRemoved(moved)))
        #expect(harness.state.nodes.map(\.name) == ["m1"])
    }

    @Test func refusals() {
        var harness = Harness.bootstrapped()
        _ = register(&harness, "w1", keyA)
        #expect(register(&harness, "w1", keyB).refusal == .nodeKeyMismatch(name: "w1"))
        #expect(register(&harness, "w2", keyA).refusal == .publicKeyInUse(by: "w1"))
        #expect(register(&harness, "w3", "abcd").refusal == .invalid(.outOfRange(.publicKey, value: 4)))
        #expect(register(&harness, "w3", String(repeating: "zz", count: 32)).refusal == .invalid(.outOfRange(.publicKey, value: 64)))
        #expect(register(&harness, "w3", keyC, roles: []).refusal == .invalid(.outOfRange(.roles, value: 0)))
        #expect(register(&harness, "w3", keyC, roles: Catalog.Roles(rawValue: 0x80)).refusal == .invalid(.outOfRange(.roles, value: 0x80)))
        #expect(register(&harness, "w3", keyC, "").refusal == .invalid(.empty(.address)))
        #expect(register(&harness, "", keyC).refusal == .invalid(.empty(.nodeName)))
        #expect(harness.apply(.removeNode(name: "ghost")).refusal == .unknownNode("ghost"))
        #expect(harness.state.nodes.count == 1)
    }

    /// Drain, undrain and remove survive a snapshot; removal drops the node record, and a new
    /// registration makes the machine active again.
    @Test func machineStates() throws {
        var harness = Harness.bootstrapped()
        _ = register(&harness, "w1", keyA)
        #expect(harness.apply(.setMachineState(name: "w2", state: .draining))
            == .applied(.machineStateChanged(name: "w2", previous: .active, current: .draining)))
        #expect(harness.apply(.setMachineState(name: "w1", state: .removed))
            == .applied(.machineStateChanged(name: "w1", previous: .active, current: .removed)))
        #expect(harness.state.nodes.isEmpty)
        #expect(harness.state.nonActiveMachines.map(\.name) == ["w1", "w2"])
        let restored = try Catalog.State(snapshot: harness.state.snapshot())
        #expect(restored == harness.state)
        #expect(restored.machineState("w2") == .draining)
        #expect(harness.apply(.setMachineState(name: "w2", state: .active)).effect != nil)
        _ = register(&harness, "w1", keyB)
        #expect(harness.state.machineState("w1") == .active)
        #expect(harness.state.machineState("w2") == .active)
        #expect(harness.apply(.setMachineState(name: "", state: .draining)).refusal == .invalid(.empty(.nodeName)))
    }
}
