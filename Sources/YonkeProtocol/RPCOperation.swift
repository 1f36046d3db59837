/// Every request a node answers, decoded from its op code once, at the door
/// (`YonkeNode.handleRequest`), and switched on exhaustively from there: an
/// unknown code is refused as `unknownOperation` before any service sees it.
/// Codes by service: 0x00xx catalog and consensus, 0x01xx blocks, 0x02xx
/// membership, 0x03xx administration.
public enum RPCOperation: Sendable, Equatable {
    /// Catalog and consensus (0x00xx).
    case catalog(CatalogOps.Op)
    /// Blocks (0x01xx); `forwarded`: relayed to the master by another node.
    case block(BlockOps.Op, forwarded: Bool)
    /// One node's own scrubber figures (in the blocks range, never forwarded).
    case scrubStatus
    /// Membership (0x02xx).
    case membership(Membership)
    /// Fault injection on one node (0x03xx), for `yonke chaos`.
    case admin(Admin)

    public enum Membership: UInt16, Sendable, CaseIterable {
        /// → `[MemberView]` as the node asked sees it, sorted by name (JSON).
        case members = 0x0200
    }

    public enum Admin: UInt16, Sendable, CaseIterable {
        /// `[FaultRule]` → the node's rules afterwards. Replaces every rule the node had.
        case setFaults = 0x0300
        /// → `[FaultRule]` in force on the node.
        case faults = 0x0301
    }

    public static let scrubStatusCode: UInt16 = 0x01F0

    public init?(code: UInt16) {
        if code == Self.scrubStatusCode {
            self = .scrubStatus
        } else if let op = CatalogOps.Op(rawValue: code) {
            self = .catalog(op)
        } else if let (op, forwarded) = BlockOps.decodeOp(code) {
            self = .block(op, forwarded: forwarded)
        } else if let op = Membership(rawValue: code) {
            self = .membership(op)
        } else if let op = Admin(rawValue: code) {
            self = .admin(op)
        } else {
            return nil
        }
    }

    public var code: UInt16 {
        switch self {
        case .catalog(let op): op.rawValue
        case .block(let op, let forwarded): op.rawValue | (forwarded ? BlockOps.forwardedBit : 0)
        case .scrubStatus: Self.scrubStatusCode
        case .membership(let op): op.rawValue
        case .admin(let op): op.rawValue
        }
    }
}
