import YonkeCore

extension SWIM.Instance {
    /// Joins through any of `seeds`, one at a time until one answers with
    /// its view. A first member passes no seeds and is simply alone.
    public mutating func join(seeds: [SWIM.Address], now: SWIM.Tick) -> [SWIM.Directive] {
        advance(to: now)
        guard !seeds.isEmpty else { return [] }
        joining = JoinState(seeds: seeds, attempt: 0)
        return sendJoinRequest()
    }

    mutating func onJoinTimeout(attempt: Int) -> [SWIM.Directive] {
        guard var state = joining, state.attempt == attempt else { return [] }
        state.attempt += 1
        guard state.attempt < config.joinAttemptsMax else {
            joining = nil
            return [.joinFailed]
        }
        joining = state
        return sendJoinRequest()
    }

    private mutating func sendJoinRequest() -> [SWIM.Directive] {
        guard let state = joining else { return [] }
        let seed = state.seeds[state.attempt % state.seeds.count]
        return [
            .send(.joinRequest(SWIM.JoinRequest(member: myself.update)), to: seed),
            .schedule(.joinTimeout(attempt: state.attempt), afterTicks: config.joinTimeoutTicks),
        ]
    }

    /// Publishes new metadata (usage changed, disk added): a higher
    /// incarnation makes it win over every older claim as it spreads.
    public mutating func updateMetadata(_ metadata: SWIM.Metadata, now: SWIM.Tick) {
        advance(to: now)
        guard myself.status != .left else { return }
        var next = metadata
        next.version = max(metadata.version, myself.metadata.version + 1)
        myself.metadata = next
        raiseIncarnation()
    }

    /// Graceful leave: a `left` claim at a new incarnation (so it beats our
    /// own `alive`), pushed straight to a few members; gossip does the rest.
    /// The instance is inert afterwards.
    public mutating func leave(now: SWIM.Tick) -> [SWIM.Directive] {
        advance(to: now)
        guard myself.status != .left else { return [] }
        myself.incarnation = CheckedMath.incremented(myself.incarnation) ?? myself.incarnation
        myself.status = .left
        myself.statusSinceTicks = nowTicks
        probe = nil
        joining = nil
        let claim = SWIM.MemberUpdate(id: myself.id, incarnation: myself.incarnation, status: .left)
        dissemination.enqueue(claim)
        var out: [SWIM.Directive] = []
        for peer in randomAliveMembers(count: config.indirectChecks + 1) {
            out.append(.send(makePing(to: peer.id, sequence: makeSequence(), gossip: [claim]), to: peer.metadata.address))
        }
        return out
    }
}
