import YonkeProtocol
import YonkeClient
import Foundation
import Logging
import NIOCore
import Synchronization
import Transport

/// One Yonke node: its services (consensus and catalog, membership, blocks)
/// behind one listening port. Requests are routed to the service that owns
/// their operation range; each service is an actor, so requests for different
/// services never wait on each other.
public final class YonkeNode: NodeMessageHandler {
    public let context: NodeContext
    public let consensus: ConsensusService
    public let membership: MembershipService
    public let blocks: BlockService
    public let scrubber: ScrubService
    public let rpcCounters = RPCCounters()
    /// Accepted links, so a revocation closes them.
    let links = LinkRoster()
    public let metrics: NodeMetrics
    /// Bound by `run` when the config names a metrics address.
    private let metricsServer = Mutex<MetricsServer?>(nil)

    public var config: NodeConfig { context.config }
    /// Empty (nothing dropped or delayed) until `yonke chaos` sets rules.
    var faults: FaultInjector {
        guard let faults = context.settings.faults else { preconditionFailure("every node installs a fault injector") }
        return faults
    }

    /// Loss draws repeat run to run for the same node name (FNV-1a of the name).
    static func faultSeed(_ name: String) -> UInt64 {
        name.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    /// The port `/metrics` is served on once `run` bound it; nil when off or not bound.
    public var metricsPort: Int? { metricsServer.withLock { $0?.port } }

    public init(config: NodeConfig, logger baseLogger: Logger) throws {
        var logger = baseLogger
        logger[metadataKey: "node"] = "\(config.name)"
        try DataFolder.create(config.dataDirectory)
        let identity = try IdentityFile.loadOrCreate(path: config.identityPath)
        let registry = MachineRegistry(topology: config.topology)
        if let cached = RegistryCache.load(path: config.registryCachePath) { registry.update(cached) }
        var settings = try Transport.Settings(
            nodeName: config.name, identity: identity, clusterID: config.secrets.clusterID,
            joinToken: config.secrets.joinToken, limits: config.transportLimits, faults: FaultInjector(seed: Self.faultSeed(config.name)), logger: logger)
        settings.admit = { [registry, logger] peer in
            let refusal = registry.admissionRefusal(for: peer)
            if let refusal { logger.warning("refused a link: \(refusal)", metadata: ["peer": "\(peer)"]) }
            return refusal
        }
        // Outgoing links check the pinned key of the machine they dial: gossip may suggest an
        // address, never an identity.
        settings.pinnedKey = { [registry] name in registry.pinnedKey(of: name) }
        let router = LateHandler()
        let peers = PeerDirectory(settings: settings, handler: router, logger: logger)
        context = NodeContext(config: config, settings: settings, peers: peers, logger: logger, registry: registry)
        consensus = try ConsensusService(context: context)
        membership = try MembershipService(context: context)
        blocks = try BlockService(context: context)
        context.attach(consensus: consensus, membership: membership, blocks: blocks)
        scrubber = ScrubService(context: context, stores: blocks.disks.map(\.store))
        metrics = NodeMetrics(node: config.name)
        router.target.withLock { $0 = self }
    }

    /// Binds the node's port, starts every service and serves until cancelled.
    public func run() async throws {
        for machine in context.registry.machines where machine.name != config.name {
            await context.peers.setAddress(machine.address, of: machine.name)
        }
        let server = try await NodeServer.bind(
            host: config.machine.address.host, port: config.machine.address.port,
            settings: context.settings, handler: self, roster: links)
        context.logger.info("node listening", metadata: ["address": "\(config.machine.address)"])
        let metricsServer = await bindMetrics()
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.run() }
                group.addTask { try await self.consensus.run() }
                group.addTask { try await self.membership.run() }
                group.addTask { try await self.blocks.run() }
                group.addTask { try await self.scrubber.run() }
                if let metricsServer { group.addTask { try await metricsServer.run() } }
                if let gateway = config.gateway, let address = config.s3Address {
                    let context = self.context
                    group.addTask { try await gateway.run(address: address, context: context) }
                }
                group.addTask { await self.followRegistry() }
                group.addTask { try await self.unlockKeys() }
            }
        } catch {
            // Cancelled or failed: close every outbound link too, or a stopped
            // node would keep talking to whoever takes its peers' ports next.
            await context.peers.shutdown()
            await server.close()
            await metricsServer?.close()
            throw error
        }
        await context.peers.shutdown()
    }

    /// Metrics are for operators, not for the cluster: a port that cannot be
    /// bound costs one error line, never the node.
    private func bindMetrics() async -> MetricsServer? {
        guard let address = config.metricsAddress else { return nil }
        do {
            let server = try await MetricsServer.bind(host: address.host, port: address.port, logger: context.logger) {
                [self] in metrics.render(await metricsSnapshot())
            }
            metricsServer.withLock { $0 = server }
            context.logger.info("metrics listening", metadata: ["address": "http://\(address.host):\(server.port)\(MetricsServer.path)"])
            return server
        } catch {
            context.logger.error("cannot serve metrics; the node runs without them", metadata: [
                "address": "\(address)", "error": "\(error)", "hint": "set metricsAddress in the topology or --metrics-listen"])
            return nil
        }
    }

    /// What `/metrics` shows, gathered now.
    public func metricsSnapshot() async -> MetricsSnapshot {
        var classes: [String: MetricsSnapshot.DiskClassFigures] = [:]
        var held = 0
        for local in blocks.disks {
            let usage = local.store.usage
            let name = local.disk.diskClass.rawValue
            var figures = classes[name] ?? .init(diskClass: name, capacityBytes: 0, usedBytes: 0)
            figures.capacityBytes += usage.capacityBytes
            figures.usedBytes += usage.usedBytes
            classes[name] = figures
            held += usage.blockCount
        }
        let raft = await consensus.raftStatus()
        let isMaster = await consensus.isMaster
        var states: [String: Int] = [:]
        for state in NodeMetrics.memberStates { states[state] = 0 }
        for member in await membership.members() { states[member.state, default: 0] += 1 }
        var cluster: MetricsSnapshot.ClusterFigures?
        if isMaster {
            let report = await blocks.capacityReport()
            cluster = .init(underReplicatedBlocks: report.cluster.underReplicated, missingBlocks: report.cluster.missing)
        }
        return MetricsSnapshot(
            disks: classes.values.sorted { $0.diskClass < $1.diskClass }, blocksHeld: held, scrub: scrubber.status,
            raftTerm: raft.term, raftCommitIndex: raft.commitIndex, isMaster: isMaster, membersByState: states,
            receivedBytes: context.settings.traffic.receivedBytes, sentBytes: context.settings.traffic.sentBytes,
            rpc: rpcCounters.snapshot, cluster: cluster)
    }

    // MARK: NodeMessageHandler

    public func handleRequest(op: UInt16, payload: ByteBuffer, from peer: Peer) async throws -> ByteBuffer {
        rpcCounters.onRequest(op: op)
        guard let operation = RPCOperation(code: op) else {
            throw RPCFailure(.unknownOperation, "operation \(op) is not known to \(config.name) (a newer client?)")
        }
        try authorize(peer, operation.clearance, what: "\(operation)")
        return switch operation {
        case .catalog(let op): try await consensus.handleRequest(op, payload: payload, from: peer)
        case .block(let op, let forwarded): try await blocks.handleRequest(op, forwarded: forwarded, payload: payload, from: peer)
        case .scrubStatus: ScrubOps.statusReply(scrubber.status)
        case .membership(let op): await membership.handleRequest(op, payload: payload, from: peer)
        case .admin(let op): try ChaosOps.handle(op, payload: payload, faults: faults)
        }
    }

    public func handleOneWay(channel: OneWayChannel, payload: ByteBuffer, from peer: Peer) async {
        rpcCounters.onOneWay(channel)
        do { try authorize(peer, channel.clearance, what: "\(channel) messages") } catch {
            // One-way: nobody to answer. Dropped, logged at debug only: a flood must not flood the log.
            context.logger.debug("dropped a one-way message", metadata: ["peer": "\(peer)", "reason": "\(error)"])
            return
        }
        switch channel {
        case .raft: await consensus.onRaftMessage(payload, from: peer)
        case .swim: await membership.onSwimMessage(payload, from: peer)
        case .blockReport: await blocks.onBlockReport(payload, from: peer)
        }
    }

    public func handleStream(first: Transport.Message, inbound: Connection.Inbound.AsyncIterator, connection: Connection) async throws {
        rpcCounters.onStream()
        guard let clearance = BlockStream.clearance(openingKind: first.kind) else {
            throw RPCFailure(.malformed, "a block stream cannot open with message kind \(first.kind)")
        }
        try authorize(connection.peer, clearance, what: "block stream \(first.kind)")
        try await blocks.handleStream(first: first, inbound: inbound, connection: connection)
    }

    /// The door: every request, one-way message and stream is checked against the peer's
    /// principal as this node knows it now (a revoked user is refused from the moment this node
    /// hears of it, on links already up too).
    func authorize(_ peer: Peer, _ clearance: Clearance, what: String) throws {
        guard let principal = context.registry.principal(for: peer) else {
            throw RPCFailure(.forbidden, "\(peer.name) is no longer admitted by \(config.name) (user revoked or re-keyed, or machine removed)")
        }
        guard principal.may(clearance) else {
            throw RPCFailure(.forbidden, "\(what) needs \(clearance); \(peer.name) is \(principal)")
        }
        if case .machine = principal { pinKeyIfNeeded(peer) }
    }
}

/// Lets the peer directory (built before the node) deliver to the node once it exists.
final class LateHandler: NodeMessageHandler {
    let target = Mutex<(any NodeMessageHandler)?>(nil)

    private var node: any NodeMessageHandler {
        get throws {
            guard let node = target.withLock({ $0 }) else { throw RPCFailure(.unavailable, "node is starting") }
            return node
        }
    }

    func handleRequest(op: UInt16, payload: ByteBuffer, from peer: Peer) async throws -> ByteBuffer {
        try await node.handleRequest(op: op, payload: payload, from: peer)
    }

    func handleOneWay(channel: OneWayChannel, payload: ByteBuffer, from peer: Peer) async {
        await (try? node)?.handleOneWay(channel: channel, payload: payload, from: peer)
    }

    func handleStream(first: Transport.Message, inbound: Connection.Inbound.AsyncIterator, connection: Connection) async throws {
        try await node.handleStream(first: first, inbound: inbound, connection: connection)
    }
}
