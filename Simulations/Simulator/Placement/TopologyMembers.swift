import Placement
import Topology

extension Topology {
    /// The workers as placement sees them on an empty cluster: free space is the
    /// whole disk, reliability comes from the declared disk age alone.
    public func placementMembers() -> [Placement.Member] {
        workers.map { machine in
            Placement.Member(name: machine.name, rack: machine.rack,
                             ssdFreeBytes: machine.capacityBytes(of: .ssd), hddFreeBytes: machine.capacityBytes(of: .hdd),
                             capacityBytes: machine.capacityBytes,
                             reliability: Reliability(diskAgeYears: machine.diskAgeYears).score)
        }
    }

    public var placementConfig: Placement.Config {
        var config = Placement.Config.standard
        config.replicationFactor = cluster.replicationFactor
        config.fullBelowBytes = cluster.blockSizeBytes
        return config
    }
}
