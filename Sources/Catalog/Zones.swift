extension Catalog {
    /// Medallion zones (DESIGN.md, "Medallion ETL"): bronze holds data exactly as ingested,
    /// silver the cleaned rows, gold the aggregates. Each is a top-level folder made at bootstrap.
    public enum Zone: String, CaseIterable, Hashable, Comparable, Sendable, Codable {
        case bronze, silver, gold

        public static func < (lhs: Zone, rhs: Zone) -> Bool { lhs.code < rhs.code }

        var code: UInt8 {
            switch self {
            case .bronze: 0
            case .silver: 1
            case .gold: 2
            }
        }
    }

    /// Storage tiers (DESIGN.md, "Tiers"): hot on fast machines, cold anywhere with stronger
    /// compression, glacier on the big slow machines (erasure-coded once that lands).
    public enum Tier: String, CaseIterable, Hashable, Comparable, Sendable, Codable {
        case hot, cold, glacier

        public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs.code < rhs.code }

        var code: UInt8 {
            switch self {
            case .hot: 0
            case .cold: 1
            case .glacier: 2
            }
        }

        init?(code: UInt8) {
            switch code {
            case 0: self = .hot
            case 1: self = .cold
            case 2: self = .glacier
            default: return nil
            }
        }
    }

    /// How many copies of a block each tier wants; fixed at bootstrap so every replica agrees.
    public struct ReplicationPolicy: Hashable, Sendable {
        public var hotReplicas: Int
        public var coldReplicas: Int
        /// Full copies until glacier is erasure-coded (RS(4,2) would store 1.5× instead of 3×).
        public var glacierReplicas: Int

        public static let maxReplicas = 16

        public init(hotReplicas: Int, coldReplicas: Int, glacierReplicas: Int) {
            self.hotReplicas = hotReplicas
            self.coldReplicas = coldReplicas
            self.glacierReplicas = glacierReplicas
        }

        /// HDFS's default of three copies everywhere: one master and three workers lose nothing
        /// when one machine dies (DESIGN.md, "Where this comes from").
        public static let standard = ReplicationPolicy(hotReplicas: 3, coldReplicas: 3, glacierReplicas: 3)
        /// Two copies, so a three-node test cluster can still heal after one loss.
        public static let test = ReplicationPolicy(hotReplicas: 2, coldReplicas: 2, glacierReplicas: 2)

        public func replicas(for tier: Tier) -> Int {
            switch tier {
            case .hot: hotReplicas
            case .cold: coldReplicas
            case .glacier: glacierReplicas
            }
        }

        var isValid: Bool {
            [hotReplicas, coldReplicas, glacierReplicas].allSatisfy { (1...Self.maxReplicas).contains($0) }
        }
    }
}
