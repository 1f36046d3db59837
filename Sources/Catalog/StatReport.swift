import YonkeCore

extension Catalog {
    /// What `yonke stat lake://PATH` prints as JSON:
    /// `{"path","size","tier","blocks":[{"id","size","replicas":[NAME…]}]}`. The catalog gives the
    /// file, the block map the replicas; the CLI encodes it (keys are spelled here).
    public struct StatReport: Hashable, Sendable, Codable {
        public struct Block: Hashable, Sendable, Codable {
            public var id: String
            public var size: Int64
            public var replicas: [String]
        }

        public var path: String
        public var size: Int64
        public var tier: String
        public var blocks: [Block]

        public init(file: FileRecord, blockMap: BlockMap) {
            path = file.path.description
            size = file.sizeBytes
            tier = file.tier.rawValue
            blocks = file.blocks.map { Block(id: $0.id.hex, size: $0.sizeBytes, replicas: blockMap.replicas(of: $0.id)) }
        }
    }
}
