import YonkeProtocol
import YonkeClient
import Catalog
import Consensus
import NIOCore
import Synchronization
import Transport
import YonkeCore

/// Finding the master: links bounded by a request's deadline, and how a
/// non-voter (no Raft) learns who leads by asking the voters.
extension ConsensusService {
    /// A link to `name`, or nil when none opens before the deadline (a partitioned
    /// peer may hold a connect attempt for the directory's 2 s connect timeout).
    func link(to name: String, deadline: ContinuousClock.Instant) async -> RPCLink? {
        let peers = context.peers
        let wait = remaining(deadline)
        let first = FirstResult<RPCLink?>()
        // Unstructured on purpose: a task group would wait for the slow connect too.
        return await withCheckedContinuation { continuation in
            first.attach(continuation)
            let timer = Task {
                try? await Task.sleep(for: wait)
                first.resume(with: nil)
            }
            Task {
                first.resume(with: try? await peers.link(to: name))
                timer.cancel()
            }
        }
    }

    func remaining(_ deadline: ContinuousClock.Instant) -> Duration {
        max(.milliseconds(1), deadline - ContinuousClock.now)
    }

    /// A short wait before retrying; `noQuorum` once the deadline has passed.
    func pause(until deadline: ContinuousClock.Instant) async throws {
        guard ContinuousClock.now < deadline, !stopped else { throw Self.noQuorum }
        try await Task.sleep(for: min(.milliseconds(20), remaining(deadline)))
        if raft == nil, learned.master == nil { await refreshMaster() }
    }

    // MARK: Non-voters

    func learnMasterLoop() async throws {
        while !stopped {
            await refreshMaster()
            await syncRegistry()
            try await Task.sleep(for: learned.master == nil ? .milliseconds(100) : .milliseconds(500))
        }
    }

    /// Asks the voters, the last known master first, who leads.
    func refreshMaster() async {
        var voters = context.registry.voters.map(\.name)
        if let known = learned.master, let position = voters.firstIndex(of: known) {
            voters.insert(voters.remove(at: position), at: 0)
        }
        for voter in voters where voter != selfID.name {
            guard var reply = try? await context.peers.call(
                voter, op: CatalogOps.Op.whoIsMaster.rawValue, payload: ByteBuffer(), timeout: .milliseconds(500))
            else { continue }
            guard let known = try? reply.readConsensusBool("known"),
                  let name = try? reply.readWireString("master", maxBytes: RaftWire.maxNameBytes),
                  let term = try? reply.readWireInteger("term", as: UInt64.self),
                  let commit = try? reply.readWireInteger("commit", as: UInt64.self) else { continue }
            if known {
                learned = (name, term, commit)
                announceMasterIfChanged()
                return
            }
        }
        learned.master = nil
        announceMasterIfChanged()
    }

    func forgetMaster() {
        guard raft == nil else { return }
        learned.master = nil
        announceMasterIfChanged()
    }
    var isStopped: Bool { stopped }
    var isVoter: Bool { raft != nil }
}

/// Resumes a continuation once, with whichever result comes first.
final class FirstResult<Value: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Value, Never>?, done: Bool)>((nil, false))

    func attach(_ continuation: CheckedContinuation<Value, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    func resume(with value: Value) {
        let continuation = state.withLock { s -> CheckedContinuation<Value, Never>? in
            guard !s.done else { return nil }
            s.done = true
            defer { s.continuation = nil }
            return s.continuation
        }
        continuation?.resume(returning: value)
    }
}
