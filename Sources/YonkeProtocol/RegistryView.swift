import Catalog

/// The machine and user registries as a voter applied them (`CatalogOps.Op.registry`):
/// how non-voters follow them.
public struct RegistryView: Sendable, Hashable {
    public var records: [Catalog.NodeRecord]
    /// The join key of the last rotation (nil: the token the cluster was created with).
    public var joinKeyHex: String?
    public var users: [Catalog.UserRecord]

    public init(records: [Catalog.NodeRecord], joinKeyHex: String?, users: [Catalog.UserRecord]) {
        self.records = records
        self.joinKeyHex = joinKeyHex
        self.users = users
    }
}
