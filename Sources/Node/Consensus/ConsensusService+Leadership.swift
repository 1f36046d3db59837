import YonkeProtocol
import YonkeClient
import Consensus
import Transport

extension ConsensusService {
    /// Hands leadership to another live voter (a draining master): Raft's
    /// transfer sends it TimeoutNow once its log is current. No-op when this
    /// node is not the master or no other voter is alive.
    func transferLeadershipAway() async {
        guard isMaster, let raft else { return }
        let alive = Set(await context.membership.aliveMembers().map(\.name))
        guard let next = raft.configuration.voters.sorted().first(where: { $0 != selfID && alive.contains($0.name) }) else {
            logger.notice("no other live voter to hand leadership to")
            return
        }
        logger.notice("transferring leadership", metadata: ["to": "\(next.name)"])
        self.raft?.step(.transferLeadership(to: next))
        processReady()
    }

    /// Hands leadership to `voter` and waits (up to `masterWait`) until it leads.
    func moveMaster(to voter: String) async throws -> (master: String, term: UInt64) {
        guard let raft, isMaster else { throw RPCFailure(.notMaster, "\(selfID) is not the master") }
        let target = Raft.NodeID(voter)
        guard raft.configuration.voters.contains(target) else {
            let voters = raft.configuration.voters.map(\.name).sorted().joined(separator: ", ")
            throw RPCFailure(.refused, "'\(voter)' is not a voter (voters: \(voters))")
        }
        if target == selfID { return (selfID.name, raft.term) }
        logger.notice("transferring leadership", metadata: ["to": "\(voter)"])
        self.raft?.step(.transferLeadership(to: target))
        processReady()
        let deadline = ContinuousClock.now + Self.masterWait
        while ContinuousClock.now < deadline {
            if let current = masterTerm, current.name == voter { return (current.name, current.term) }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw RPCFailure(.unavailable, "\(voter) did not take over within \(Self.masterWait) (is it alive and caught up?)")
    }
}
