extension SWIM.Instance {
    /// A message from the wire; `address` is where the transport says it
    /// came from, used to answer members we do not know yet.
    public mutating func onMessage(_ message: SWIM.Message, from address: SWIM.Address, now: SWIM.Tick) -> [SWIM.Directive] {
        advance(to: now)
        var out: [SWIM.Directive] = []
        for update in message.gossip { out += apply(update) }
        switch message {
        case .ping(let ping):
            // A ping for an older run of us is not ours to answer: that run is dead.
            guard ping.target == myself.id else { break }
            let ack = SWIM.Ack(from: myself.id, sequence: ping.sequence, gossip: gossip(for: ping.from))
            out.append(.send(.ack(ack), to: address))
        case .pingRequest(let request):
            guard forwards.count < Self.forwardsMax, request.target != myself.id else { break }
            let sequence = makeSequence()
            forwards[sequence] = Forward(requesterAddress: address, requesterSequence: request.sequence, target: request.target)
            let ping = SWIM.Ping(from: myself.id, target: request.target, sequence: sequence, gossip: gossip(for: request.target))
            out.append(.send(.ping(ping), to: request.targetAddress))
            out.append(.schedule(.forwardTimeout(sequence: sequence), afterTicks: config.forwardTimeoutTicks))
        case .ack(let ack):
            if let forward = forwards[ack.sequence] {
                guard ack.from == forward.target else { break }
                forwards[ack.sequence] = nil
                let relayed = SWIM.Ack(from: ack.from, sequence: forward.requesterSequence, gossip: gossip(for: nil))
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
            let view = [myself.update] + peers.map(\.update)
            out.append(.send(.joinReply(SWIM.JoinReply(from: myself.id, members: view)), to: address))
        case .joinReply(let reply):
            joining = nil
            for update in reply.members { out += apply(update) }
        }
        return out
    }
}
