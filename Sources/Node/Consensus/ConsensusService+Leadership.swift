import Consensus

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
}
