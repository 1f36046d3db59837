import YonkeProtocol
import YonkeClient
import Logging
import Synchronization
import Transport

/// What every service of a node shares: its configuration, its links to the
/// other nodes, its logger, and (once all are built) the other services.
public final class NodeContext: Sendable {
    public let config: NodeConfig
    public let settings: Transport.Settings
    public let peers: PeerDirectory
    public let logger: Logger
    /// The cluster's machines (the catalog's registry, or the topology until it is heard).
    public let registry: MachineRegistry
    /// The data keyring, once this node holds it.
    public let keys: NodeKeys
    private let services = Mutex<(consensus: ConsensusService, membership: MembershipService, blocks: BlockService)?>(nil)

    init(config: NodeConfig, settings: Transport.Settings, peers: PeerDirectory, logger: Logger, registry: MachineRegistry) {
        self.config = config
        self.registry = registry
        self.keys = NodeKeys(secrets: config.secrets, ownShare: config.keyShare)
        self.settings = settings
        self.peers = peers
        self.logger = logger
    }

    func attach(consensus: ConsensusService, membership: MembershipService, blocks: BlockService) {
        services.withLock { $0 = (consensus, membership, blocks) }
    }

    private var attached: (consensus: ConsensusService, membership: MembershipService, blocks: BlockService) {
        guard let services = services.withLock({ $0 }) else {
            preconditionFailure("a service used another before the node attached them")
        }
        return services
    }

    public var consensus: ConsensusService { attached.consensus }
    public var membership: MembershipService { attached.membership }
    public var blocks: BlockService { attached.blocks }
}
