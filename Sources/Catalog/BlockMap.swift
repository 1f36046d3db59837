import YonkeCore

/// Where blocks live: soft state rebuilt from the stores' block reports, never a log entry (as
/// HDFS's NameNode keeps block locations). A new master starts empty and is complete once every
/// live node has sent a full report. Pure: the master's shell feeds it reports and gossip's
/// death notices, and asks it what needs healing.
public struct BlockMap: Hashable, Sendable {
    private var holdersByBlock: [BlockKey: Set<String>] = [:]
    private var blocksByNode: [String: Set<BlockKey>] = [:]

    public init() {}

    /// A block short of its target; `replicas` are the live holders to copy from.
    public struct Shortfall: Hashable, Sendable {
        public var id: BlockID
        public var replicas: [String]
        public var target: Int
        public var liveReplicas: Int { replicas.count }
        public var missingReplicas: Int { target - replicas.count }
    }

    // MARK: - Events

    /// Blocks one node may hold in the map: 4 Mi blocks, 256 TiB of 64 MiB blocks (a
    /// machine's 64 disks of 4 TiB), and about 400 MiB of the master's memory. Reports are
    /// soft state from the wire; without a bound, a flood of additions grows the map until
    /// the master runs out of memory.
    public static let maxBlocksPerNode = 1 << 22

    /// A full report replaces everything previously known about `node`. Returns how many
    /// blocks were refused (beyond `maxBlocksPerNode`).
    @discardableResult
    public mutating func onBlockReport(node: String, blocks: [BlockID], maxBlocksPerNode: Int = BlockMap.maxBlocksPerNode) -> Int {
        forget(node)
        return onBlocksAdded(node: node, blocks: blocks, maxBlocksPerNode: maxBlocksPerNode)
    }

    /// Returns how many of `blocks` were refused: new ones past `maxBlocksPerNode` for the node
    /// (blocks it already holds are taken again at no cost).
    @discardableResult
    public mutating func onBlocksAdded(node: String, blocks: [BlockID], maxBlocksPerNode: Int = BlockMap.maxBlocksPerNode) -> Int {
        guard !blocks.isEmpty else { return 0 }
        var held = blocksByNode[node] ?? []
        var refused = 0
        for id in blocks {
            let key = BlockKey(id)
            guard !held.contains(key) else { continue }
            guard held.count < maxBlocksPerNode else {
                refused += 1
                continue
            }
            held.insert(key)
            holdersByBlock[key, default: []].insert(node)
        }
        blocksByNode[node] = held.isEmpty ? nil : held
        return refused
    }

    public mutating func onBlocksRemoved(node: String, blocks: [BlockID]) {
        for id in blocks { detach(BlockKey(id), from: node) }
    }

    /// Gossip declared the node dead: its copies no longer count. A node that comes back sends a
    /// full report again.
    public mutating func onNodeDead(_ node: String) { forget(node) }

    private mutating func forget(_ node: String) {
        guard let held = blocksByNode[node] else { return }
        for key in held.sorted() { detach(key, from: node) }
    }

    private mutating func detach(_ key: BlockKey, from node: String) {
        if holdersByBlock[key]?.remove(node) != nil, holdersByBlock[key]?.isEmpty == true { holdersByBlock[key] = nil }
        if blocksByNode[node]?.remove(key) != nil, blocksByNode[node]?.isEmpty == true { blocksByNode[node] = nil }
    }

    // MARK: - Queries

    /// Node names holding the block, sorted.
    public func replicas(of id: BlockID) -> [String] { replicas(BlockKey(id)) }

    private func replicas(_ key: BlockKey) -> [String] {
        (holdersByBlock[key] ?? []).sorted(by: LakePath.precedes)
    }

    public func blocks(on node: String) -> [BlockID] { (blocksByNode[node] ?? []).sorted().map(\.id) }
    public var nodes: [String] { blocksByNode.keys.sorted(by: LakePath.precedes) }
    public var knownBlocks: [BlockID] { holdersByBlock.keys.sorted().map(\.id) }

    /// Known blocks with at least one but fewer than `target` live copies.
    public func underReplicated(target: Int) -> [Shortfall] {
        Self.mostEndangeredFirst(holdersByBlock.keys.sorted().compactMap { key in
            let replicas = replicas(key)
            return replicas.count < target ? Shortfall(id: key.id, replicas: replicas, target: target) : nil
        })
    }

    /// Catalog blocks with at least one but fewer than their target's live copies, the ones
    /// closest to loss first (1 live copy before 2), then the largest deficit, then by id.
    /// Blocks with no copy at all are `missing`: there is nothing to copy from.
    public func underReplicated(_ expected: [Catalog.BlockInfo]) -> [Shortfall] {
        Self.mostEndangeredFirst(expected.compactMap { block in
            let replicas = replicas(of: block.id)
            guard !replicas.isEmpty, replicas.count < block.replicationTarget else { return nil }
            return Shortfall(id: block.id, replicas: replicas, target: block.replicationTarget)
        })
    }

    /// Catalog blocks no live node reports: lost unless a dead node returns.
    public func missing(_ expected: [Catalog.BlockInfo]) -> [BlockID] {
        expected.filter { holdersByBlock[BlockKey($0.id)] == nil }.map(\.id).sorted()
    }

    /// Catalog blocks with more live copies than their target (after a dead node came back, or
    /// mid-rebalance): candidates for trimming.
    public func overReplicated(_ expected: [Catalog.BlockInfo]) -> [BlockID] {
        expected.filter { (holdersByBlock[BlockKey($0.id)]?.count ?? 0) > $0.replicationTarget }.map(\.id).sorted()
    }

    /// Reported blocks no catalog file references (an aborted put, a deleted file): garbage,
    /// once older than the writers' grace period.
    public func unreferenced(_ expected: [Catalog.BlockInfo]) -> [BlockID] {
        let wanted = Set(expected.map { BlockKey($0.id) })
        return holdersByBlock.keys.sorted().filter { !wanted.contains($0) }.map(\.id)
    }

    private static func mostEndangeredFirst(_ shortfalls: [Shortfall]) -> [Shortfall] {
        shortfalls.sorted { a, b in
            if a.liveReplicas != b.liveReplicas { return a.liveReplicas < b.liveReplicas }
            if a.missingReplicas != b.missingReplicas { return a.missingReplicas > b.missingReplicas }
            return a.id < b.id
        }
    }
}
