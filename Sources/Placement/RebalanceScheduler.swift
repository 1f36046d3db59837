import YonkeCore

extension Rebalance {
    /// Turns `Rebalance.plan` into work the master can hand out, round after
    /// round: heal first, then balance. Pure: the shell passes what it knows
    /// (the catalog's blocks, where the block reports say they are, who is up,
    /// since when a machine is down) and the time; it gets copies and deletes
    /// to run, and reports how each ended.
    ///
    /// - A machine down for less than `graceMilliseconds` is not lost yet: its
    ///   blocks wait (a reboot must not trigger a copy storm), and meanwhile
    ///   only blocks below their target move (no relocations or trims); the
    ///   same holds for a grace period after the set of live machines changed.
    /// - A block with work in flight is left alone until the work is confirmed
    ///   by a block report (or given up), so one block never has two plans.
    /// - Copies respect a per-machine concurrency limit and a per-machine
    ///   token bucket (bytes/s) on both ends; the most endangered blocks go
    ///   first (1 live replica before 2, restores before relocations).
    /// - Copy then delete: a relocation's delete is a later round's trim, and a
    ///   trim runs only when the block has at least its target of *other* live
    ///   replicas that block reports confirmed (`Block.canLose`). A corrupt
    ///   replica (`Inputs.corrupt`) is deleted under the same rule, once the
    ///   block is back at its target elsewhere.
    public struct Scheduler: Sendable {
        public struct Config: Sendable, Equatable {
            public var graceMilliseconds: Int64
            /// Per machine, in and out each.
            public var bytesPerSecond: Int64
            /// Copies a machine takes part in at once (as source or target).
            public var copiesPerMachineMax: Int
            /// A finished copy or delete the block reports have not confirmed by then is forgotten.
            public var confirmTimeoutMilliseconds: Int64

            public init(graceMilliseconds: Int64, bytesPerSecond: Int64, copiesPerMachineMax: Int = 2,
                        confirmTimeoutMilliseconds: Int64 = 15_000) {
                self.graceMilliseconds = graceMilliseconds
                self.bytesPerSecond = bytesPerSecond
                self.copiesPerMachineMax = copiesPerMachineMax
                self.confirmTimeoutMilliseconds = confirmTimeoutMilliseconds
            }
        }

        public struct Block: Sendable, Equatable {
            public var id: BlockID
            public var sizeBytes: Int64
            /// Replicas the block should have.
            public var target: Int
            /// Machines holding it, as confirmed by block reports (down ones included).
            public var holders: [String]
            /// Where placement wants it (same map as writes).
            public var wanted: [String]

            public init(id: BlockID, sizeBytes: Int64, target: Int, holders: [String], wanted: [String]) {
                self.id = id
                self.sizeBytes = sizeBytes
                self.target = target
                self.holders = holders
                self.wanted = wanted
            }

            /// The delete rule, the one place it is written: a replica on `node`
            /// may go only while the block keeps its target of *other* live
            /// replicas (confirmed by block reports).
            public func canLose(_ node: String, alive: Set<String>) -> Bool {
                holders.filter { $0 != node && alive.contains($0) }.count >= target
            }
        }

        public struct Inputs: Sendable {
            public var blocks: [Block]
            /// Storage machines that are up (draining ones included).
            public var alive: Set<String>
            /// Storage machines seen down, and since when.
            public var downSinceMilliseconds: [String: Int64]
            /// When the set of live storage machines last changed (a loss, a return, a join); nil: long ago.
            public var membershipChangedMilliseconds: Int64?
            /// Machines an operator is draining: moves off them are never held back.
            public var draining: Set<String>
            /// Replicas a reader or a scrubber found corrupt (not among `holders`):
            /// each is deleted once its block is back at its target elsewhere.
            public var corrupt: [Replica]

            public init(blocks: [Block], alive: Set<String>, downSinceMilliseconds: [String: Int64],
                        membershipChangedMilliseconds: Int64? = nil, draining: Set<String> = [], corrupt: [Replica] = []) {
                self.blocks = blocks
                self.alive = alive
                self.downSinceMilliseconds = downSinceMilliseconds
                self.membershipChangedMilliseconds = membershipChangedMilliseconds
                self.draining = draining
                self.corrupt = corrupt
            }

            public init(blocks: [Block], alive: Set<String>, liveness: Liveness, draining: Set<String> = [], corrupt: [Replica] = []) {
                self.init(blocks: blocks, alive: alive, downSinceMilliseconds: liveness.downSinceMilliseconds,
                          membershipChangedMilliseconds: liveness.changedMilliseconds, draining: draining, corrupt: corrupt)
            }

            /// Machines down but not lost yet (`Liveness.isWaiting`).
            func waitingMachines(nowMilliseconds now: Int64, graceMilliseconds: Int64) -> Set<String> {
                Set(downSinceMilliseconds.keys.filter {
                    Liveness.isWaiting($0, alive: alive, downSince: downSinceMilliseconds, nowMilliseconds: now, graceMilliseconds: graceMilliseconds)
                })
            }

            /// Balancing waits while a machine is down but not yet lost, and for a grace
            /// period after the live set changed.
            func isSettled(nowMilliseconds now: Int64, graceMilliseconds: Int64) -> Bool {
                let changed = membershipChangedMilliseconds.map { now - $0 < graceMilliseconds } ?? false
                return waitingMachines(nowMilliseconds: now, graceMilliseconds: graceMilliseconds).isEmpty && !changed
            }
        }

        public enum Action: Sendable, Equatable {
            case copy(block: BlockID, source: String, target: String, bytes: Int64)
            case delete(block: BlockID, node: String)

            public var block: BlockID {
                switch self {
                case .copy(let block, _, _, _), .delete(let block, _): block
                }
            }
        }

        struct Work: Sendable, Equatable {
            var action: Action
            var finishedMilliseconds: Int64?
            var block: BlockID { action.block }
        }

        public let config: Config
        private(set) var work: [Work] = []
        private var buckets: [String: TokenBucket] = [:]

        public init(config: Config) {
            invariant(config.copiesPerMachineMax >= 1, "copies per machine must be at least 1: \(config.copiesPerMachineMax)")
            self.config = config
        }

        /// Work handed out and not yet confirmed.
        public var inFlight: [Action] { work.map(\.action) }

        // MARK: Rounds

        /// One round: forgets confirmed work, then hands out what the limits allow.
        public mutating func step(_ inputs: Inputs, nowMilliseconds now: Int64) -> [Action] {
            let holdersByBlock = Dictionary(inputs.blocks.map { ($0.id, Set($0.holders)) }, uniquingKeysWith: { a, _ in a })
            work.removeAll { item in
                guard let finished = item.finishedMilliseconds else { return false }
                if now - finished >= config.confirmTimeoutMilliseconds { return true }
                let holders = holdersByBlock[item.block] ?? []
                switch item.action {
                case .copy(_, _, let target, _): return holders.contains(target)
                case .delete(_, let node): return !holders.contains(node)
                }
            }
            for name in buckets.keys.sorted() { buckets[name]?.refill(nowMilliseconds: now) }

            let planned = plannedMoves(inputs, nowMilliseconds: now)
            var busy: [String: Int] = [:]
            for item in work {
                if case .copy(_, let source, let target, _) = item.action, item.finishedMilliseconds == nil {
                    busy[source, default: 0] += 1
                    busy[target, default: 0] += 1
                }
            }
            var actions: [Action] = []
            var copied: Set<BlockID> = []
            var trimmed: Set<BlockID> = []
            for candidate in planned {
                let key = candidate.block.id
                switch candidate.move.kind {
                case .copy(let source, let target), .relocate(let source, let target, _):
                    guard !trimmed.contains(key),
                          busy[source, default: 0] < config.copiesPerMachineMax,
                          busy[target, default: 0] < config.copiesPerMachineMax,
                          bucket(source, now).isReady, bucket(target, now).isReady else { continue }
                    let bytes = candidate.block.sizeBytes
                    buckets[source]?.take(bytes)
                    buckets[target]?.take(bytes)
                    busy[source, default: 0] += 1
                    busy[target, default: 0] += 1
                    copied.insert(key)
                    let action = Action.copy(block: candidate.block.id, source: source, target: target, bytes: bytes)
                    actions.append(action)
                    work.append(Work(action: action))
                case .trim(let retired):
                    guard !copied.contains(key), !trimmed.contains(key),
                          candidate.block.canLose(retired, alive: inputs.alive) else { continue }
                    trimmed.insert(key)
                    let action = Action.delete(block: candidate.block.id, node: retired)
                    actions.append(action)
                    work.append(Work(action: action))
                }
            }
            actions += corruptDeletes(inputs, busy: Set(work.map(\.block)))
            return actions
        }

        /// Corrupt replicas whose block is back at its target elsewhere, on a
        /// machine that is up to delete them; one action per block at a time,
        /// tracked like every other (a corrupt copy is not among the holders,
        /// so the delete is confirmed once it finishes).
        private mutating func corruptDeletes(_ inputs: Inputs, busy: Set<BlockID>) -> [Action] {
            guard !inputs.corrupt.isEmpty else { return [] }
            let byID = Dictionary(inputs.blocks.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            var taken = busy
            var actions: [Action] = []
            for replica in inputs.corrupt.sorted() {
                guard let block = byID[replica.block], !taken.contains(replica.block),
                      inputs.alive.contains(replica.node), block.canLose(replica.node, alive: inputs.alive) else { continue }
                taken.insert(replica.block)
                let action = Action.delete(block: replica.block, node: replica.node)
                actions.append(action)
                work.append(Work(action: action))
            }
            return actions
        }

        /// A copy or delete ended. Failed work is forgotten at once (the next
        /// round plans again); done work waits for a block report to confirm it.
        public mutating func onFinished(_ action: Action, succeeded: Bool, nowMilliseconds now: Int64) {
            guard let index = work.firstIndex(where: { $0.action == action && $0.finishedMilliseconds == nil }) else { return }
            if succeeded {
                work[index].finishedMilliseconds = now
            } else {
                work.remove(at: index)
            }
        }

        /// Forgets all work (this node stopped being master).
        public mutating func reset() {
            work = []
            buckets = [:]
        }

        private mutating func bucket(_ name: String, _ now: Int64) -> TokenBucket {
            if let existing = buckets[name] { return existing }
            // A burst of one second's worth lets a whole block start on an idle machine.
            let fresh = TokenBucket(bytesPerSecond: config.bytesPerSecond, burstBytes: config.bytesPerSecond, nowMilliseconds: now)
            buckets[name] = fresh
            return fresh
        }

        // MARK: Reports

        /// What the scheduler would still do, per machine, and how long it takes at the limit.
        public struct Preview: Sendable, Equatable, Codable {
            public struct Machine: Sendable, Equatable, Codable {
                public var name: String
                /// Replicas copied to it / removed from it (relocated away or trimmed).
                public var movesIn = 0
                public var movesOut = 0
                public var bytesIn: Int64 = 0
                public var bytesOut: Int64 = 0
                /// Bytes it sends as the source of copies.
                public var bytesSent: Int64 = 0
                /// Copies to / from it running now.
                public var movingIn = 0
                public var movingOut = 0
            }

            public var machines: [Machine]
            public var copies: Int
            public var deletes: Int
            public var copyBytes: Int64
            /// Bytes still to copy for blocks below their target.
            public var healBytes: Int64
            /// Blocks below their target, and blocks whose every holder is lost.
            public var underReplicated: Int
            public var unrecoverable: Int
            /// Blocks waiting for a machine in its grace period.
            public var waiting: Int
            public var inFlight: Int
            /// The busiest machine's bytes (in + sent) over the per-machine limit.
            public var etaSeconds: Double
            public var healEtaSeconds: Double
            public var bytesPerSecond: Int64
            /// Balancing is held back (a machine in its grace period, or the live set just changed).
            public var settling: Bool
        }

        public func preview(_ inputs: Inputs, nowMilliseconds now: Int64) -> Preview {
            var machines: [String: Preview.Machine] = [:]
            func touch(_ name: String, _ body: (inout Preview.Machine) -> Void) {
                var machine = machines[name] ?? Preview.Machine(name: name)
                body(&machine)
                machines[name] = machine
            }
            var copies = 0, deletes = 0
            var copyBytes: Int64 = 0, healBytes: Int64 = 0
            var busyHeal: [String: Int64] = [:]
            for candidate in plannedMoves(inputs, nowMilliseconds: now) {
                let bytes = candidate.block.sizeBytes
                if let source = candidate.move.source, let target = candidate.move.target {
                    copies += 1
                    copyBytes += bytes
                    touch(target) { $0.movesIn += 1; $0.bytesIn += bytes }
                    touch(source) { $0.bytesSent += bytes }
                    if candidate.liveCount < candidate.block.target {
                        healBytes += bytes
                        busyHeal[source, default: 0] += bytes
                        busyHeal[target, default: 0] += bytes
                    }
                }
                if let retired = candidate.move.retired {
                    deletes += 1
                    touch(retired) { $0.movesOut += 1; $0.bytesOut += bytes }
                }
            }
            for item in work where item.finishedMilliseconds == nil {
                if case .copy(_, let source, let target, _) = item.action {
                    touch(target) { $0.movingIn += 1 }
                    touch(source) { $0.movingOut += 1 }
                }
            }
            var under = 0, unrecoverable = 0, waiting = 0
            let waitingMachines = inputs.waitingMachines(nowMilliseconds: now, graceMilliseconds: config.graceMilliseconds)
            for block in inputs.blocks {
                let live = block.holders.filter(inputs.alive.contains).count
                if block.holders.contains(where: waitingMachines.contains) { waiting += 1 }
                if live == 0 { unrecoverable += 1 } else if live < block.target { under += 1 }
            }
            let rate = Double(config.bytesPerSecond)
            let busiest = machines.values.map { Double($0.bytesIn + $0.bytesSent) }.max() ?? 0
            let busiestHeal = busyHeal.values.max().map(Double.init) ?? 0
            return Preview(
                machines: machines.keys.sorted().compactMap { machines[$0] }, copies: copies, deletes: deletes,
                copyBytes: copyBytes, healBytes: healBytes, underReplicated: under, unrecoverable: unrecoverable,
                waiting: waiting, inFlight: work.count, etaSeconds: busiest / rate, healEtaSeconds: busiestHeal / rate,
                bytesPerSecond: config.bytesPerSecond,
                settling: !inputs.isSettled(nowMilliseconds: now, graceMilliseconds: config.graceMilliseconds))
        }

        /// Blocks `machine` holds whose other live replicas are fewer than
        /// their target: removing it now would lower them (or lose them).
        public static func neededReplicas(on machine: String, blocks: [Block], alive: Set<String>) -> [BlockID] {
            blocks.filter { $0.holders.contains(machine) && !$0.canLose(machine, alive: alive) }.map(\.id)
        }

        // MARK: Planning

        struct Candidate {
            var block: Block
            var move: Move
            var liveCount: Int
        }

        /// The moves of every block that is free to move, most endangered first.
        func plannedMoves(_ inputs: Inputs, nowMilliseconds now: Int64) -> [Candidate] {
            let waiting = inputs.waitingMachines(nowMilliseconds: now, graceMilliseconds: config.graceMilliseconds)
            let busyBlocks = Set(work.map(\.block))
            var byTarget: [Int: [Block]] = [:]
            for block in inputs.blocks where !busyBlocks.contains(block.id) {
                // A holder in its grace period may come back with its copy: wait for it.
                guard !block.holders.contains(where: waiting.contains) else { continue }
                byTarget[block.target, default: []].append(block)
            }
            var candidates: [(candidate: Candidate, order: Int)] = []
            for target in byTarget.keys.sorted() where target >= 1 {
                let blocks = byTarget[target] ?? []
                let wanted = Dictionary(blocks.map { ($0.id, $0.wanted) }, uniquingKeysWith: { a, _ in a })
                let byID = Dictionary(blocks.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                let plan = Rebalance.plan(
                    blocks: blocks.map { BlockReplicas(block: $0.id, holders: $0.holders) }, live: inputs.alive,
                    config: Rebalance.Config(replicationFactor: target, movesPerMachinePerWaveMax: self.config.copiesPerMachineMax),
                    wanted: { wanted[$0.block] ?? [] })
                for move in plan.moves {
                    guard let block = byID[move.block] else { continue }
                    let live = block.holders.filter(inputs.alive.contains).count
                    candidates.append((Candidate(block: block, move: move, liveCount: live), candidates.count))
                }
            }
            // While a machine is down but not yet lost, and for a grace period after the
            // live set changed, only restores and drains run: a return, a loss or the
            // flapping of a machine changes the map again, so balancing now would move
            // blocks twice.
            if !inputs.isSettled(nowMilliseconds: now, graceMilliseconds: config.graceMilliseconds) {
                candidates.removeAll { item in
                    item.candidate.liveCount >= item.candidate.block.target
                        && !(item.candidate.move.retired.map(inputs.draining.contains) ?? false)
                }
            }
            return candidates.sorted { a, b in
                let aTrim = a.candidate.move.target == nil
                let bTrim = b.candidate.move.target == nil
                // Restores (below target) first, then relocations, then trims.
                let aRank = a.candidate.liveCount < a.candidate.block.target ? 0 : (aTrim ? 2 : 1)
                let bRank = b.candidate.liveCount < b.candidate.block.target ? 0 : (bTrim ? 2 : 1)
                return (aRank, a.candidate.liveCount, a.order) < (bRank, b.candidate.liveCount, b.order)
            }.map(\.candidate)
        }
    }
}
