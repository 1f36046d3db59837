import Yams
import YonkeCore

/// Walks the YAML tree by hand (not Codable) so that every error can name the
/// line and the field path where the operator has to look.
struct TopologyDecoder {
    let fileName: String

    init(fileName: String) {
        self.fileName = fileName
    }

    mutating func decode(_ root: Node) throws(TopologyError) -> Topology {
        let top = try mapping(root, field: "")
        try checkKeys(top, allowed: ["cluster", "machines"], field: "")
        guard let clusterNode = top["cluster"] else {
            throw error(root, "", "missing `cluster:` (name, blockSize, replicationFactor)")
        }
        let cluster = try decodeCluster(clusterNode)
        guard let machinesNode = top["machines"] else {
            throw error(root, "", "missing `machines:` (a list of machines)")
        }
        guard case let .sequence(list) = machinesNode else {
            throw error(machinesNode, "machines", "expected a list of machines")
        }
        var machines: [Topology.Machine] = []
        for (index, node) in list.enumerated() {
            machines.append(try decodeMachine(node, field: "machines[\(index)]"))
        }
        let topology = Topology(cluster: cluster, machines: machines)
        try TopologyValidation.check(topology, nodes: Array(list), decoder: self, machinesNode: machinesNode)
        return topology
    }

    private func decodeCluster(_ node: Node) throws(TopologyError) -> Topology.ClusterSettings {
        let map = try mapping(node, field: "cluster")
        try checkKeys(map, allowed: ["name", "blockSize", "replicationFactor", "scrubMbps", "scrubIntervalHours", "healGrace", "rebalanceMbps", "gcGrace"], field: "cluster")
        let name = try requiredString(map, "name", in: node, field: "cluster")
        var blockSizeBytes = TopologyFile.defaultBlockSizeBytes
        if let sizeNode = map["blockSize"] {
            blockSizeBytes = try size(sizeNode, field: "cluster.blockSize")
            guard (1...SizeLimits.maxBlockSizeBytes).contains(blockSizeBytes) else {
                throw error(sizeNode, "cluster.blockSize", "\(ByteCount.format(blockSizeBytes)) is not a block size (more than 0, at most \(ByteCount.format(SizeLimits.maxBlockSizeBytes)); usually 64MiB)")
            }
        }
        var replicationFactor = TopologyFile.defaultReplicationFactor
        if let rfNode = map["replicationFactor"] {
            guard let value = scalar(rfNode).flatMap({ Int($0) }), (1...16).contains(value) else {
                throw error(rfNode, "cluster.replicationFactor", "'\(text(rfNode))' is not a replication factor (a whole number from 1 to 16, usually 3)")
            }
            replicationFactor = value
        }
        var scrubMbps: Double?
        if let node = map["scrubMbps"] {
            guard let value = scalar(node).flatMap({ Double($0) }), value.isFinite, value >= 0, value <= 100_000 else {
                throw error(node, "cluster.scrubMbps", "'\(text(node))' is not a scrub rate in MB/s (a number from 0 = off to 100000, e.g. 20)")
            }
            scrubMbps = value
        }
        var scrubIntervalHours: Double?
        if let node = map["scrubIntervalHours"] {
            guard let value = scalar(node).flatMap({ Double($0) }), value.isFinite, value > 0, value <= 100_000 else {
                throw error(node, "cluster.scrubIntervalHours", "'\(text(node))' is not an interval in hours (a number above 0, e.g. 168 for a week)")
            }
            scrubIntervalHours = value
        }
        var settings = Topology.ClusterSettings(name: name, blockSizeBytes: blockSizeBytes, replicationFactor: replicationFactor,
                                                scrubMbps: scrubMbps, scrubIntervalHours: scrubIntervalHours)
        if let graceNode = map["healGrace"] {
            guard let milliseconds = scalar(graceNode).flatMap(TopologyFile.milliseconds(parsing:)) else {
                throw error(graceNode, "cluster.healGrace", "'\(text(graceNode))' is not a duration (try 30s, 2s or 500ms)")
            }
            settings.healGraceMilliseconds = milliseconds
        }
        if let graceNode = map["gcGrace"] {
            guard let milliseconds = scalar(graceNode).flatMap(TopologyFile.milliseconds(parsing:)) else {
                throw error(graceNode, "cluster.gcGrace", "'\(text(graceNode))' is not a duration (try 1h, 10m or 30s)")
            }
            settings.garbageGraceMilliseconds = milliseconds
        }
        if let rateNode = map["rebalanceMbps"] {
            guard let value = scalar(rateNode).flatMap({ Double($0) }), value.isFinite, value > 0, value <= 1_000_000 else {
                throw error(rateNode, "cluster.rebalanceMbps", "'\(text(rateNode))' is not a rate in megabytes per second (a number above 0, e.g. 100)")
            }
            settings.rebalanceBytesPerSecond = Int64(value * 1_000_000)
        }
        return settings
    }

    private func decodeMachine(_ node: Node, field: String) throws(TopologyError) -> Topology.Machine {
        let map = try mapping(node, field: field)
        try checkKeys(map, allowed: ["name", "address", "roles", "rack", "disks", "diskAgeYears", "metricsAddress", "s3Address"], field: field)
        let name = try requiredString(map, "name", in: node, field: field)
        guard let addressNode = map["address"] else {
            throw error(node, field, "missing `address:` (host:port, e.g. 127.0.0.1:7401)")
        }
        guard let address = scalar(addressNode).flatMap(Topology.Address.init(parsing:)) else {
            throw error(addressNode, field + ".address", "'\(text(addressNode))' is not host:port (try 10.0.0.5:7400; port 1–65535)")
        }
        guard let rolesNode = map["roles"] else {
            throw error(node, field, "missing `roles:` (voter, worker or both)")
        }
        let roles = try decodeRoles(rolesNode, field: field + ".roles")
        var rack = TopologyFile.defaultRack
        if let rackNode = map["rack"] {
            guard let value = scalar(rackNode), !value.isEmpty else {
                throw error(rackNode, field + ".rack", "expected a rack name")
            }
            rack = value
        }
        var ageYears: Double?
        if let ageNode = map["diskAgeYears"] {
            guard let value = scalar(ageNode).flatMap({ Double($0) }), value.isFinite, value >= 0, value <= 100 else {
                throw error(ageNode, field + ".diskAgeYears", "'\(text(ageNode))' is not an age in years (a number from 0 to 100)")
            }
            ageYears = value
        }
        var metricsAddress: Topology.Address?
        if let metricsNode = map["metricsAddress"] {
            guard let value = scalar(metricsNode).flatMap(Topology.Address.init(parsing:)), value != address else {
                throw error(metricsNode, field + ".metricsAddress", "'\(text(metricsNode))' is not host:port apart from the node's own address (try 10.0.0.5:9400)")
            }
            metricsAddress = value
        }
        var s3Address: Topology.Address?
        if let s3Node = map["s3Address"] {
            guard let value = scalar(s3Node).flatMap(Topology.Address.init(parsing:)), value != address, value != metricsAddress else {
                throw error(s3Node, field + ".s3Address", "'\(text(s3Node))' is not host:port apart from the node's other addresses (try 10.0.0.5:9401)")
            }
            s3Address = value
        }
        var disks: [Topology.Disk] = []
        if let disksNode = map["disks"] {
            guard case let .sequence(list) = disksNode else {
                throw error(disksNode, field + ".disks", "expected a list of disks")
            }
            for (index, diskNode) in list.enumerated() {
                disks.append(try decodeDisk(diskNode, field: field + ".disks[\(index)]"))
            }
        }
        var machine = Topology.Machine(name: name, address: address, roles: roles, rack: rack, disks: disks, diskAgeYears: ageYears,
                                       metricsAddress: metricsAddress)
        machine.s3Address = s3Address
        return machine
    }

    private func decodeRoles(_ node: Node, field: String) throws(TopologyError) -> [Topology.Role] {
        let items: [Node]
        switch node {
        case let .sequence(list): items = Array(list)
        case .scalar: items = [node]
        default: throw error(node, field, "expected a list of roles: [voter, worker]")
        }
        var roles: [Topology.Role] = []
        for (index, item) in items.enumerated() {
            guard let role = scalar(item).flatMap(Topology.Role.init(rawValue:)) else {
                throw error(item, "\(field)[\(index)]", "'\(text(item))' is not a role (voter or worker)")
            }
            guard !roles.contains(role) else {
                throw error(item, "\(field)[\(index)]", "role '\(role.rawValue)' is listed twice")
            }
            roles.append(role)
        }
        guard !roles.isEmpty else { throw error(node, field, "a machine needs at least one role (voter, worker)") }
        return roles
    }

    private func decodeDisk(_ node: Node, field: String) throws(TopologyError) -> Topology.Disk {
        let map = try mapping(node, field: field)
        try checkKeys(map, allowed: ["path", "capacity", "class"], field: field)
        let path = try requiredString(map, "path", in: node, field: field)
        guard let capacityNode = map["capacity"] else {
            throw error(node, field, "missing `capacity:` (e.g. 120GB or 4TiB)")
        }
        let capacity = try size(capacityNode, field: field + ".capacity")
        guard capacity > 0 else {
            throw error(capacityNode, field + ".capacity", "a disk's capacity must be more than 0")
        }
        guard let classNode = map["class"] else {
            throw error(node, field, "missing `class:` (ssd or hdd)")
        }
        guard let diskClass = scalar(classNode).flatMap(Topology.DiskClass.init(rawValue:)) else {
            throw error(classNode, field + ".class", "'\(text(classNode))' is not a disk class (ssd or hdd)")
        }
        return Topology.Disk(path: path, capacityBytes: capacity, diskClass: diskClass)
    }

    // MARK: - helpers

    func error(_ node: Node, _ field: String, _ problem: String) -> TopologyError {
        TopologyError(file: fileName, line: node.mark?.line, field: field, problem: problem)
    }

    private func mapping(_ node: Node, field: String) throws(TopologyError) -> Node.Mapping {
        guard case let .mapping(map) = node else {
            throw error(node, field, "expected a mapping of `key: value` lines")
        }
        return map
    }

    private func checkKeys(_ map: Node.Mapping, allowed: [String], field: String) throws(TopologyError) {
        for (key, _) in map {
            let name = scalar(key) ?? ""
            guard allowed.contains(name) else {
                let place = field.isEmpty ? name : "\(field).\(name)"
                throw error(key, place, "unknown field (expected one of: \(allowed.joined(separator: ", ")))")
            }
        }
    }

    private func requiredString(_ map: Node.Mapping, _ key: String, in parent: Node, field: String) throws(TopologyError) -> String {
        let place = field.isEmpty ? key : "\(field).\(key)"
        guard let node = map[key] else { throw error(parent, field, "missing `\(key):`") }
        guard let value = scalar(node), !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw error(node, place, "expected a non-empty text")
        }
        return value
    }

    private func size(_ node: Node, field: String) throws(TopologyError) -> Int64 {
        guard let value = scalar(node).flatMap(ByteCount.parse) else {
            throw error(node, field, "'\(text(node))' is not a size (try 120GB or 4TiB)")
        }
        return value
    }

    private func scalar(_ node: Node) -> String? {
        if case let .scalar(value) = node { return value.string }
        return nil
    }

    private func text(_ node: Node) -> String {
        switch node {
        case let .scalar(value): return value.string
        case .mapping: return "(a mapping)"
        case .sequence: return "(a list)"
        case .alias: return "(an alias)"
        }
    }
}
