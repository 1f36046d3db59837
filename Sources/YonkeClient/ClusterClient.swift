import BlockCodec
import Topology
import YonkeProtocol
import Logging
import NIOCore
import Transport

/// How the CLI talks to a cluster: any of its endpoints answers (writes are
/// forwarded to the master by the node asked). Like etcd's `--endpoints`, the
/// next address is tried when one is down or cut off from the quorum.
public actor ClusterClient {
    public let endpoints: [Topology.Address]
    /// The client's own link settings (an identity made for this run), for block streams too.
    public nonisolated let settings: Transport.Settings
    public let logger: Logger
    private var current: (index: Int, link: RPCLink, task: Task<Void, Never>)?
    private var cachedKeyring: Keyring?

    /// A person's client: links under the user's name and key.
    public init(endpoints: [Topology.Address], credential: UserCredential, logger: Logger) throws {
        try self.init(endpoints: endpoints, settings: try credential.settings(logger: logger), logger: logger)
    }

    /// A client that links under its own name and key (a machine joining the cluster).
    public init(endpoints: [Topology.Address], settings: Transport.Settings, logger: Logger) throws {
        guard !endpoints.isEmpty else { throw NodeError.invalidConfig("no cluster endpoint given (--cluster HOST:PORT)") }
        self.endpoints = endpoints
        self.logger = logger
        self.settings = settings
    }

    /// The node that answered last (a name from its identity handshake).
    public var connectedNode: String? { current?.link.peer.name }

    /// Sends one request, moving to the next endpoint when a node cannot be
    /// reached or answers `unavailable`/`noQuorum`. Other failures are final.
    public func call(op: UInt16, payload: ByteBuffer, timeout: Duration = .seconds(10)) async throws -> ByteBuffer {
        var lastError: (any Error)?
        var noQuorum: RPCFailure?
        let start = current?.index ?? 0
        for attempt in 0..<endpoints.count {
            let index = (start + attempt) % endpoints.count
            do {
                let link = try await link(index)
                return try await link.call(op: op, payload: payload, timeout: timeout)
            } catch let failure as RPCFailure where ![.unavailable, .noQuorum, .timeout].contains(failure.code) {
                throw failure
            } catch {
                lastError = error
                if let failure = error as? RPCFailure, failure.code == .noQuorum { noQuorum = failure }
                drop()
                logger.debug("endpoint failed, trying the next", metadata: ["endpoint": "\(endpoints[index])", "error": "\(error)"])
            }
        }
        // "No quorum" from a node that answered says more than a refused connection elsewhere.
        if let noQuorum { throw noQuorum }
        throw ClusterClientError.allEndpointsFailed(endpoints: endpoints.map(\.description), last: lastError.map { "\($0)" } ?? "none")
    }

    private func link(_ index: Int) async throws -> RPCLink {
        if let current, current.index == index, !current.link.isClosed { return current.link }
        drop()
        let (link, task) = try await RPCConnector.open(
            endpoints[index], expectedName: nil, settings: settings, handler: RefusingHandler(), logger: logger,
            timeout: .seconds(3))
        current = (index, link, task)
        return link
    }

    private func drop() {
        current?.link.close()
        current?.task.cancel()
        current = nil
    }

    public func close() { drop() }

    /// The cluster's data keyring (asked once per client, over the sealed link; reader role).
    public func keyring() async throws -> Keyring {
        if let cachedKeyring { return cachedKeyring }
        var reply = try await call(op: CatalogOps.Op.keyring.rawValue, payload: ByteBuffer())
        let text = try reply.readWireString("keyring", maxBytes: RegistryWire.maxSecretsBytes)
        try reply.expectFullyRead("keyring reply")
        let keyring = try Keyring.parse(fileContents: text).0
        guard keyring.clusterID == settings.clusterID else {
            throw ClientError("the keyring from \(connectedNode ?? "the cluster") is for another cluster", hint: "check --cluster and your credential file")
        }
        cachedKeyring = keyring
        return keyring
    }
}

public enum ClusterClientError: Error, CustomStringConvertible {
    case allEndpointsFailed(endpoints: [String], last: String)

    public var description: String {
        switch self {
        case let .allEndpointsFailed(endpoints, last):
            "no node answered (tried \(endpoints.joined(separator: ", "))); last error: \(last)"
        }
    }
}
