extension SWIM {
    public enum DiskClass: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case ssd = 0
        case hdd = 1
        public var description: String { self == .ssd ? "ssd" : "hdd" }
    }

    public enum Tier: Int, Sendable, CaseIterable {
        case hot = 0, cold = 1, glacier = 2
    }

    public struct TierUsage: Hashable, Sendable {
        public var capacityBytes: Int64
        public var usedBytes: Int64
        public init(capacityBytes: Int64 = 0, usedBytes: Int64 = 0) {
            self.capacityBytes = capacityBytes
            self.usedBytes = usedBytes
        }
    }

    /// What the master needs to place blocks on a member; it travels with
    /// every `alive` update, so a change spreads by gossip like any other.
    public struct Metadata: Hashable, Sendable {
        public var address: Address
        public var rack: String
        public var diskClass: DiskClass
        public var hot: TierUsage
        public var cold: TierUsage
        public var glacier: TierUsage
        /// Free-form labels; encoders sort the keys so bytes are reproducible.
        public var labels: [String: String]
        /// Raised by `Instance.updateMetadata`; lets the master ignore stale copies.
        public var version: UInt64

        public init(
            address: Address, rack: String = "", diskClass: DiskClass = .hdd,
            hot: TierUsage = .init(), cold: TierUsage = .init(), glacier: TierUsage = .init(),
            labels: [String: String] = [:], version: UInt64 = 0
        ) {
            self.address = address
            self.rack = rack
            self.diskClass = diskClass
            self.hot = hot
            self.cold = cold
            self.glacier = glacier
            self.labels = labels
            self.version = version
        }

        public subscript(tier: Tier) -> TierUsage {
            get {
                switch tier {
                case .hot: hot
                case .cold: cold
                case .glacier: glacier
                }
            }
            set {
                switch tier {
                case .hot: hot = newValue
                case .cold: cold = newValue
                case .glacier: glacier = newValue
                }
            }
        }
    }
}
