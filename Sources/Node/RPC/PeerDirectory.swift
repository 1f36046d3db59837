import YonkeProtocol
import YonkeClient
import Logging
import NIOCore
import Synchronization
import Topology
import Transport

/// Outbound links to other nodes by name: one link per peer, opened on first
/// use, reopened after it breaks. One-way messages go through a bounded queue
/// per peer so that a slow or dead peer never blocks the sender (Raft and SWIM
/// must keep ticking while a machine hangs); they are dropped while the peer
/// is unreachable, which both protocols tolerate.
public actor PeerDirectory {
    /// Runs on a control-plane thread, never behind block work (`ControlPlane`).
    private nonisolated let controlExecutor = ControlPlane.executor()
    public nonisolated var unownedExecutor: UnownedSerialExecutor { controlExecutor.asUnownedSerialExecutor() }

    /// A node's listening address: the topology's own type, so addresses from
    /// topology files, gossip and `--cluster` are parsed and printed one way.
    public typealias Address = Topology.Address

    let settings: Transport.Settings
    let handler: any NodeMessageHandler
    let logger: Logger
    /// How long a call waits for a link to open before failing.
    let connectTimeout: Duration

    private var addresses: [String: Address] = [:]
    private var links: [String: RPCLink] = [:]
    private var connecting: [String: Task<RPCLink, any Error>] = [:]
    private var queues: [String: AsyncStream<(OneWayChannel, ByteBuffer)>.Continuation] = [:]
    private var background: [Task<Void, Never>] = []

    public init(settings: Transport.Settings, handler: any NodeMessageHandler, logger: Logger,
                connectTimeout: Duration = .seconds(2)) {
        self.settings = settings
        self.handler = handler
        self.logger = logger
        self.connectTimeout = connectTimeout
    }

    public func setAddress(_ address: Address, of name: String) {
        if addresses[name] != address {
            addresses[name] = address
            links.removeValue(forKey: name)?.close()
        }
    }

    public func address(of name: String) -> Address? { addresses[name] }
    public var knownPeers: [String] { addresses.keys.sorted() }

    /// A live link to `name`, opening one if needed.
    public func link(to name: String) async throws -> RPCLink {
        if let link = links[name], !link.isClosed { return link }
        if let pending = connecting[name] { return try await pending.value }
        guard let address = addresses[name] else {
            throw RPCFailure(.unavailable, "no address known for node \(name)")
        }
        let task = Task { try await self.open(address, expectedName: name) }
        connecting[name] = task
        defer { connecting[name] = nil }
        let link = try await task.value
        links[name] = link
        return link
    }

    public func call(_ name: String, op: UInt16, payload: ByteBuffer, timeout: Duration = .seconds(5)) async throws -> ByteBuffer {
        try await link(to: name).call(op: op, payload: payload, timeout: timeout)
    }

    /// Best effort, in order per peer, never blocks the caller.
    public func sendOneWay(to name: String, channel: OneWayChannel, payload: ByteBuffer) {
        if let queue = queues[name] {
            queue.yield((channel, payload))
            return
        }
        let (stream, continuation) = AsyncStream.makeStream(
            of: (OneWayChannel, ByteBuffer).self, bufferingPolicy: .bufferingNewest(4096))
        queues[name] = continuation
        continuation.yield((channel, payload))
        background.append(Task { await self.pump(stream, to: name) })
    }

    private func pump(_ stream: AsyncStream<(OneWayChannel, ByteBuffer)>, to name: String) async {
        var retryAfter = ContinuousClock.now
        for await (channel, payload) in stream {
            guard ContinuousClock.now >= retryAfter else { continue } // peer down: drop until the next retry
            do {
                try await link(to: name).sendOneWay(channel: channel, payload: payload)
            } catch {
                retryAfter = ContinuousClock.now + .milliseconds(200)
                logger.debug("one-way send failed", metadata: ["peer": "\(name)", "error": "\(error)"])
            }
        }
    }

    private func open(_ address: Address, expectedName: String?) async throws -> RPCLink {
        let (link, task) = try await RPCConnector.open(
            address, expectedName: expectedName, settings: settings, handler: handler, logger: logger,
            timeout: connectTimeout)
        background.append(task)
        return link
    }

    /// Closes every link and stops every background task.
    public func shutdown() {
        for link in links.values { link.close() }
        links = [:]
        for queue in queues.values { queue.finish() }
        queues = [:]
        for task in background { task.cancel() }
        background = []
    }
}
