import YonkeCore

/// The rebalance planner: from where blocks are to where placement wants them,
/// as moves that never put a block at risk. Pure: the master runs it after a
/// join, a drain, a loss or a capacity change and hands the waves to the
/// rebalancer, which starts wave k+1 when wave k is done.
///
/// Safety, per block with `L` live replicas and replication factor `RF`:
/// - every delete belongs to a move that first copied the block to its target
///   (copy precedes delete), and a delete happens only while `RF` other live
///   replicas exist; so whatever order a wave's moves finish in, the live count
///   stays ≥ `min(L, RF)`, and never drops below `L` except when trimming a
///   block that has more than `RF` replicas;
/// - a block below `RF` first gets plain copies, in earlier waves, and only
///   then relocations;
/// - blocks with the fewest live replicas go first (most endangered first).
///
/// Movement is what placement implies and no more: a block whose wanted set
/// equals its live set does not move; otherwise it gets one copy per missing
/// machine. Sources are the least busy live holders that no concurrent move of
/// the same block deletes; each machine takes part in
/// at most `movesPerMachinePerWaveMax` copies per wave, as source or target.
public enum Rebalance {
    public struct BlockReplicas: Sendable, Equatable {
        public var block: BlockID
        /// Machines the catalog says hold the block (some may be lost).
        public var holders: [String]

        public init(block: BlockID, holders: [String]) {
            self.block = block
            self.holders = holders
        }
    }

    public struct Move: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// Restore a missing replica.
            case copy(source: String, target: String)
            /// Copy to `target`, then delete from `retired`.
            case relocate(source: String, target: String, retired: String)
            /// Delete a surplus replica of a block that has more than `RF` live ones.
            case trim(retired: String)
        }

        public var block: BlockID
        public var kind: Kind
        /// Waves run one after the other; moves within a wave run concurrently.
        public var wave: Int

        public var target: String? {
            switch kind {
            case let .copy(_, target), let .relocate(_, target, _): return target
            case .trim: return nil
            }
        }

        public var source: String? {
            switch kind {
            case let .copy(source, _), let .relocate(source, _, _): return source
            case .trim: return nil
            }
        }

        public var retired: String? {
            switch kind {
            case .copy: return nil
            case let .relocate(_, _, retired), let .trim(retired): return retired
            }
        }
    }

    public struct Config: Sendable, Equatable {
        public var replicationFactor: Int
        /// Copies a machine may send or receive at once.
        public var movesPerMachinePerWaveMax: Int

        /// Two concurrent 64 MiB copies per machine keep a 1 Gb/s link busy without starving clients.
        public static let standard = Config(replicationFactor: 3, movesPerMachinePerWaveMax: 2)

        public init(replicationFactor: Int, movesPerMachinePerWaveMax: Int) {
            self.replicationFactor = replicationFactor
            self.movesPerMachinePerWaveMax = movesPerMachinePerWaveMax
        }
    }

    public struct Plan: Sendable, Equatable {
        /// Sorted by wave; within a wave, most endangered blocks first.
        public var moves: [Move]
        public var waveCount: Int
        /// Blocks with no live replica: nothing to copy from.
        public var unrecoverable: [BlockID]

        /// Replicas copied (the cost of the plan).
        public var copyCount: Int { moves.filter { $0.target != nil }.count }
    }

    /// - Parameters:
    ///   - live: machines that are up (draining ones included: they are sources).
    ///   - wanted: where placement wants the block, e.g. `map.replicas(for:)`.
    public static func plan(blocks: [BlockReplicas], live: Set<String>, config: Config,
                            wanted: (BlockReplicas) -> [String]) -> Plan {
        invariant(config.movesPerMachinePerWaveMax >= 1, "moves per machine per wave must be at least 1: \(config.movesPerMachinePerWaveMax)")
        let rf = config.replicationFactor
        var pending: [Pending] = []
        var unrecoverable: [BlockID] = []
        for (index, entry) in blocks.enumerated() {
            let liveHolders = entry.holders.filter { live.contains($0) }
            invariant(Set(entry.holders).count == entry.holders.count, "block \(entry.block.short) lists a holder twice: \(entry.holders)")
            guard !liveHolders.isEmpty else {
                unrecoverable.append(entry.block)
                continue
            }
            let want = wanted(entry)
            // A wanted machine that is down cannot receive a copy; the next plan, on a
            // map without it, will place the replica elsewhere.
            let adds = want.filter { live.contains($0) && !liveHolders.contains($0) }
            let drops = liveHolders.filter { !want.contains($0) }
            let kept = liveHolders.filter { want.contains($0) }
            let restores = min(adds.count, max(0, rf - liveHolders.count))
            var afterCount = liveHolders.count + restores
            for target in adds.prefix(restores) {
                pending.append(Pending(blockIndex: index, liveCount: liveHolders.count, phase: 0,
                                       sources: liveHolders, target: target, retired: nil))
            }
            var dropQueue = drops[...]
            for target in adds.dropFirst(restores) {
                // Once at RF, each further copy pays for one delete.
                if afterCount >= rf, let retired = dropQueue.first {
                    dropQueue = dropQueue.dropFirst()
                    // Never copy from a holder that a concurrent move of this block may delete;
                    // its own retired holder is safe (its delete follows this copy).
                    pending.append(Pending(blockIndex: index, liveCount: liveHolders.count, phase: 1,
                                           sources: kept + [retired], target: target, retired: retired))
                } else {
                    afterCount += 1
                    pending.append(Pending(blockIndex: index, liveCount: liveHolders.count, phase: 0,
                                           sources: liveHolders, target: target, retired: nil))
                }
            }
            for retired in dropQueue where afterCount - 1 >= rf {
                afterCount -= 1
                pending.append(Pending(blockIndex: index, liveCount: liveHolders.count, phase: 1,
                                       sources: [], target: nil, retired: retired))
            }
        }
        pending.sort { ($0.liveCount, $0.blockIndex, $0.phase) < ($1.liveCount, $1.blockIndex, $1.phase) }
        var schedule = WaveSchedule(limit: config.movesPerMachinePerWaveMax)
        var lastRestoreWave: [Int: Int] = [:]
        var moves: [(move: Move, order: Int)] = []
        for (order, item) in pending.enumerated() {
            let block = blocks[item.blockIndex].block
            let earliest = item.phase == 0 ? 0 : (lastRestoreWave[item.blockIndex].map { $0 + 1 } ?? 0)
            let move: Move
            if let target = item.target {
                let (wave, source) = schedule.place(target: target, sources: item.sources, earliest: earliest)
                if let retired = item.retired {
                    move = Move(block: block, kind: .relocate(source: source, target: target, retired: retired), wave: wave)
                } else {
                    move = Move(block: block, kind: .copy(source: source, target: target), wave: wave)
                    lastRestoreWave[item.blockIndex] = max(wave, lastRestoreWave[item.blockIndex] ?? 0)
                }
            } else {
                move = Move(block: block, kind: .trim(retired: item.retired!), wave: earliest)
            }
            moves.append((move, order))
        }
        moves.sort { ($0.move.wave, $0.order) < ($1.move.wave, $1.order) }
        let waveCount = (moves.map(\.move.wave).max() ?? -1) + 1
        return Plan(moves: moves.map(\.move), waveCount: waveCount, unrecoverable: unrecoverable)
    }

    private struct Pending {
        let blockIndex: Int
        let liveCount: Int
        /// 0: copies that restore RF; 1: relocations and trims, after the block's restores.
        let phase: Int
        let sources: [String]
        let target: String?
        let retired: String?
    }
}
