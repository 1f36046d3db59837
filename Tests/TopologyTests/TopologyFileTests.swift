import Foundation
import Testing
@testable import Topology

/// The repository's topology/ folder, found from this file's path so the tests
/// run from any working directory.
func repositoryTopology(_ name: String) throws -> String {
    let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("topology").appendingPathComponent(name)
    return try String(contentsOf: url, encoding: .utf8)
}

@Test func local4IsOneMasterThreeWorkersWithThreeVoters() throws {
    let topology = try TopologyFile.parse(yaml: try repositoryTopology("local-4.yaml"), fileName: "topology/local-4.yaml")
    #expect(topology.cluster.name == "local-4")
    #expect(topology.cluster.blockSizeBytes == 64 * 1024 * 1024)
    #expect(topology.cluster.replicationFactor == 3)
    #expect(topology.machines.count == 4)
    #expect(topology.voters.count == 3)
    #expect(topology.workers.count == 4)
    #expect(Set(topology.machines.map(\.address.host)) == ["127.0.0.1"])
    #expect(topology.machines.map(\.address.port) == [7401, 7402, 7403, 7404])
    #expect(topology.machines.allSatisfy { $0.disks.allSatisfy { !$0.path.hasPrefix("/") } })
}

@Test func junkyardSpansThirtyTimesInThreeRacks() throws {
    let topology = try TopologyFile.parse(yaml: try repositoryTopology("junkyard.yaml"), fileName: "topology/junkyard.yaml")
    let capacities = topology.workers.map(\.capacityBytes)
    #expect(topology.machines.count == 9)
    #expect(topology.racks == ["a", "b", "c"])
    #expect(capacities.max()! / capacities.min()! == 30)
    #expect(capacities.allSatisfy { $0 * 3 < topology.workerCapacityBytes })
    #expect(Set(topology.machines.flatMap { $0.disks.map(\.diskClass) }) == [.ssd, .hdd])
    #expect(topology.machine(named: "laptop-a")?.capacityBytes == 120_000_000_000)
    #expect(topology.machine(named: "desktop-b")?.capacityBytes(of: .ssd) == 250_000_000_000)
    #expect(topology.machine(named: "laptop-a")?.diskAgeYears == 5)
}

private let goodHeader = """
cluster:
  name: t
  replicationFactor: 1
machines:
"""

private func machine(_ name: String, _ address: String, roles: String = "[voter, worker]", rack: String = "r1",
                     capacity: String = "100GB", diskClass: String = "ssd", extra: String = "") -> String {
    """
      - name: \(name)
        address: \(address)
        roles: \(roles)
        rack: \(rack)\(extra)
        disks:
          - path: d/\(name)
            capacity: \(capacity)
            class: \(diskClass)

    """
}

@Test func defaultsAndMixedRolesParse() throws {
    let yaml = """
    cluster:
      name: tiny
    machines:
    \(machine("a", "10.0.0.1:1", roles: "voter", extra: "\n    diskAgeYears: 2.5"))\(machine("b", "'[::1]:7400'", roles: "[worker]", capacity: "1.5TiB", diskClass: "hdd"))\(machine("c", "h:2"))\(machine("d", "h:3"))
    """
    let topology = try TopologyFile.parse(yaml: yaml, fileName: "t.yaml")
    #expect(topology.cluster.blockSizeBytes == TopologyFile.defaultBlockSizeBytes)
    #expect(topology.cluster.replicationFactor == 3)
    #expect(topology.machines[0].roles == [.voter])
    #expect(topology.machines[0].diskAgeYears == 2.5)
    #expect(topology.machines[1].address == Topology.Address(host: "::1", port: 7400))
    #expect(topology.machines[1].capacityBytes == Int64(1.5 * 1024 * 1024 * 1024 * 1024))
    #expect(topology.workers.map(\.name) == ["b", "c", "d"])
    #expect(topology.cluster.scrubMbps == nil && topology.cluster.scrubIntervalHours == nil)
    #expect(topology.machines.allSatisfy { $0.metricsAddress == nil }, "metrics are off unless asked for")
}

@Test func scrubAndMetricsSettingsParse() throws {
    let yaml = """
    cluster:
      name: tiny
      replicationFactor: 1
      scrubMbps: 12.5
      scrubIntervalHours: 0.5
    machines:
    \(machine("a", "10.0.0.1:7400", extra: "\n    metricsAddress: 10.0.0.1:9400"))
    """
    let topology = try TopologyFile.parse(yaml: yaml, fileName: "t.yaml")
    #expect(topology.cluster.scrubMbps == 12.5)
    #expect(topology.cluster.scrubIntervalHours == 0.5)
    #expect(topology.machines[0].metricsAddress == Topology.Address(host: "10.0.0.1", port: 9400))
    let local4 = try TopologyFile.parse(yaml: try repositoryTopology("local-4.yaml"), fileName: "topology/local-4.yaml")
    #expect(local4.machines.compactMap(\.metricsAddress?.port) == [8401, 8402, 8403, 8404])
}

struct BadFile: Sendable, CustomStringConvertible {
    let label: String
    let yaml: String
    let expected: String
    var description: String { label }
}

/// Each bad file must fail with a message naming the line and the field.
private let badFiles: [BadFile] = [
    BadFile(label: "capacity not a size", yaml: goodHeader + "\n" + machine("a", "h:1", capacity: "12XB"),
            expected: "x.yaml:11: machines[0].disks[0].capacity: '12XB' is not a size (try 120GB or 4TiB)"),
    BadFile(label: "zero capacity", yaml: goodHeader + "\n" + machine("a", "h:1", capacity: "0GB"),
            expected: "x.yaml:11: machines[0].disks[0].capacity: a disk's capacity must be more than 0"),
    BadFile(label: "disk smaller than a block", yaml: goodHeader + "\n" + machine("a", "h:1", capacity: "1MiB"),
            expected: "x.yaml:11: machines[0].disks[0].capacity: 1.0 MiB cannot hold one block (cluster.blockSize is 64.0 MiB)"),
    BadFile(label: "bad disk class", yaml: goodHeader + "\n" + machine("a", "h:1", diskClass: "nvme"),
            expected: "x.yaml:12: machines[0].disks[0].class: 'nvme' is not a disk class (ssd or hdd)"),
    BadFile(label: "bad role", yaml: goodHeader + "\n" + machine("a", "h:1", roles: "[voter, boss]"),
            expected: "x.yaml:7: machines[0].roles[1]: 'boss' is not a role (voter or worker)"),
    BadFile(label: "bad address", yaml: goodHeader + "\n" + machine("a", "h:99999"),
            expected: "x.yaml:6: machines[0].address: 'h:99999' is not host:port"),
    BadFile(label: "address without port", yaml: goodHeader + "\n" + machine("a", "hostonly"),
            expected: "x.yaml:6: machines[0].address: 'hostonly' is not host:port"),
    BadFile(label: "duplicate name", yaml: goodHeader + "\n" + machine("a", "h:1") + machine("a", "h:2"),
            expected: "x.yaml:13: machines[1].name: 'a' is already the name of machines[0]"),
    BadFile(label: "duplicate address", yaml: goodHeader + "\n" + machine("a", "h:1") + machine("b", "h:1"),
            expected: "x.yaml:14: machines[1].address: 'h:1' is already the address of machines[0] (a)"),
    BadFile(label: "unknown field", yaml: goodHeader + "\n" + machine("a", "h:1", extra: "\n    capcity: 1TB"),
            expected: "x.yaml:9: machines[0].capcity: unknown field"),
    BadFile(label: "fewer workers than replicas",
            yaml: "cluster:\n  name: t\nmachines:\n" + machine("a", "h:1") + machine("b", "h:2", roles: "[voter]"),
            expected: "x.yaml:4: machines: 1 worker(s) cannot hold 3 replicas on distinct machines"),
    BadFile(label: "no voter", yaml: goodHeader + "\n" + machine("a", "h:1", roles: "[worker]"),
            expected: "x.yaml:5: machines: no machine has the `voter` role"),
    BadFile(label: "worker without disks",
            yaml: goodHeader + "\n  - name: a\n    address: h:1\n    roles: [voter, worker]\n",
            expected: "x.yaml:7: machines[0].roles: 'a' is a worker but has no `disks:`"),
    BadFile(label: "replication factor", yaml: "cluster:\n  name: t\n  replicationFactor: three\nmachines: []\n",
            expected: "x.yaml:3: cluster.replicationFactor: 'three' is not a replication factor"),
    BadFile(label: "block size", yaml: "cluster:\n  name: t\n  blockSize: big\nmachines: []\n",
            expected: "x.yaml:3: cluster.blockSize: 'big' is not a size"),
    BadFile(label: "missing cluster", yaml: "machines: []\n", expected: "x.yaml:1: missing `cluster:`"),
    BadFile(label: "machines not a list", yaml: "cluster:\n  name: t\nmachines: 4\n",
            expected: "x.yaml:3: machines: expected a list of machines"),
    BadFile(label: "negative age", yaml: goodHeader + "\n" + machine("a", "h:1", extra: "\n    diskAgeYears: -1"),
            expected: "x.yaml:9: machines[0].diskAgeYears: '-1' is not an age in years"),
    BadFile(label: "duplicate disk path",
            yaml: goodHeader + "\n  - name: a\n    address: h:1\n    roles: [voter, worker]\n    disks:\n      - {path: p, capacity: 1GB, class: ssd}\n      - {path: p, capacity: 1GB, class: ssd}\n",
            expected: "x.yaml:10: machines[0].disks[1].path: 'p' is listed twice on 'a'"),
    BadFile(label: "scrub rate", yaml: "cluster:\n  name: t\n  scrubMbps: fast\nmachines: []\n",
            expected: "x.yaml:3: cluster.scrubMbps: 'fast' is not a scrub rate in MB/s"),
    BadFile(label: "scrub interval", yaml: "cluster:\n  name: t\n  scrubIntervalHours: 0\nmachines: []\n",
            expected: "x.yaml:3: cluster.scrubIntervalHours: '0' is not an interval in hours"),
    BadFile(label: "metrics address", yaml: goodHeader + "\n" + machine("a", "h:1", extra: "\n    metricsAddress: h"),
            expected: "x.yaml:9: machines[0].metricsAddress: 'h' is not host:port"),
    BadFile(label: "metrics on the node's port", yaml: goodHeader + "\n" + machine("a", "h:1", extra: "\n    metricsAddress: h:1"),
            expected: "x.yaml:9: machines[0].metricsAddress: 'h:1' is not host:port apart from the node's own address"),
    BadFile(label: "not YAML", yaml: "cluster: [\n", expected: "x.yaml:2: not valid YAML"),
    BadFile(label: "empty", yaml: "", expected: "x.yaml: the file is empty"),
]

@Test(arguments: badFiles)
func badFileNamesLineAndField(_ bad: BadFile) {
    do {
        let topology = try TopologyFile.parse(yaml: bad.yaml, fileName: "x.yaml")
        Issue.record("parsed a bad file: \(topology)")
    } catch {
        #expect(error.description.hasPrefix(bad.expected), "got: \(error.description)")
    }
}

/// `healGrace` and `rebalanceMbps` are optional cluster fields with operable defaults.
@Test(arguments: [
    ("", Int64(30_000), Int64(100_000_000)),
    ("  healGrace: 2s\n  rebalanceMbps: 40\n", 2_000, 40_000_000),
    ("  healGrace: 500ms\n  rebalanceMbps: 0.5\n", 500, 500_000),
    ("  healGrace: 1m\n", 60_000, 100_000_000),
])
func healingSettings(lines: String, graceMilliseconds: Int64, bytesPerSecond: Int64) throws {
    let yaml = "cluster:\n  name: t\n  replicationFactor: 1\n\(lines)machines:\n  - {name: a, address: 127.0.0.1:7401, roles: [voter, worker], disks: [{path: d, capacity: 1GiB, class: ssd}]}\n"
    let topology = try TopologyFile.parse(yaml: yaml, fileName: "t.yaml")
    #expect(topology.cluster.healGraceMilliseconds == graceMilliseconds)
    #expect(topology.cluster.rebalanceBytesPerSecond == bytesPerSecond)
}

@Test(arguments: [("healGrace: soon", "cluster.healGrace"), ("rebalanceMbps: -3", "cluster.rebalanceMbps"), ("rebalanceMbps: fast", "cluster.rebalanceMbps")])
func badHealingSettingsNameTheField(line: String, field: String) {
    let yaml = "cluster:\n  name: t\n  replicationFactor: 1\n  \(line)\nmachines:\n  - {name: a, address: 127.0.0.1:7401, roles: [voter, worker], disks: [{path: d, capacity: 1GiB, class: ssd}]}\n"
    #expect {
        try TopologyFile.parse(yaml: yaml, fileName: "t.yaml")
    } throws: { error in
        "\(error)".contains(field)
    }
}

/// Issue 12: sizes are bounded at the door (`SizeLimits`), and what passes sums
/// without trapping.
@Test func aDiskBeyondThePetabyteBoundIsRefused() throws {
    let yaml = """
    cluster:
      name: tiny
      replicationFactor: 1
    machines:
    \(machine("a", "h:1", capacity: "1048577TiB"))
    """
    let error = #expect(throws: TopologyError.self) { try TopologyFile.parse(yaml: yaml, fileName: "t.yaml") }
    #expect(error.map { "\($0)" }?.contains("machines[0].disks[0].capacity") == true)
}

@Test func capacitySumsSaturate() {
    let disks = (0..<3).map { Topology.Disk(path: "/d\($0)", capacityBytes: .max, diskClass: .hdd) }
    let machine = Topology.Machine(name: "a", address: .init(host: "h", port: 1), roles: [.worker], rack: "r", disks: disks)
    #expect(machine.capacityBytes == .max)
    #expect(machine.capacityBytes(of: .hdd) == .max)
    let topology = Topology(cluster: .init(name: "t", blockSizeBytes: 1, replicationFactor: 1), machines: [machine, machine])
    #expect(topology.workerCapacityBytes == .max)
}

/// `blockSize + blockSize / 8` (the room a placement needs) must stay in Int64: bounded at the door.
@Test(arguments: ["0", "2GiB", "8000000TiB"])
func anImpossibleBlockSizeIsRefused(size: String) throws {
    let yaml = "cluster:\n  name: t\n  blockSize: \(size)\n  replicationFactor: 1\nmachines:\n\(machine("a", "h:1"))"
    let error = #expect(throws: TopologyError.self) { try TopologyFile.parse(yaml: yaml, fileName: "t.yaml") }
    #expect(error.map { "\($0)" }?.contains("cluster.blockSize") == true)
}
