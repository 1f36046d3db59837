import Foundation
import Placement
import Topology
import YonkeCore

/// Loads a repository topology (found from this file's path) as placement members.
func junkyardTopology(_ name: String = "junkyard.yaml") throws -> Topology {
    let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("topology").appendingPathComponent(name)
    return try TopologyFile.parse(yaml: String(contentsOf: url, encoding: .utf8), fileName: "topology/\(name)")
}

func members(of topology: Topology) -> [Placement.Member] {
    topology.workers.map { machine in
        Placement.Member(name: machine.name, rack: machine.rack,
                         ssdFreeBytes: machine.capacityBytes(of: .ssd), hddFreeBytes: machine.capacityBytes(of: .hdd),
                         reliability: Reliability(diskAgeYears: machine.diskAgeYears).score)
    }
}

/// Deterministic block ids: 32 bytes from a seeded generator.
func blockIDs(_ count: Int, seed: UInt64 = 1) -> [BlockID] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
        var bytes: [UInt8] = []
        for _ in 0..<4 {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return BlockID(bytes: bytes)!
    }
}

/// Replicas each machine holds, by name.
func replicaCounts(_ map: Placement.Map, blocks: [BlockID]) -> [String: Int] {
    var counts: [String: Int] = [:]
    for block in blocks {
        for name in map.replicas(for: block) { counts[name, default: 0] += 1 }
    }
    return counts
}
