extension SWIM.Instance {
    /// A message from the wire; `address` is where the transport says it
    /// came from, used to answer members we do not know yet.
    public mutating func onMessage(
        _ message: SWIM.Message, from address: SWIM.Address, now: SWIM.Tick
    ) -> [SWIM.Directive] {
        advance(to: now)
        var out: [SWIM.Directive] = []
        for update in message.gossip { out += apply(update) }
        out += applySelfClaim(of: message)
        switch message {
        case .ping(let ping):
            // A ping for an older run of us is not ours to answer: that run is dead.
            guard ping.target == myself.id, ping.sequence != SWIM.Ping.gossipSequence else { break }
            let ack = SWIM.Ack(from: myself.id, sequence: ping.sequence, gossip: gossip(for: ping.from),
                               fromIncarnation: myself.incarnation, fromMetadataVersion: myself.metadata.version)
            out.append(.send(.ack(ack), to: address))
        case .pingRequest(let request):
            guard forwards.count < Self.forwardsMax, request.target != myself.id else { break }
            let sequence = makeSequence()
            forwards[sequence] = Forward(
                requesterAddress: address, requesterSequence: request.sequence, target: request.target)
            out.append(.send(makePing(to: request.target, sequence: sequence), to: request.targetAddress))
            out.append(.schedule(.forwardTimeout(sequence: sequence), afterTicks: config.forwardTimeoutTicks))
        case .ack(let ack):
            if let forward = forwards[ack.sequence] {
                guard ack.from == forward.target else { break }
                forwards[ack.sequence] = nil
                let relayed = SWIM.Ack(
                    from: ack.from, sequence: forward.requesterSequence, gossip: gossip(for: nil),
                    fromIncarnation: ack.fromIncarnation, fromMetadataVersion: ack.fromMetadataVersion)
                out.append(.send(.ack(relayed), to: forward.requesterAddress))
            } else if let open = probe, open.sequence == ack.sequence, open.target == ack.from {
                out += conclude(open, acked: true)
            }
        case .nack(let nack):
            if var open = probe, open.sequence == nack.sequence {
                open.nacks += 1
                probe = open
            }
        case .joinRequest(let request):
            guard request.member.status == .alive, request.member.metadata != nil,
                  request.member.id.name != myself.id.name else { break }
            out += apply(request.member)
            out.append(.send(.joinReply(SWIM.JoinReply(from: myself.id, members: fullView)), to: address))
        case .joinReply(let reply):
            joining = nil
            applyingJoinReply = true
            for update in reply.members { out += apply(update) }
            applyingJoinReply = false
        case .sync(let sync):
            guard sync.from.name != myself.id.name else { break }
            for update in sync.members { out += merge(remote: update, from: sync.from) }
            if sync.wantsReply {
                let reply = SWIM.Sync(from: myself.id, wantsReply: false, members: fullView)
                out.append(.send(.sync(reply), to: address))
            }
        }
        return out
    }

    /// A ping or ack is its sender speaking for itself: an `alive` claim at
    /// the incarnation it states (metadata unchanged). It cannot resurrect a
    /// crashed run, whose last messages carry no newer incarnation than the
    /// one it was declared dead at.
    private mutating func applySelfClaim(of message: SWIM.Message) -> [SWIM.Directive] {
        let (id, incarnation, version): (SWIM.MemberID, UInt64, UInt64)
        switch message {
        case .ping(let ping): (id, incarnation, version) = (ping.from, ping.fromIncarnation, ping.fromMetadataVersion)
        case .ack(let ack): (id, incarnation, version) = (ack.from, ack.fromIncarnation, ack.fromMetadataVersion)
        case .pingRequest, .nack, .joinRequest, .joinReply, .sync: return []
        }
        guard let known = members[id.name], known.id == id, incarnation > known.incarnation else { return [] }
        guard version == known.metadata.version else {
            // Our copy of its metadata is old: fetch the whole record.
            requestSync(with: id)
            return []
        }
        return apply(SWIM.MemberUpdate(id: id, incarnation: incarnation, status: .alive, metadata: known.metadata))
    }

    /// memberlist's mergeState: a remote *dead* claim becomes a suspicion
    /// here. If the member is in fact alive it refutes within a period or
    /// two; if not, our own suspicion timer finishes the job. Taking the
    /// death as is would spread every stale belief of a healed partition.
    private mutating func merge(remote update: SWIM.MemberUpdate, from sender: SWIM.MemberID) -> [SWIM.Directive] {
        guard update.status == .dead, let known = members[update.id.name], known.id == update.id,
              !known.status.isTombstone else { return apply(update) }
        return apply(SWIM.MemberUpdate(id: update.id, incarnation: update.incarnation, status: .suspect,
                                       accuser: sender.name))
    }

    /// Us and every member we know, tombstones included, sorted by name.
    var fullView: [SWIM.MemberUpdate] { [myself.update] + peers.map(\.update) }
}
