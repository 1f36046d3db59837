import Consensus
import YonkeCore

extension RaftSimulation {
    /// The client: one proposal per interval, sent to whoever leads (an oracle
    /// client; a real one would be redirected). Payload = 8-byte proposal id.
    /// During the fault phase half the requests go to any node that believes
    /// it leads, stale ones included, as a client with an old routing table would.
    mutating func proposeFromClient() {
        guard var leader = currentLeader else { return }
        if phase == .safety, Bool.random(using: &rng) {
            let believers = nodes.indices.filter { nodes[$0].raft?.role == .leader }
            leader = believers.randomElement(using: &rng) ?? leader
        }
        let id = nextProposalID
        nextProposalID += 1
        var data: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: id >> UInt64(shift))) }
        let result = nodes[leader].raft!.propose(data)
        trace.mix(id)
        // Every fifth proposal comes with a linearizable read (ReadIndex).
        if id % 5 == 0 {
            pendingReads[id] = Raft.Index(history.committedTerms.count)
            nodes[leader].raft!.requestRead(context: id)
        }
        if case .success(let index) = result {
            if trace.isEnabled { record("propose #\(id) at \(ids[leader]) index \(index)") }
            if phase == .liveness && livenessFirstProposal == nil { livenessFirstProposal = id }
        }
        drain(leader)
    }

    /// Membership churn during the safety phase: remove a voter, add it back as
    /// a learner once the removal commits, promote it once it has caught up.
    mutating func reconfigure() {
        guard let leader = currentLeader, let raft = nodes[leader].raft else { return }
        let configuration = raft.configuration
        let change: Raft.ConfigurationChange
        if let outsider = ids.first(where: { !configuration.members.contains($0) }) {
            change = .addLearner(outsider)
        } else if let learner = configuration.learners.first {
            guard let caughtUp = nodes[indexOf[learner]!].raft, caughtUp.lastIndex >= raft.commitIndex else { return }
            change = .promoteLearner(learner)
        } else if Int.random(in: 0..<3, using: &rng) == 0 {
            // A drained master hands over leadership (thesis §3.10).
            guard let target = configuration.voters.filter({ $0 != raft.id }).randomElement(using: &rng) else { return }
            nodes[leader].raft!.transferLeadership(to: target)
            record("transfer leadership \(ids[leader]) -> \(target)")
            trace.mix(0x7EA5)
            drain(leader)
            return
        } else if configuration.voters.count >= 3, Bool.random(using: &rng) {
            change = .remove(configuration.voters.randomElement(using: &rng)!)
        } else {
            return
        }
        let result = nodes[leader].raft!.proposeConfigurationChange(change)
        record("reconfigure \(change) at \(ids[leader]): \(result)")
        trace.mix(0xC0F1)
        drain(leader)
    }

    mutating func startLiveness() {
        phase = .liveness
        livenessStart = now
        network.heal()
        var calm = plan.conditions
        calm.lossProbability = 0
        network.conditions = calm
        record("liveness phase: network healed (\(calm)), every node restarted")
        for i in nodes.indices where nodes[i].raft == nil { start(i) }
    }

    /// Members (by the leader's configuration) that have not applied `index` yet.
    func lagging(behind index: Raft.Index) -> [Int]? {
        guard let leader = currentLeader, let raft = nodes[leader].raft else { return nil }
        return raft.configuration.members.compactMap { indexOf[$0] }.filter { nodes[$0].app.appliedIndex < index }
    }

    mutating func checkDeadlines() {
        switch phase {
        case .safety, .done, .settling:
            return
        case .liveness:
            if let index = livenessCommittedIndex, let behind = lagging(behind: index), behind.isEmpty {
                record("liveness: proposal at \(index) applied by every member after \(now - livenessStart)")
                if options.measureFailover {
                    phase = .settling
                    queue.schedule(.startFailover, after: .ms(500))
                } else {
                    phase = .done
                }
            } else if now - livenessStart > options.livenessBound {
                fail(.liveness, "healed at \(livenessStart), but \(livenessCommittedIndex.map { "members \(lagging(behind: $0)?.map { ids[$0].name } ?? []) have not applied \($0)" } ?? "nothing proposed after healing committed") within \(options.livenessBound); \(summary())")
            }
        case .failover:
            for raft in nodes.compactMap(\.raft) where raft.role == .leader && raft.term > failoverCrashedTerm
                && raft.term(at: raft.commitIndex) == raft.term {
                failoverMs = (now - failoverStart).milliseconds
                record("failover: \(raft.id) commits in term \(raft.term) after \(now - failoverStart)")
                phase = .done
                return
            }
            if now - failoverStart > options.livenessBound {
                fail(.liveness, "no new leader committed within \(options.livenessBound) of the leader crash; \(summary())")
            }
        }
    }

    /// Crashes the healthy leader on a LAN and times the recovery.
    mutating func startFailover() {
        guard let leader = currentLeader else {
            if now - livenessStart > options.livenessBound * 2 {
                fail(.liveness, "no leader to crash for the failover measurement; \(summary())")
            } else {
                queue.schedule(.startFailover, after: .ms(50))
            }
            return
        }
        let voters = nodes[leader].raft!.configuration
        guard voters.voters.count - 1 >= voters.quorum else {
            // Membership churn left too few voters to survive a crash: nothing to measure.
            record("failover skipped: \(voters) cannot lose a voter")
            phase = .done
            return
        }
        network.conditions = .lan
        failoverCrashedTerm = nodes[leader].raft!.term
        failoverStart = now
        crash(leader)
        phase = .failover
    }

    func summary() -> String {
        nodes.map { node in
            guard let raft = node.raft else { return "\(node.id) down" }
            return "\(node.id) \(raft.role) t\(raft.term) last \(raft.lastIndex) commit \(raft.commitIndex) applied \(node.app.appliedIndex) \(raft.configuration)"
        }.joined(separator: "; ")
    }
}

extension SimTime {
    static func * (lhs: SimTime, rhs: Int64) -> SimTime { SimTime(microseconds: lhs.microseconds * rhs) }
}
