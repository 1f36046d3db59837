import YonkeCore
@testable import Consensus

/// A hand-driven cluster for table tests (etcd's `network` in raft_test.go):
/// messages queue up and are delivered only when the test says so, links can
/// be cut, and each node's Ready is persisted to an in-memory store first.
struct TestCluster {
    var nodes: [Raft.NodeID: Raft.Node] = [:]
    var storage: [Raft.NodeID: Raft.PersistentState] = [:]
    var applied: [Raft.NodeID: [Raft.Entry]] = [:]
    var readStates: [Raft.NodeID: [Raft.ReadState]] = [:]
    var inflight: [Raft.Message] = []
    var cut: Set<[Raft.NodeID]> = []
    var down: Set<Raft.NodeID> = []
    var delivered: [Raft.Message] = []
    let config: Raft.Config
    let bootstrap: Raft.Configuration

    init(_ names: [String], config: Raft.Config = .test, states: [String: Raft.PersistentState] = [:], seed: UInt64 = 1) {
        self.config = config
        bootstrap = Raft.Configuration(voters: names.map { Raft.NodeID($0) })
        var rng = SeededGenerator(seed: seed)
        for name in names {
            let id = Raft.NodeID(name)
            let state = states[name] ?? Raft.PersistentState()
            storage[id] = state
            nodes[id] = Raft.Node(id: id, config: config, bootstrap: bootstrap, restoring: state, generator: rng.fork())
        }
    }

    subscript(_ name: String) -> Raft.Node { nodes[Raft.NodeID(name)]! }

    mutating func with(_ name: String, _ body: (inout Raft.Node) -> Void) {
        let id = Raft.NodeID(name)
        body(&nodes[id]!)
        collect(id)
    }

    /// Persist, advance, queue messages, apply: the driver contract.
    mutating func collect(_ id: Raft.NodeID) {
        guard !down.contains(id) else { return }
        while true {
            var node = nodes[id]!
            let ready = node.ready()
            if ready.isEmpty { return }
            var state = storage[id]!
            if let snap = ready.snapshotToPersist {
                state.entries = ready.snapshotToApply != nil ? [] : state.entries.filter { $0.index > snap.metadata.index }
                state.snapshot = snap
            }
            if let first = ready.entriesToPersist.first {
                state.entries.removeAll { $0.index >= first.index }
                state.entries += ready.entriesToPersist
            }
            if let hard = ready.hardState { state.hardState = hard }
            storage[id] = state
            inflight += node.advance(ready)
            applied[id, default: []] += ready.committedEntries
            readStates[id, default: []] += ready.readStates
            nodes[id] = node
        }
    }

    mutating func tick(_ name: String, times: Int = 1) {
        for _ in 0..<times { with(name) { $0.tick() } }
    }

    mutating func campaign(_ name: String) { with(name) { $0.campaign() } }

    mutating func propose(_ name: String, _ data: [UInt8]) -> Result<Raft.Index, Raft.Node.ProposalError> {
        var result: Result<Raft.Index, Raft.Node.ProposalError> = .failure(.overloaded)
        with(name) { result = $0.propose(data) }
        return result
    }

    func isCut(_ from: Raft.NodeID, _ to: Raft.NodeID) -> Bool {
        cut.contains([from, to]) || down.contains(from) || down.contains(to)
    }

    mutating func isolate(_ name: String) {
        for other in nodes.keys.sorted() where other.name != name {
            cut.insert([Raft.NodeID(name), other]); cut.insert([other, Raft.NodeID(name)])
        }
    }

    mutating func partition(_ a: [String], _ b: [String]) {
        for x in a { for y in b { cut.insert([Raft.NodeID(x), Raft.NodeID(y)]); cut.insert([Raft.NodeID(y), Raft.NodeID(x)]) } }
    }

    mutating func heal() { cut = [] }

    /// Delivers queued messages (and what they cause) until none are left.
    mutating func stabilize(rounds: Int = 200, where keep: (Raft.Message) -> Bool = { _ in true }) {
        for _ in 0..<rounds {
            let batch = inflight
            inflight = []
            if batch.isEmpty { return }
            for message in batch where !isCut(message.from, message.to) && keep(message) {
                delivered.append(message)
                with(message.to.name) { $0.receive(message) }
            }
        }
    }

    /// Restarts a node from its storage only.
    mutating func restart(_ name: String, seed: UInt64 = 99) {
        let id = Raft.NodeID(name)
        down.remove(id)
        nodes[id] = Raft.Node(id: id, config: config, bootstrap: bootstrap, restoring: storage[id]!, generator: SeededGenerator(seed: seed))
    }

    var leaders: [String] { nodes.values.filter { $0.role == .leader }.map(\.id.name).sorted() }

    func logTerms(_ name: String) -> [Raft.Term] {
        let node = self[name]
        return (node.snapshotIndex + 1...max(node.snapshotIndex + 1, node.lastIndex)).compactMap { node.term(at: $0) }
    }
}

/// Entries with the given terms at indices 1, 2, ... (the notation of the Raft paper's figures).
func entries(terms: [Raft.Term]) -> [Raft.Entry] {
    terms.enumerated().map { Raft.Entry(term: $1, index: Raft.Index($0 + 1), data: [UInt8($0 & 0xFF)]) }
}

func state(terms: [Raft.Term], term: Raft.Term? = nil, commit: Raft.Index = 0) -> Raft.PersistentState {
    Raft.PersistentState(hardState: Raft.HardState(term: term ?? terms.last ?? 0, vote: nil, commit: commit),
                         entries: entries(terms: terms))
}
