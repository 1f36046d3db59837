import YonkeCore

extension Placement {
    /// A machine as placement sees it: where it is, what it has free, how far it
    /// can be trusted, and whether it is leaving.
    public struct Member: Sendable, Equatable {
        public var name: String
        public var rack: String
        public var ssdFreeBytes: Int64
        public var hddFreeBytes: Int64
        /// Raw size of all its disks; ranks machines for the glacier tier.
        public var capacityBytes: Int64
        /// `Reliability.score`, in (0, 1].
        public var reliability: Double
        /// A draining machine gets no new replicas and the planner moves its old ones away.
        public var isDraining: Bool

        public init(name: String, rack: String, ssdFreeBytes: Int64, hddFreeBytes: Int64,
                    capacityBytes: Int64? = nil, reliability: Double = 1, isDraining: Bool = false) {
            self.name = name
            self.rack = rack
            self.ssdFreeBytes = ssdFreeBytes
            self.hddFreeBytes = hddFreeBytes
            self.capacityBytes = capacityBytes ?? CheckedMath.saturatingAdd(ssdFreeBytes, hddFreeBytes)
            self.reliability = reliability
            self.isDraining = isDraining
        }

        public func freeBytes(for tier: Tier) -> Int64 {
            switch tier {
            case .hot: return ssdFreeBytes
            // Free figures come from reports: a sum past Int64 saturates.
            case .cold, .glacier: return CheckedMath.saturatingAdd(ssdFreeBytes, hddFreeBytes)
            }
        }
    }

    /// Which machines a block may live on.
    public enum Tier: String, Sendable, CaseIterable {
        /// SSD space only.
        case hot
        /// Any disk.
        case cold
        /// The largest machines only (see `Config.glacierMachineShare`).
        case glacier
    }

    public struct Config: Sendable, Equatable {
        public var replicationFactor: Int
        /// Below this much free space (for the tier) a machine counts as full and gets no new replicas.
        public var fullBelowBytes: Int64
        /// Machines scoring below this are "unreliable": never all replicas of a block on them when others exist.
        public var reliabilityThreshold: Double
        /// Glacier uses the largest `ceil(share · n)` eligible machines (at least `replicationFactor`).
        public var glacierMachineShare: Double
        /// How far (relative) a machine's expected share may drift from its target
        /// before a new map re-corrects its weight (see `Map.init(previous:)`).
        public var weightSetTolerance: Double

        /// HDFS-like: 3 replicas; full when less than one 64 MiB block is free.
        public static let standard = Config(replicationFactor: 3, fullBelowBytes: 64 * 1024 * 1024,
                                            reliabilityThreshold: 0.5, glacierMachineShare: 0.5,
                                            weightSetTolerance: 0.02)

        public init(replicationFactor: Int, fullBelowBytes: Int64, reliabilityThreshold: Double,
                    glacierMachineShare: Double, weightSetTolerance: Double) {
            self.weightSetTolerance = weightSetTolerance
            self.replicationFactor = replicationFactor
            self.fullBelowBytes = fullBelowBytes
            self.reliabilityThreshold = reliabilityThreshold
            self.glacierMachineShare = glacierMachineShare
        }
    }
}
