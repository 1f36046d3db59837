import Yams
import YonkeCore

/// Cross-field rules that a single field cannot check on its own.
enum TopologyValidation {
    static func check(_ topology: Topology, nodes: [Node], decoder: TopologyDecoder, machinesNode: Node) throws(TopologyError) {
        func field(_ index: Int, _ node: Node, _ key: String, _ problem: String) -> TopologyError {
            let keyNode = mappingValue(node, key) ?? node
            return decoder.error(keyNode, "machines[\(index)].\(key)", problem)
        }
        var firstByName: [String: Int] = [:]
        var firstByAddress: [Topology.Address: Int] = [:]
        for (index, machine) in topology.machines.enumerated() {
            let node = nodes[index]
            if let first = firstByName[machine.name] {
                throw field(index, node, "name", "'\(machine.name)' is already the name of machines[\(first)]")
            }
            firstByName[machine.name] = index
            if let first = firstByAddress[machine.address] {
                throw field(index, node, "address", "'\(machine.address)' is already the address of machines[\(first)] (\(topology.machines[first].name))")
            }
            firstByAddress[machine.address] = index
            if machine.isWorker && machine.disks.isEmpty {
                throw field(index, node, "roles", "'\(machine.name)' is a worker but has no `disks:` to store blocks on")
            }
            if machine.disks.count > SizeLimits.maxDisksPerMachine {
                throw field(index, node, "disks", "'\(machine.name)' lists \(machine.disks.count) disks; at most \(SizeLimits.maxDisksPerMachine) are supported")
            }
            var seenPaths: [String] = []
            for (diskIndex, disk) in machine.disks.enumerated() {
                if disk.capacityBytes > SizeLimits.maxDiskCapacityBytes {
                    let capacityNode = mappingValue(node, "disks").flatMap { sequenceItem($0, diskIndex) }
                        .flatMap { mappingValue($0, "capacity") } ?? node
                    throw decoder.error(capacityNode, "machines[\(index)].disks[\(diskIndex)].capacity",
                                        "\(ByteCount.format(disk.capacityBytes)) is more than one disk can be (at most \(ByteCount.format(SizeLimits.maxDiskCapacityBytes)))")
                }
                if disk.capacityBytes < topology.cluster.blockSizeBytes {
                    let capacityNode = mappingValue(node, "disks").flatMap { sequenceItem($0, diskIndex) }
                        .flatMap { mappingValue($0, "capacity") } ?? node
                    throw decoder.error(capacityNode, "machines[\(index)].disks[\(diskIndex)].capacity",
                                        "\(ByteCount.format(disk.capacityBytes)) cannot hold one block (cluster.blockSize is \(ByteCount.format(topology.cluster.blockSizeBytes)))")
                }
                if seenPaths.contains(disk.path) {
                    let diskNode = (mappingValue(node, "disks")).flatMap { sequenceItem($0, diskIndex) }.flatMap { mappingValue($0, "path") } ?? node
                    throw decoder.error(diskNode, "machines[\(index)].disks[\(diskIndex)].path", "'\(disk.path)' is listed twice on '\(machine.name)'")
                }
                seenPaths.append(disk.path)
            }
        }
        let rf = topology.cluster.replicationFactor
        let workers = topology.workers.count
        guard workers >= rf else {
            throw decoder.error(machinesNode, "machines", "\(workers) worker(s) cannot hold \(rf) replicas on distinct machines: add workers or lower cluster.replicationFactor")
        }
        guard !topology.voters.isEmpty else {
            throw decoder.error(machinesNode, "machines", "no machine has the `voter` role, so none can be master")
        }
    }

    private static func mappingValue(_ node: Node, _ key: String) -> Node? {
        guard case let .mapping(map) = node else { return nil }
        return map[key]
    }

    private static func sequenceItem(_ node: Node, _ index: Int) -> Node? {
        guard case let .sequence(list) = node, index < list.count else { return nil }
        return list[index]
    }
}
