import Catalog

/// The machine registry as a voter applied it (`CatalogOps.Op.registry`):
/// how non-voters follow it.
public struct RegistryView: Sendable, Hashable {
    public var records: [Catalog.NodeRecord]
    public var joinToken: String?

    public init(records: [Catalog.NodeRecord], joinToken: String?) {
        self.records = records
        self.joinToken = joinToken
    }
}
