import YonkeProtocol
import YonkeClient
import Foundation
import Logging
import Topology
@testable import Node

#if canImport(Glibc)
import Glibc
#endif

/// Real `YonkeNode`s in this process on 127.0.0.1: each on a free port, all
/// data under one temp folder, SWIM on a fast period so that tests stay short.
struct MembershipTestCluster {
    let topology: Topology
    let dataRoot: String
    let owner: TestOperator
    var secrets: ClusterSecrets { owner.secrets }
    let timing: NodeTiming

    /// m1…m3: voters and workers; w4: a worker. Disks differ so that the
    /// metadata each node gossips is its own.
    /// `YONKE_TEST_SWIM_PERIOD_MS` overrides the period (e.g. 500 to measure the LAN timing).
    static func make(
        periodMilliseconds: Int = ProcessInfo.processInfo.environment["YONKE_TEST_SWIM_PERIOD_MS"].flatMap { Int($0) } ?? 100
    ) throws -> MembershipTestCluster {
        let gib: Int64 = 1 << 30
        let specs: [(String, [Topology.Role], String, [Topology.Disk])] = [
            ("m1", [.voter, .worker], "r1", [.init(path: "m1/d0", capacityBytes: 2 * gib, diskClass: .ssd)]),
            ("m2", [.voter, .worker], "r1", [
                .init(path: "m2/d0", capacityBytes: 1 * gib, diskClass: .ssd),
                .init(path: "m2/d1", capacityBytes: 4 * gib, diskClass: .hdd),
            ]),
            ("m3", [.voter, .worker], "r2", [.init(path: "m3/d0", capacityBytes: 3 * gib, diskClass: .hdd)]),
            ("w4", [.worker], "r2", [.init(path: "w4/d0", capacityBytes: 5 * gib, diskClass: .hdd)]),
        ]
        let machines = try specs.map { name, roles, rack, disks in
            Topology.Machine(name: name, address: .init(host: "127.0.0.1", port: try TestPorts.take()),
                             roles: roles, rack: rack, disks: disks)
        }
        let topology = Topology(
            cluster: .init(name: "membership-test", blockSizeBytes: 1 << 20, replicationFactor: 3), machines: machines)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("yonke-membership-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var timing = NodeTiming.lan
        timing.swimPeriodMilliseconds = periodMilliseconds
        return MembershipTestCluster(topology: topology, dataRoot: root, owner: try TestOperator(), timing: timing)
    }

    var names: [String] { topology.machines.map(\.name) }
    var period: Duration { .milliseconds(timing.swimPeriodMilliseconds) }

    /// `topology` replaces the cluster's for this node (a machine that knows only part of the cluster).
    func start(_ name: String, topology custom: Topology? = nil) throws -> Running {
        let config = try NodeConfig(topology: custom ?? topology, name: name, dataRoot: dataRoot, secrets: secrets, timing: timing)
        var logger = Logger(label: "yonke.test")
        logger.logLevel = ProcessInfo.processInfo.environment["YONKE_TEST_LOG"] == "1" ? .debug : .warning
        let node = try YonkeNode(config: config, logger: logger)
        return Running(node: node, task: Task { try await node.run() })
    }

    func startAll() throws -> [String: Running] {
        var running: [String: Running] = [:]
        for name in names { running[name] = try start(name) }
        return running
    }

    func remove() { try? FileManager.default.removeItem(atPath: dataRoot) }

    struct Running: Sendable {
        let node: YonkeNode
        let task: Task<Void, any Error>
        var membership: MembershipService { node.membership }

        /// `leaving: false` stops the node the way a crash does: no `left` claim.
        func stop(leaving: Bool) async {
            await membership.setLeavesOnShutdown(leaving)
            task.cancel()
            _ = await task.result
        }
    }

}

/// Polls `condition` until it holds; returns how long that took, nil on timeout.
func membershipEventually(within limit: Duration, poll: Duration = .milliseconds(20),
                          _ condition: () async -> Bool) async -> Duration? {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < limit {
        if await condition() { return ContinuousClock.now - start }
        // A cancelled sleep returns at once: stop instead of spinning (a test past its time limit is cancelled).
        do { try await Task.sleep(for: poll) } catch { return nil }
    }
    return await condition() ? ContinuousClock.now - start : nil
}
