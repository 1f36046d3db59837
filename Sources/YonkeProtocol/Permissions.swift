import Catalog

/// Who is on the other end of a link, as the node's door classifies it (`YonkeNode`): a machine
/// that presented the key pinned for its name in the registry, a person whose key the user
/// registry holds, or someone who proved only the join token (and may only ask to join).
public enum Principal: Sendable, Equatable, CustomStringConvertible {
    case machine(String)
    case user(String, Catalog.UserRole)
    case joiner(String)

    public var description: String {
        switch self {
        case .machine(let name): "machine \(name)"
        case .user(let name, let role): "user \(name) (\(role))"
        case .joiner(let name): "joining machine \(name)"
        }
    }

    /// The one rule of who may do what.
    public func may(_ clearance: Clearance) -> Bool {
        switch (self, clearance) {
        case (.machine, _), (_, .admitted): true
        case (.user(_, let role), .role(let needed)): role >= needed
        case (.joiner, .join): true
        case (.user, .machine), (.user, .join), (.joiner, .machine), (.joiner, .role): false
        }
    }
}

/// What an operation asks of its caller.
public enum Clearance: Sendable, Equatable, CustomStringConvertible {
    /// A user with at least this role (machines always pass).
    case role(Catalog.UserRole)
    /// Node-to-node traffic: Raft, gossip, block reports, replica moves, snapshot transfer.
    case machine
    /// `node join`: token holders and machines.
    case join
    /// Anyone the door let in: where the master is, who is up (a joiner looks for the master).
    case admitted

    public var description: String {
        switch self {
        case .role(let role): "the \(role) role"
        case .machine: "a cluster machine's pinned key"
        case .join: "the join token"
        case .admitted: "an admitted link"
        }
    }
}

extension RPCOperation {
    public var clearance: Clearance {
        switch self {
        case .catalog(let op):
            switch op {
            case .status, .whoIsMaster: .admitted
            case .ls, .stat, .keyring, .jobList: .role(.reader)
            case .commitFile, .rm: .role(.writer)
            // Defining and running ingest jobs (`jobs run --here` runs one in the CLI: it leases,
            // renews, commits or fails the run itself).
            case .jobDefine, .jobRunNow, .jobResetBookmark, .jobStart, .jobRenew, .jobCommit, .jobFail: .role(.writer)
            case .jobExecute: .machine
            case .s3KeyCreate: .role(.admin)
            // The sealed secret goes to the machines' gateways only (readers hold the keyring).
            case .s3KeyLookup: .machine
            case .joinToken, .moveMaster, .users: .role(.admin)
            case .join: .join
            case .propose, .readIndex, .forward, .snapshotChunk, .registry, .keyShare: .machine
            }
        case .block(_, true):
            .machine
        case .block(let op, false):
            switch op {
            // A reader's report that a replica is bad only makes its holder check it (`BlockService`).
            case .locations, .capacity, .rebalancePlan, .reportCorrupt: .role(.reader)
            case .placement: .role(.writer)
            case .setMachineState: .role(.admin)
            case .replicate, .deleteReplica, .collectGarbage, .verifyReplica: .machine
            }
        case .scrubStatus, .membership(.members): .role(.reader)
        case .admin(.setFaults), .admin(.faults): .role(.admin)
        }
    }
}

extension RPCOperation: CustomStringConvertible {
    /// How refusals name an operation: "catalog joinToken", "block placement".
    public var description: String {
        switch self {
        case .catalog(let op): "catalog \(op)"
        case .block(let op, let forwarded): "block \(op)\(forwarded ? " (relayed)" : "")"
        case .scrubStatus: "scrub status"
        case .membership(let op): "membership \(op)"
        case .admin(let op): "admin \(op)"
        }
    }
}

extension OneWayChannel {
    /// Raft, gossip and block reports are the machines' own.
    public var clearance: Clearance { .machine }
}

extension BlockStream {
    /// A write stream stores data (a writer's put, or a replica forwarded along a pipeline); a read
    /// stream serves it.
    public static func clearance(openingKind kind: UInt8) -> Clearance? {
        switch kind {
        case writeOpen: .role(.writer)
        case readOpen: .role(.reader)
        default: nil
        }
    }
}
