import YonkeProtocol
import YonkeClient
import Membership
import YonkeCore

/// One member as this node sees it: what `status`, `yonke members` and the
/// placement of blocks need, flattened from the SWIM record so that other
/// services and the CLI never depend on the SWIM core's types.
public struct MemberView: Sendable, Hashable, Codable {
    public var name: String
    /// `host:port` the member listens on.
    public var address: String
    /// "alive", "suspect", "dead" or "left".
    public var state: String
    /// Raised only by the member itself, to refute a suspicion or publish new metadata.
    public var incarnation: UInt64
    /// Topology roles, sorted: "voter" (may be master), "worker" (stores blocks).
    public var roles: [String]
    public var rack: String
    /// Classes of the member's disks, sorted ("hdd", "ssd").
    public var diskClasses: [String]
    /// Summed over tiers: the member publishes its totals (see `LocalMetadata`).
    public var capacityBytes: Int64
    public var usedBytes: Int64
    /// Since this node last received a SWIM message from the member; nil for
    /// this node itself and for members heard of only through gossip.
    public var lastHeardMillisAgo: Int?

    public init(name: String, address: String, state: String, incarnation: UInt64, roles: [String], rack: String,
                diskClasses: [String], capacityBytes: Int64, usedBytes: Int64, lastHeardMillisAgo: Int?) {
        self.name = name
        self.address = address
        self.state = state
        self.incarnation = incarnation
        self.roles = roles
        self.rack = rack
        self.diskClasses = diskClasses
        self.capacityBytes = capacityBytes
        self.usedBytes = usedBytes
        self.lastHeardMillisAgo = lastHeardMillisAgo
    }

    public var isAlive: Bool { state == MemberView.alive }

    public static let alive = "alive"
    public static let suspect = "suspect"
    public static let dead = "dead"
    public static let left = "left"
}

/// A change in this node's view, as the other services observe it
/// (`MembershipService.changes()`): the master heals on `dead`, drains on `left`.
public struct MemberChange: Sendable, Hashable {
    /// The member after the change.
    public var member: MemberView
    /// The state before; nil when the member is new to this node (first seen,
    /// or a restart: a new generation of a known name).
    public var previousState: String?
    /// True when only the metadata changed (capacity, usage, labels), not the state.
    public var metadataOnly: Bool

    public init(member: MemberView, previousState: String?, metadataOnly: Bool) {
        self.member = member
        self.previousState = previousState
        self.metadataOnly = metadataOnly
    }
}

extension MemberView {
    init(_ member: SWIM.Member, lastHeardMillisAgo: Int?) {
        let metadata = member.metadata
        self.init(
            name: member.id.name, address: metadata.address, state: member.status.description,
            incarnation: member.incarnation, roles: LocalMetadata.list(metadata.labels[LocalMetadata.rolesLabel]),
            rack: metadata.rack, diskClasses: LocalMetadata.list(metadata.labels[LocalMetadata.disksLabel]),
            // Figures from the wire: a sum that would overflow saturates instead of trapping.
            capacityBytes: SWIM.Tier.allCases.saturatingSum { max(0, metadata[$0].capacityBytes) },
            usedBytes: SWIM.Tier.allCases.saturatingSum { max(0, metadata[$0].usedBytes) },
            lastHeardMillisAgo: lastHeardMillisAgo)
    }
}
