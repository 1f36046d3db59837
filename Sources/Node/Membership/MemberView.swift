/// One member as SWIM currently sees it (spec: `MembershipService.members()`).
/// Defined by the consensus helper exactly as the integration spec describes it,
/// so that `status` compiles before the membership service lands: the
/// membership helper owns this type (resolve the duplicate at merge).
public struct MemberView: Sendable, Hashable, Codable {
    public var name: String
    /// `host:port` its peers dial.
    public var address: String
    /// "alive", "suspect", "dead" or "left".
    public var state: String
    public var incarnation: UInt64
    public var roles: [String]
    public var rack: String
    public var diskClasses: [String]
    public var capacityBytes: Int64
    public var usedBytes: Int64
    public var lastHeardMillisAgo: Int64?

    public init(name: String, address: String, state: String, incarnation: UInt64, roles: [String], rack: String,
                diskClasses: [String], capacityBytes: Int64, usedBytes: Int64, lastHeardMillisAgo: Int64? = nil) {
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
}
