import YonkeCore

extension SWIM.Instance {
    /// Merges one claim into our view (SWIM §4.2 precedence, generations
    /// first). A claim that changes anything is queued for further gossip
    /// and reported to the shell; one that does not is dropped, which is
    /// what stops gossip from echoing forever.
    mutating func apply(_ update: SWIM.MemberUpdate) -> [SWIM.Directive] {
        if update.id.name == myself.id.name { return applyAboutMyself(update) }
        guard let current = members[update.id.name] else { return applyAboutStranger(update) }
        if update.id.generation < current.id.generation { return [] }
        if update.id.generation > current.id.generation { return applyNewerGeneration(update, replacing: current) }

        switch update.status {
        case .alive:
            guard update.incarnation > current.incarnation else { return [] }
            var next = current
            next.incarnation = update.incarnation
            next.status = .alive
            if let metadata = update.metadata { next.metadata = metadata }
            suspicions[current.id.name] = nil
            return commit(next, previous: current, gossip: next.update)

        case .suspect:
            if current.status == .suspect, update.incarnation == current.incarnation {
                return confirmSuspicion(of: current, by: update.accuser)
            }
            let newer = current.status == .alive ? update.incarnation >= current.incarnation
                : current.status == .suspect ? update.incarnation > current.incarnation
                : false
            guard newer else { return [] }
            var next = current
            next.incarnation = update.incarnation
            next.status = .suspect
            let n = liveMemberCount
            var suspicion = SWIM.Suspicion(
                incarnation: update.incarnation, startedAtTicks: nowTicks,
                minTicks: config.suspicionTimeoutMinTicks(memberCount: n),
                maxTicks: config.suspicionTimeoutMaxTicks(memberCount: n),
                expectedConfirmations: config.expectedConfirmations(memberCount: n), accusers: [])
            suspicion.accusers.insert(update.accuser ?? "")
            suspicions[current.id.name] = suspicion
            var out = commit(next, previous: current, gossip: SWIM.MemberUpdate(
                id: next.id, incarnation: next.incarnation, status: .suspect, accuser: update.accuser))
            out.append(.schedule(.suspicionTimeout(name: current.id.name), afterTicks: suspicion.timeoutTicks))
            return out

        case .dead, .left:
            let newer = current.status.isTombstone ? update.incarnation > current.incarnation
                : update.incarnation >= current.incarnation
            guard newer else { return [] }
            var next = current
            next.incarnation = update.incarnation
            next.status = update.status
            suspicions[current.id.name] = nil
            return commit(next, previous: current, gossip: SWIM.MemberUpdate(
                id: next.id, incarnation: next.incarnation, status: next.status))
        }
    }

    /// Lifeguard §IV.B: another member independently suspects the same
    /// incarnation; the deadline moves closer and the news is passed on.
    private mutating func confirmSuspicion(of current: SWIM.Member, by accuser: String?) -> [SWIM.Directive] {
        guard let accuser, var suspicion = suspicions[current.id.name], suspicion.confirm(by: accuser) else { return [] }
        suspicions[current.id.name] = suspicion
        dissemination.enqueue(SWIM.MemberUpdate(
            id: current.id, incarnation: current.incarnation, status: .suspect, accuser: accuser))
        let deadline = suspicion.deadlineTicks
        let remainingTicks = deadline > nowTicks ? deadline - nowTicks : 0
        return [.schedule(.suspicionTimeout(name: current.id.name), afterTicks: remainingTicks)]
    }

    /// Suspect/dead claims about members we never saw alive carry nothing
    /// to act on (memberlist ignores them too), unless they come with
    /// metadata, as in a join reply: then they are tombstones worth keeping.
    private mutating func applyAboutStranger(_ update: SWIM.MemberUpdate) -> [SWIM.Directive] {
        guard let metadata = update.metadata else { return [] }
        let member = SWIM.Member(id: update.id, incarnation: update.incarnation, status: update.status,
                                 metadata: metadata, statusSinceTicks: nowTicks)
        if update.status == .suspect {
            // We have no timer for someone else's suspicion; treat as alive
            // and let our own probes decide.
            var alive = member
            alive.status = .alive
            store(alive)
            return [.memberStatusChanged(SWIM.StatusChange(member: alive, previousStatus: nil))]
        }
        store(member)
        guard !update.status.isTombstone else { return [] }
        spread(member.update)
        return [.memberStatusChanged(SWIM.StatusChange(member: member, previousStatus: nil))]
    }

    /// A restart: the new run replaces whatever we knew of the old one,
    /// tombstone included; the old run is reported dead if we thought it alive.
    private mutating func applyNewerGeneration(_ update: SWIM.MemberUpdate, replacing old: SWIM.Member) -> [SWIM.Directive] {
        guard update.metadata != nil, update.status == .alive else { return [] }
        var out: [SWIM.Directive] = []
        if !old.status.isTombstone {
            var gone = old
            gone.status = .dead
            out.append(.memberStatusChanged(SWIM.StatusChange(member: gone, previousStatus: old.status)))
        }
        suspicions[old.id.name] = nil
        let member = SWIM.Member(id: update.id, incarnation: update.incarnation, status: .alive,
                                 metadata: update.metadata ?? old.metadata, statusSinceTicks: nowTicks)
        store(member)
        spread(member.update)
        out.append(.memberStatusChanged(SWIM.StatusChange(member: member, previousStatus: nil)))
        return out
    }

    /// SWIM §4.2: only we raise our incarnation; a suspicion or death claim
    /// at our current incarnation is refuted by announcing the next one.
    /// A claim about us at an incarnation above ours is forged: within one
    /// generation nobody but us can have seen a higher one, and taking it
    /// would let one message push our counter to its end (where `+ 1` traps,
    /// or, saturated, we could never refute a suspicion again).
    private mutating func applyAboutMyself(_ update: SWIM.MemberUpdate) -> [SWIM.Directive] {
        guard update.id.generation == myself.id.generation, myself.status != .left else { return [] }
        guard update.incarnation <= myself.incarnation else {
            forgedClaimsAboutMyself += 1
            return []
        }
        switch update.status {
        case .alive:
            // Our own word, echoed back: nothing to do.
            return []
        case .suspect, .dead, .left:
            if update.incarnation < myself.incarnation {
                // Someone still holds an old accusation: our refutation
                // missed them (a partition, or gossip that ran out). Repeating
                // it would die out, since everyone else already has it; a new
                // incarnation is news to all and spreads as far as it must.
                raiseIncarnation()
                return []
            }
            // Being accused is a hint that we are the slow one (Lifeguard §IV.A).
            health.apply(delta: 1)
        }
        raiseIncarnation()
        return []
    }

    /// The next incarnation of ourselves, announced. Saturates instead of
    /// wrapping: incarnations from outside never exceed ours (above), so ours
    /// grows by one per refutation or metadata change and never gets near the end.
    mutating func raiseIncarnation() {
        myself.incarnation = CheckedMath.incremented(myself.incarnation) ?? myself.incarnation
        dissemination.enqueue(myself.update)
    }

    private mutating func commit(_ next: SWIM.Member, previous: SWIM.Member, gossip: SWIM.MemberUpdate) -> [SWIM.Directive] {
        var member = next
        if member.status != previous.status { member.statusSinceTicks = nowTicks }
        store(member)
        spread(gossip)
        if previous.status == .dead && member.status == .alive { requestSync(with: member.id) }
        if member.status != previous.status {
            return [.memberStatusChanged(SWIM.StatusChange(member: member, previousStatus: previous.status))]
        }
        if member.metadata != previous.metadata {
            return [.memberMetadataChanged(member)]
        }
        return []
    }

    /// Queues a claim about someone else for piggybacking, unless we are
    /// taking in a join reply: the seed's view is news to us only, and
    /// re-gossiping all of it would flood every message for N periods.
    private mutating func spread(_ update: SWIM.MemberUpdate) {
        guard !applyingJoinReply else { return }
        dissemination.enqueue(update)
    }
}
