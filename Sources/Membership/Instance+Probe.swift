extension SWIM.Instance {
    /// Arms the first periodic tick at a random phase, so members started
    /// together do not probe in lock-step.
    public mutating func start(now: SWIM.Tick) -> [SWIM.Directive] {
        advance(to: now)
        let phase = generator.next(upperBound: config.probeIntervalTicks) + 1
        var out: [SWIM.Directive] = [.schedule(.periodicPing, afterTicks: phase)]
        if config.gossipIntervalTicks > 0, config.gossipFanout > 0 {
            out.append(.schedule(.gossip, afterTicks: generator.next(upperBound: config.gossipIntervalTicks) + 1))
        }
        return out
    }

    /// memberlist's gossip(): between probes, push queued claims to
    /// `gossipFanout` random live members (suspects included: it is how they
    /// hear soonest that they must refute). Piggybacking alone moves news
    /// ~3× a period (our ping and the ack to whoever pings us), so a death
    /// takes ~log3 N periods to reach everyone; pushes every
    /// `gossipIntervalTicks` multiply that by ~fanout · periods/interval.
    /// Pushes spend only the first half of each claim's retransmit budget:
    /// they go to random members, who may repeat, while probes go round-robin,
    /// so the second half, piggybacked, reaches whoever the pushes missed
    /// (at N = 8 a budget of 4 spent on pushes alone missed a member in
    /// most runs). Nothing is sent while no claim is in its first half, so
    /// a quiet cluster pays nothing.
    mutating func onGossipTick() -> [SWIM.Directive] {
        guard myself.status != .left, config.gossipIntervalTicks > 0, config.gossipFanout > 0 else { return [] }
        var out: [SWIM.Directive] = [.schedule(.gossip, afterTicks: config.gossipIntervalTicks)]
        let pushLimit = config.gossipPushLimit(memberCount: liveMemberCount)
        guard dissemination.hasClaims(sentFewerThan: pushLimit) else { return out }
        for target in randomMembers(count: config.gossipFanout, includingSuspects: true) {
            let piggyback = gossip(for: target.id, sentFewerThan: pushLimit)
            guard !piggyback.isEmpty else { continue }
            out.append(.send(makePing(to: target.id, sequence: SWIM.Ping.gossipSequence, gossip: piggyback),
                             to: target.metadata.address))
        }
        return out
    }

    /// SWIM §3.1: one protocol period. Closes the previous probe, probes the
    /// next member in round-robin order and re-arms itself, stretched by the
    /// local health multiplier (Lifeguard §IV.A).
    public mutating func onPeriodicPingTick(now: SWIM.Tick) -> [SWIM.Directive] {
        advance(to: now)
        guard myself.status != .left else { return [] }
        var out: [SWIM.Directive] = []
        periods += 1
        if let open = probe { out += conclude(open, acked: false) }
        if periods % Self.sweepIntervalPeriods == 0 { sweepTombstones() }
        if config.reconnectIntervalPeriods > 0, periods % UInt64(config.reconnectIntervalPeriods) == 0 {
            out += pingRandomTombstone()
        }
        if let target = nextProbeTarget() {
            let sequence = makeSequence()
            probe = Probe(sequence: sequence, target: target.id)
            out.append(.send(makePing(to: target.id, sequence: sequence), to: target.metadata.address))
            let timeoutTicks = config.probeTimeoutTicks * health.multiplier
            out.append(.schedule(.probeTimeout(sequence: sequence), afterTicks: timeoutTicks))
        }
        out += syncIfDue()
        out.append(.schedule(.periodicPing, afterTicks: config.probeIntervalTicks * health.multiplier))
        return out
    }

    /// Anti-entropy: with the member `requestSync` asked for (revived, or
    /// ahead of our copy of its metadata: that is where views split), else
    /// with a random member on schedule.
    private mutating func syncIfDue() -> [SWIM.Directive] {
        let interval = UInt64(config.pushPullIntervalPeriods(memberCount: liveMemberCount))
        guard interval > 0 else { return [] }
        if nextSyncPeriod == 0 { nextSyncPeriod = periods + 1 + generator.next(upperBound: interval) }
        var peer: SWIM.Member?
        if let wanted = syncPeer, let m = members[wanted.name], m.id == wanted, m.status != .left {
            peer = m
            lastTriggeredSyncPeriod = periods
        } else if periods >= nextSyncPeriod {
            peer = randomAliveMembers(count: 1).first
            nextSyncPeriod = periods + interval
        }
        syncPeer = nil
        guard let peer else { return [] }
        let sync = SWIM.Sync(from: myself.id, wantsReply: true, members: fullView)
        return [.send(.sync(sync), to: peer.metadata.address)]
    }

    /// A dead member is back, or its metadata is ahead of ours: our views
    /// split somewhere. Sync with it next period, unless we did so recently.
    mutating func requestSync(with id: SWIM.MemberID) {
        let cooldown = UInt64(config.syncCooldownPeriods(memberCount: liveMemberCount))
        guard config.pushPullIntervalPeriods > 0, syncPeer == nil else { return }
        if let last = lastTriggeredSyncPeriod, periods < last + cooldown { return }
        syncPeer = id
    }

    public mutating func onTimeout(_ timer: SWIM.Timer, now: SWIM.Tick) -> [SWIM.Directive] {
        advance(to: now)
        switch timer {
        case .periodicPing:
            return onPeriodicPingTick(now: now)
        case .probeTimeout(let sequence):
            return onProbeTimeout(sequence: sequence)
        case .indirectProbeTimeout(let sequence):
            guard let open = probe, open.sequence == sequence else { return [] }
            return conclude(open, acked: false)
        case .forwardTimeout(let sequence):
            guard let forward = forwards.removeValue(forKey: sequence) else { return [] }
            let nack = SWIM.Nack(from: myself.id, sequence: forward.requesterSequence, gossip: gossip(for: nil))
            return [.send(.nack(nack), to: forward.requesterAddress)]
        case .gossip:
            return onGossipTick()
        case .suspicionTimeout(let name):
            guard let suspicion = suspicions[name], nowTicks >= suspicion.deadlineTicks,
                  let suspect = members[name], suspect.status == .suspect else { return [] }
            return apply(SWIM.MemberUpdate(id: suspect.id, incarnation: suspicion.incarnation, status: .dead))
        case .joinTimeout(let attempt):
            return onJoinTimeout(attempt: attempt)
        }
    }

    /// No direct ack in time: ask k random members to probe for us (SWIM §3.1),
    /// and ping the target once more ourselves, as memberlist's fallback
    /// probe does: under random loss most failed probes were one lost
    /// datagram, and every false suspicion costs N·log N gossip to undo.
    private mutating func onProbeTimeout(sequence: UInt64) -> [SWIM.Directive] {
        guard var open = probe, open.sequence == sequence, let target = members[open.target.name],
              target.id == open.target else { return [] }
        var out: [SWIM.Directive] = [.send(makePing(to: target.id, sequence: sequence), to: target.metadata.address)]
        let helpers = randomAliveMembers(count: config.indirectChecks, excluding: target.id.name)
        for helper in helpers {
            let request = SWIM.PingRequest(
                from: myself.id, target: target.id, targetAddress: target.metadata.address,
                sequence: sequence, gossip: gossip(for: helper.id))
            out.append(.send(.pingRequest(request), to: helper.metadata.address))
        }
        open.expectedNacks = helpers.count
        probe = open
        let directTicks = config.probeTimeoutTicks
        let remainingTicks = config.probeIntervalTicks > directTicks ? config.probeIntervalTicks - directTicks : 1
        out.append(.schedule(.indirectProbeTimeout(sequence: sequence), afterTicks: remainingTicks * health.multiplier))
        return out
    }

    /// Ends a probe: an ack makes us healthier; silence makes the target a
    /// suspect, and missing nacks say the fault may be ours (Lifeguard §IV.A).
    mutating func conclude(_ open: Probe, acked: Bool) -> [SWIM.Directive] {
        probe = nil
        if acked {
            health.apply(delta: -1)
            return []
        }
        let missedNacks = max(0, open.expectedNacks - open.nacks)
        health.apply(delta: open.expectedNacks > 0 ? missedNacks : 1)
        // Failing to reach a member someone else already suspects is an
        // independent confirmation (Lifeguard §IV.B), not a no-op.
        guard let target = members[open.target.name], target.id == open.target,
              target.status == .alive || target.status == .suspect else { return [] }
        return apply(SWIM.MemberUpdate(
            id: target.id, incarnation: target.incarnation, status: .suspect, accuser: myself.id.name))
    }

    private mutating func nextProbeTarget() -> SWIM.Member? {
        guard !probeOrder.isEmpty else { return nil }
        for _ in 0...probeOrder.count {
            if probeIndex >= probeOrder.count {
                probeIndex = 0
                probeOrder.shuffle(using: &generator)
            }
            let name = probeOrder[probeIndex]
            probeIndex += 1
            if let m = members[name], !m.status.isTombstone { return m }
        }
        return nil
    }

    /// Pings one dead member: if it is in fact alive behind a healed
    /// partition, our piggybacked belief makes it refute, and its ack tells
    /// us in turn if it believes we are dead.
    private mutating func pingRandomTombstone() -> [SWIM.Directive] {
        let dead = probeOrder.filter { members[$0]?.status == .dead }
        guard !dead.isEmpty, let target = members[dead[Int(generator.next(upperBound: UInt64(dead.count)))]] else {
            return []
        }
        return [.send(makePing(to: target.id, sequence: makeSequence()), to: target.metadata.address)]
    }

    private mutating func sweepTombstones() {
        let retention = config.tombstoneRetentionTicks
        let expired = probeOrder.filter {
            guard let m = members[$0], m.status.isTombstone else { return false }
            return nowTicks >= m.statusSinceTicks && nowTicks - m.statusSinceTicks >= retention
        }
        for name in expired { forget(name: name) }
    }
}
