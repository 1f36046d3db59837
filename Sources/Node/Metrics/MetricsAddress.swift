import Topology

extension Topology.Machine {
    /// The topology's `metricsAddress`, else the node's port + 1000 on the same
    /// host (7401 → 8401); nil when that is past the last port.
    public var metricsAddressOrDefault: Topology.Address? {
        if let metricsAddress { return metricsAddress }
        let port = address.port + 1_000
        return port <= 65_535 ? Topology.Address(host: address.host, port: port) : nil
    }
}
