import Consensus
import YonkeCore

extension Simulation {
    /// Runs one seed to the end (or to its first violation).
    public static func runRaft(_ options: RaftOptions) -> RaftOutcome {
        var sim = RaftSimulation(options)
        return sim.run()
    }
}

/// N Raft nodes on one thread: an event queue of ticks, deliveries, faults and
/// client proposals, all drawn from one seed.
///
/// Phases: (1) safety — partitions (symmetric, one-way, a node isolated then
/// reconnected), loss, duplication, reordering, crashes that keep only what
/// was persisted (also right around a reply), clock drift, membership churn,
/// leadership transfers, linearizable reads; (2) liveness — the network heals
/// and every node restarts, and within `livenessBound` a new proposal must be
/// applied by every member; (3) failover — the leader crashes on a LAN and the
/// time until a new leader commits is measured.
///
/// Checked after every event (see RaftSimulation+Checks): one leader per term,
/// one vote per node per term, log matching, leader completeness (of elected
/// leaders, and of any node that could be elected whenever the commit point
/// moves), state-machine safety through a hash chain of applied entries, no
/// acknowledged write lost, linearizable reads, and liveness after healing.
struct RaftSimulation {
    enum Event {
        case tick(node: Int, incarnation: Int)
        case deliver(Raft.Message, to: Int)
        case fault
        case restart(node: Int)
        case reconnect(node: Int)
        case propose
        case reconfigure
        case startLiveness
        case startFailover
    }

    enum Phase: Equatable { case safety, liveness, settling, failover, done }

    struct SimNode {
        let id: Raft.NodeID
        var clock: SimClock
        var raft: Raft.Node?
        var storage = Raft.PersistentState()
        var app = ChainApp()
        var incarnation = 0
        var lastCommit: Raft.Index = 0
        var wasLeaderInTerm: Raft.Term?
    }

    let options: Simulation.RaftOptions
    let plan: FaultPlan
    let config: Raft.Config
    /// A node crashes right after persisting and answering, then reboots within
    /// 1–20 ms: the moment a forgotten fsync of the vote shows.
    let crashAfterReplyProbability: Double
    let ids: [Raft.NodeID]
    let indexOf: [Raft.NodeID: Int]
    let bootstrap: Raft.Configuration
    var rng: SeededGenerator
    var nodeGenerators: [SeededGenerator]
    var queue = EventQueue<Event>()
    var network: SimNetwork<Int, Raft.Message>
    var nodes: [SimNode]
    var history = RaftHistory()
    var trace: SimTrace
    var violation: Simulation.RaftViolation?
    var phase: Phase = .safety
    var events = 0
    var nextProposalID: UInt64 = 1
    /// Read requests by context: how many entries were committed (anywhere) when the read began.
    var pendingReads: [UInt64: Raft.Index] = [:]
    var readsServed = 0
    /// How many faults of each kind struck (reported, so a summary shows every kind ran).
    var faultCounts: [String: Int] = [:]
    var acknowledged = 0

    var livenessStart: SimTime = .zero
    /// The first proposal id issued after healing, and the index where one such proposal was applied.
    var livenessFirstProposal: UInt64?
    var livenessCommittedIndex: Raft.Index?
    var failoverStart: SimTime = .zero
    var failoverCrashed: Int?
    var failoverCrashedTerm: Raft.Term = 0
    var failoverMs: Double?

    init(_ options: Simulation.RaftOptions) {
        invariant(options.nodeCount >= 1 && options.nodeCount <= 99, "node count \(options.nodeCount)")
        self.options = options
        var root = SeededGenerator(seed: options.seed)
        var planRng = root.fork()
        plan = options.plan ?? FaultPlan.random(using: &planRng)
        // Batching and pipelining vary per seed: a batch of one entry is what
        // exposes commit-rule bugs (an old-term entry acked before the new one).
        var shapeRng = root.fork()
        var config = options.raftConfig
        if options.varyBatching && options.maxEntriesPerMessage == nil {
            config.maxEntriesPerMessage = [1, 2, 4, 16, 64].randomElement(using: &shapeRng)!
            config.maxInflightMessages = [1, 2, 8].randomElement(using: &shapeRng)!
        }
        self.config = config
        crashAfterReplyProbability = options.crashAfterReplyProbability
            ?? [0, 0.002, 0.01, 0.05].randomElement(using: &shapeRng)!
        ids = (1...options.nodeCount).map { Raft.NodeID("n\($0)") }
        indexOf = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        bootstrap = Raft.Configuration(voters: ids)
        network = SimNetwork(conditions: plan.conditions, generator: root.fork())
        var clockRng = root.fork()
        let clocks = plan.clocks(count: options.nodeCount, using: &clockRng)
        nodeGenerators = (0..<options.nodeCount).map { _ in root.fork() }
        rng = root.fork()
        nodes = zip(ids, clocks).map { SimNode(id: $0, clock: $1) }
        trace = SimTrace(keepLast: options.traceLines ? 60 : 0, echo: options.echoTrace, isEnabled: options.traceLines)
    }

    mutating func run() -> Simulation.RaftOutcome {
        record("seed \(options.seed) nodes \(options.nodeCount) plan: \(plan); batch \(config.maxEntriesPerMessage) inflight \(config.maxInflightMessages) crash-after-reply \(crashAfterReplyProbability)")
        for i in nodes.indices {
            record("clock \(ids[i]) rate \(nodes[i].clock.rate) offset \(nodes[i].clock.offset)")
            start(i)
        }
        queue.schedule(.fault, after: plan.nextFaultDelay(using: &rng))
        queue.schedule(.propose, after: options.proposalInterval)
        if options.membershipChanges && options.nodeCount >= 3 { queue.schedule(.reconfigure, after: .ms(700)) }
        queue.schedule(.startLiveness, at: options.safetyDuration)

        // A hard bound on events: a run that needs more is an event storm (a bug).
        let eventsMax = 20_000_000
        while violation == nil, phase != .done, let next = queue.pop() {
            events += 1
            invariant(events < eventsMax, "seed \(options.seed): over \(eventsMax) events")
            trace.mix(UInt64(bitPattern: next.time.microseconds))
            handle(next.event)
            checkDeadlines()
        }
        return Simulation.RaftOutcome(seed: options.seed, violation: violation, traceHash: trace.hash,
                                      simulatedTime: queue.now, events: events, acknowledged: acknowledged, readsServed: readsServed, faultCounts: faultCounts,
                                      failoverMs: failoverMs, plan: plan, lastTraceLines: trace.lastLines)
    }

    var now: SimTime { queue.now }

    /// Call sites on hot paths check `trace.isEnabled` first to skip building the string.
    mutating func record(_ line: String) {
        trace.record(queue.now, line)
    }

    mutating func fail(_ kind: Simulation.RaftViolation.Kind, _ detail: String) {
        guard violation == nil else { return }
        violation = Simulation.RaftViolation(kind: kind, detail: detail, time: now)
        record("VIOLATION \(kind.rawValue): \(detail)")
    }

    // MARK: events

    mutating func handle(_ event: Event) {
        switch event {
        case .tick(let i, let incarnation):
            guard nodes[i].incarnation == incarnation, nodes[i].raft != nil else { return }
            trace.mix(UInt64(i))
            nodes[i].raft!.tick()
            drain(i)
            queue.schedule(.tick(node: i, incarnation: incarnation), after: nodes[i].clock.globalDuration(ofLocal: options.tick))
        case .deliver(let message, let to):
            guard nodes[to].raft != nil, network.isDeliverable(from: indexOf[message.from]!, to: to) else { return }
            trace.mix(UInt64(to) << 8 | message.term)
            if trace.isEnabled { record("recv \(message)") }
            nodes[to].raft!.receive(message)
            drain(to)
        case .fault:
            guard phase == .safety else { return }
            let up = nodes.indices.filter { nodes[$0].raft != nil }
            var fault = plan.nextFault(nodes: Array(nodes.indices), up: up,
                                       crashableMax: (options.nodeCount - 1) / 2 + 1, using: &rng)
            // Half the isolations and crashes hit the leader: that is where Raft's
            // hard cases live (a deposed leader with unreplicated entries).
            if let leader = currentLeader, Bool.random(using: &rng) {
                switch fault {
                case .isolate: fault = .isolate(leader)
                case .crash: fault = .crash(leader)
                default: break
                }
            }
            apply(fault)
            queue.schedule(.fault, after: plan.nextFaultDelay(using: &rng))
        case .restart(let i):
            guard nodes[i].raft == nil else { return }
            start(i)
        case .reconnect(let i):
            guard phase == .safety else { return }
            record("reconnect \(ids[i])")
            faultCounts["reconnect", default: 0] += 1
            network.reconnect(i)
        case .propose:
            proposeFromClient()
            // After healing the client slows down: liveness is about progress, not throughput.
            if phase != .done { queue.schedule(.propose, after: phase == .safety ? options.proposalInterval : options.proposalInterval * 5) }
        case .reconfigure:
            guard phase == .safety else { return }
            reconfigure()
            queue.schedule(.reconfigure, after: .ms(Int64.random(in: 300...1_500, using: &rng)))
        case .startLiveness:
            startLiveness()
        case .startFailover:
            startFailover()
        }
    }

    mutating func apply(_ fault: SimFault<Int>) {
        record("fault \(describe(fault))")
        faultCounts[Self.kindName(fault), default: 0] += 1
        trace.mix(0xFA17)
        switch fault {
        case .partition(let groups): network.partition(groups)
        case .oneWay(let from, let to): network.block(from: from, to: to)
        case .isolate(let node):
            network.isolate(node, from: Array(nodes.indices))
            // Isolated, then healed on its own (unless a global heal comes first).
            queue.schedule(.reconnect(node: node), after: plan.downtime(using: &rng))
        case .heal: network.heal()
        case .crash(let node):
            crash(node)
            queue.schedule(.restart(node: node), after: plan.downtime(using: &rng))
        case .restart(let node): start(node)
        case .conditions(let c): network.conditions = c
        }
    }

    static func kindName(_ fault: SimFault<Int>) -> String {
        switch fault {
        case .partition: "partition"
        case .oneWay: "oneWay"
        case .isolate: "isolate"
        case .heal: "heal"
        case .crash: "crash"
        case .restart: "restart"
        case .conditions: "networkChange"
        }
    }

    func describe(_ fault: SimFault<Int>) -> String {
        let name: (Int) -> String = { ids[$0].name }
        switch fault {
        case .partition(let groups): return "partition " + groups.map { $0.map(name).joined(separator: ",") }.joined(separator: " | ")
        case .oneWay(let from, let to): return "one-way " + from.map(name).joined(separator: ",") + " -x-> " + to.map(name).joined(separator: ",")
        case .isolate(let node): return "isolate \(name(node))"
        case .crash(let node): return "crash \(name(node))"
        case .restart(let node): return "restart \(name(node))"
        case .heal, .conditions: return fault.description
        }
    }

    mutating func crash(_ i: Int) {
        guard nodes[i].raft != nil else { return }
        record("crash \(ids[i]) (term \(nodes[i].raft!.term), role \(nodes[i].raft!.role))")
        nodes[i].raft = nil
        nodes[i].incarnation += 1
    }

    /// Boots (or reboots) a node from what its storage kept, and nothing else.
    mutating func start(_ i: Int) {
        var node = nodes[i]
        node.incarnation += 1
        node.raft = Raft.Node(id: node.id, config: config, bootstrap: bootstrap,
                              restoring: node.storage, generator: nodeGenerators[i].fork())
        node.app = node.storage.snapshot.flatMap { ChainApp(encoded: $0.data) } ?? ChainApp()
        node.lastCommit = node.raft!.commitIndex
        node.wasLeaderInTerm = nil
        nodes[i] = node
        record("start \(ids[i]) \(node.storage.hardState) entries \(node.storage.entries.count) snapshot \(node.storage.snapshot?.metadata.index ?? 0)")
        let firstTick = node.clock.globalDuration(ofLocal: SimTime(microseconds: Int64.random(in: 1...options.tick.microseconds, using: &rng)))
        queue.schedule(.tick(node: i, incarnation: node.incarnation), after: firstTick)
    }

    // MARK: the driver loop for one node: persist, then send, then apply

    mutating func drain(_ i: Int) {
        var rounds = 0
        while violation == nil, var raft = nodes[i].raft {
            let ready = raft.ready()
            if ready.isEmpty { break }
            rounds += 1
            invariant(rounds < 1_000, "node \(ids[i]) produced Ready forever")
            if phase == .safety, crashAfterReplyProbability > 0, !ready.entriesToPersist.isEmpty || ready.hardState != nil,
               Double.random(in: 0..<1, using: &rng) < crashAfterReplyProbability / 2 {
                // The machine stops mid-fsync: FileStorage writes the snapshot,
                // then entries, then the hard state, so a prefix of that survives
                // (a torn entry is cut on recovery). Nothing was sent.
                faultCounts["crashMidPersist", default: 0] += 1
                persist(ready, node: i, raft: raft,
                        entryCount: Int.random(in: 0..<max(1, ready.entriesToPersist.count), using: &rng),
                        hardState: false)
                record("\(ids[i]) crashes while persisting")
                crash(i)
                queue.schedule(.restart(node: i), after: .ms(Int64.random(in: 1...20, using: &rng)))
                return
            }
            persist(ready, node: i, raft: raft)
            let messages = raft.advance(ready)
            nodes[i].raft = raft
            checkLeadership(i)
            checkCommit(i)
            // A crash right after the fsync, before or after the answers leave.
            if phase == .safety, !messages.isEmpty, crashAfterReplyProbability > 0,
               Double.random(in: 0..<1, using: &rng) < crashAfterReplyProbability {
                faultCounts["crashAroundReply", default: 0] += 1
                if Bool.random(using: &rng) { for message in messages { send(message, from: i) } }
                crash(i)
                queue.schedule(.restart(node: i), after: .ms(Int64.random(in: 1...20, using: &rng)))
                return
            }
            for message in messages { send(message, from: i) }
            applyReady(ready, node: i)
            checkReads(ready.readStates, node: i)
            if let request = ready.snapshotRequest, request > options.snapshotTrailingEntries {
                let through = request - options.snapshotTrailingEntries
                if through > nodes[i].raft!.snapshotIndex && through <= nodes[i].app.appliedIndex {
                    // The app's state at `through` is the chain value recorded then.
                    if let value = history.chainValue(at: through) {
                        var snapApp = ChainApp()
                        snapApp.appliedIndex = through
                        snapApp.hash = value
                        nodes[i].raft!.compact(through: through, data: snapApp.encoded())
                    }
                }
            }
        }
        if violation == nil { checkLeadership(i) }
    }

    mutating func persist(_ ready: Raft.Ready, node i: Int, raft: Raft.Node, entryCount: Int? = nil, hardState: Bool = true) {
        var storage = nodes[i].storage
        if let snap = ready.snapshotToPersist {
            if ready.snapshotToApply != nil {
                storage.entries = []
            } else {
                storage.entries.removeAll { $0.index <= snap.metadata.index }
            }
            storage.snapshot = snap
        }
        if let first = ready.entriesToPersist.first {
            let written = ready.entriesToPersist.prefix(entryCount ?? ready.entriesToPersist.count)
            storage.entries.removeAll { $0.index >= first.index }
            storage.entries.append(contentsOf: written)
            for entry in written { checkLogMatching(entry, node: i, raft: raft) }
        }
        if hardState, let hard = ready.hardState { storage.hardState = hard }
        nodes[i].storage = storage
    }

    mutating func send(_ message: Raft.Message, from i: Int) {
        guard let to = indexOf[message.to] else { return }
        if case .voteResponse(granted: true) = message.kind { checkSingleVote(voter: i, term: message.term, candidate: to) }
        let times = network.send(from: i, to: to, now: now)
        if trace.isEnabled { record("send \(message)\(times.isEmpty ? " (lost)" : times.count > 1 ? " (duplicated)" : "")") }
        for time in times {
            queue.schedule(.deliver(message, to: to), at: time)
        }
    }

    mutating func applyReady(_ ready: Raft.Ready, node i: Int) {
        if let snap = ready.snapshotToApply {
            guard let app = ChainApp(encoded: snap.data), app.appliedIndex == snap.metadata.index else {
                fail(.stateMachineSafety, "\(ids[i]) got an undecodable snapshot at \(snap.metadata.index)")
                return
            }
            if let expected = history.chainValue(at: app.appliedIndex), expected != app.hash {
                fail(.stateMachineSafety, "\(ids[i]) installed snapshot \(app.appliedIndex) whose state differs from what others applied")
                return
            }
            nodes[i].app = app
            record("\(ids[i]) installed snapshot \(snap.metadata.index)@\(snap.metadata.term)")
        }
        for entry in ready.committedEntries {
            var app = nodes[i].app
            guard entry.index == app.appliedIndex + 1 else {
                if entry.index <= app.appliedIndex { continue }
                fail(.stateMachineSafety, "\(ids[i]) applies \(entry.index) after \(app.appliedIndex): gap")
                return
            }
            app.hash = RaftHistory.chain(app.hash, entry)
            app.appliedIndex = entry.index
            let count = UInt64(history.chain.count)
            if entry.index <= count {
                if history.chain[Int(entry.index - 1)] != app.hash {
                    let lost = entry.index <= history.lastAcknowledgedIndex
                    fail(lost ? .lostAcknowledgedWrite : .stateMachineSafety,
                         "\(ids[i]) applied \(entry) but another node applied a different entry (history) at \(entry.index)")
                    return
                }
            } else if entry.index == count + 1 {
                history.chain.append(app.hash)
                if entry.kind == .normal && entry.data.count == 8 {
                    acknowledged += 1
                    history.lastAcknowledgedIndex = entry.index
                    let id = entry.data.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    if let first = livenessFirstProposal, id >= first, livenessCommittedIndex == nil {
                        livenessCommittedIndex = entry.index
                    }
                }
            } else {
                fail(.stateMachineSafety, "\(ids[i]) applied \(entry.index) beyond global history \(count)")
                return
            }
            nodes[i].app = app
        }
        if let expected = history.chainValue(at: nodes[i].app.appliedIndex), expected != nodes[i].app.hash {
            fail(.stateMachineSafety, "\(ids[i]) state at \(nodes[i].app.appliedIndex) differs from history")
        }
    }
}
