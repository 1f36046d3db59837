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

    public var config: NodeConfig { context.config }

    public init(config: NodeConfig, logger baseLogger: Logger) throws {
        var logger = baseLogger
        logger[metadataKey: "node"] = "\(config.name)"
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        let identity = try IdentityFile.loadOrCreate(path: config.identityPath)
        let registry = MachineRegistry(topology: config.topology)
        var settings = try Transport.Settings(
            nodeName: config.name, identity: identity, clusterID: config.secrets.clusterID,
            joinToken: config.secrets.joinToken, logger: logger)
        settings.admit = { [registry, logger] peer in
            let refusal = registry.admissionRefusal(for: peer)
            if let refusal { logger.warning("refused a link: \(refusal)", metadata: ["peer": "\(peer)"]) }
            return refusal
        }
        let router = LateHandler()
        let peers = PeerDirectory(settings: settings, handler: router, logger: logger)
        context = NodeContext(config: config, settings: settings, peers: peers, logger: logger, registry: registry)
        consensus = try ConsensusService(context: context)
        membership = try MembershipService(context: context)
        blocks = try BlockService(context: context)
        context.attach(consensus: consensus, membership: membership, blocks: blocks)
        router.target.withLock { $0 = self }
    }

    /// Binds the node's port, starts every service and serves until cancelled.
    public func run() async throws {
        for machine in context.registry.machines where machine.name != config.name {
            await context.peers.setAddress(machine.address, of: machine.name)
        }
        let server = try await NodeServer.bind(
            host: config.machine.address.host, port: config.machine.address.port,
            settings: context.settings, handler: self)
        context.logger.info("node listening", metadata: ["address": "\(config.machine.address)"])
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.run() }
                group.addTask { try await self.consensus.run() }
                group.addTask { try await self.membership.run() }
                group.addTask { try await self.blocks.run() }
                group.addTask { await self.followRegistry() }
            }
        } catch {
            // Cancelled or failed: close every outbound link too, or a stopped
            // node would keep talking to whoever takes its peers' ports next.
            await context.peers.shutdown()
            await server.close()
            throw error
        }
        await context.peers.shutdown()
    }

    // MARK: NodeMessageHandler

    public func handleRequest(op: UInt16, payload: ByteBuffer, from peer: Peer) async throws -> ByteBuffer {
        pinKeyIfNeeded(peer)
        return switch op {
        case RPCOperationRange.consensus: try await consensus.handleRequest(op: op, payload: payload, from: peer)
        case RPCOperationRange.blocks: try await blocks.handleRequest(op: op, payload: payload, from: peer)
        case RPCOperationRange.membership: try await membership.handleRequest(op: op, payload: payload, from: peer)
        default: throw RPCFailure(.unknownOperation, "operation \(op) is not known to \(config.name) (a newer client?)")
        }
    }

    public func handleOneWay(channel: OneWayChannel, payload: ByteBuffer, from peer: Peer) async {
        pinKeyIfNeeded(peer)
        switch channel {
        case .raft: await consensus.onRaftMessage(payload, from: peer)
        case .swim: await membership.onSwimMessage(payload, from: peer)
        case .blockReport: await blocks.onBlockReport(payload, from: peer)
        }
    }

    public func handleStream(first: Transport.Message, inbound: Connection.Inbound.AsyncIterator, connection: Connection) async throws {
        try await blocks.handleStream(first: first, inbound: inbound, connection: connection)
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
