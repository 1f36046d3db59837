import YonkeProtocol
import YonkeClient
import BlockCodec
import Foundation
import Logging
import Synchronization
import Topology
import Transport
import YonkeCore
@testable import Node

/// Real `YonkeNode`s in this process, each on its own free 127.0.0.1 port with
/// its disks in a temporary folder (removed at the end). `m1` is the only
/// voter, so it is the master whether consensus is the stand-in or real Raft,
/// and tests never stop it.
final class BlockTestCluster: @unchecked Sendable {
    struct Spec {
        var name: String
        var capacityBytes: Int64
        var roles: [Topology.Role] = [.worker]
        var rack = "desk"
        var diskClass: Topology.DiskClass = .ssd
    }

    let root: String
    let topology: Topology
    let owner: TestOperator
    var secrets: ClusterSecrets { owner.secrets }
    let logger: Logger
    private(set) var nodes: [String: YonkeNode] = [:]
    private var tasks: [String: Task<Void, any Error>] = [:]
    /// Adjusts each node's config before it starts (scrub settings, metrics address).
    var configure: (inout NodeConfig) throws -> Void = { _ in }

    static let defaultSpecs = [
        Spec(name: "m1", capacityBytes: 256 << 20, roles: [.voter, .worker]),
        Spec(name: "w2", capacityBytes: 256 << 20),
        Spec(name: "w3", capacityBytes: 256 << 20),
        Spec(name: "w4", capacityBytes: 256 << 20),
    ]

    init(_ specs: [Spec] = defaultSpecs) throws {
        root = NSTemporaryDirectory() + "yonke-blocks-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        owner = try TestOperator()
        var logger = Logger(label: "block-tests")
        logger.logLevel = .critical
        self.logger = logger
        topology = Topology(
            cluster: .init(name: "block-tests", blockSizeBytes: 4 << 20, replicationFactor: 3),
            machines: try specs.map { spec in
                Topology.Machine(
                    name: spec.name, address: .init(host: "127.0.0.1", port: try TestPorts.take()), roles: spec.roles,
                    rack: spec.rack,
                    disks: [.init(path: "data/\(spec.name)/disk0", capacityBytes: spec.capacityBytes, diskClass: spec.diskClass)])
            })
    }

    deinit {
        for task in tasks.values { task.cancel() }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Starts every machine (or those named) and waits until each accepts links.
    func start(_ names: [String]? = nil) async throws {
        for machine in topology.machines where names?.contains(machine.name) ?? true {
            var config = try NodeConfig(topology: topology, name: machine.name, dataRoot: root, secrets: secrets)
            config.timing.blockReportIntervalMilliseconds = 500
            try configure(&config)
            let node = try YonkeNode(config: config, logger: logger)
            node.blocks.setTiming(.test)
            // Full reports only when the master changes or asks: tests see those paths alone.
            await node.blocks.setFullReportEveryIntervals(1_000)
            nodes[machine.name] = node
            tasks[machine.name] = Task { try await node.run() }
        }
        for machine in topology.machines where names?.contains(machine.name) ?? true {
            try await eventually("\(machine.name) listens", timeout: .seconds(15)) { Self.accepts(port: machine.address.port) }
        }
        // Master operations need a master every node knows (m1, the only voter).
        for machine in topology.machines where names?.contains(machine.name) ?? true {
            let node = nodes[machine.name]!
            try await eventually("\(machine.name) knows the master", timeout: .seconds(15)) {
                await node.consensus.masterName == "m1"
            }
            try await eventually("\(machine.name) admits the operator", timeout: .seconds(15)) { owner.isAdmitted(by: node) }
        }
    }

    /// Starts a stopped machine again on its data (same identity, same disks).
    func restart(_ name: String) async throws {
        try await start([name])
    }

    /// Cancels the node's task: its listener and links close.
    func stop(_ name: String) async {
        tasks.removeValue(forKey: name)?.cancel()
        let port = topology.machine(named: name)!.address.port
        try? await eventually("\(name) stops listening") { !Self.accepts(port: port) }
    }

    func node(_ name: String) -> YonkeNode { nodes[name]! }

    func target(_ name: String) -> BlockTarget {
        let address = topology.machine(named: name)!.address
        return BlockTarget(name: name, address: address)
    }

    func targets(_ names: [String]) -> [BlockTarget] { names.map(target) }

    func blockClient() throws -> BlockClient {
        BlockClient(settings: try owner.credential.settings(logger: logger), timing: .test)
    }

    /// A client whose endpoints are `names` (all machines by default), in order.
    func clusterClient(_ names: [String]? = nil) throws -> ClusterClient {
        let machines = topology.machines.filter { names?.contains($0.name) ?? true }
        return try ClusterClient(
            endpoints: machines.map(\.address), credential: owner.credential, logger: logger)
    }

    func codec() throws -> BlockCodec {
        guard let keyring = secrets.keyring else { throw NodeError.invalidConfig("in-process test secrets carry their keyring") }
        return try BlockCodec(keyring: keyring, blockSizeBytes: 4 << 20, frameSizeBytes: 64 << 10)
    }

    /// A block of incompressible bytes, so its encoded size is about `plaintextBytes`.
    func block(_ plaintextBytes: Int, seed: UInt64) throws -> EncodedBlock {
        var generator = SeededGenerator(seed: seed)
        var bytes = [UInt8](repeating: 0, count: plaintextBytes)
        for i in stride(from: 0, to: plaintextBytes, by: 8) {
            let word = generator.next()
            for j in 0..<min(8, plaintextBytes - i) { bytes[i + j] = UInt8(truncatingIfNeeded: word >> (8 * j)) }
        }
        return try codec().encode(bytes)
    }

    func diskPath(_ name: String) -> String { root + "/data/\(name)/disk0" }

    /// Where a node's store keeps a block (BlockStore's sharded layout).
    func blockFile(_ id: BlockID, on name: String) -> String {
        let hex = id.hex
        return diskPath(name) + "/blocks/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex)"
    }

    /// Bytes of the regular files under the node's `blocks/` folder.
    func bytesOnDisk(_ name: String) -> Int64 {
        var total: Int64 = 0
        let base = diskPath(name) + "/blocks"
        guard let walker = FileManager.default.enumerator(atPath: base) else { return 0 }
        while let relative = walker.nextObject() as? String {
            if let attributes = try? FileManager.default.attributesOfItem(atPath: base + "/" + relative),
               attributes[.type] as? FileAttributeType == .typeRegular {
                total += (attributes[.size] as? NSNumber)?.int64Value ?? 0
            }
        }
        return total
    }

    static func accepts(port: Int) -> Bool { TestPorts.accepts(port: port) }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting until \(what)" }
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
func eventually(_ what: String, timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    if try await condition() { return }
    throw TimedOut(what: what)
}
