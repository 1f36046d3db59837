import Foundation

/// What `yonke-sim placement` prints: one JSON line.
public struct PlacementReport: Codable, Sendable, Equatable {
    public struct MachineShare: Codable, Sendable, Equatable {
        public var name: String
        public var rack: String
        /// Its raw capacity over all workers' capacity.
        public var capacityShare: Double
        /// What placement aims for: capacity × reliability factor, normalized.
        public var targetShare: Double
        /// Replicas it got over all replicas placed.
        public var blockShare: Double
        public var replicas: Int
    }

    public struct Event: Codable, Sendable, Equatable {
        /// `join`, `remove` (the machine is lost) or `drain`.
        public var kind: String
        public var machine: String
        /// Replicas copied by the plan.
        public var moved: Int
        /// Replicas that had to move at least: for a join, the new machine's
        /// target share × all replicas; for a loss or a drain, what it held.
        public var minimum: Double
        public var moveRatio: Double
        public var waves: Int
        /// After the event, the worst relative gap between a machine's expected
        /// share and its target (the kept weight set may drift up to
        /// `Placement.Config.weightSetTolerance`); nil when not computed exactly.
        public var shareDrift: Double?
    }

    public var topology: String
    public var blocks: Int
    public var replicationFactor: Int
    public var seed: UInt64
    public var replicasPerRackMax: Int
    public var machines: [MachineShare]
    /// Blocks whose replicas span two or more racks, over all blocks.
    public var rackSpreadRate: Double
    /// Blocks whose replicas span as many racks as they could (min(RF, racks)).
    public var fullRackSpreadRate: Double
    public var worstShareError: Double
    public var moveRatio: [String: Double]
    public var events: [Event]
    public var violations: [String]

    /// Compact and with sorted keys, so a run's line can be compared byte for byte.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
