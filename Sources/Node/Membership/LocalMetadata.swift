import YonkeProtocol
import YonkeClient
import Foundation
import Membership
import Topology

/// What this node tells the cluster about itself, from the topology.
///
/// The SWIM record has one disk class and per-tier usage; a machine may mix
/// disk classes and the block service reports only totals. So the full lists
/// ride in labels (`roles`, `disks`, comma-separated, sorted), and the totals
/// sit in the tier of the machine's main disk class (ssd → hot, hdd → cold);
/// `MemberView` sums the tiers back, so what a node publishes is what others read.
enum LocalMetadata {
    static let rolesLabel = "roles"
    static let disksLabel = "disks"

    static func make(for machine: Topology.Machine, capacityBytes: Int64, usedBytes: Int64, version: UInt64) -> SWIM.Metadata {
        let diskClass = mainDiskClass(of: machine)
        var metadata = SWIM.Metadata(
            address: machine.address.description, rack: machine.rack, diskClass: diskClass,
            labels: [
                rolesLabel: machine.roles.map(\.rawValue).joined(separator: ","),
                disksLabel: Array(Set(machine.disks.map(\.diskClass.rawValue))).sorted().joined(separator: ","),
            ],
            version: version)
        metadata[tier(for: diskClass)] = SWIM.TierUsage(capacityBytes: capacityBytes, usedBytes: usedBytes)
        return metadata
    }

    /// The class holding most of the capacity; ssd on a tie (and for a
    /// machine without disks, which stores nothing anyway).
    static func mainDiskClass(of machine: Topology.Machine) -> SWIM.DiskClass {
        machine.capacityBytes(of: .hdd) > machine.capacityBytes(of: .ssd) ? .hdd : .ssd
    }

    static func tier(for diskClass: SWIM.DiskClass) -> SWIM.Tier {
        switch diskClass {
        case .ssd: .hot
        case .hdd: .cold
        }
    }

    static func list(_ label: String?) -> [String] {
        guard let label, !label.isEmpty else { return [] }
        return label.split(separator: ",").map(String.init)
    }
}

/// SWIM's clock and tunables on a node: the memberlist LAN formulas
/// (`SWIM.Config.lan`, 100 ticks a period) with the tick stretched or
/// shrunk so that one period lasts `NodeTiming.swimPeriodMilliseconds`.
/// `.lan` timing (500 ms) makes a tick 5 ms; the 100 ms test timing, 1 ms.
enum SWIMClock {
    static let config = SWIM.Config.lan

    static func tickDuration(periodMilliseconds: Int) -> Duration {
        .milliseconds(max(1, periodMilliseconds)) / Int(config.probeIntervalTicks)
    }
}

/// The per-start generation of a member id: it must grow across restarts of
/// one machine, so that the new run supersedes its old tombstone. Wall-clock
/// milliseconds alone fail on junkyard machines whose clock resets at boot,
/// so the last one used is kept in the node's folder and exceeded.
enum GenerationFile {
    static func next(path: String, nowMilliseconds: UInt64) throws -> UInt64 {
        let last = (try? String(contentsOfFile: path, encoding: .utf8))
            .flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        let generation = max(nowMilliseconds, last &+ 1)
        do {
            try SecretFile.replace(path: path, contents: "\(generation)\n")
        } catch {
            throw NodeError.io(path: path, what: "write the SWIM generation to", errno: EIO)
        }
        return generation
    }
}
