import Catalog
import Topology

/// Between the catalog's records and the topology's machines.
public enum RegistryMapping {
    public static func roles(_ roles: [Topology.Role]) -> Catalog.Roles {
        var result: Catalog.Roles = []
        if roles.contains(.voter) { result.insert(.master) }
        if roles.contains(.worker) { result.formUnion([.storage, .compute]) }
        return result
    }

    public static func roles(_ roles: Catalog.Roles) -> [Topology.Role] {
        var result: [Topology.Role] = []
        if roles.contains(.master) { result.append(.voter) }
        if roles.contains(.storage) { result.append(.worker) }
        return result
    }

    public static func admission(_ machine: Topology.Machine, publicKeyHex: String, epochMillis: Int64) -> Catalog.MachineAdmission {
        Catalog.MachineAdmission(
            name: machine.name, publicKeyHex: publicKeyHex, address: machine.address.description,
            roles: roles(machine.roles), rack: machine.rack,
            disks: machine.disks.map {
                Catalog.NodeDisk(path: $0.path, capacityBytes: $0.capacityBytes, diskClass: $0.diskClass == .ssd ? .ssd : .hdd)
            },
            epochMillis: epochMillis)
    }

    /// nil for a record whose address does not parse (the catalog only checks it is text).
    public static func machine(_ record: Catalog.NodeRecord, diskAgeYears: Double? = nil) -> Topology.Machine? {
        guard let address = Topology.Address(parsing: record.address) else { return nil }
        return Topology.Machine(
            name: record.name, address: address, roles: roles(record.roles),
            rack: record.rack.isEmpty ? TopologyFile.defaultRack : record.rack,
            disks: record.disks.map {
                Topology.Disk(path: $0.path, capacityBytes: $0.capacityBytes, diskClass: $0.diskClass == .ssd ? .ssd : .hdd)
            },
            diskAgeYears: diskAgeYears)
    }

    /// Topology machines first (file order, their declared disk age kept), then the others by name.
    public static func machines(_ records: [Catalog.NodeRecord], topology: Topology) -> [Topology.Machine] {
        let byName = Dictionary(records.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [Topology.Machine] = []
        for known in topology.machines {
            if let record = byName[known.name], let machine = machine(record, diskAgeYears: known.diskAgeYears) {
                result.append(machine)
            }
        }
        let topologyNames = Set(topology.machines.map(\.name))
        for record in records where !topologyNames.contains(record.name) {
            if let machine = machine(record) { result.append(machine) }
        }
        return result
    }
}
